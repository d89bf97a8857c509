"""The codebook: one row for every column of every exported table, generated.

Rows come from the export table specs (``data_schema.layouts.export_tables``), which are
built from the instrument and the check-in: a new item, domain or check-in field gets
its row without an edit here. Columns of the codebook:

``table, column, label_nl, label_en, type, range, unit_or_values, instrument_version``

``instrument_version`` is the version of the definition a column comes from: the
instrument's version for item and domain columns, ``check-in <version>`` for check-in
columns, empty for the rest. ``range`` and ``unit_or_values`` are in the language asked
for; every word comes from the catalog.

``python -m data_schema codebook [--format md|csv] [--lang nl|en] [-o FILE]`` writes it.
"""

from __future__ import annotations

import io
from typing import Iterable, Mapping

import pandas as pd

from complexity import CHECKIN, INSTRUMENT
from complexity.checkin import Checkin
from complexity.instrument import Instrument

from .i18n import translate
from .layouts import export_tables
from .spec import CODEBOOK_TYPES, FieldSpec, TableSpec

COLUMNS: tuple[str, ...] = (
    "table", "column", "label_nl", "label_en", "type", "range", "unit_or_values", "instrument_version",
)

def codebook_frame(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN, *,
                   lang: str = "en", columns: Mapping[str, Iterable[str]] | None = None,
                   tables: Mapping[str, TableSpec] | None = None) -> pd.DataFrame:
    """Every column of every export table, with labels, type, range and values; with
    ``columns`` (table -> column names, as an export wrote them) exactly those, in that
    order. A column no export table describes is a ``KeyError`` naming it. ``tables``:
    other table specs than the exports' (the research export's,
    ``data_schema.research_layout``)."""
    tables = tables if tables is not None else export_tables(instrument, checkin)
    wanted = columns if columns is not None else {name: table.columns for name, table in tables.items()}
    rows, missing = [], []
    for name, names in wanted.items():
        specs = {f.name: f for f in tables[name].fields} if name in tables else {}
        for column in names:
            if column in specs:
                rows.append(_row(name, specs[column], lang))
            else:
                missing.append(f"{name}.{column}")
    if missing:
        raise KeyError(f"no codebook entry for {', '.join(missing)}: add its field spec to data_schema.fields")
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _row(table: str, f: FieldSpec, lang: str) -> dict:
    return {
        "table": table, "column": f.name, "label_nl": f.label("nl"), "label_en": f.label("en"),
        "type": CODEBOOK_TYPES[f.type], "range": f.range_text(lang), "unit_or_values": f.values_text(lang),
        "instrument_version": f.version or "",
    }


def codebook_csv(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN, *, lang: str = "en",
                 columns: Mapping[str, Iterable[str]] | None = None) -> str:
    buffer = io.StringIO()
    codebook_frame(instrument, checkin, lang=lang, columns=columns).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def codebook_markdown(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN, *,
                      lang: str = "nl", columns: Mapping[str, Iterable[str]] | None = None,
                      tables: Mapping[str, TableSpec] | None = None) -> str:
    frame = codebook_frame(instrument, checkin, lang=lang, columns=columns, tables=tables)
    specs = tables if tables is not None else export_tables(instrument, checkin)
    titles = {name: table.title(lang) for name, table in specs.items()}
    head = [translate(lang, f"codebook.head.{h}") for h in ("column", "label", "type", "range", "values", "version")]
    lines = [
        "# " + translate(lang, "codebook.title", instrument=instrument.name(lang)),
        "",
        translate(lang, "codebook.generated", instrument=instrument.version, checkin=checkin.version),
    ]
    for table, group in frame.groupby("table", sort=False):
        lines += ["", f"## {titles.get(table, table)} (`{table}`)", "", "| " + " | ".join(head) + " |",
                  "|" + "---|" * len(head)]
        for row in group.itertuples(index=False):
            label = row.label_nl if lang == "nl" else row.label_en
            cells = [f"`{row.column}`", label, row.type, row.range, row.unit_or_values, row.instrument_version]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


__all__ = ["COLUMNS", "codebook_csv", "codebook_frame", "codebook_markdown"]
