"""A flag as icon + severity word + title + reason + next step (never colour alone).

:func:`render_week_flags` draws a week's flags as one block of cards (one element, so
a rerun has one thing to send and the browser one thing to lay out), each card with
its context: the cases a case flag applies to, or the earlier week a flag comes from.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Sequence

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


def flag_html(text: FlagText, context: str | None = None) -> str:
    """One flag card; ``context`` (plain text) is a small line above its title."""
    colour = SEVERITY_COLOURS[text.severity]
    e = html.escape
    role = "alert" if text.severity == "red" else "note"
    context_line = (f'<div class="dk-flag-context" style="font-size: 0.85em; opacity: 0.8; '
                    f'margin-bottom: 0.2rem;">{e(context)}</div>') if context else ""
    return (
        f'<div role="{role}" class="dk-flag dk-flag-{text.severity}" '
        f'style="border-left: 0.4rem solid {colour}; border-radius: 0.3rem; '
        f"padding: 0.6rem 0.9rem; margin: 0 0 0.8rem 0; background: {colour}1f;\">"
        f"{context_line}"
        f'<div style="font-weight: 600;">{text.icon} '
        f"{e(text.severity_word)} · {e(text.title)}</div>"
        f'<div style="margin-top: 0.25rem;">{e(text.reason)}</div>'
        f'<div style="margin-top: 0.25rem;"><strong>{e(text.next_step_label)}:</strong> '
        f"{e(text.next_step)}</div></div>"
    )


def render_flag(flag: Flag, lang: str) -> None:
    st.markdown(flag_html(flag_text(flag, lang)), unsafe_allow_html=True)


def week_flag_cards(flags: Sequence[Flag], lang: str, *, week: str) -> list[tuple[FlagText, str | None]]:
    """The cards for a week's ``flags``, in order: one card per flag about the
    therapist (with "from last week" when the flag belongs to an earlier week than
    ``week``), then one card per kind of case flag naming its cases."""
    cards: list[tuple[FlagText, str | None]] = []
    case_flags: dict[str, list[Flag]] = {}
    for flag in flags:
        if flag.spec.scope == "case":
            case_flags.setdefault(flag.code, []).append(flag)
            continue
        earlier = bool(flag.week) and flag.week != week
        cards.append((flag_text(flag, lang),
                      translate(lang, "my_week.flag_from_week", week=flag.week) if earlier else None))
    for same_kind in case_flags.values():
        cases = ", ".join(str(f.subject) for f in same_kind)
        cards.append((flag_text(same_kind[0], lang),
                      translate(lang, "my_week.flag_cases", count=len(same_kind), cases=cases)))
    return cards


def render_flag_cards(cards: Sequence[tuple[FlagText, str | None]]) -> None:
    """Flag cards ``(text, context)`` as one block."""
    if cards:
        st.markdown("".join(flag_html(text, context) for text, context in cards), unsafe_allow_html=True)


def render_week_flags(flags: Sequence[Flag], lang: str, *, week: str) -> None:
    """A week's flags as one block of cards (see :func:`week_flag_cards`)."""
    render_flag_cards(week_flag_cards(flags, lang, week=week))


def render_period_flags(flags: Sequence[Flag], lang: str) -> None:
    """A period's flags (each with its week) as one block of cards, each naming its week."""
    render_flag_cards([(flag_text(flag, lang), flag.week or None) for flag in flags])
