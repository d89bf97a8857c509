"""The like-for-like floor for the research benchmark (information): the empty page of
``empty_page_app.py`` served as the production app is (``dashboard/server.py``), through
``st.App``, with what is loaded at start frozen out of the garbage collector's walks and
Streamlit's collection after every run turned off (``dashboard.preload``). On the plain
empty page that collection is about half of its rerun; this floor shows what the app
adds beyond Streamlit itself."""

import gc
import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.preload import collect_as_python_does  # noqa: E402

collect_as_python_does()
gc.collect()
gc.freeze()
app = st.App(Path(__file__).resolve().parent / "empty_page_app.py")
