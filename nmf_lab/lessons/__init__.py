"""What each page computes, without Streamlit: one module or package per page of ``app_pages/``."""
