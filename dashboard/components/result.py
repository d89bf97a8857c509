"""A scored case: complexity and its range, band, contribution chart, explanation
(the interplay included) and flags."""

from __future__ import annotations

import streamlit as st

from complexity import DEFAULT_CONFIG, INSTRUMENT, CaseScore
from dashboard.components.chart_text import contribution_text
from dashboard.components.charts import INTERACTION, contribution_figure
from dashboard.components.flags import render_flag
from dashboard.i18n import format_number, plural, translate

CHART_KEY = "contribution_chart"


def explanation_lines(score: CaseScore, lang: str) -> list[str]:
    """Plain-language sentences: the largest component, the strongest pair, what was left out."""
    lines: list[str] = []
    total = format_number(round(score.complexity or 0.0), lang)
    component, points = score.explanation()[0]
    pts = format_number(points, lang, 1)
    if component == INTERACTION:
        lines.append(translate(lang, "explain.largest_interaction", points=pts, total=total))
    else:
        domain = INSTRUMENT.domain(component).label(lang)
        lines.append(translate(lang, "explain.largest_domain", domain=domain, points=pts, total=total))
    pairs = score.top_pairs(1)
    if pairs:
        (first, second), pair_points = pairs[0]
        lines.append(
            translate(
                lang,
                "explain.top_pair",
                first=INSTRUMENT.domain(first).label(lang),
                second=INSTRUMENT.domain(second).label(lang),
                points=format_number(pair_points, lang, 1),
            )
        )
    else:
        lines.append(translate(lang, "explain.no_pair"))
    lines.append(interplay_line(score, lang))
    unrated = [d.label(lang) for d in INSTRUMENT.domains if score.domain_scores.get(d.id) is None]
    if unrated:
        lines.append(translate(lang, "explain.unrated", domains=", ".join(unrated)))
    return lines


def interplay_line(score: CaseScore, lang: str) -> str:
    """The interplay as rated (or the default the score assumed) and the points it adds."""
    item = INSTRUMENT.item("interplay")
    level = score.interplay if score.interplay is not None else DEFAULT_CONFIG.scoring.interplay_default
    key = "explain.interplay" if score.interplay is not None else "explain.interplay_default"
    return translate(lang, key, level=level, anchor=item.anchor(level, lang).lower(),
                     points=format_number(score.interaction, lang, 1))


def range_text(low: float | None, high: float | None, unrated_items: int, lang: str) -> str:
    """The range the score could take once the unrated items are rated, in words."""
    if low is None or high is None:
        return ""
    if unrated_items == 0:
        return translate(lang, "result.range_none")
    return plural(lang, "result.range", unrated_items, low=format_number(round(low), lang),
                  high=format_number(round(high), lang))


def render_result(score: CaseScore, lang: str) -> None:
    st.subheader(translate(lang, "result.title"))
    if score.complete and score.complexity is not None:
        left, right = st.columns(2)
        left.metric(
            translate(lang, "result.complexity"),
            translate(lang, "result.complexity_value", value=format_number(round(score.complexity), lang)),
        )
        right.metric(translate(lang, "result.band"), translate(lang, f"band.{score.band}"))
    else:
        st.metric(translate(lang, "result.band"), translate(lang, f"band.{score.band}"))
        st.markdown(translate(lang, "result.incomplete"))
    st.markdown(range_text(score.low, score.high, score.unrated_items, lang))

    st.markdown(f"#### {translate(lang, 'result.flags_title')}")
    if score.flags:
        for flag in score.flags:
            render_flag(flag, lang)
    else:
        st.caption(translate(lang, "result.no_flags"))

    if score.complete:
        st.markdown(f"#### {translate(lang, 'result.explanation_title')}")
        st.markdown("\n".join(f"- {line}" for line in explanation_lines(score, lang)))
        st.plotly_chart(
            contribution_figure(score, lang),
            key=CHART_KEY,
            config={"displayModeBar": False, "responsive": True},
        )
        st.caption(contribution_text(score, lang))  # the chart in words, for a screen reader

    if score.case_meaning is not None:
        meaning = INSTRUMENT.item("case_meaning")
        st.caption(
            translate(
                lang,
                "result.meaning",
                level=score.case_meaning,
                anchor=meaning.anchor(score.case_meaning, lang),
            )
        )
    st.caption(
        translate(
            lang,
            "result.versions",
            instrument=score.instrument_version,
            model=score.model_version,
        )
    )
