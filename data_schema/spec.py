"""What a field and a table are: :class:`FieldSpec` and :class:`TableSpec`.

A field spec says what a value is (``type``), whether it is required, its range, length,
pattern or options, and whether it may lie in the future. Its texts (label, unit, what
its values mean, each option's label) are in the catalog (``data_schema/i18n``), under
``field.<key>.label``, ``.unit``, ``.values`` and ``.choice.<option>``: one place for
every word, in Dutch and English. Fields generated from the instrument or the check-in
carry their texts with them (``texts``), as the instrument defines them.
``data_schema.tables`` turns specs into pandera models, ``data_schema.records`` into
pydantic fields, ``data_schema.codebook`` into rows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from complexity import LANGUAGES

from .i18n import CATALOG, TranslationError

TYPES: tuple[str, ...] = (
    "text", "free_text", "username", "case_code", "choice", "multi",
    "whole", "decimal", "date", "week", "boolean", "timestamp",
)

# The codebook's "type" column for each spec type.
CODEBOOK_TYPES: Mapping[str, str] = MappingProxyType({
    "text": "text", "free_text": "text", "username": "text", "case_code": "text",
    "choice": "category", "multi": "list", "whole": "integer", "decimal": "decimal",
    "date": "date", "week": "date", "boolean": "boolean", "timestamp": "timestamp",
})

Texts = Mapping[str, Mapping[str, str]]  # part ("label", "unit", "values", "choice.<id>") -> language -> text


def catalog_texts(key: str, **params: object) -> Mapping[str, str]:
    """A catalog text in every language (for texts a generated field is made with)."""
    return MappingProxyType({lang: CATALOG.translate(lang, key, **params) for lang in LANGUAGES})


@dataclass(frozen=True)
class FieldSpec:
    """The rules of one field, wherever it appears (import, record, export, codebook)."""

    name: str
    type: str  # one of TYPES
    key: str = ""  # its texts are field.<key>.*; empty: the name
    required: bool = True  # a value is required (and an import file must have the column)
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    pattern: str | None = None  # a full-match regular expression
    pattern_code: str = "bad_format"  # the problem code when the pattern does not match
    choices: tuple[str, ...] = ()
    not_future: bool = False
    values_key: str | None = None  # the values are described by field.<values_key>.values
    version: str | None = None  # "1.0.0" for instrument columns, "check-in 1.0.0" for check-in ones
    texts: Texts = field(default_factory=dict)  # given texts (generated fields), before the catalog's

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name!r}: unknown type {self.type!r}")

    def _text(self, part: str, lang: str) -> str | None:
        given = self.texts.get(part)
        if given is not None:
            return given["nl" if lang == "nl" else "en"]
        return CATALOG.texts(lang).get(f"field.{self.key or self.name}.{part}")

    def label(self, lang: str = "nl") -> str:
        text = self._text("label", lang)
        if text is None:
            raise TranslationError(f"no {lang!r} label for field {self.name!r}: add field.{self.key or self.name}.label")
        return text

    def choice_label(self, choice: str, lang: str = "nl") -> str | None:
        return self._text(f"choice.{choice}", lang)

    @property
    def choice_labels(self) -> Mapping[str, Mapping[str, str]]:
        """Option id -> language -> label, for the options that have a label."""
        out = {}
        for c in self.choices:
            labels = {lang: self.choice_label(c, lang) for lang in LANGUAGES}
            if all(labels.values()):
                out[c] = labels
        return out

    def optional(self) -> "FieldSpec":
        return dataclasses.replace(self, required=False)

    def but(self, **changes) -> "FieldSpec":
        return dataclasses.replace(self, **changes)

    @property
    def aliases(self) -> Mapping[str, str]:
        """Accepted spellings (lower case) of each choice: its id and its labels."""
        out = {c.lower(): c for c in self.choices}
        for choice, labels in self.choice_labels.items():
            for text in labels.values():
                out.setdefault(text.strip().lower(), choice)
        return out

    def range_text(self, lang: str = "en") -> str:
        """The range as the codebook shows it."""
        parts = []
        if self.min is not None or self.max is not None:
            lo = "" if self.min is None else number_text(self.min)
            hi = "" if self.max is None else number_text(self.max)
            parts.append(f"{lo}-{hi}" if lo and hi else (f">= {lo}" if lo else f"<= {hi}"))
        if self.type == "week":
            parts.append(CATALOG.translate(lang, "codebook.range.monday"))
        if self.not_future:
            parts.append(CATALOG.translate(lang, "codebook.range.not_future"))
        if self.max_length is not None:
            parts.append(CATALOG.translate(lang, "codebook.range.max_length", max=self.max_length))
        if self.pattern is not None:
            parts.append(CATALOG.translate(lang, "codebook.range.pattern", pattern=self.pattern))
        return "; ".join(parts)

    def values_text(self, lang: str = "en") -> str:
        """Unit or values as the codebook shows them, in ``lang``."""
        text = self._text("values", lang) or self._text("unit", lang)
        if text is None and self.values_key is not None:
            text = CATALOG.texts(lang).get(f"field.{self.values_key}.values")
        if text is None and self.type in ("boolean", "timestamp"):
            text = CATALOG.translate(lang, f"field.{self.type}.values")
        if text is not None:
            return text
        if self.choices:
            return "; ".join(f"{c} = {label}" if (label := self.choice_label(c, lang)) else c for c in self.choices)
        return ""


def number_text(x: float) -> str:
    """3.0 -> '3', 2.5 -> '2.5'."""
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class TableSpec:
    """A table: its fields in column order and the columns that together are unique."""

    name: str
    fields: tuple[FieldSpec, ...]
    unique: tuple[str, ...] = ()
    order: tuple[tuple[str, str], ...] = ()  # (earlier, later): later may not lie before earlier
    at_least_one: tuple[str, ...] = ()  # at least one of these columns has a value

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def title(self, lang: str = "en") -> str:
        return CATALOG.texts(lang).get(f"table.{self.name}", self.name)


__all__ = ["CODEBOOK_TYPES", "FieldSpec", "TYPES", "TableSpec", "Texts", "catalog_texts", "number_text"]
