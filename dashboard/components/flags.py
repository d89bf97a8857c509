"""A flag as icon + severity word + title + reason + next step (never colour alone)."""

from __future__ import annotations

import html
from dataclasses import dataclass

import streamlit as st

from complexity import Flag
from dashboard.components.palette import SEVERITY_COLOURS, SEVERITY_ICONS
from dashboard.i18n import format_number, translate


@dataclass(frozen=True)
class FlagText:
    severity: str
    icon: str
    severity_word: str
    title: str
    reason: str
    next_step_label: str
    next_step: str


def flag_text(flag: Flag, lang: str) -> FlagText:
    """Every word a flag shows, in ``lang``, with its numbers formatted for that language."""
    params = {k: format_number(v, lang, 2, strip=True) for k, v in flag.params.items()}
    return FlagText(
        severity=flag.severity,
        icon=SEVERITY_ICONS[flag.severity],
        severity_word=translate(lang, f"severity.{flag.severity}"),
        title=translate(lang, f"flag.{flag.code}.title"),
        reason=translate(lang, f"flag.{flag.code}.reason", **params),
        next_step_label=translate(lang, "flag.next_step_label"),
        next_step=translate(lang, f"next_step.{flag.next_step}"),
    )


def flag_html(text: FlagText) -> str:
    colour = SEVERITY_COLOURS[text.severity]
    e = html.escape
    role = "alert" if text.severity == "red" else "note"
    return (
        f'<div role="{role}" class="dk-flag dk-flag-{text.severity}" '
        f'style="border-left: 0.4rem solid {colour}; border-radius: 0.3rem; '
        f"padding: 0.6rem 0.9rem; margin: 0 0 0.8rem 0; background: {colour}1f;\">"
        f'<div style="font-weight: 600;">{text.icon} '
        f"{e(text.severity_word)} · {e(text.title)}</div>"
        f'<div style="margin-top: 0.25rem;">{e(text.reason)}</div>'
        f'<div style="margin-top: 0.25rem;"><strong>{e(text.next_step_label)}:</strong> '
        f"{e(text.next_step)}</div></div>"
    )


def render_flag(flag: Flag, lang: str) -> None:
    st.markdown(flag_html(flag_text(flag, lang)), unsafe_allow_html=True)
