"""Draagkracht dashboard entry point: ``streamlit run dashboard/app.py``.

Sets up the page, the language selector (Dutch by default, kept in
``st.session_state["language"]``) and the navigation; each page lives in ``pages/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGE_KEY, LANGUAGES, t, translate  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "pages"

if LANGUAGE_KEY not in st.session_state:
    st.session_state[LANGUAGE_KEY] = DEFAULT_LANGUAGE

st.set_page_config(page_title=t("app.title"), page_icon=":material/balance:", layout="centered")

with st.sidebar:
    st.radio(
        t("language.label"),
        LANGUAGES,
        format_func=lambda code: translate(code, "language.name"),  # each name in its own language
        key=LANGUAGE_KEY,
        horizontal=True,
    )

navigation = st.navigation(
    [
        st.Page(
            PAGES_DIR / "rate_case.py",
            title=t("nav.rate_case"),
            icon=":material/assignment:",
            url_path="rate-case",
            default=True,
        ),
    ]
)
with st.sidebar:
    st.caption(t("app.tagline"))
navigation.run()
