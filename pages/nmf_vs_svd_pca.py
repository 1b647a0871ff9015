"""Placeholder: this page is being built (see the open issues)."""

import streamlit as st

st.title("nmf_vs_svd_pca")
st.info("This page is being built.")
