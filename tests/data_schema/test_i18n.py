"""data_schema's catalog: every problem code and message key the code below the
dashboard uses has a text in both languages, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from complexity import LANGUAGES
from data_schema.i18n import CATALOG, Joined, Text, TranslationError, placeholders, translate
from data_schema.problems import Problem, render

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for package in ("complexity", "data_schema", "store") for p in (ROOT / package).rglob("*.py")]
# problem codes: Problem.make("x", refuse("x", RuleError("x", ctx.add("x"
CODE = re.compile(r"""(?:Problem\.make|\brefuse|RuleError|ctx\.add)\(\s*["']([a-z_.]+)["']""")
# message keys: Text("k", translate(lang, "k", say(lang, "k", error(lang, "k", plural(lang, "k"
KEY = re.compile(r"""(?:\bText|translate|\bsay|\berror|plural|say_count|Refused|BackupError|ExportError|DemoNotEmpty)\(\s*(?:[\w.]+\s*,\s*)?["']([a-z_]+\.[a-z_.]+)["']""")


def _used(pattern: re.Pattern) -> set[str]:
    return {m for path in SOURCES for m in pattern.findall(path.read_text(encoding="utf-8"))}


def test_both_languages_have_the_same_keys_and_placeholders():
    nl, en = CATALOG.texts("nl"), CATALOG.texts("en")
    assert set(nl) == set(en)
    assert {k for k in nl if placeholders(nl[k]) != placeholders(en[k])} == set()
    assert [k for k in nl if not nl[k].strip() or not en[k].strip()] == []


def test_every_problem_code_in_the_code_has_a_message():
    codes = _used(CODE)
    assert len(codes) > 40, "the scan found suspiciously few problem codes"
    for lang in LANGUAGES:
        missing = sorted(c for c in codes if f"problem.{c}" not in CATALOG.texts(lang))
        assert missing == [], lang


def test_every_message_key_in_the_code_has_a_text():
    keys = _used(KEY)
    assert len(keys) > 30, "the scan found suspiciously few keys"
    for lang in LANGUAGES:
        texts = CATALOG.texts(lang)
        missing = sorted(k for k in keys if k not in texts and f"{k}.one" not in texts)
        assert missing == [], lang


def test_problems_render_late_in_each_language_with_nested_texts():
    problem = Problem.make("not_a_monday", 3, "week_start", value="2026-03-04", weekday=Text("weekday.2"),
                           monday="2026-03-02", week="2026-W10")
    assert problem.message("en") == ("row 3, column week_start: 2026-03-04 is a Wednesday; give the Monday of "
                                     "the week (2026-03-02) or the week as 2026-W10")
    assert problem.message("nl").startswith("rij 3, kolom week_start: 2026-03-04 is een woensdag")
    assert Joined([Text("weekday.0"), Text("weekday.1"), "x"]).render("nl") == "maandag, dinsdag en x"
    assert render("no.such.code", "en", {"value": 1}) == "'1' is not valid here"  # unknown code: generic text
    assert str(problem) == problem.message("en")


def test_a_missing_key_or_parameter_fails_loudly():
    with pytest.raises(TranslationError, match="no.such.key"):
        translate("en", "no.such.key")
    with pytest.raises(TranslationError, match="cli.failed"):
        translate("en", "cli.failed")
    with pytest.raises(ValueError, match="unknown language"):
        CATALOG.files("de")
