# The two commands of the README. Both work on a fresh machine (Python 3.11, root).
#   make run   -- create .venv, install the app, serve it with `streamlit run serve.py` (warm start)
#   make test  -- create .venv with the test extra, install Debian's chromium if missing, run pytest

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run serve load storm fresh-starts test test-fast lint format bench browser balancer clean

# The stamp files are rebuilt when pyproject.toml changes, so a changed dependency list reinstalls.
$(VENV)/.app-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.app-installed $@

# serve.py wraps app.py in an st.App whose start-up imports and runs every page once before the
# server reports healthy (README, "Deploying").
run: $(VENV)/.app-installed
	$(BIN)/python -m streamlit run serve.py --server.port $(PORT)

# One app process per core behind HAProxy (sticky sessions, health checks): server/cluster.py.
PROCESSES ?= $(shell nproc)
serve: $(VENV)/.app-installed balancer
	$(BIN)/python -m server.cluster --processes $(PROCESSES) --port $(PORT)

# The classroom load client (loopback only; starts its own server unless URL is given).
SESSIONS ?= 40
PAGE     ?= factor-an-image
load: $(VENV)/.app-installed
	$(BIN)/python -m benchmarks.class_load --sessions $(SESSIONS) --page $(PAGE) --warm \
		--processes $(or $(LOAD_PROCESSES),1) $(if $(URL),--url $(URL))

# Students dragging a slider together, and a bystander (loopback; own server unless URL).
STORMERS ?= 10
storm: $(VENV)/.app-installed
	$(BIN)/python -m benchmarks.rerun_storm --stormers $(STORMERS) $(if $(URL),--url $(URL))

# A class opening the link the moment the server restarts, FRESH_STARTS times.
FRESH_STARTS ?= 5
fresh-starts: $(VENV)/.app-installed
	$(BIN)/python -m benchmarks.class_load --sessions $(SESSIONS) --page $(PAGE) \
		--fresh-starts $(FRESH_STARTS)

balancer:
	@if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
		$$SUDO apt-get update && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy; \
	fi

# The browser tests drive Debian's Chromium through Playwright (no browser download). CI has
# no terminal, so apt must not ask questions.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
		$$SUDO apt-get update && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi
	@test -x /usr/bin/chromium || { echo "chromium is missing after the install" >&2; exit 1; }

test: $(VENV)/.test-installed browser balancer
	$(BIN)/python -m pytest

# The edit loop: the library, lessons and figures, no Streamlit and no browser.
test-fast: $(VENV)/.test-installed
	$(BIN)/python -m pytest tests/library tests/lessons tests/figures

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.nmf_vs_sklearn --repeats 5

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
