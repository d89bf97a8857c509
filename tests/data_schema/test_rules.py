"""Parsing rules shared by tables and records: numbers with a decimal comma, Dutch and
ISO dates, ISO weeks, yes/no, case codes typed by hand, timestamps."""

from __future__ import annotations

import datetime as dt

import pytest

from data_schema import fields
from data_schema.spec import FieldSpec
from data_schema.rules import RuleError, cell_text, parse_value, read_value

DECIMAL = FieldSpec("score", "decimal", min=0, max=10)
WEEK = fields.WEEK_START
FLAG = FieldSpec("flag", "boolean")


def code_of(spec, text) -> str:
    with pytest.raises(RuleError) as info:
        read_value(spec, text)
    return info.value.code


@pytest.mark.parametrize("text, value", [("7,5", 7.5), ("7.5", 7.5), ("10", 10.0), (",5", 0.5), ("+0,25", 0.25)])
def test_decimals_accept_a_decimal_comma(text, value):
    assert read_value(DECIMAL, text) == value


@pytest.mark.parametrize("text, code", [("10,5", "out_of_range"), ("7,5,1", "not_a_number"), ("1.000,5", "not_a_number"),
                                        ("inf", "not_a_number"), ("", "required")])
def test_bad_decimals(text, code):
    assert code_of(DECIMAL, text) == code


def test_iso_weeks_and_mondays():
    assert parse_value(WEEK, "2026-W10") == dt.date(2026, 3, 2)
    assert parse_value(WEEK, "2026w1") == dt.date(2025, 12, 29)  # ISO week 1 starts in December
    assert parse_value(WEEK, "2020-W53") == dt.date(2020, 12, 28)
    assert code_of(WEEK, "2021-W53") == "bad_week"  # 2021 has 52 ISO weeks
    assert code_of(WEEK, "2026-03-03") == "not_a_monday"


@pytest.mark.parametrize("text, value", [("ja", True), ("Nee", False), ("x", True), ("0", False), ("TRUE", True)])
def test_yes_no(text, value):
    assert read_value(FLAG, text) is value


def test_yes_no_refuses_other_words():
    assert code_of(FLAG, "misschien") == "not_a_boolean"


@pytest.mark.parametrize("typed", ["c-7kq2-m9xd", "C7KQ2M9XD", "7KQ2 M9XD", "C-7KQ2-M9XD", "c-7kq2-m9xo"])
def test_case_codes_typed_by_hand(typed):
    expected = "C-7KQ2-M9X0" if typed.endswith("o") else "C-7KQ2-M9XD"
    assert read_value(fields.CASE_CODE, typed) == expected


def test_case_code_normalisation_refuses_non_codes():
    with pytest.raises(ValueError):
        fields.normalize_case_code("C-UUUU-1234")  # U is not in Crockford's alphabet
    assert code_of(fields.CASE_CODE, "C-UUUU-1234") == "bad_case_code"


def test_timestamps_need_a_time_zone():
    assert read_value(fields.GIVEN_AT, "2026-03-02T10:00:00+01:00") == dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
    assert code_of(fields.GIVEN_AT, "2026-03-02T10:00:00") == "not_a_timestamp"


def test_cell_text():
    assert cell_text("  a ") == "a" and cell_text("   ") is None and cell_text(float("nan")) is None
    assert cell_text(3.0) == "3" and cell_text(2.5) == "2.5" and cell_text(True) == "true"
    assert cell_text(dt.datetime(2026, 3, 2)) == "2026-03-02"
    assert cell_text(b"abc") == "abc"
