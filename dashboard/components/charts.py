"""The contribution chart: where a case's complexity points come from.

One horizontal bar per domain plus one for the interaction between domains; each bar
carries its points as a label, and the bars add up to the complexity (the model's
explanation is exact, see ``complexity.scoring``).
"""

from __future__ import annotations

import plotly.graph_objects as go

from complexity import INSTRUMENT, CaseScore
from dashboard.components.palette import DOMAIN_COLOUR, INTERACTION_COLOUR
from dashboard.i18n import format_number, translate

INTERACTION = "interaction"


def contribution_rows(score: CaseScore, lang: str) -> list[tuple[str, str, float]]:
    """``(component id, label, points)`` per domain in instrument order, then the interaction."""
    rows = []
    for domain in INSTRUMENT.domains:
        label = domain.label(lang)
        if score.domain_scores.get(domain.id) is None:
            label = translate(lang, "chart.not_rated", domain=label)
        rows.append((domain.id, label, float(score.contributions[domain.id])))
    rows.append((INTERACTION, translate(lang, "chart.interaction"), float(score.interaction)))
    return rows


def contribution_figure(score: CaseScore, lang: str) -> go.Figure:
    """A labelled horizontal bar chart of the points behind ``score.complexity``."""
    rows = contribution_rows(score, lang)
    ids = [r[0] for r in rows]
    labels = [r[1] for r in rows]
    points = [r[2] for r in rows]
    is_interaction = [i == INTERACTION for i in ids]
    axis = translate(lang, "chart.axis")
    fig = go.Figure(
        go.Bar(
            x=points,
            y=labels,
            orientation="h",
            customdata=ids,
            text=[f"{format_number(p, lang, 1)} {axis}" for p in points],
            textposition="outside",
            cliponaxis=False,
            marker=dict(
                color=[INTERACTION_COLOUR if x else DOMAIN_COLOUR for x in is_interaction],
                # The interaction bar is hatched as well as coloured, so it stands apart
                # without relying on colour.
                pattern=dict(shape=["/" if x else "" for x in is_interaction], fgcolor="#ffffff"),
                line=dict(color="#000000", width=[1 if x else 0 for x in is_interaction]),
            ),
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    top = max(points + [1.0])
    fig.update_layout(
        title=dict(text=translate(lang, "chart.title")),
        xaxis=dict(title=dict(text=axis), range=[0, top * 1.3], fixedrange=True),
        yaxis=dict(autorange="reversed", fixedrange=True, automargin=True),
        height=70 + 42 * len(rows),
        margin=dict(l=10, r=10, t=50, b=40),
        showlegend=False,
        separators=",." if lang == "nl" else ".,",
    )
    return fig
