"""The rating practice for therapists: choose a vignette, read it, rate it with the rating
form (``components.rating_form``: the same items, anchors and widgets as a real case),
then see per domain how the rating compares with the group's median and the reference.

Drawing only: the store keeps the ratings (``store.rating_practice``) and says what the
group's median is (only from five raters on). The comparison is a chart (one row per
domain, three marks: you, the group, the reference, each with its own shape), its words
right under it, a table to download, and the items one by one.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from complexity import INSTRUMENT
from dashboard.components.palette import BLUE, ORANGE, VERMILLION
from dashboard.components.rating_form import render_rating_form
from dashboard.i18n import format_number, translate
from data_schema.vignettes import Vignette
from store.exporter.writers import csv_bytes
from store.rating_practice import MIN_GROUP, PracticeComparison

CHOICE_KEY = "practice_vignette"
CHART_KEY = "practice_chart"
DOWNLOAD_KEY = "practice_download"
RATED_KEY = "practice.just_rated"  # session_state: the vignette just rated (a message once)
DASH = "–"
# (series, marker symbol, colour): each mark differs by shape as well as colour
SERIES = (("mine", "circle", BLUE), ("group", "diamond", ORANGE), ("reference", "square", VERMILLION))


def form_prefix(key: str) -> str:
    """The rating form's key prefix for a vignette (widgets: ``item_practice_<key>_<item>``)."""
    return f"practice_{key}_"


def choose_vignette(vignettes: list[Vignette], rated: dict, lang: str) -> Vignette:
    """A select box of the vignettes (title, and whether rated; never the band, which
    would give the answer away); starts at the first not rated yet."""
    keys = [v.key for v in vignettes]
    by_key = {v.key: v for v in vignettes}
    first = next((i for i, key in enumerate(keys) if key not in rated), 0)

    def label(key: str) -> str:
        title = by_key[key].title(lang)
        return translate(lang, "practice.rated_option", title=title) if key in rated else title

    chosen = st.selectbox(translate(lang, "practice.choose"), keys, index=first, format_func=label, key=CHOICE_KEY)
    return by_key[chosen]


def render_vignette(vignette: Vignette, lang: str) -> None:
    st.subheader(vignette.title(lang))
    with st.container(border=True):
        st.markdown(vignette.text(lang).strip())


def render_practice_form(vignette: Vignette, lang: str):
    """The rating form for ``vignette``: ``{item id: level or None}`` on submit, else None."""
    st.markdown(translate(lang, "practice.form_intro"))
    return render_rating_form(lang, key_prefix=form_prefix(vignette.key),
                              submit_label=translate(lang, "practice.submit"))


def _level(value: float | None, lang: str) -> str:
    return DASH if value is None else format_number(float(value), lang, 2, strip=True)


def comparison_frame(comparison: PracticeComparison, lang: str) -> pd.DataFrame:
    """A row per domain: its label and the scores (mean level 0-3): yours, the group's
    median (only when shown) and the reference's."""
    columns = {
        translate(lang, "practice.col_domain"): [INSTRUMENT.domain(d.domain).label(lang) for d in comparison.domains],
        translate(lang, "practice.col_mine"): [round(d.mine, 2) for d in comparison.domains],
        translate(lang, "practice.col_group"): [round(d.group_median or 0, 2) for d in comparison.domains],
        translate(lang, "practice.col_reference"): [round(d.reference, 2) for d in comparison.domains],
    }
    if not comparison.group_shown:
        del columns[translate(lang, "practice.col_group")]
    return pd.DataFrame(columns)


def items_frame(comparison: PracticeComparison, lang: str) -> pd.DataFrame:
    """A row per item: the domain, the item, the three levels, and whether yours differs
    from the reference (by how many levels)."""
    def domain(item) -> str:
        return translate(lang, "practice.outside_score") if item.domain is None else \
            INSTRUMENT.domain(item.domain).label(lang)

    frame = pd.DataFrame({
        translate(lang, "practice.col_domain"): [domain(i) for i in comparison.items],
        translate(lang, "practice.col_item"): [INSTRUMENT.item(i.item).label(lang) for i in comparison.items],
        translate(lang, "practice.col_mine"): [i.mine for i in comparison.items],
        translate(lang, "practice.col_group"): [i.group_median for i in comparison.items],
        translate(lang, "practice.col_reference"): [i.reference for i in comparison.items],
        translate(lang, "practice.col_difference"): [i.mine - i.reference for i in comparison.items],
    })
    return frame if comparison.group_shown else frame.drop(columns=translate(lang, "practice.col_group"))


