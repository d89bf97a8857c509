"""The supervisor's team view: the team at a glance (who needs attention first; load
index and status of the last complete week and of the week in progress, a 12-week trend,
cases and band mix) and a load-index heatmap over the weeks (each cell shows its number,
and each status a word and a shape, so colour is never the only carrier)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.components.palette import BLUISH_GREEN, ORANGE, SKY_BLUE, VERMILLION
from dashboard.i18n import format_number, translate
from complexity.calendar import iso_week_label
from complexity.config import BANDS
from store.team import TeamOverview


STATUS_MARKS = {"red": "▲▲", "amber": "▲", "green": "●", "blue": "○"}  # a shape beside the word, never colour alone


def _index_and_status(index, status, lang: str) -> str:
    if index is None or pd.isna(index):
        return "–"
    return f"{format_number(float(index), lang, 2)} {STATUS_MARKS.get(status, '')} {translate(lang, f'status.{status}')}"


def team_table(view: TeamOverview, lang: str) -> tuple[pd.DataFrame, dict]:
    """The team at a glance (``view.glance``, who needs attention first) and its column
    configuration (the trend as a small line per therapist)."""
    now = translate(lang, "team.col_now", week=iso_week_label(view.week_start))
    last = translate(lang, "team.col_last", week=iso_week_label(view.last_complete))
    trend = translate(lang, "team.col_trend")
    rows = []
    for r in view.glance.itertuples(index=False):
        mix = " · ".join(f"{getattr(r, band)} {translate(lang, f'band.{band}').lower()}"
                         for band in (*BANDS, "unrated") if getattr(r, band))
        rows.append({
            translate(lang, "team.col_therapist"): r.display_name,
            last: _index_and_status(r.load_index_last, r.status_last, lang),
            now: _index_and_status(r.load_index_now, r.status_now, lang),
            trend: list(r.trend),
            translate(lang, "team.col_open_cases"): int(r.open_cases),
            translate(lang, "team.col_complex_cases"): int(r.complex_cases),
            translate(lang, "team.col_band_mix"): mix or "–",
        })
    config = {trend: st.column_config.LineChartColumn(trend, y_min=0.0, y_max=1.5,
                                                       help=translate(lang, "team.trend_help"))}
    return pd.DataFrame(rows), config


def team_heatmap(view: TeamOverview, lang: str) -> go.Figure:
    load = view.load.copy()
    grid = load.pivot(index="therapist_id", columns="week", values="load_index").sort_index()
    names = dict(zip(load["therapist_id"], load["display_name"]))
    labels = [names[tid] for tid in grid.index]
    labels = [f"{n} ({tid})" if labels.count(n) > 1 else n for n, tid in zip(labels, grid.index)]  # two Annas
    z = grid.to_numpy(dtype=float)
    text = [["–" if pd.isna(v) else format_number(float(v), lang, 2) for v in row] for row in z]
    scale = [[0.0, SKY_BLUE], [0.95 / 1.5, BLUISH_GREEN], [1.0 / 1.5, ORANGE], [1.1 / 1.5, VERMILLION],
             [1.0, VERMILLION]]
    fig = go.Figure(go.Heatmap(z=z, x=list(grid.columns), y=labels, text=text, texttemplate="%{text}",
                               zmin=0, zmax=1.5, colorscale=scale,
                               colorbar=dict(title=dict(text=translate(lang, "balance.load_index")))))
    fig.update_layout(height=120 + 36 * len(grid.index), margin=dict(l=10, r=10, t=30, b=40),
                      xaxis=dict(type="category", fixedrange=True), yaxis=dict(fixedrange=True, autorange="reversed"),
                      separators=",." if lang == "nl" else ".,")
    return fig
