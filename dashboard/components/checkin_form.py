"""The weekly check-in as one form: at most ten inputs, generated from ``CHECKIN``.

Scales are horizontal radios (one tap each; nothing pre-selected, so an untouched scale
is "not answered" rather than a silent middle value), the burnout item lists its five
statements, self-care actions are one multi-select and the reflection is optional.
Widget keys are ``checkin_<field id>``.
"""

from __future__ import annotations

from typing import Mapping

import streamlit as st

from complexity import CHECKIN
from complexity.checkin import CheckinField
from dashboard.i18n import translate

FORM_KEY = "checkin_form"
SUBMIT_KEY = "checkin_submit"


def field_key(field_id: str) -> str:
    return f"checkin_{field_id}"


def _scale(field: CheckinField, lang: str) -> int | None:
    options = list(range(field.min, field.max + 1))
    if field.levels:
        levels = field.levels[lang]
        return st.radio(field.label(lang), options, index=None, key=field_key(field.id),
                        format_func=lambda v: f"{v}. {levels[v - field.min]}")
    help_text = translate(lang, "checkin.scale_help", low=field.low[lang], high=field.high[lang],
                          min=field.min, max=field.max)
    return st.radio(field.label(lang), options, index=None, horizontal=True, key=field_key(field.id),
                    help=help_text, captions=None)


def render_checkin_form(lang: str) -> Mapping[str, object] | None:
    """Draw the form; on submit return the answers (scale id -> int or None,
    ``selfcare_actions`` -> option ids, ``reflection`` -> text), else ``None``."""
    answers: dict[str, object] = {}
    with st.form(FORM_KEY, enter_to_submit=False):
        for field in CHECKIN.fields:
            if field.kind == "scale":
                if not field.levels:
                    st.caption(f"{field.min} = {field.low[lang]} · {field.max} = {field.high[lang]}")
                answers[field.id] = _scale(field, lang)
            elif field.kind == "multi":
                labels = {o.id: o.label(lang) for o in field.options}
                answers[field.id] = st.multiselect(field.label(lang), list(labels), key=field_key(field.id),
                                                   format_func=labels.get,
                                                   placeholder=translate(lang, "checkin.actions_placeholder"),
                                                   select_all=False)  # Streamlit's own text is English only
            elif field.kind == "text":
                answers[field.id] = st.text_area(field.label(lang), key=field_key(field.id),
                                                 max_chars=field.max_length, height=80,
                                                 help=translate(lang, "checkin.reflection_help"))
        submitted = st.form_submit_button(translate(lang, "checkin.submit"), type="primary", key=SUBMIT_KEY)
    if not submitted:
        return None
    return answers


def missing_answers(answers: Mapping[str, object]) -> list[str]:
    """Scale fields left open (all scales are asked; an open one is pointed out)."""
    return [f.id for f in CHECKIN.scale_fields if not f.optional and answers.get(f.id) is None]
