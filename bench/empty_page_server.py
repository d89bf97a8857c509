"""The like-for-like floor for the research benchmark (information): the empty page of
``empty_page_app.py`` served as the production app is, through ``st.App`` with what is
loaded at start frozen out of the garbage collector's walks (``dashboard.preload`` does
that for the app). Streamlit collects after every run; on the plain empty page that walk
is about half of its rerun, so this floor shows what the app adds beyond it."""

import gc
from pathlib import Path

import streamlit as st

gc.collect()
gc.freeze()
app = st.App(Path(__file__).resolve().parent / "empty_page_app.py")
