# NMF Lab as one app process (one core): `docker build -t nmf-lab . && docker run -p 8501:8501 nmf-lab`.
# For all the cores, run several behind a balancer: deploy/compose.yaml, or `make serve` without
# containers. Non-root; healthy once the warm start has run every page's default view.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 nmflab
WORKDIR /app

# The dependencies first, so a change to the pages does not reinstall them.
COPY pyproject.toml README.md ./
COPY nmf_core nmf_core
COPY nmf_lab nmf_lab
RUN pip install .

COPY app.py serve.py ./
COPY app_pages app_pages
COPY server server
COPY assets assets
COPY .streamlit .streamlit

USER nmflab
EXPOSE 8501
# The warm start takes up to a minute or two on a small machine; health is 503 until it is done.
HEALTHCHECK --interval=10s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"]
CMD ["python", "-m", "streamlit", "run", "serve.py", "--server.port", "8501", \
     "--server.address", "0.0.0.0", "--server.headless", "true"]
