"""Written case vignettes for the rating practice (issue 14): what a vignette is and the
rules it keeps, checked the same way for the vignettes Draagkracht ships (TOML files in
``store/vignettes/``) and for those a researcher or admin adds
(``store.rating_practice.add_vignettes``).

A vignette is a fictional case, written so that every item of the instrument can be
rated from it (the therapist-impact items too: it says what the case does to "you").
Its fields:

- ``key``: the vignette's id (``v01``, ...); shipped vignettes carry one, added ones get
  theirs from the store (a ``key`` in an added vignette is an unknown field);
- ``band``: the complexity band it was written for;
- ``instrument_version``: the instrument its reference rating is of; only the current
  version is accepted (a vignette rated on another version would pool items across
  versions);
- ``title`` and ``text``: free text in every language (``nl``, ``en``), checked by the
  identifier guard (``data_schema.guard``): no BSN, e-mail, phone number, address or
  full date, even though the case is made up;
- ``reference``: the reference rating, a level 0-3 for **every** item of the instrument
  (scored and outside the score); scored by the model it must land in ``band``.

:func:`check_vignette` returns the :class:`Vignette` and every problem found (each a
:class:`data_schema.problems.Problem`, located by its TOML path, e.g.
``vignettes[2].title.en``); :func:`read_vignette_file` reads a TOML file of one
vignette or of several (``[[vignettes]]``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from complexity import BANDS, INSTRUMENT, LANGUAGES, CaseScore, score_case
from complexity.instrument import MAX_LEVEL, MIN_LEVEL

from .i18n import Text
from .problems import Problem
from .records import RecordError, validate_value
from .spec import FieldSpec

TITLE_MAX = 120
TEXT_MAX = 6000
KEY_PATTERN = r"[a-z][a-z0-9-]{1,15}"
FIELDS: tuple[str, ...] = ("key", "band", "instrument_version", "title", "text", "reference")
KEY = FieldSpec("key", "text", key="vignette_key", max_length=16, pattern=KEY_PATTERN)
BAND = FieldSpec("band", "choice", key="vignette_band", choices=BANDS)
TITLE = FieldSpec("title", "free_text", key="vignette_title", max_length=TITLE_MAX)
TEXT = FieldSpec("text", "free_text", key="vignette_text", max_length=TEXT_MAX)
VERSION = FieldSpec("instrument_version", "text", key="vignette_instrument_version", max_length=20)
_LEVEL = {item_id: FieldSpec(item_id, "whole", min=MIN_LEVEL, max=MAX_LEVEL) for item_id in INSTRUMENT.item_ids}


@dataclass(frozen=True)
class Vignette:
    """One vignette, checked. ``shipped``: one of Draagkracht's own (a file), else added
    by a researcher or admin (a row of ``practice_vignette``)."""

    key: str
    band: str
    instrument_version: str
    titles: Mapping[str, str]
    texts: Mapping[str, str]
    reference: Mapping[str, int]  # item id -> level, every item of the instrument
    shipped: bool = True

    def title(self, lang: str = "nl") -> str:
        return self.titles[lang]

    def text(self, lang: str = "nl") -> str:
        return self.texts[lang]

    def reference_score(self) -> CaseScore:
        """The model's score of the reference rating (its band is :attr:`band`)."""
        return score_case(self.reference, case_id=self.key)


def _value(spec: FieldSpec, value: object, column: str, problems: list[Problem]) -> Any:
    try:
        return validate_value(spec, value, column)
    except RecordError as error:
        problems += error.problems
        return None


def _texts(raw: Mapping, name: str, spec: FieldSpec, where: str, problems: list[Problem]) -> dict[str, str]:
    given = raw.get(name)
    if not isinstance(given, Mapping):
        problems.append(Problem.make("vignette_languages", None, f"{where}{name}", languages=", ".join(LANGUAGES)))
        return {}
    out = {}
    for lang in LANGUAGES:
        value = _value(spec, given.get(lang), f"{where}{name}.{lang}", problems)
        if value is not None:
            out[lang] = value
    problems += [Problem.make("unknown_field", None, f"{where}{name}.{other}") for other in given if other not in LANGUAGES]
    return out


