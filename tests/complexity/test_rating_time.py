"""The rating-time estimate (``complexity.rating_time``, stated in docs/model.md): computed
from the instrument's own text, a routine full rating under three minutes, a first rating
longer, more items take longer, in both languages."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from complexity import DEFAULT_CONFIG, INSTRUMENT, LANGUAGES
from complexity.instrument import Item
from complexity.rating_time import (
    FORM_WORDS,
    HOME_S,
    KEYSTROKE_S,
    MENTAL_S,
    POINT_S,
    READING_WPM,
    REFERENCE_WORD_LENGTH,
    count_words,
    rating_time,
    rating_times,
    reading_rate,
)

ROOT = Path(__file__).resolve().parents[2]
THREE_MINUTES = 180.0


def _with_more_items(extra: int):
    """The instrument with ``extra`` more items in its first domain (copies of its first
    item under new ids)."""
    first = INSTRUMENT.domains[0]
    copies = tuple(dataclasses.replace(first.items[0], id=f"copy_{k}") for k in range(extra))
    domain = dataclasses.replace(first, items=first.items + copies)
    return dataclasses.replace(INSTRUMENT, domains=(domain,) + INSTRUMENT.domains[1:])


def _with_longer_anchors():
    item: Item = INSTRUMENT.domains[0].items[0]
    longer = dataclasses.replace(item, anchors={lang: tuple(a + " en nog tien woorden erbij om te lezen voor jou"
                                                            for a in item.anchors[lang]) for lang in LANGUAGES})
    domain = dataclasses.replace(INSTRUMENT.domains[0], items=(longer,) + INSTRUMENT.domains[0].items[1:])
    return dataclasses.replace(INSTRUMENT, domains=(domain,) + INSTRUMENT.domains[1:])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_figures_come_from_the_instrument_and_add_up(lang):
    routine, first = rating_time(lang), rating_time(lang, routine=False)
    labels = count_words(item.label(lang) for item in INSTRUMENT.items)
    anchors = count_words(a for item in INSTRUMENT.items for a in item.anchors[lang])
    assert routine.questions == first.questions == len(INSTRUMENT.items) + 1 == 37  # 33 scored, 3 extra, burden
    assert routine.sections == len(INSTRUMENT.domains) + 1 and first.sections == routine.sections + 1
    assert routine.words == labels + FORM_WORDS[lang].burden_question
    assert first.words > labels + anchors  # and the legend, the sections, the form's help texts
    for estimate in (routine, first):
        assert estimate.mental == estimate.questions + 1 and estimate.clicks == estimate.points
        expected = (estimate.words / estimate.words_per_minute * 60 + estimate.mental * MENTAL_S
                    + estimate.points * POINT_S + estimate.clicks * KEYSTROKE_S + estimate.homes * HOME_S)
        assert estimate.total_s == pytest.approx(expected)
        assert sum(estimate.parts.values()) == pytest.approx(estimate.total_s)
    # Longer anchors make a first rating longer and leave a routine one as it was.
    longer = _with_longer_anchors()
    assert rating_time(lang, routine=False, instrument=longer).total_s > first.total_s
    assert rating_time(lang, instrument=longer).words == routine.words


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_routine_full_rating_takes_under_three_minutes(lang):
    assert rating_time(lang).total_s < THREE_MINUTES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_first_rating_takes_longer_than_a_routine_one(lang):
    assert rating_time(lang, routine=False).total_s > rating_time(lang).total_s + 60


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("routine", [True, False])
def test_more_items_take_longer(lang, routine):
    times = [rating_time(lang, routine=routine, instrument=_with_more_items(k)).total_s for k in (0, 1, 5)]
    assert times[0] < times[1] < times[2]
    assert rating_time(lang, routine=routine, burden=False).total_s < rating_time(lang, routine=routine).total_s


def test_both_languages_have_both_figures():
    times = rating_times()
    assert set(times) == {(lang, kind) for lang in LANGUAGES for kind in ("first", "routine")}
    assert times[("nl", "routine")].words != times[("en", "routine")].words
    with pytest.raises(KeyError):
        rating_time("de")


def test_the_reading_rate_follows_the_texts_word_length():
    for lang in LANGUAGES:
        rate = reading_rate(INSTRUMENT, lang)
        assert 180 < rate < 270  # around the 238 wpm of the sources, never far from it
    # 238 wpm at the reference length: a text of words of exactly that many letters.
    instrument = dataclasses.replace(INSTRUMENT, domains=(), extra_items=(),
                                     level_labels={"nl": ("abcde",), "en": ("abcd",)})
    assert reading_rate(instrument, "nl") == pytest.approx(READING_WPM * REFERENCE_WORD_LENGTH["nl"] / 5)
    assert reading_rate(instrument, "en") == pytest.approx(READING_WPM * REFERENCE_WORD_LENGTH["en"] / 4)


def test_counting_words():
    assert count_words(["6 weken tot 3 maanden", "re-integratie", "0 = helemaal niet · 10 = zo zwaar"]) == 5 + 1 + 6


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_form_words_match_the_dashboard_catalog(lang):
    """The counts of the form's own texts (the model cannot read the catalog) are the
    catalog's: when a text there changes, change FORM_WORDS with it."""
    catalog = json.loads((ROOT / "dashboard" / "i18n" / f"{lang}.json").read_text("utf-8"))
    default = DEFAULT_CONFIG.scoring.interplay_default
    outside_help = catalog["form.outside_score.help"].format(
        default=default, anchor=INSTRUMENT.item("interplay").anchor(default, lang))
    first_only = [catalog["form.levels_title"], catalog["form.not_rated"], catalog["form.outside_score.title"],
                  outside_help, catalog["form.burden.scale"]]
    assert FORM_WORDS[lang].burden_question == count_words([catalog["form.burden.label"]])
    assert FORM_WORDS[lang].first_only == count_words(first_only)
