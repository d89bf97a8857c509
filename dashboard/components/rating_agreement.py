"""Inter-rater agreement of the rating practice, for researchers: per domain and per item
the ICC(A,1) and the weighted kappa with their 95 % intervals, and the items raters
disagree on most; the vignettes in use and a form to add more.

The figures come from ``store.practice_agreement`` (``complexity.agreement`` underneath).
The kappa intervals are bootstrapped (a few seconds): the report is cached per set of
ratings (``st.cache_data``), so a rerun or a second researcher gets it at once, and a new
rating makes a new one. Each chart has its words right under it; each table downloads
as CSV (Dutch Excel).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from complexity import INSTRUMENT
from dashboard.components.context import show_store_error, unit_of_work
from dashboard.components.palette import BLUE, ORANGE
from dashboard.i18n import format_number, translate
from data_schema.vignettes import Vignette
from store import StoreError
from store.exporter.writers import csv_bytes
from store.practice_agreement import N_BOOT, AgreementReport, PracticeRatings, agreement_report
from store.rating_practice import add_vignette_file

TOP = 10  # items in the disagreement chart
UPLOAD_KEY = "agreement_vignette_file"
ADD_KEY = "agreement_add_vignettes"
ADDED_KEY = "agreement.added"  # session_state: the keys just added (a message once)
DASH = "–"


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_report(ratings: pd.DataFrame, version: str, n_boot: int) -> AgreementReport:
    return agreement_report(PracticeRatings(ratings, version), n_boot=n_boot)


def report_of(data: PracticeRatings, lang: str, n_boot: int | None = None) -> AgreementReport:
    """The agreement of ``data`` (cached), ``n_boot`` resamples per kappa interval (default
    :data:`store.practice_agreement.N_BOOT`, read at the call)."""
    with st.spinner(translate(lang, "agreement.computing")):
        return _cached_report(data.ratings, data.instrument_version, n_boot or N_BOOT)


def _number(value: object, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return format_number(float(value), lang, 2)


def _interval(low: object, high: object, lang: str) -> str:
    if _number(low, lang) == DASH:
        return DASH
    return f"{_number(low, lang)} – {_number(high, lang)}"


def _problem(code: object, lang: str) -> str:
    return translate(lang, f"agreement.problem.{code}") if isinstance(code, str) else ""


def _domain_label(domain: object, lang: str) -> str:
    return INSTRUMENT.domain(domain).label(lang) if isinstance(domain, str) else \
        translate(lang, "practice.outside_score")


def _table(frame: pd.DataFrame, first: dict[str, list], lang: str) -> pd.DataFrame:
    """``first`` columns, then the figures of ``frame`` (rounded) under their labels."""
    out = dict(first)
    for column in ("mad", "icc", "icc_low", "icc_high", "kappa", "kappa_low", "kappa_high"):
        out[column] = frame[column].astype(float).round(2).tolist()
    out["n_targets"] = frame["n_targets"].astype(int).tolist()
    out["n_raters"] = frame["n_raters"].astype(int).tolist()
    out["problem"] = [_problem(code, lang) for code in frame["problem"]]
    return pd.DataFrame(out).rename(columns=lambda c: translate(lang, f"agreement.col_{c}"))


def domains_frame(report: AgreementReport, lang: str) -> pd.DataFrame:
    return _table(report.domains, {"domain": [_domain_label(d, lang) for d in report.domains["domain"]]}, lang)


def items_frame(report: AgreementReport, lang: str) -> pd.DataFrame:
    """Every item, most disagreement first; the item's id too (for a researcher's own analysis)."""
    return _table(report.items, {
        "item_id": list(report.items["item"]),
        "item": [INSTRUMENT.item(i).label(lang) for i in report.items["item"]],
        "domain": [_domain_label(d, lang) for d in report.items["domain"]],
    }, lang)


def agreement_figure(report: AgreementReport, lang: str) -> go.Figure:
    """Per domain the ICC (circles) and kappa (diamonds) with their intervals as bars."""
    labels = [_domain_label(d, lang) for d in report.domains["domain"]]
    fig = go.Figure()
    for name, symbol, colour, shift in (("icc", "circle", BLUE, -0.12), ("kappa", "diamond", ORANGE, 0.12)):
        values = report.domains[name].astype(float)
        fig.add_trace(go.Scatter(
            x=values, y=[i + shift for i in range(len(labels))], mode="markers",
            name=translate(lang, f"agreement.series_{name}"),
            marker=dict(symbol=symbol, size=13, color=colour, line=dict(color="#000000", width=1)),
            error_x=dict(type="data", symmetric=False, color=colour,
                         array=(report.domains[f"{name}_high"].astype(float) - values).fillna(0).tolist(),
                         arrayminus=(values - report.domains[f"{name}_low"].astype(float)).fillna(0).tolist()),
            hovertemplate="%{x:.2f}<extra>%{fullData.name}</extra>"))
    # ICC and kappa, and their lower bounds above all, can be below 0: the axis reaches them
    lowest = report.domains[["icc", "icc_low", "kappa", "kappa_low"]].astype(float).min().min()
    lowest = 0.0 if pd.isna(lowest) else min(0.0, float(lowest))
    fig.update_layout(
        title=dict(text=translate(lang, "agreement.chart_title")), height=360, margin=dict(l=10, r=10, t=50, b=40),
        xaxis=dict(range=[min(-0.05, lowest - 0.05), 1.05], title=translate(lang, "agreement.chart_axis")),
        separators=",." if lang == "nl" else ".,",
        yaxis=dict(tickmode="array", tickvals=list(range(len(labels))), ticktext=labels, autorange="reversed"),
        legend=dict(orientation="h", y=-0.25))
    return fig


def agreement_text(report: AgreementReport, lang: str) -> str:
    """The domain chart in words: each domain's ICC and kappa with their intervals."""
    parts = [translate(lang, "agreement.text_domain", domain=_domain_label(row.domain, lang),
                       icc=_number(row.icc, lang), icc_interval=_interval(row.icc_low, row.icc_high, lang),
                       kappa=_number(row.kappa, lang), kappa_interval=_interval(row.kappa_low, row.kappa_high, lang))
             for row in report.domains.itertuples()]
    return " ".join((translate(lang, "chart_text.prefix"), translate(lang, "agreement.text_intro"),
                     "; ".join(parts) + "."))


