"""Charts as text: one sentence or two per chart, what a screen-reader user gets instead
of the picture (WCAG 2.1 1.1.1, non-text content).

A plotly chart is drawn as SVG (or a canvas) that a screen reader cannot make sense of,
so each page puts the chart's summary right under it as a caption that starts with
"Chart in words:", in the user's language. The summaries name the figures a sighted user
reads off the chart (the highest and the latest load index and their weeks, each
with its status in words rather than its colour; the points behind a complexity; the
ratings per band), so nothing is carried by the picture alone. Each is one text: every
element on a page costs each rerun (``make bench`` times My week's), so a page adds one
caption per chart, not a table.

Pure functions of what the chart is drawn from: no Streamlit, no database.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from complexity import CaseScore
from dashboard.components.charts import contribution_rows
from dashboard.i18n import format_number, plural, translate


def _index(value: float, lang: str) -> str:
    return format_number(float(value), lang, 2)


def _status(status: object, lang: str) -> str:
    return translate(lang, f"status.{status}") if isinstance(status, str) else "–"


def _column(frame: pd.DataFrame, name: str) -> list:
    return frame[name].tolist() if name in frame else [None] * len(frame)


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def balance_text(balance: pd.DataFrame, lang: str) -> str:
    """The balance chart (``components.balance.balance_figure``) in words: the weeks it
    covers, the highest and the latest load index with their weeks and status, and the
    latest capacity with how many weeks have a check-in. ``balance``: rows per week,
    oldest first, with ``week``, ``load_index``, ``status`` and ``capacity_score``.

    Plain lists rather than pandas: My week calls this on every rerun (a dozen rows)."""
    parts = [translate(lang, "chart_text.prefix")]
    weeks = [str(w) for w in _column(balance, "week")]
    if not weeks:
        return " ".join(parts + [translate(lang, "chart_text.balance_empty")])
    status = _column(balance, "status")
    index = [(float(v), i) for i, v in enumerate(_column(balance, "load_index")) if _present(v)]
    if index:
        high, h = max(index, key=lambda pair: pair[0])  # the first week of the highest
        latest, n = index[-1]
        parts.append(plural(lang, "chart_text.balance_load", len(weeks), first=weeks[0], last=weeks[-1],
                            high=_index(high, lang), high_week=weeks[h], high_status=_status(status[h], lang),
                            latest=_index(latest, lang), latest_week=weeks[n],
                            latest_status=_status(status[n], lang)))
    else:
        parts.append(plural(lang, "chart_text.balance_no_load", len(weeks), first=weeks[0], last=weeks[-1]))
    capacity = [(float(v), i) for i, v in enumerate(_column(balance, "capacity_score")) if _present(v)]
    if capacity:
        latest, n = capacity[-1]
        parts.append(translate(lang, "chart_text.balance_capacity", weeks=len(weeks), checkins=len(capacity),
                               capacity=format_number(latest, lang, 0), week=weeks[n]))
    else:
        parts.append(translate(lang, "chart_text.balance_no_capacity"))
    return " ".join(parts)


def contribution_text(score: CaseScore, lang: str) -> str:
    """The contribution chart (``components.charts.contribution_figure``) in words: every
    bar, domain by domain and then the interaction, with its points, and their total."""
    rows = contribution_rows(score, lang)
    axis = translate(lang, "chart.axis")
    parts = "; ".join(f"{label}: {format_number(points, lang, 1)} {axis}" for _, label, points in rows)
    total = score.complexity if score.complexity is not None else sum(points for _, _, points in rows)
    return " ".join((translate(lang, "chart_text.prefix"),
                     translate(lang, "chart_text.contribution", total=format_number(round(total), lang),
                               parts=parts)))


def team_load_text(load: pd.DataFrame, lang: str, *, week: str | None = None) -> str:
    """The team's load heatmap (``components.team_view.team_heatmap``) in words: how many
    therapists over which weeks, the highest load index (whose, which week, its status),
    and how many therapists are at or over capacity in ``week`` (an ISO week label; the
    last week shown by default; My teams names the last complete week, as its table
    does). ``load``: one row per therapist per week with ``therapist_id``,
    ``display_name``, ``week``, ``load_index`` and ``status``."""
    prefix = translate(lang, "chart_text.prefix")
    indexed = load[load["load_index"].notna()] if len(load) else load
    if not len(indexed):
        return " ".join((prefix, translate(lang, "chart_text.team_empty")))
    names = dict(zip(load["therapist_id"], load["display_name"]))
    shown = list(names.values())
    weeks = sorted(str(w) for w in load["week"].unique())
    high = indexed.loc[indexed["load_index"].idxmax()]
    name = names[high["therapist_id"]]
    if shown.count(name) > 1:  # two Annas: as the heatmap labels them
        name = f"{name} ({high['therapist_id']})"
    week = week or weeks[-1]
    in_week = indexed[indexed["week"] == week]
    over = int(in_week["status"].isin(("amber", "red")).sum())
    return " ".join((
        prefix,
        plural(lang, "chart_text.team_load", len(names), weeks=len(weeks), first=weeks[0], last=weeks[-1],
               high=_index(high["load_index"], lang), name=name, week=high["week"],
               status=_status(high["status"], lang)),
        plural(lang, "chart_text.team_latest", over, week=week, therapists=len(in_week)),
    ))


def band_counts_text(counts: Mapping[str, int | None], lang: str) -> str:
    """A bar chart of ratings per complexity band in words: each band with its count,
    in the chart's order, and the total. ``counts``: band -> count (a dict, or a pandas
    Series indexed by band); None for a band the chart leaves empty because it is hidden
    (fewer than five participants): said as hidden, and the total is then of the bands
    shown."""
    pairs = list(counts.items())
    hidden = [band for band, n in pairs if n is None or pd.isna(n)]
    parts = "; ".join(f"{translate(lang, f'band.{band}')}: "
                      + (translate(lang, "chart_text.band_hidden") if band in hidden else str(int(n)))
                      for band, n in pairs)
    total = sum(int(n) for band, n in pairs if band not in hidden)
    return " ".join((translate(lang, "chart_text.prefix"),
                     translate(lang, "chart_text.bands_hidden" if hidden else "chart_text.bands", total=total,
                               parts=parts)))
