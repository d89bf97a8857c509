"""The translation catalogs: complete, consistent across languages, and strict."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from complexity import BAND_CATEGORIES, FLAG_CATALOG, Flag
from complexity.flags import SEVERITIES
from dashboard.components import palette
from dashboard.components.flags import flag_html, flag_text
from dashboard.i18n import (
    LANGUAGES,
    TranslationError,
    format_number,
    placeholders,
    read_catalog,
    t,
    translate,
)

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = {lang: read_catalog(lang) for lang in LANGUAGES}

# The params each flag carries (complexity.scoring / the load and capacity modules),
# which its reason text may use.
FLAG_PARAMS = {
    "consult_now": {"level"},
    "therapist_impact_high": {"score"},
    "incomplete": {"rated", "needed"},
    "load_over_capacity": {"load_index", "capacity", "load"},
    "load_rising": {"weeks", "load_index"},
    "balance": {"load_index", "capacity_score"},
    "missed_checkins": {"weeks"},
}
SAMPLE_VALUES = {
    "level": 2, "score": 2.33, "rated": 2, "needed": 4, "load_index": 1.12,
    "capacity": 40.5, "load": 45.36, "weeks": 3, "capacity_score": 42.0,
}
OKABE_ITO = {
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
}


def test_both_languages_have_the_same_keys() -> None:
    nl, en = set(CATALOGS["nl"]), set(CATALOGS["en"])
    assert nl - en == set(), "keys only in nl.json"
    assert en - nl == set(), "keys only in en.json"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_empty_texts(lang: str) -> None:
    assert [k for k, v in CATALOGS[lang].items() if not v.strip()] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_flag_next_step_band_and_severity_has_text(lang: str) -> None:
    keys = set(CATALOGS[lang])
    needed = set()
    for code, spec in FLAG_CATALOG.items():
        needed |= {f"flag.{code}.title", f"flag.{code}.reason", f"next_step.{spec.next_step}"}
    needed |= {f"band.{band}" for band in BAND_CATEGORIES}
    needed |= {f"severity.{s}" for s in SEVERITIES}
    assert sorted(needed - keys) == []


def test_flag_params_match_the_model() -> None:
    assert set(FLAG_PARAMS) == set(FLAG_CATALOG), "update FLAG_PARAMS for new flag codes"
    for code, params in FLAG_PARAMS.items():
        for lang in LANGUAGES:
            used = placeholders(CATALOGS[lang][f"flag.{code}.reason"])
            assert used <= params, (lang, code, used - params)
            assert used, f"{lang} reason for {code} explains nothing with its numbers"


def test_placeholders_are_the_same_in_both_languages() -> None:
    differing = {
        key: (placeholders(CATALOGS["nl"][key]), placeholders(CATALOGS["en"][key]))
        for key in CATALOGS["nl"]
        if placeholders(CATALOGS["nl"][key]) != placeholders(CATALOGS["en"].get(key, ""))
    }
    assert differing == {}


def test_dutch_is_not_a_copy_of_english() -> None:
    # Short identical texts are loanwords or formats ("Check-in", "Supervisor", "{week}");
    # a longer identical text is an untranslated copy.
    same = {k for k in CATALOGS["nl"] if CATALOGS["nl"][k] == CATALOGS["en"][k]}
    copies = {k for k in same if len(CATALOGS["nl"][k]) > 24} - {"result.versions", "cli.failed"}
    assert copies == set()
    assert len(same) <= len(CATALOGS["nl"]) // 10


def test_every_literal_key_in_the_dashboard_code_exists() -> None:
    pattern = re.compile(r"""\b(?:t\(|translate\(\s*[\w.]+\s*,)\s*["']([^"'{}]+)["']""")
    used = {
        key
        for path in (ROOT / "dashboard").rglob("*.py")
        for key in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert len(used) > 20, "the key scan found suspiciously few keys"
    for lang in LANGUAGES:
        assert sorted(used - set(CATALOGS[lang])) == [], lang


def test_missing_key_raises_naming_key_and_language() -> None:
    with pytest.raises(TranslationError, match=r"'en'.*'no.such.key'"):
        translate("en", "no.such.key")
    with pytest.raises(TranslationError, match="no.such.key"):
        t("no.such.key")


def test_missing_parameter_raises() -> None:
    with pytest.raises(TranslationError, match="flag.consult_now.reason"):
        translate("nl", "flag.consult_now.reason")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        read_catalog("de")


def test_t_defaults_to_dutch_outside_the_app() -> None:
    assert t("band.moderate") == CATALOGS["nl"]["band.moderate"]


def test_t_follows_the_language_in_session_state() -> None:
    def script() -> None:
        import streamlit as st

        from dashboard.i18n import t

        st.session_state["language"] = "en"
        st.markdown(t("band.severe"))

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    assert at.markdown[0].value == CATALOGS["en"]["band.severe"]


def test_format_number_uses_the_language_decimal_mark() -> None:
    assert format_number(12.34, "nl") == "12,3"
    assert format_number(12.34, "en") == "12.3"
    assert format_number(2.0, "nl", 2, strip=True) == "2"
    assert format_number(2.5, "nl", 2, strip=True) == "2,5"
    assert format_number(7, "nl") == "7"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", sorted(FLAG_CATALOG))
def test_every_flag_renders_with_icon_word_reason_and_next_step(code: str, lang: str) -> None:
    severity = "red" if code == "consult_now" else "amber"
    flag = Flag(code, severity, {k: SAMPLE_VALUES[k] for k in FLAG_PARAMS[code]})
    text = flag_text(flag, lang)
    assert text.severity_word == CATALOGS[lang][f"severity.{severity}"]
    assert text.next_step == CATALOGS[lang][f"next_step.{FLAG_CATALOG[code].next_step}"]
    assert "{" not in text.reason
    for name in placeholders(CATALOGS[lang][f"flag.{code}.reason"]):
        assert format_number(SAMPLE_VALUES[name], lang, 2, strip=True) in text.reason
    html = flag_html(text)
    assert "<svg" in html and text.severity_word in html and text.next_step_label in html


def test_flag_html_escapes_text() -> None:
    text = flag_text(Flag("consult_now", "red", {"level": "<b>2</b>"}), "en")
    assert "<b>2</b>" not in flag_html(text) and "&lt;b&gt;2&lt;/b&gt;" in flag_html(text)


def test_severity_colours_are_okabe_ito_and_icons_differ_by_shape() -> None:
    assert set(palette.SEVERITY_COLOURS) == set(SEVERITIES) == set(palette.SEVERITY_ICONS)
    assert set(palette.SEVERITY_COLOURS.values()) <= OKABE_ITO
    assert {palette.DOMAIN_COLOUR, palette.INTERACTION_COLOUR} <= OKABE_ITO
    # Octagon, triangle, circle: the first shape of each icon differs.
    shapes = [re.search(r'<(?:polygon points="[^"]*"|circle)', icon).group(0)
              for icon in palette.SEVERITY_ICONS.values()]
    assert len(set(shapes)) == len(shapes)


def test_every_audit_subject_the_store_writes_has_a_name_for_the_admin() -> None:
    from dashboard.components.admin_tables import SUBJECT_TYPES
    from data_schema.tables import KINDS

    written = {m for path in (ROOT / "store").rglob("*.py")
               for m in re.findall(r'subject_type="([a-z_]+)"', path.read_text(encoding="utf-8"))}
    assert written | set(KINDS) <= set(SUBJECT_TYPES)
    for lang in LANGUAGES:
        assert [s for s in SUBJECT_TYPES if f"subject.{s}" not in CATALOGS[lang]] == [], lang