def _top_items(report: AgreementReport) -> pd.DataFrame:
    """The items the chart draws and its words name: the most disagreement first, only
    items with a value (an item no vignette has two ratings of has none)."""
    return report.items[report.items["mad"].notna()].head(TOP)


def disagreement_figure(report: AgreementReport, lang: str) -> go.Figure:
    top = _top_items(report)
    labels = [INSTRUMENT.item(i).label(lang) for i in top["item"]]
    values = top["mad"].astype(float).tolist()
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", marker=dict(color=BLUE),
        text=[_number(v, lang) for v in values], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_layout(
        title=dict(text=translate(lang, "agreement.disagreement_title", top=len(labels))),
        height=120 + 32 * len(labels), margin=dict(l=10, r=40, t=50, b=40), separators=",." if lang == "nl" else ".,",
        xaxis=dict(title=translate(lang, "agreement.disagreement_axis"), rangemode="tozero"),
        yaxis=dict(autorange="reversed"))
    return fig


def disagreement_text(report: AgreementReport, lang: str) -> str:
    rows = _top_items(report)
    parts = "; ".join(f"{INSTRUMENT.item(r.item).label(lang)} {_number(r.mad, lang)}" for r in rows.itertuples())
    return " ".join((translate(lang, "chart_text.prefix"),
                     translate(lang, "agreement.disagreement_text", top=len(rows), parts=parts)))


def _download(frame: pd.DataFrame, label_key: str, name: str, key: str, lang: str) -> None:
    st.download_button(translate(lang, label_key), csv_bytes(frame), file_name=name, mime="text/csv", key=key,
                       icon=":material/download:")


def render_agreement(report: AgreementReport, lang: str) -> None:
    left, middle, right = st.columns(3)
    left.metric(translate(lang, "agreement.vignettes"), report.vignettes)
    middle.metric(translate(lang, "agreement.raters"), report.raters)
    right.metric(translate(lang, "agreement.instrument"), report.instrument_version)
    st.caption(translate(lang, f"agreement.block_{report.drop}", n_boot=report.n_boot))
    with st.expander(translate(lang, "agreement.how_to_read_title")):
        st.markdown(translate(lang, "agreement.how_to_read"))
    st.subheader(translate(lang, "agreement.domains_title"))
    st.plotly_chart(agreement_figure(report, lang), key="agreement_chart", config={"displayModeBar": False})
    st.caption(agreement_text(report, lang))
    domains = domains_frame(report, lang)
    st.dataframe(domains, hide_index=True, key="agreement_domains")
    _download(domains, "agreement.download_domains", "draagkracht-agreement-domains.csv",
              "agreement_download_domains", lang)
    st.subheader(translate(lang, "agreement.items_title"))
    st.plotly_chart(disagreement_figure(report, lang), key="disagreement_chart", config={"displayModeBar": False})
    st.caption(disagreement_text(report, lang))
    items = items_frame(report, lang)
    st.dataframe(items, hide_index=True, key="agreement_items")
    _download(items, "agreement.download_items", "draagkracht-agreement-items.csv", "agreement_download_items", lang)


def render_vignettes(offered: list[Vignette], lang: str) -> None:
    """The vignettes in use: key, band, title, shipped or added."""
    st.dataframe(pd.DataFrame({
        translate(lang, "agreement.col_key"): [v.key for v in offered],
        translate(lang, "agreement.col_band"): [translate(lang, f"band.{v.band}") for v in offered],
        translate(lang, "agreement.col_title"): [v.title(lang) for v in offered],
        translate(lang, "agreement.col_source"): [translate(lang, "agreement.shipped" if v.shipped else "agreement.added_by")
                                                  for v in offered],
    }), hide_index=True, key="agreement_vignettes")


def render_add_vignettes(user, lang: str) -> None:
    """Upload a TOML file of one vignette or several; all or nothing, every problem listed."""
    added = st.session_state.pop(ADDED_KEY, None)
    if added:
        st.success(translate(lang, "agreement.added", keys=", ".join(added)), icon=":material/check_circle:")
    st.markdown(translate(lang, "agreement.add_intro"))
    uploaded = st.file_uploader(translate(lang, "agreement.upload"), type=["toml"], key=UPLOAD_KEY)
    if st.button(translate(lang, "agreement.add"), key=ADD_KEY, disabled=uploaded is None):
        try:
            text = uploaded.getvalue().decode("utf-8")
        except UnicodeDecodeError:
            st.error(translate(lang, "agreement.not_utf8"))
            return
        try:
            with unit_of_work() as db:
                st.session_state[ADDED_KEY] = add_vignette_file(db, user, text)
        except StoreError as error:
            show_store_error(error, what="agreement.not_added")
        else:
            st.rerun()
