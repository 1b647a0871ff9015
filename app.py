"""NMF Lab: the Streamlit entry point.

This file is the frame around every page: page config, the navigation along the learning path,
and the shared sidebar (global seed, lecture mode, references). Each page lives in ``pages/``
and stays thin; what it computes comes from ``nmf_lab.lessons`` (built on ``nmf_core``) and
what it draws from ``nmf_lab.figures``.
"""

from __future__ import annotations

import streamlit as st

from pages._shared import render_shared_sidebar, sanitize_query_params

st.set_page_config(
    page_title="NMF Lab",
    page_icon=":material/grid_on:",
    layout="wide",
    initial_sidebar_state="expanded",
)
# Before any widget reads its value from the URL: a hostile link must not crash the app.
sanitize_query_params()

# The learning path of DESIGN.md, in order. url_path values are part of shareable links:
# changing one breaks bookmarks, so treat them as public API. A url_path must differ from its
# file's stem: until st.navigation has run once in a server process, Streamlit treats pages/
# as an old-style page folder keyed by file stem, and an equal name lets that registration win
# (the page then runs without this frame and its sidebar). The same start-up rule is why the
# very first deep link after a server start shows a "Page not found" notice (README).
PAGES = {
    "Start": [
        st.Page(
            "pages/home.py", title="Home", icon=":material/home:", url_path="start", default=True
        ),
    ],
    "Geometry": [
        st.Page(
            "pages/change_of_basis.py",
            title="Change of basis",
            icon=":material/swap_horiz:",
            url_path="change-of-basis",
        ),
        st.Page(
            "pages/point_clouds.py",
            title="Point clouds",
            icon=":material/scatter_plot:",
            url_path="point-clouds",
        ),
    ],
    "Data": [
        st.Page(
            "pages/images.py", title="Images", icon=":material/image:", url_path="factor-an-image"
        ),
    ],
    "Algorithms": [
        st.Page(
            "pages/watching_it_learn.py",
            title="Watching it learn",
            icon=":material/monitoring:",
            url_path="watching-it-learn",
        ),
    ],
    "Comparisons": [
        st.Page(
            "pages/nmf_vs_svd_pca.py",
            title="NMF vs SVD vs PCA",
            icon=":material/compare:",
            url_path="nmf-vs-svd-pca",
        ),
        st.Page(
            "pages/choosing_r.py",
            title="Choosing r and penalties",
            icon=":material/tune:",
            url_path="choosing-r",
        ),
    ],
}

current_page = st.navigation(PAGES, position="sidebar", expanded=True)
render_shared_sidebar()
current_page.run()
