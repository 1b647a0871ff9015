"""NMF Lab: the Streamlit entry point.

This file is the frame around every page: page config, the navigation along the learning path,
and the shared sidebar (global seed, lecture mode, references). Each page lives in ``app_pages/``
and stays thin; what it computes comes from ``nmf_lab.lessons`` (built on ``nmf_core``) and
what it draws from ``nmf_lab.figures``.
"""

from __future__ import annotations

import streamlit as st

from app_pages._lecture_plan import render_lecture_plan
from app_pages._path import render_checkpoint_counts, render_goal, render_next
from app_pages._shared import render_shared_sidebar
from app_pages._url_state import start_url_checks

st.set_page_config(
    page_title="NMF Lab",
    page_icon=":material/grid_on:",
    layout="wide",
    initial_sidebar_state="auto",
)
# Before any widget reads its value from the URL: the top of the page holds the message that
# lists what a stale or hostile link asked for and what is shown instead.
start_url_checks()

# The learning path of DESIGN.md, in order. url_path values are part of shareable links:
# changing one breaks bookmarks, so treat them as public API. The page scripts live in
# app_pages/, not pages/: Streamlit reads a pages/ folder as an old-style multipage app until
# st.navigation has run once, and deep links then show "Page not found" (README, Deploying).
PAGES = {
    "Start": [
        st.Page(
            "app_pages/home.py",
            title="Home",
            icon=":material/home:",
            url_path="start",
            default=True,
        ),
    ],
    "Geometry": [
        st.Page(
            "app_pages/change_of_basis.py",
            title="Change of basis",
            icon=":material/swap_horiz:",
            url_path="change-of-basis",
        ),
        st.Page(
            "app_pages/point_clouds.py",
            title="Point clouds",
            icon=":material/scatter_plot:",
            url_path="point-clouds",
        ),
    ],
    "Data": [
        st.Page(
            "app_pages/images.py",
            title="Images",
            icon=":material/image:",
            url_path="factor-an-image",
        ),
    ],
    "Algorithms": [
        st.Page(
            "app_pages/watching_it_learn.py",
            title="Watching it learn",
            icon=":material/monitoring:",
            url_path="watching-it-learn",
        ),
    ],
    "Comparisons": [
        st.Page(
            "app_pages/nmf_vs_svd_pca.py",
            title="NMF vs SVD vs PCA",
            icon=":material/compare:",
            url_path="nmf-vs-svd-pca",
        ),
        st.Page(
            "app_pages/choosing_r.py",
            title="Choosing r and penalties",
            icon=":material/tune:",
            url_path="choosing-r",
        ),
    ],
    "Applications": [
        st.Page(
            "app_pages/sounds.py",
            title="Sounds",
            icon=":material/music_note:",
            url_path="sounds",
        ),
        st.Page(
            "app_pages/stains.py",
            title="Stains",
            icon=":material/biotech:",
            url_path="stains",
        ),
        st.Page(
            "app_pages/texts.py",
            title="Texts",
            icon=":material/article:",
            url_path="texts",
        ),
    ],
}

current_page = st.navigation(PAGES, position="sidebar", expanded=True)
render_shared_sidebar()
render_checkpoint_counts(PAGES)
render_lecture_plan(PAGES, current_page)
render_goal(PAGES, current_page)
current_page.run()
render_next(PAGES, current_page)