def _reference(raw: Mapping, where: str, problems: list[Problem]) -> dict[str, int]:
    given = raw.get("reference")
    column = f"{where}reference"
    if not isinstance(given, Mapping):
        problems.append(Problem.make("required", None, column))
        return {}
    problems += [Problem.make("unknown_field", None, f"{column}.{item}") for item in given if item not in _LEVEL]
    missing = [item for item in INSTRUMENT.item_ids if given.get(item) is None]
    if missing:
        problems.append(Problem.make("vignette_unrated", None, column, count=len(missing), items=", ".join(missing)))
    out = {}
    for item in INSTRUMENT.item_ids:
        if given.get(item) is not None:
            level = _value(_LEVEL[item], given[item], f"{column}.{item}", problems)
            if level is not None:
                out[item] = int(level)
    return out


def check_vignette(raw: Mapping, *, shipped: bool, where: str = "") -> tuple[Vignette | None, list[Problem]]:
    """Check one vignette as read from TOML (a mapping); ``where`` prefixes each problem's
    column (``vignettes[2].``). A shipped vignette needs its ``key``; an added one may not
    have one. Returns the vignette (None when there are problems) and the problems."""
    problems: list[Problem] = []
    if not isinstance(raw, Mapping):
        return None, [Problem.make("vignette_not_a_table", None, where.rstrip(".") or None)]
    allowed = FIELDS if shipped else tuple(f for f in FIELDS if f != "key")
    problems += [Problem.make("unknown_field", None, f"{where}{name}") for name in raw if name not in allowed]
    key = _value(KEY, raw.get("key"), f"{where}key", problems) if shipped else ""
    band = _value(BAND, raw.get("band"), f"{where}band", problems)
    version = _value(VERSION, raw.get("instrument_version"), f"{where}instrument_version", problems)
    if version is not None and version != INSTRUMENT.version:
        problems.append(Problem.make("vignette_instrument_version", None, f"{where}instrument_version",
                                     value=version, current=INSTRUMENT.version))
    titles = _texts(raw, "title", TITLE, where, problems)
    texts = _texts(raw, "text", TEXT, where, problems)
    reference = _reference(raw, where, problems)
    if problems:
        return None, problems
    vignette = Vignette(key, band, version, MappingProxyType(titles), MappingProxyType(texts),
                        MappingProxyType(reference), shipped)
    score = vignette.reference_score()
    if score.band != band:
        return None, [Problem.make("vignette_band_mismatch", None, f"{where}reference",
                                   complexity=round(score.complexity or 0),
                                   band=Text(f"field.band.choice.{score.band}"),
                                   expected=Text(f"field.band.choice.{band}"))]
    return vignette, []


def read_vignette_file(text: str) -> tuple[list[tuple[str, Mapping]], list[Problem]]:
    """A TOML file of one vignette (its fields at the top) or of several (``[[vignettes]]``,
    nothing else at the top): each raw vignette with the prefix its problems are located
    by, or the problem that the file is not such a file."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return [], [Problem.make("vignette_file_unreadable", None, None, error=str(error))]
    if "vignettes" not in raw:
        return ([("", raw)] if raw else []), ([] if raw else [Problem.make("vignette_file_empty")])
    extra = [Problem.make("unknown_field", None, name) for name in raw if name != "vignettes"]
    listed = raw["vignettes"]
    if not isinstance(listed, list) or not listed:
        return [], extra + [Problem.make("vignette_file_empty")]
    return [(f"vignettes[{n}].", v) for n, v in enumerate(listed, start=1)], extra


__all__ = ["FIELDS", "KEY_PATTERN", "TEXT_MAX", "TITLE_MAX", "Vignette", "check_vignette", "read_vignette_file"]
