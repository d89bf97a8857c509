"""The codebook: one row for every column of every exported table, generated.

Rows come from the export table specs (``data_schema.fields.export_tables``), which are
built from the instrument and the check-in: a new item, domain or check-in field gets
its row without an edit here. Columns of the codebook:

``table, column, label_nl, label_en, type, range, unit_or_values, instrument_version``

``instrument_version`` is the version of the definition a column comes from: the
instrument's version for item and domain columns, ``check-in <version>`` for check-in
columns, empty for the rest. ``unit_or_values`` is in the language asked for.

``python -m data_schema codebook [--format md|csv] [--lang nl|en] [-o FILE]`` writes it.
"""

from __future__ import annotations

import io

import pandas as pd

from complexity import CHECKIN, INSTRUMENT
from complexity.checkin import Checkin
from complexity.instrument import Instrument

from .fields import CODEBOOK_TYPES, TableSpec, export_tables

COLUMNS: tuple[str, ...] = (
    "table", "column", "label_nl", "label_en", "type", "range", "unit_or_values", "instrument_version",
)

_TABLE_TITLES = {
    "therapists": ("Therapeuten (gepseudonimiseerd)", "Therapists (pseudonymised)"),
    "cases": ("Casussen", "Cases"),
    "ratings": ("Scores per item", "Item ratings"),
    "scores": ("Complexiteitsscores", "Complexity scores"),
    "sessions": ("Behandelingen", "Sessions"),
    "checkins": ("Wekelijkse check-ins", "Weekly check-ins"),
    "weekly_load": ("Belasting per week", "Weekly load"),
}


def codebook_frame(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN, *,
                   lang: str = "en") -> pd.DataFrame:
    """Every column of every export table, with labels, type, range and values."""
    rows = []
    for table in export_tables(instrument, checkin).values():
        rows += _rows(table, lang)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _rows(table: TableSpec, lang: str) -> list[dict]:
    return [
        {
            "table": table.name, "column": f.name, "label_nl": f.label("nl"), "label_en": f.label("en"),
            "type": CODEBOOK_TYPES[f.type], "range": f.range_text(), "unit_or_values": f.values_text(lang),
            "instrument_version": f.version or "",
        }
        for f in table.fields
    ]


def codebook_csv(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN, *, lang: str = "en") -> str:
    buffer = io.StringIO()
    codebook_frame(instrument, checkin, lang=lang).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def codebook_markdown(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN, *,
                      lang: str = "nl") -> str:
    nl = lang == "nl"
    frame = codebook_frame(instrument, checkin, lang=lang)
    head = (["kolom", "omschrijving", "type", "bereik", "eenheid of waarden", "versie"] if nl
            else ["column", "label", "type", "range", "unit or values", "version"])
    lines = [
        f"# {'Codeboek' if nl else 'Codebook'}: {instrument.name(lang if nl else 'en')}",
        "",
        (f"Instrument {instrument.version}, check-in {checkin.version}. Gegenereerd uit de definities; "
         "niet met de hand bewerken." if nl else
         f"Instrument {instrument.version}, check-in {checkin.version}. Generated from the definitions; "
         "do not edit by hand."),
    ]
    for table, group in frame.groupby("table", sort=False):
        title = _TABLE_TITLES.get(table, (table, table))[0 if nl else 1]
        lines += ["", f"## {title} (`{table}`)", "", "| " + " | ".join(head) + " |",
                  "|" + "---|" * len(head)]
        for row in group.itertuples(index=False):
            label = row.label_nl if nl else row.label_en
            cells = [f"`{row.column}`", label, row.type, row.range, row.unit_or_values, row.instrument_version]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


__all__ = ["COLUMNS", "codebook_csv", "codebook_frame", "codebook_markdown"]
