"""How long a full rating of the case instrument takes: an estimate, not a measurement.

The estimate adds two things, both computed from the instrument's own text:

- **Operating the form**, with the Keystroke-Level Model (KLM; Card, Moran & Newell 1980,
  "The keystroke-level model for user performance time with interactive systems",
  Communications of the ACM 23(7), 396-410): ``K`` a key press or mouse click, 0.2 s
  (their average skilled typist; a mouse button press counts as a keystroke); ``P``
  pointing the mouse at a target, 1.1 s; ``H`` moving a hand to the mouse, 0.4 s; ``M``
  mentally preparing an action (here: deciding on a level), 1.35 s.
- **Reading**, at a silent reading rate for adults reading non-fiction: 238 words a minute
  in English (Brysbaert 2019, "How many words do we read per minute? A review and
  meta-analysis of reading rate", Journal of Memory and Language 109, 104047) and in Dutch
  for text with Dutch non-fiction's average word length of 5.1 letters (Brysbaert, Dirix,
  Duyck & Sui 2021, "Improving reading rate prediction with word length information:
  Evidence from Dutch", Quarterly Journal of Experimental Psychology, 2021,
  doi:10.1177/17470218211017100).
  Both find that reading time follows word length; the 2021 predictions (270 wpm at 4.5
  letters a word, 238 at 5.1, 202 at 6.0) come to about 1,213 letters a minute at every
  length. So the rate is scaled by the instrument's own mean word length in that language:
  ``238 * reference length / mean length`` (reference 4.6 letters in English, 5.1 in Dutch).

The form (``dashboard/components/rating_form.py``) has each domain's items in an expander,
the items outside the domains in one more, and below them the optional burden question
(0-10). Two ratings are modelled:

- **first**: the rater opens the level legend and reads it, and reads every section's
  title and description, every item's label and all four anchors, the form's own help
  texts and the burden question with its scale; then per question ``M P K``.
- **routine**, by a therapist who knows the instrument: reads each item's label and
  glances at the anchors (one ``M``, the KLM's operator for a routine decision), then
  ``P K`` to choose; the same for the burden question; ``P K`` to open each section.

Both start with ``H`` (hand to the mouse) and end with ``M P K`` (check, then submit).
Not modelled: scrolling, waiting for the app, looking things up in the patient record,
and thinking about a hard case longer than one ``M``, so the figures are more likely too
low than too high. They are estimates for a fluent rater, not timings of real therapists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Mapping

from .instrument import INSTRUMENT, LANGUAGES, Instrument

# --- Keystroke-Level Model operator times, seconds (Card, Moran & Newell 1980) -----------
KEYSTROKE_S = 0.2  # K: a key press or mouse click
POINT_S = 1.1  # P: point the mouse at a target on the screen
HOME_S = 0.4  # H: move a hand between keyboard and mouse
MENTAL_S = 1.35  # M: mentally prepare the next action (decide on a level)

# --- Reading -------------------------------------------------------------------------------
READING_WPM = 238.0  # silent reading of non-fiction by adults (Brysbaert 2019; Brysbaert et al. 2021)
# The average word length (letters) at which 238 wpm was found: English non-fiction
# (Brysbaert 2019) and Dutch non-fiction (Brysbaert, Dirix, Duyck & Sui 2021).
REFERENCE_WORD_LENGTH: Mapping[str, float] = MappingProxyType({"en": 4.6, "nl": 5.1})

_WORD = re.compile(r"\S*[^\W_]\S*")  # a run of non-space characters with a letter or digit in it
_LETTER = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class FormWords:
    """Words of the form's own texts (dashboard/i18n ``form.*``), which this pure module
    cannot read: ``burden_question`` is read at every rating; ``first_only`` (the level
    legend's title, the "not rated" caption, the title and help of the section outside
    the domains, the burden question's scale) only the first time.
    ``tests/complexity/test_rating_time.py`` checks both against the catalog."""

    burden_question: int
    first_only: int


FORM_WORDS: Mapping[str, FormWords] = MappingProxyType({
    "nl": FormWords(burden_question=8, first_only=4 + 2 + 3 + 61 + 36),
    "en": FormWords(burden_question=10, first_only=4 + 2 + 3 + 58 + 35),
})


@dataclass(frozen=True)
class RatingTime:
    """One estimate, with its arithmetic: the count of each operator and its seconds."""

    lang: str
    routine: bool  # False: a first rating
    questions: int  # questions answered: the instrument's items, plus the burden question
    sections: int  # expanders opened
    words: int  # words read
    words_per_minute: float
    mental: int  # M operators
    points: int  # P operators
    clicks: int  # K operators
    homes: int  # H operators

    @property
    def reading_s(self) -> float:
        return self.words / self.words_per_minute * 60.0

    @property
    def mental_s(self) -> float:
        return self.mental * MENTAL_S

    @property
    def pointing_s(self) -> float:
        return self.points * POINT_S

    @property
    def clicking_s(self) -> float:
        return self.clicks * KEYSTROKE_S

    @property
    def homing_s(self) -> float:
        return self.homes * HOME_S

    @property
    def parts(self) -> Mapping[str, float]:
        """Seconds per part, in the order the docs show them; they add up to ``total_s``."""
        return {"reading": self.reading_s, "mental": self.mental_s, "pointing": self.pointing_s,
                "clicking": self.clicking_s, "homing": self.homing_s}

    @property
    def total_s(self) -> float:
        return sum(self.parts.values())

    @property
    def minutes(self) -> float:
        return self.total_s / 60.0


def count_words(texts: Iterable[str]) -> int:
    """Words in ``texts``: runs of non-space characters holding a letter or a digit
    ("6 weken" is two words, "re-integratie" one, a lone "=" or "·" none)."""
    return sum(len(_WORD.findall(text)) for text in texts)


def _letters(texts: Iterable[str]) -> int:
    return sum(len(_LETTER.findall(word)) for text in texts for word in _WORD.findall(text))


def instrument_texts(instrument: Instrument, lang: str) -> tuple[str, ...]:
    """Every text of the instrument in a language: the level legend, each section's
    title and description, each item's label and its four anchors."""
    texts = list(instrument.level_labels[lang])
    for domain in instrument.domains:
        texts += [domain.label(lang), domain.description(lang)]
    for item in instrument.items:
        texts += [item.label(lang), *item.anchors[lang]]
    return tuple(texts)


def reading_rate(instrument: Instrument = INSTRUMENT, lang: str = "nl") -> float:
    """Words a minute for the instrument's text in ``lang``: 238 at the language's
    reference word length, scaled by the text's own mean word length."""
    if lang not in REFERENCE_WORD_LENGTH:
        raise KeyError(f"no reading rate for language {lang!r}")
    texts = instrument_texts(instrument, lang)
    mean_length = _letters(texts) / count_words(texts)
    return READING_WPM * REFERENCE_WORD_LENGTH[lang] / mean_length


def rating_time(lang: str = "nl", *, routine: bool = True, instrument: Instrument = INSTRUMENT,
                burden: bool = True, form: Mapping[str, FormWords] = FORM_WORDS) -> RatingTime:
    """The estimated time of one full rating of ``instrument`` in ``lang`` (module text):
    every item (``instrument.items``: the scored ones and those outside the score) and,
    with ``burden``, the burden question."""
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}")
    items = instrument.items
    sections = len(instrument.domains) + (1 if instrument.extra_items else 0)
    questions = len(items) + (1 if burden else 0)
    if routine:
        texts = [item.label(lang) for item in items]
        words = count_words(texts) + (form[lang].burden_question if burden else 0)
        opened = sections
    else:
        legend = list(instrument.level_labels[lang])
        titles = [t for d in instrument.domains for t in (d.label(lang), d.description(lang))]
        items_read = [t for item in items for t in (item.label(lang), *item.anchors[lang])]
        words = count_words(legend + titles + items_read) + form[lang].first_only
        words += form[lang].burden_question if burden else 0
        opened = sections + 1  # and the level legend
    # Per question M (decide) P (point at the level) K (click); per section P K; the
    # submit M P K; one H at the start.
    mental = questions + 1
    points = questions + opened + 1
    return RatingTime(lang=lang, routine=routine, questions=questions, sections=opened, words=words,
                      words_per_minute=reading_rate(instrument, lang), mental=mental, points=points,
                      clicks=points, homes=1)


def rating_times(instrument: Instrument = INSTRUMENT) -> dict[tuple[str, str], RatingTime]:
    """Both estimates in every language: ``{(lang, "first" | "routine"): RatingTime}``."""
    return {(lang, kind): rating_time(lang, routine=kind == "routine", instrument=instrument)
            for lang in LANGUAGES for kind in ("first", "routine")}


__all__ = ["FORM_WORDS", "FormWords", "RatingTime", "count_words", "instrument_texts", "rating_time",
           "rating_times", "reading_rate"]
