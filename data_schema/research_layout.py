"""The tables of a researcher's export (``store.research``, ``store.research_export``),
made of the fields of ``data_schema.fields`` and a few of their own: research ids, case
keys, and the quasi-identifiers as bands after disclosure control (``store.disclosure``).

Their words are in the catalog under ``field.research_*`` (``data_schema/i18n/
*.research.json``); the codebook of an export is
``codebook_frame(columns=..., tables=RESEARCH_TABLES)``. Built from the instrument and
the check-in, as the other layouts, so a new item or scale reaches the research export's
codebook without an edit.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from complexity import CHECKIN, INSTRUMENT
from complexity.checkin import Checkin
from complexity.instrument import Instrument

from .fields import (
    BAND, BURDEN, CAPACITY_SCORE, CHECKIN_VERSION, COMPLEXITY, COMPLEXITY_HIGH, COMPLEXITY_LOW, EXPERIENCE_FIELD,
    INSTRUMENT_VERSION, INTERACTION, LOAD_FIELDS, MAX_CONTRACTED_SESSIONS, MIN_CONTRACTED_SESSIONS, MODEL_VERSION,
    RESEARCH_ID, checkin_fields, item_fields,
)
from .spec import FieldSpec, TableSpec, catalog_texts

CASE_KEY_PATTERN = r"^K[0-9a-f]{12}$"
WITHHELD_ITEMS = ("safety_concern",)  # items disclosure control may leave empty


def _band(name: str, key: str, type_: str, **rules) -> tuple[FieldSpec, FieldSpec]:
    """The low and high end of a band (``<name>_low``, ``<name>_high``)."""
    return tuple(FieldSpec(f"{name}_{end}", type_, key=f"research_{key}_{end}", required=False, **rules)
                 for end in ("low", "high"))


def research_tables(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN) -> dict[str, TableSpec]:
    """The four tables of the research dataset, every column in export order."""
    week = LOAD_FIELDS["week"]
    withheld = catalog_texts("field.research_withheld.note")
    items = tuple(
        f.but(texts={**f.texts, "values": {lang: f"{f.texts['values'][lang]}; {withheld[lang]}"
                                             for lang in f.texts["values"]}})
        if f.name in WITHHELD_ITEMS else f
        for f in item_fields(instrument))
    scales = tuple(f for f in checkin_fields(checkin) if f.name in checkin.scale_ids)
    return {
        "therapists": TableSpec("therapists", (
            RESEARCH_ID, EXPERIENCE_FIELD.but(key="research_experience", required=False),
            *_band("contracted_sessions", "contracted", "whole", min=MIN_CONTRACTED_SESSIONS,
                   max=MAX_CONTRACTED_SESSIONS),
            *_band("team_size", "team_size", "whole", min=0),
        ), unique=("research_id",)),
        "ratings": TableSpec("ratings", (
            RESEARCH_ID, FieldSpec("case_key", "text", key="research_case_key", pattern=CASE_KEY_PATTERN),
            week.but(name="period_first", key="research_rating_first"),
            week.but(name="period_last", key="research_rating_last"),
            *items, BURDEN, COMPLEXITY, COMPLEXITY_LOW, COMPLEXITY_HIGH, BAND, INTERACTION, INSTRUMENT_VERSION,
            MODEL_VERSION,
        )),
        "checkins": TableSpec("checkins", (RESEARCH_ID, week, *scales, CAPACITY_SCORE, CHECKIN_VERSION),
                              unique=("research_id", "week")),
        "weekly_load": TableSpec("weekly_load", (
            RESEARCH_ID, week.but(name="period_first", key="research_period_first"),
            week.but(name="period_last", key="research_period_last"),
            FieldSpec("weeks", "whole", key="research_weeks", min=1),
            *_band("sessions", "sessions", "decimal", min=0),
            *_band("load_index", "load_index", "decimal", min=0),
        ), unique=("research_id", "period_first")),
    }


RESEARCH_TABLES: Mapping[str, TableSpec] = MappingProxyType(research_tables())

__all__ = ["CASE_KEY_PATTERN", "RESEARCH_TABLES", "WITHHELD_ITEMS", "research_tables"]
