"""The balance chart: load and capacity on one time axis.

Load index per week as bars (1.0 = at capacity), coloured by status, with the "at
capacity" and "over capacity" levels drawn across the plot as dashed lines over the
bars, labelled in words and as the left axis's only ticks. Capacity (0-100, from the
weekly check-in) is a solid line with dots on the right axis (the thresholds are dashed,
so the two never look alike; a dot also shows a lone check-in between gaps). A week
without a check-in leaves a gap in the line, not a zero.

Colour is never the only carrier of what matters: a bar at or over capacity (amber,
red) reaches the labelled dashed lines. Below them the colour tells "below capacity"
(blue) from "in balance" (green, just under capacity) in the Okabe-Ito palette, which
stays distinguishable with colour-vision deficiencies; the words are in the hover text
where the chart is interactive and in the Report's table per week.

Kept light, because every page that shows it waits for its first draw (``make bench``
times My week's): no legend (each axis title names its series, the capacity title in
the line's colour, and the pages explain the chart in a caption below it), no value
label on every bar (each costs the browser a text measurement per draw), and no grid
lines besides the thresholds.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from complexity import DEFAULT_CONFIG, ModelConfig
from complexity.load import split_versions
from dashboard.components.palette import BLUE, BLUISH_GREEN, ORANGE, SKY_BLUE, VERMILLION
from dashboard.i18n import format_number, translate

THRESHOLD_GREY = "#444444"  # the dashed threshold lines
STATUS_COLOURS = {"blue": SKY_BLUE, "green": BLUISH_GREEN, "amber": ORANGE, "red": VERMILLION}


def balance_figure(balance: pd.DataFrame, lang: str, config: ModelConfig = DEFAULT_CONFIG,
                   *, height: int = 360) -> go.Figure:
    """``balance``: rows per week with ``week``, ``load_index``, ``status`` and
    ``capacity_score`` (see ``store.overview.MyWeek``)."""
    weeks = list(balance["week"])
    load_index = [None if pd.isna(v) else float(v) for v in balance["load_index"]]
    status = list(balance["status"])
    capacity = [None if pd.isna(v) else float(v) for v in balance.get("capacity_score", [math.nan] * len(weeks))]
    status_words = [translate(lang, f"status.{s}") if isinstance(s, str) else "" for s in status]
    amber, red = config.load.amber_from, config.load.red_from
    top = max([v for v in load_index if v is not None] + [red]) * 1.2
    # One constructor call with plain dicts: plotly validates each property once, where
    # add_hline/update_layout would walk the figure again for every call (about 10x slower).
    threshold_lines = [dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=level, y1=level,
                            line=dict(color=THRESHOLD_GREY, width=1, dash="dash"))
                       for level in (amber, red)]  # shapes: drawn over the bars, unlike grid lines
    threshold_labels = [dict(xref="x domain", x=0, xanchor="left", yref="y", y=level, yanchor="bottom",
                             showarrow=False,
                             text=translate(lang, key, value=format_number(level, lang, 2, strip=True)))
                        for level, key in ((amber, "balance.at_capacity"), (red, "balance.over_capacity"))]
    bars = go.Bar(
        x=weeks, y=load_index, name=translate(lang, "balance.load_index"),
        marker=dict(color=[STATUS_COLOURS.get(s, SKY_BLUE) for s in status],
                    line=dict(color="#000000", width=0.5)),
        customdata=status_words,
        hovertemplate="%{x}: %{y:.2f} (%{customdata})<extra></extra>",
    )
    capacity_line = go.Scatter(
        x=weeks, y=capacity, name=translate(lang, "balance.capacity"), yaxis="y2",
        mode="lines+markers", connectgaps=False,
        line=dict(color=BLUE, width=3), marker=dict(symbol="circle", size=9, color=BLUE),
        hovertemplate="%{x}: %{y:.0f}/100<extra></extra>",
    )
    fig = go.Figure(data=[bars, capacity_line], layout=dict(
        height=height, margin=dict(l=10, r=10, t=30, b=40), bargap=0.3, showlegend=False,
        shapes=threshold_lines, annotations=threshold_labels,
        yaxis=dict(title=dict(text=translate(lang, "balance.load_index")), range=[0, top], fixedrange=True,
                   tickvals=[0, amber, red], showgrid=False),
        yaxis2=dict(title=dict(text=translate(lang, "balance.capacity"), font=dict(color=BLUE)),
                    range=[0, 105], overlaying="y",
                    side="right", fixedrange=True, showgrid=False, tickvals=[0, 25, 50, 75, 100]),
        xaxis=dict(fixedrange=True, type="category"),
        separators=",." if lang == "nl" else ".,",
    ))
    return fig


def load_models_caption(load: pd.DataFrame, lang: str) -> str:
    """Which model versions' scores weighed the sessions behind a load chart ("" when
    no session was weighed by a score)."""
    versions = split_versions(load["model_versions"]) if "model_versions" in load else ()
    return translate(lang, "balance.models", models=", ".join(versions)) if versions else ""


def balance_caption(load: pd.DataFrame, lang: str) -> str:
    """What the balance chart shows, and the models that weighed its load."""
    return " ".join(filter(None, (translate(lang, "balance.help"), load_models_caption(load, lang))))
