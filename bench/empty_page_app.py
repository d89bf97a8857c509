"""The baseline for `make bench`'s warm rerun: an empty Streamlit page (one empty
``st.write``), served by its own ``streamlit run`` and rerun the same way as My week."""

import streamlit as st

st.write("")
