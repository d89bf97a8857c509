"""Pure pieces of the therapist pages: the calendar reminder, the balance chart, trends."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dashboard.components.balance import balance_figure
from dashboard.components.calendar import checkin_reminder_ics
from dashboard.components.caseload import caseload_table, models_caption, trend_text
from dashboard.i18n import read_catalog
from store.cases import CaseOverview
from dashboard.components.selfcare_plan import next_checkin_start


def unfold(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_reminder_is_a_valid_single_event_next_monday_morning():
    start = next_checkin_start(dt.date(2026, 3, 23))  # the Monday after: 30 March, 09:00 in Amsterdam
    assert start == dt.datetime(2026, 3, 30, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    ics = checkin_reminder_ics(start, "Check-in", "Kijk terug op je doel: rust, pauze; wandelen\n" + "é" * 80,
                               uid_seed="anna:2026-03-30", now=dt.datetime(2026, 3, 23, tzinfo=dt.timezone.utc))
    raw = ics.decode("utf-8")
    assert all(len(line.encode("utf-8")) <= 75 for line in raw.split("\r\n"))  # folded
    lines = unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20260330T070000Z" in lines  # 09:00 CEST is 07:00 UTC (summer time began 29 March)
    assert "DTEND:20260330T071000Z" in lines
    desc = next(line for line in lines if line.startswith("DESCRIPTION:Kijk"))
    assert "rust\\, pauze\\; wandelen\\n" in desc
    assert lines.count("BEGIN:VEVENT") == 1 and "BEGIN:VALARM" in lines
    again = checkin_reminder_ics(start, "Check-in", "x", uid_seed="anna:2026-03-30")
    uid = [line for line in lines if line.startswith("UID:")]
    assert uid and uid == [line for line in unfold(again) if line.startswith("UID:")]


def test_reminder_refuses_naive_times():
    with pytest.raises(ValueError):
        checkin_reminder_ics(dt.datetime(2026, 3, 30, 9), "x", "y", uid_seed="s")


def test_balance_figure_gaps_for_missing_checkins_and_words_for_status():
    balance = pd.DataFrame({
        "week": ["2026-W10", "2026-W11", "2026-W12"],
        "load_index": [0.8, 1.05, 1.3],
        "status": ["blue", "amber", "red"],
        "capacity_score": [70.0, math.nan, 40.0],
    })
    fig = balance_figure(balance, "nl")
    bars, line = fig.data
    assert list(bars.y) == [0.8, 1.05, 1.3]
    assert list(bars.customdata) == ["onder capaciteit", "op capaciteit", "te hoog"]
    assert list(line.y) == [70.0, None, 40.0] and line.connectgaps is False
    assert fig.layout.separators == ",."
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["op capaciteit (1)", "10% erboven (1,1)"]
    # the dashed threshold lines span the plot over the bars, at the levels their labels
    # name, which are also the load axis's only ticks
    assert [(s.y0, s.y1, s.xref, s.x0, s.x1, s.line.dash) for s in fig.layout.shapes] == [
        (1.0, 1.0, "x domain", 0, 1, "dash"), (1.1, 1.1, "x domain", 0, 1, "dash")]
    assert all(s.layer in (None, "above") for s in fig.layout.shapes)
    assert [(a.y, a.yref) for a in fig.layout.annotations] == [(1.0, "y"), (1.1, "y")]
    assert list(fig.layout.yaxis.tickvals) == [0, 1.0, 1.1] and fig.layout.yaxis.showgrid is False
    assert bars.text is None  # kept light (see the module's docstring)
    # no legend: each axis title names its series, the capacity title in the line's colour
    assert fig.layout.showlegend is False
    assert fig.layout.yaxis.title.text == bars.name and fig.layout.yaxis2.title.text == line.name
    assert fig.layout.yaxis2.title.font.color == line.line.color


@pytest.mark.parametrize("history, lang, expected", [
    ([], "nl", "–"),
    ([40.0], "en", "–"),
    ([40.0, None], "en", "–"),
    ([40.0, 52.4], "en", "↑ 12 points heavier"),
    ([60.0, 30.0], "nl", "↓ 30 punten lichter"),
    ([50.0, 50.2], "en", "→ unchanged"),
])
def test_trend_text(history, lang, expected):
    assert trend_text(history, lang) == expected


def test_week_flag_cards_say_where_each_flag_comes_from():
    from complexity import Flag
    from dashboard.components.flags import flag_html, week_flag_cards

    flags = [
        Flag("balance", "amber", {"load_index": 1.2, "capacity_score": 40}, subject="7", week="2026-W11"),
        Flag("load_over_capacity", "red", {"load": 30, "capacity": 25, "load_index": 1.2}, subject="7",
             week="2026-W12"),
        Flag("consult_now", "red", {"level": 3}, subject="C-0001"),
        Flag("incomplete", "info", {"rated": 2, "needed": 3}, subject="C-0002"),
        Flag("consult_now", "red", {"level": 2}, subject="C-0003"),
    ]
    cards = week_flag_cards(flags, "nl", week="2026-W12")
    assert [(text.title, context) for text, context in cards] == [
        ("Balans staat onder druk", "Uit de vorige week (2026-W11):"),  # carried over
        (flag_text_title("load_over_capacity"), None),  # this week's: no context line
        (flag_text_title("consult_now"), "Geldt voor 2 case(s): C-0001, C-0003"),  # one card per kind
        (flag_text_title("incomplete"), "Geldt voor 1 case(s): C-0002"),
    ]
    html = flag_html(*cards[0])
    assert 'class="dk-flag-context"' in html and "Uit de vorige week (2026-W11):" in html
    assert "dk-flag-context" not in flag_html(*cards[1])


def flag_text_title(code: str) -> str:
    from dashboard.i18n import read_catalog

    return read_catalog("nl")[f"flag.{code}.title"]


def test_caseload_table_shows_a_dash_for_a_case_not_yet_rated():
    rated = CaseOverview(code="C-RATED", opened_on=dt.date(2026, 9, 1), closed_on=None,
                         rated_on=dt.date(2026, 9, 8), complexity=41.6, band="moderate", complexity_low=39.2,
                         complexity_high=46.1, model_version="2.0.0", sessions=3,
                         last_session_on=dt.date(2026, 9, 8))
    unrated = CaseOverview(code="C-NEW", opened_on=dt.date(2026, 9, 10), closed_on=None, rated_on=None,
                           complexity=None, band="unrated", complexity_low=None, complexity_high=None,
                           model_version=None, sessions=0, last_session_on=None)
    incomplete = CaseOverview(code="C-PART", opened_on=dt.date(2026, 9, 10), closed_on=None,
                              rated_on=dt.date(2026, 9, 11), complexity=None, band="incomplete",
                              complexity_low=44.4, complexity_high=100.0, model_version="2.0.0", sessions=0,
                              last_session_on=None)
    full = CaseOverview(code="C-FULL", opened_on=dt.date(2026, 9, 10), closed_on=None,
                        rated_on=dt.date(2026, 9, 11), complexity=30.2, band="mild", complexity_low=30.2,
                        complexity_high=30.2, model_version="1.0.0", sessions=0, last_session_on=None)
    en = read_catalog("en")
    table = caseload_table([rated, unrated, incomplete, full], {"C-RATED": [41.6]}, "en")
    header, *rows = table.to_string(delimiter="|").splitlines()
    columns = header.split("|")[1:]  # the first field is the (hidden) index
    shown = [dict(zip(columns, row.split("|")[1:])) for row in rows]
    assert shown[0][en["cases.col_complexity"]] == "42" and shown[0][en["cases.col_rated_on"]] == "2026-09-08"
    assert shown[1][en["cases.col_complexity"]] == "–" and shown[1][en["cases.col_rated_on"]] == "–"
    assert shown[1][en["cases.col_band"]] == en["band.unrated"]
    # The range beside the score: a span, a dash when there is none, one number when fixed.
    assert [row[en["cases.col_range"]] for row in shown] == ["39–46", "–", "44–100", "30"]
    assert models_caption([c.model_version for c in (rated, unrated, incomplete, full)], "en") == \
        en["scores.models"].format(models="1.0.0, 2.0.0")
    assert models_caption([None], "nl") == ""
    assert "None" not in table.to_html() and "nan" not in table.to_html().lower()
    assert table.data[en["cases.col_complexity"]].dtype.kind == "f"  # still sorts as numbers


def test_the_report_lists_open_cases_with_their_range_and_the_models_behind_its_load():
    from complexity.load import LOAD_COLUMNS
    from dashboard.components.report import report_html, report_tables
    from store.overview import PeriodReport, ReportCase

    weeks = pd.to_datetime(["2026-09-07", "2026-09-14"])
    balance = pd.DataFrame({c: [0, 0] for c in LOAD_COLUMNS}).assign(
        week_start=weeks, week=["2026-W37", "2026-W38"], status=["blue", "green"], load_index=[0.5, 0.96],
        capacity_score=[float("nan"), 60.0], burnout=[float("nan"), 2.0],
        model_versions=["1.0.0", "1.0.0|2.0.0"])
    cases = (ReportCase(dt.date(2026, 9, 8), "moderate", 41.6, 39.2, 46.1, 2, "2.0.0"),
             ReportCase(dt.date(2026, 9, 9), "incomplete", None, 44.4, 100.0, 30, "2.0.0"),
             ReportCase(dt.date(2026, 8, 1), "mild", 27.8, None, None, 5, "1.0.0"))
    report = PeriodReport(7, dt.date(2026, 9, 7), dt.date(2026, 9, 20), balance,
                          pd.DataFrame(columns=["week", "code", "severity"]), [], {"moderate": 1}, cases)
    en = read_catalog("en")
    table = report_tables(report, "en").cases
    assert table[en["cases.col_range"]].tolist() == ["39–46", "44–100", "–"]
    assert table[en["cases.col_complexity"]].tolist() == ["42", "–", "28"]
    assert table[en["report.col_model"]].tolist() == ["2.0.0", "2.0.0", "1.0.0"]
    html = report_html(report, "en", who="anna")
    assert "39–46" in html and en["report.range_help"] in html
    assert en["balance.models"].format(models="1.0.0, 2.0.0") in html
    nl = read_catalog("nl")
    assert nl["balance.models"].format(models="1.0.0, 2.0.0") in report_html(report, "nl", who="anna")