def comparison_figure(comparison: PracticeComparison, lang: str) -> go.Figure:
    """Per domain (rows) a mark for you, the group's median (when shown) and the reference,
    side by side within the row so that equal scores do not hide each other."""
    labels = [INSTRUMENT.domain(d.domain).label(lang) for d in comparison.domains]
    values = {"mine": [d.mine for d in comparison.domains],
              "group": [d.group_median for d in comparison.domains],
              "reference": [d.reference for d in comparison.domains]}
    shown = [s for s in SERIES if s[0] != "group" or comparison.group_shown]
    fig = go.Figure()
    for n, (series, symbol, colour) in enumerate(shown):
        shift = (n - (len(shown) - 1) / 2) * 0.22
        fig.add_trace(go.Scatter(
            x=values[series], y=[row + shift for row in range(len(labels))], mode="markers",
            name=translate(lang, f"practice.series_{series}"), customdata=labels,
            marker=dict(symbol=symbol, size=13, color=colour, line=dict(color="#000000", width=1)),
            hovertemplate="%{customdata}: %{x:.2f}<extra>%{fullData.name}</extra>"))
    fig.update_layout(
        title=dict(text=translate(lang, "practice.chart_title")), height=360, margin=dict(l=10, r=10, t=50, b=40),
        separators=",." if lang == "nl" else ".,",
        xaxis=dict(range=[-0.1, 3.1], dtick=1, title=translate(lang, "practice.chart_axis")),
        yaxis=dict(tickmode="array", tickvals=list(range(len(labels))), ticktext=labels, autorange="reversed"),
        legend=dict(orientation="h", y=-0.25))
    return fig


def comparison_text(comparison: PracticeComparison, lang: str) -> str:
    """The chart in words: per domain your score, the group's median (when shown) and the reference."""
    parts = []
    for d in comparison.domains:
        label = INSTRUMENT.domain(d.domain).label(lang)
        if comparison.group_shown:
            parts.append(translate(lang, "practice.text_domain_group", domain=label, mine=_level(d.mine, lang),
                                   group=_level(d.group_median, lang), reference=_level(d.reference, lang)))
        else:
            parts.append(translate(lang, "practice.text_domain", domain=label, mine=_level(d.mine, lang),
                                   reference=_level(d.reference, lang)))
    intro = "practice.text_intro" if comparison.group_shown else "practice.text_intro_no_group"
    return " ".join((translate(lang, "chart_text.prefix"), translate(lang, intro), "; ".join(parts) + "."))


def _band_metric(column, label_key: str, score, lang: str) -> None:
    column.metric(translate(lang, label_key), translate(lang, f"band.{score.band}"),
                  help=translate(lang, "practice.points", points=format_number(round(score.complexity or 0), lang)))


def render_comparison(comparison: PracticeComparison, lang: str) -> None:
    st.subheader(translate(lang, "practice.comparison_title"))
    st.info(translate(lang, "practice.learning_note"), icon=":material/school:")
    left, right = st.columns(2)
    _band_metric(left, "practice.your_band", comparison.mine, lang)
    _band_metric(right, "practice.reference_band", comparison.reference, lang)
    if comparison.group_shown:
        st.caption(translate(lang, "practice.group_shown", raters=comparison.raters))
    else:
        st.caption(translate(lang, "practice.group_hidden", raters=comparison.raters, minimum=MIN_GROUP))
    st.plotly_chart(comparison_figure(comparison, lang), key=CHART_KEY, config={"displayModeBar": False})
    st.caption(comparison_text(comparison, lang))
    with st.expander(translate(lang, "practice.how_to_read_title")):
        st.markdown(translate(lang, "practice.how_to_read", minimum=MIN_GROUP))
    table = comparison_frame(comparison, lang)
    st.dataframe(table, hide_index=True, key="practice_domains")
    with st.expander(translate(lang, "practice.items_title")):
        st.caption(translate(lang, "practice.items_note"))
        items = items_frame(comparison, lang)
        st.dataframe(items, hide_index=True, key="practice_items")
    st.download_button(translate(lang, "practice.download"), csv_bytes(table),
                       file_name=f"draagkracht-practice-{comparison.vignette}.csv", mime="text/csv",
                       key=DOWNLOAD_KEY, icon=":material/download:")
