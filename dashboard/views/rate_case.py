"""Rate a case: the instrument as a form, then the case's complexity with its explanation.

Drawing only. The score comes from ``complexity.score_case``; the last result is kept in
``st.session_state`` so it stays on screen across reruns (e.g. a language switch) and is
redrawn in the chosen language.
"""

from __future__ import annotations

import streamlit as st

from complexity import score_case
from dashboard.components.auth import require_login
from dashboard.components.rating_form import render_rating_form
from dashboard.components.result import render_result
from dashboard.i18n import current_language, t

RESULT_KEY = "rate_case.result"

require_login("therapist")
lang = current_language()
st.title(t("rate.title"))
st.markdown(t("rate.intro"))

ratings = render_rating_form(lang)
if ratings is not None:
    st.session_state[RESULT_KEY] = score_case(ratings)

result = st.session_state.get(RESULT_KEY)
if result is not None:
    st.divider()
    render_result(result, lang)
