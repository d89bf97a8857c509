"""The research analyses' charts (the Analyses page): one plotly figure per picture a
researcher would rather look at than read. Pure functions of a result table and the
labels to show; every figure is followed on the page by its text alternative
(``components.analysis_text``).

Colours are Okabe-Ito (``components.palette``) where they tell groups apart, a blue
sequence where they order something (levels, score bins); markers also differ in shape,
so that nothing rests on colour alone.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.components.palette import BLACK, BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, SKY_BLUE, VERMILLION
from dashboard.i18n import translate

LEVEL_COLOURS = ("#C6DBEF", "#6BAED6", "#2171B5", "#08306B")
UNRATED_COLOUR = "#BBBBBB"
BIN_COLOURS = ("#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#3182BD", "#08519C", UNRATED_COLOUR)
SERIES = ((BLUE, "circle"), (ORANGE, "diamond"), (BLUISH_GREEN, "square"), (VERMILLION, "triangle-up"),
          (REDDISH_PURPLE, "x"), (SKY_BLUE, "triangle-down"), (BLACK, "star"), ("#999999", "cross"))
ROW_HEIGHT = 22


def _layout(fig: go.Figure, lang: str, *, title: str, height: int, **axes) -> go.Figure:
    fig.update_layout(title=dict(text=title), height=height, margin=dict(l=10, r=10, t=90, b=40),
                      separators=",." if lang == "nl" else ".,",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, traceorder="normal"),
                      **axes)
    return fig


def items_figure(items: pd.DataFrame, labels: Sequence[str], level_names: Sequence[str], lang: str) -> go.Figure:
    """Per item (rows, in instrument order) a bar split into the share of cases at each
    level and unrated, in %; ``labels`` already carry the floor/ceiling marks."""
    columns = ["share_0", "share_1", "share_2", "share_3", "share_unrated"]
    names = [*level_names, translate(lang, "analyses.unrated")]
    bars = [go.Bar(x=(items[c] * 100).round(1), y=list(labels), orientation="h", name=name, marker_color=colour,
                   hovertemplate="%{y}: %{x:.1f} %<extra>" + name + "</extra>")
            for c, name, colour in zip(columns, names, (*LEVEL_COLOURS, UNRATED_COLOUR))]
    return _layout(go.Figure(bars), lang, title=translate(lang, "analyses.items.chart_title"),
                   height=140 + ROW_HEIGHT * len(items), barmode="stack",
                   xaxis=dict(title=dict(text=translate(lang, "analyses.percent_cases")), range=[0, 100],
                              fixedrange=True),
                   yaxis=dict(autorange="reversed", fixedrange=True, automargin=True))


def bins_figure(domains: pd.DataFrame, labels: Sequence[str], bin_names: Sequence[str], lang: str) -> go.Figure:
    """Per domain a bar split into the share of cases per domain-score bin, in %."""
    columns = [c for c in domains.columns if c != "n_cases"]
    bars = [go.Bar(x=(domains[c] * 100).round(1), y=list(labels), orientation="h", name=name, marker_color=colour,
                   hovertemplate="%{y}: %{x:.1f} %<extra>" + name + "</extra>")
            for c, name, colour in zip(columns, bin_names, BIN_COLOURS)]
    return _layout(go.Figure(bars), lang, title=translate(lang, "analyses.items.bins_title"),
                   height=160 + 36 * len(domains), barmode="stack",
                   xaxis=dict(title=dict(text=translate(lang, "analyses.percent_cases")), range=[0, 100],
                              fixedrange=True),
                   yaxis=dict(autorange="reversed", fixedrange=True, automargin=True))


def heatmap_figure(values: pd.DataFrame, rows: Sequence[str], columns: Sequence[str], lang: str, *, title: str,
                   row_height: int = 40) -> go.Figure:
    """A matrix (correlations, loadings) as coloured cells with their values written in."""
    z = values.to_numpy(dtype=float)
    fig = go.Figure(go.Heatmap(z=z, x=list(columns), y=list(rows), zmin=-1, zmax=1, colorscale="RdBu",
                               reversescale=True, text=np.round(z, 2), texttemplate="%{text:.2f}",
                               hovertemplate="%{y} · %{x}: %{z:.2f}<extra></extra>", colorbar=dict(thickness=12)))
    return _layout(fig, lang, title=title, height=140 + row_height * len(rows),
                   xaxis=dict(side="top", fixedrange=True, automargin=True),
                   yaxis=dict(autorange="reversed", fixedrange=True, automargin=True))


def interval_figure(series: Mapping[str, pd.DataFrame], labels: Sequence[str], lang: str, *, title: str,
                    axis: str) -> go.Figure:
    """Estimates with their intervals, one row per label: per series (name -> frame with
    ``estimate``, ``low``, ``high``; NaN low/high: a point without interval) a marker
    shape and colour, rows offset a little so that the series do not overlap."""
    fig = go.Figure()
    offsets = np.linspace(-0.15, 0.15, len(series)) if len(series) > 1 else [0.0]
    for (name, frame), offset, (colour, symbol) in zip(series.items(), offsets, SERIES):
        fig.add_trace(go.Scatter(
            x=frame["estimate"], y=np.arange(len(frame)) + offset, mode="markers", name=name,
            marker=dict(color=colour, symbol=symbol, size=10),
            error_x=dict(type="data", symmetric=False, array=frame["high"] - frame["estimate"],
                         arrayminus=frame["estimate"] - frame["low"], color=colour, thickness=1.5),
            hovertemplate="%{x:.3f}<extra>" + name + "</extra>"))
    return _layout(fig, lang, title=title, height=160 + 48 * len(labels),
                   xaxis=dict(title=dict(text=axis), fixedrange=True),
                   yaxis=dict(tickvals=list(range(len(labels))), ticktext=list(labels), autorange="reversed",
                              fixedrange=True, automargin=True))


def scree_figure(eigenvalues: pd.DataFrame, lang: str) -> go.Figure:
    """The observed eigenvalues (the scree) and parallel analysis' random ones."""
    x = list(eigenvalues.index)
    fig = go.Figure([
        go.Scatter(x=x, y=eigenvalues["observed"], mode="lines+markers", line=dict(color=BLUE),
                   name=translate(lang, "analyses.structure.observed"), marker=dict(symbol="circle", size=8)),
        go.Scatter(x=x, y=eigenvalues["random"], mode="lines+markers", line=dict(color=ORANGE, dash="dash"),
                   name=translate(lang, "analyses.structure.random"), marker=dict(symbol="diamond", size=7)),
    ])
    return _layout(fig, lang, title=translate(lang, "analyses.structure.scree_title"), height=380,
                   xaxis=dict(title=dict(text=translate(lang, "analyses.structure.dimension")), fixedrange=True,
                              dtick=1 if len(x) <= 20 else 5),
                   yaxis=dict(title=dict(text=translate(lang, "analyses.structure.eigenvalue")), fixedrange=True))


def profiles_figure(profiles: pd.DataFrame, domain_labels: Sequence[str], names: Sequence[str],
                    lang: str) -> go.Figure:
    """One line per cluster over the domains (mean domain score 0-3)."""
    domains = [c for c in profiles.columns if c != "n_cases"]
    fig = go.Figure()
    for (cluster, row), name, (colour, symbol) in zip(profiles.iterrows(), names, SERIES):
        fig.add_trace(go.Scatter(x=list(domain_labels), y=row[domains], mode="lines+markers", name=name,
                                 line=dict(color=colour), marker=dict(symbol=symbol, size=10, color=colour),
                                 hovertemplate="%{x}: %{y:.2f}<extra>" + name + "</extra>"))
    return _layout(fig, lang, title=translate(lang, "analyses.profiles.chart_title"), height=420,
                   xaxis=dict(fixedrange=True, automargin=True),
                   yaxis=dict(title=dict(text=translate(lang, "analyses.profiles.axis")), range=[0, 3],
                              fixedrange=True))


__all__ = ["bins_figure", "heatmap_figure", "interval_figure", "items_figure", "profiles_figure", "scree_figure"]
