"""A personal report over a period, for supervision or intervision: the balance chart,
weekly figures, flags with their reasons and next steps, and the self-care goals; on
screen and as one self-contained HTML file (plotly's script inlined, no network
needed) with print styles."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from typing import Sequence

from complexity import Flag
from dashboard.components.balance import balance_caption, balance_figure
from dashboard.components.caseload import EMPTY_CELL, range_cell
from dashboard.components.flags import flag_html, flag_text
from dashboard.i18n import format_number, translate
from store.overview import PeriodReport, ReportCase

PRINT_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border: 1px solid #999; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #eee; } .muted { color: #555; font-size: 0.85rem; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  table, .dk-flag, .chart { break-inside: avoid; } a { color: inherit; text-decoration: none; } }
"""


@dataclass(frozen=True)
class ReportTables:
    weeks: pd.DataFrame
    flags: list[Flag]
    goals: pd.DataFrame
    cases: pd.DataFrame  # the cases open at the end, heaviest first, without codes


def cases_frame(cases: Sequence[ReportCase], lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        translate(lang, "report.col_rated_on"): [c.rated_on.strftime("%d-%m-%Y") for c in cases],
        translate(lang, "cases.col_band"): [translate(lang, f"band.{c.band}") for c in cases],
        translate(lang, "cases.col_complexity"): [EMPTY_CELL if c.complexity is None else str(round(c.complexity))
                                                  for c in cases],
        translate(lang, "cases.col_range"): [range_cell(c.complexity_low, c.complexity_high) for c in cases],
        translate(lang, "report.col_model"): [c.model_version for c in cases],
    })


def report_tables(report: PeriodReport, lang: str) -> ReportTables:
    b = report.balance
    weeks = pd.DataFrame({
        translate(lang, "report.col_week"): b["week"],
        translate(lang, "report.col_sessions"): b["sessions"].astype(int),
        translate(lang, "report.col_load"): [format_number(float(v), lang, 1) for v in b["load"]],
        translate(lang, "report.col_capacity"): [format_number(float(v), lang, 1) for v in b["capacity"]],
        translate(lang, "report.col_load_index"): ["–" if pd.isna(v) else format_number(float(v), lang, 2)
                                                   for v in b["load_index"]],
        translate(lang, "report.col_status"): [translate(lang, f"status.{s}") if isinstance(s, str) else "–"
                                               for s in b["status"]],
        translate(lang, "report.col_capacity_score"): ["–" if pd.isna(v) else format_number(float(v), lang, 0)
                                                       for v in b["capacity_score"]],
    })
    flags = []
    for row in report.flags.to_dict("records"):
        params = {k[len("param_"):]: v for k, v in row.items() if k.startswith("param_") and not pd.isna(v)}
        flags.append(Flag(row["code"], row["severity"], params, subject=row.get("subject"), week=row.get("week")))
    goals = pd.DataFrame({
        translate(lang, "report.col_week"): [g.week_start.strftime("%d-%m-%Y") for g in report.goals],
        translate(lang, "report.col_goal"): [g.text for g in report.goals],
        translate(lang, "report.col_goal_status"): [translate(lang, f"goal_status.{g.status}") for g in report.goals],
    })
    return ReportTables(weeks, flags, goals, cases_frame(report.cases, lang))


def report_html(report: PeriodReport, lang: str, *, who: str) -> str:
    """The report as one HTML document that opens offline and prints well."""
    e = html.escape
    tables = report_tables(report, lang)
    chart = balance_figure(report.balance, lang, height=380).to_html(
        full_html=False, include_plotlyjs=True, config={"displayModeBar": False, "staticPlot": True})
    flag_blocks = "".join(
        flag_html(flag_text(f, lang), context=f.week or None) for f in tables.flags
    ) or f"<p>{e(translate(lang, 'report.no_flags'))}</p>"
    bands = ", ".join(f"{translate(lang, f'band.{band}')}: {n}" for band, n in sorted(report.case_bands.items())) \
        or translate(lang, "report.no_cases")
    period = f"{report.start:%d-%m-%Y} – {report.end:%d-%m-%Y}"
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(translate(lang, "report.title"))} · {e(period)}</title><style>{PRINT_CSS}</style></head>
<body>
<h1>{e(translate(lang, "report.title"))}</h1>
<p class="muted">{e(translate(lang, "report.subtitle", who=who, period=period))}</p>
<p>{e(translate(lang, "report.confidential"))}</p>
<h2>{e(translate(lang, "report.balance"))}</h2><div class="chart">{chart}</div>
<p class="muted">{e(balance_caption(report.balance, lang))}</p>
<h2>{e(translate(lang, "report.weeks"))}</h2>{tables.weeks.to_html(index=False, escape=True, border=0)}
<h2>{e(translate(lang, "report.flags"))}</h2>{flag_blocks}
<h2>{e(translate(lang, "report.goals"))}</h2>
{tables.goals.to_html(index=False, escape=True, border=0) if len(tables.goals) else "<p>" + e(translate(lang, "report.no_goals")) + "</p>"}
<h2>{e(translate(lang, "report.cases"))}</h2><p>{e(bands)}</p>
{tables.cases.to_html(index=False, escape=True, border=0) if len(tables.cases) else ""}
<p class="muted">{e(translate(lang, "report.range_help"))}</p>
</body></html>"""
