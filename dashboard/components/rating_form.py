"""The rating form: every instrument item as a 0-3 choice with its anchors visible.

Each item is a radio with a "not rated" choice first. The option labels are the level
numbers (the same in every language) and the anchors are the captions, so switching
language keeps what was already chosen, also inside a form that was not yet submitted.
Widget keys are stable: ``item_<item id>``. Where the rating is stored, the form also asks,
optionally, how heavy the case feels right now (0-10, key ``burden_<prefix>``): stored
with the rating, not part of the score.
"""

from __future__ import annotations

from typing import Mapping

import streamlit as st

from complexity import DEFAULT_CONFIG, INSTRUMENT, Item
from complexity.instrument import BURDEN_MAX, LEVELS
from dashboard.i18n import translate

FORM_KEY = "rate_case_form"
SUBMIT_KEY = "rate_case_submit"
NOT_RATED = "not_rated"
OPTIONS: tuple[object, ...] = (NOT_RATED,) + LEVELS
NOT_RATED_SYMBOL = "–"
BURDEN = "burden"
BURDEN_OPTIONS: tuple[object, ...] = (NOT_RATED,) + tuple(range(BURDEN_MAX + 1))


def burden_key(prefix: str = "") -> str:
    return f"burden_{prefix}"


def item_key(item_id: str, prefix: str = "") -> str:
    return f"item_{prefix}{item_id}"


def _option_label(option: object) -> str:
    return NOT_RATED_SYMBOL if option == NOT_RATED else str(option)


def level_legend(lang: str) -> str:
    labels = INSTRUMENT.level_labels[lang]
    return "  \n".join(f"**{level}** {label}" for level, label in zip(LEVELS, labels))


def _item_radio(item: Item, lang: str, initial: int | None = None, prefix: str = "") -> object:
    return st.radio(
        item.label(lang),
        OPTIONS,
        index=0 if initial is None else OPTIONS.index(int(initial)),
        format_func=_option_label,
        captions=[translate(lang, "form.not_rated")] + list(item.anchors[lang]),
        key=item_key(item.id, prefix),
    )


def _outside_help(lang: str) -> str:
    default = DEFAULT_CONFIG.scoring.interplay_default
    return translate(lang, "form.outside_score.help", default=default,
                     anchor=INSTRUMENT.item("interplay").anchor(default, lang))


def _burden_radio(lang: str, prefix: str) -> object:
    return st.radio(
        translate(lang, "form.burden.label"), BURDEN_OPTIONS, index=0, format_func=_option_label,
        horizontal=True, help=translate(lang, "form.burden.help"), key=burden_key(prefix),
    )


def render_rating_form(
    lang: str,
    *,
    initial: Mapping[str, int | None] | None = None,
    key_prefix: str = "",
    submit_label: str | None = None,
    ask_burden: bool = False,
) -> Mapping[str, int | None] | None:
    """Draw the form; on submit return ``{item id: level or None}`` (with ``burden``,
    0-10 or None, when ``ask_burden``), else ``None``.

    ``initial`` pre-selects levels (a re-rating starts from the latest rating; the
    burden is asked afresh: it is about right now); ``key_prefix`` keeps the widgets of
    different cases apart."""
    initial = initial or {}
    with st.form(FORM_KEY + key_prefix, enter_to_submit=False):
        with st.expander(translate(lang, "form.levels_title")):
            st.markdown(level_legend(lang))
        values: dict[str, object] = {}
        for domain in INSTRUMENT.domains:
            with st.expander(domain.label(lang)):
                st.caption(domain.description(lang))
                for item in domain.items:
                    values[item.id] = _item_radio(item, lang, initial.get(item.id), key_prefix)
        with st.expander(translate(lang, "form.outside_score.title")):
            st.caption(_outside_help(lang))
            for item in INSTRUMENT.extra_items:
                values[item.id] = _item_radio(item, lang, initial.get(item.id), key_prefix)
        if ask_burden:
            values[BURDEN] = _burden_radio(lang, key_prefix)
            st.caption(translate(lang, "form.burden.scale"))
        submitted = st.form_submit_button(
            submit_label or translate(lang, "form.submit"), type="primary", key=SUBMIT_KEY + key_prefix
        )
    if not submitted:
        return None
    return {item_id: (None if v == NOT_RATED else int(v)) for item_id, v in values.items()}
