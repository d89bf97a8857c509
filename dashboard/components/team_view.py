"""The supervisor's team view: a table of this week's figures per therapist and a
load-index heatmap over the weeks (each cell shows its number, so colour is never the
only carrier)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.palette import BLUISH_GREEN, ORANGE, SKY_BLUE, VERMILLION
from dashboard.i18n import format_number, translate
from store.team import TeamOverview


def team_table(view: TeamOverview, lang: str) -> pd.DataFrame:
    load = view.load.copy()
    load["week_start"] = pd.to_datetime(load["week_start"])
    last = load[load["week_start"] == load["week_start"].max()].set_index("therapist_id")
    rows = []
    for r in view.caseload.itertuples(index=False):
        now = last.loc[r.therapist_id] if r.therapist_id in last.index else None
        index = None if now is None or pd.isna(now["load_index"]) else float(now["load_index"])
        rows.append({
            translate(lang, "team.col_therapist"): r.display_name,
            translate(lang, "team.col_load_index"): "–" if index is None else format_number(index, lang, 2),
            translate(lang, "team.col_status"): translate(lang, f"status.{now['status']}") if now is not None else "–",
            translate(lang, "team.col_sessions"): 0 if now is None else int(now["sessions"]),
            translate(lang, "team.col_open_cases"): int(r.open_cases),
            translate(lang, "team.col_complex_cases"): int(r.complex_cases),
        })
    return pd.DataFrame(rows)


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
