"""Catalogs of user-facing text, and the one way to look a text up.

A catalog is a folder of flat ``key -> text`` JSON files, one per language (``nl.json``,
``en.json``) plus optional area parts (``nl.<area>.json``) merged into it; a key may be
defined in one file only. Texts are ``str.format`` templates: ``{name}`` is filled from
the parameters given.

This folder is the catalog of everything below the dashboard: problem messages (what is
wrong with an input, ``problem.*``), field and table labels (``field.*``, ``table.*``),
and the messages of the command-line programs (``cli.*``). The dashboard reads it
together with its own (``dashboard/i18n``), so a page shows a store problem in the
user's language. Lower layers never render text early: a problem carries a code and
parameters (:class:`Text`), rendered in the reader's language when it is shown.

A key that is missing, or a placeholder without a value, raises
:class:`TranslationError` naming the key and the language: a gap in a catalog fails in
tests, never shows a raw key to a user.
"""

from __future__ import annotations

import json
import string
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from complexity import LANGUAGES

CATALOG_DIR = Path(__file__).resolve().parent
DEFAULT_LANGUAGE = LANGUAGES[0]


class TranslationError(KeyError):
    """A catalog has no text for a key, or the text needs a parameter nobody gave."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    return lang


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a catalog text expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Text:
    """A catalog text to be rendered when it is shown, in the reader's language.

    ``params`` may hold other :class:`Text` (or :class:`Joined`) values, rendered in the
    same language: ``Text("problem.not_a_monday", weekday=Text("weekday.2"))``."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = MappingProxyType(params)

    def render(self, lang: str, catalog: "Catalog | None" = None) -> str:
        return (catalog or CATALOG).translate(lang, self.key, **self.params)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.key, dict(self.params)) == (other.key, dict(other.params))

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, {dict(self.params)!r})"


class Joined:
    """Several texts read as one list: "a, b and c" in the reader's language."""

    __slots__ = ("parts",)

    def __init__(self, parts: Iterable[Text | str]) -> None:
        self.parts = tuple(parts)

    def render(self, lang: str, catalog: "Catalog | None" = None) -> str:
        shown = [_rendered(p, lang, catalog) for p in self.parts]
        if len(shown) <= 1:
            return "".join(shown)
        last = (catalog or CATALOG).translate(lang, "list.and")
        return ", ".join(shown[:-1]) + f" {last} " + shown[-1]

    def __repr__(self) -> str:
        return f"Joined({list(self.parts)!r})"


def _rendered(value: object, lang: str, catalog: "Catalog | None") -> object:
    if isinstance(value, (Text, Joined)):
        return value.render(lang, catalog)
    return value


class Catalog:
    """The texts of one or more catalog folders, merged; each language read once."""

    def __init__(self, *folders: Path) -> None:
        self.folders = tuple(Path(f) for f in folders)
        self._texts: dict[str, Mapping[str, str]] = {}

    def files(self, lang: str) -> list[Path]:
        """Per folder: ``<lang>.json`` first, then its area parts ``<lang>.<area>.json``."""
        check_language(lang)
        out: list[Path] = []
        for folder in self.folders:
            main = folder / f"{lang}.json"
            out += ([main] if main.exists() else []) + sorted(folder.glob(f"{lang}.*.json"))
        return out

    def read(self, lang: str) -> dict[str, str]:
        """Read the catalog of ``lang`` from disk (uncached; use :meth:`texts`)."""
        merged: dict[str, str] = {}
        for path in self.files(lang):
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            if not isinstance(data, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in data.items()
            ):
                raise ValueError(f"{path.name} must be a flat object of string keys to string texts")
            twice = sorted(set(data) & set(merged))
            if twice:
                raise ValueError(f"{path} defines keys already defined in another {lang} catalog: {twice}")
            merged.update(data)
        return merged

    def texts(self, lang: str) -> Mapping[str, str]:
        """The catalog of ``lang``, read once per process (read-only). A plain memo: a
        page looks up a hundred texts per run."""
        texts = self._texts.get(lang)
        if texts is None:
            texts = self._texts.setdefault(lang, MappingProxyType(self.read(lang)))
        return texts

    def translate(self, lang: str, key: str, /, **params: object) -> str:
        """The text for ``key`` in ``lang`` with ``params`` filled in (a :class:`Text`
        parameter is rendered in ``lang`` first)."""
        texts = self.texts(lang)
        try:
            text = texts[key]
        except KeyError:
            where = ", ".join(str(f) for f in self.folders)
            raise TranslationError(f"no {lang!r} text for key {key!r} in the catalogs of {where}") from None
        if not params and "{" not in text:
            return text
        values = {k: _rendered(v, lang, self) for k, v in params.items()}
        try:
            return text.format(**values)
        except (KeyError, IndexError) as exc:
            raise TranslationError(
                f"text for {key!r} in {lang!r} needs parameter {exc}; got {sorted(params)}"
            ) from None


    def plural(self, lang: str, key: str, count: int, /, **params: object) -> str:
        """``key.one`` for a count of 1, ``key.other`` for any other count (both
        languages here need no more forms); ``count`` is a parameter of both."""
        return self.translate(lang, f"{key}.{'one' if count == 1 else 'other'}", count=count, **params)


CATALOG = Catalog(CATALOG_DIR)


def translate(lang: str, key: str, /, **params: object) -> str:
    """A text of this (data_schema's) catalog in ``lang``."""
    return CATALOG.translate(lang, key, **params)


def plural(lang: str, key: str, count: int, /, **params: object) -> str:
    """:meth:`Catalog.plural` of this catalog."""
    return CATALOG.plural(lang, key, count, **params)


__all__ = [
    "CATALOG", "CATALOG_DIR", "Catalog", "DEFAULT_LANGUAGE", "Joined", "LANGUAGES", "Text", "TranslationError",
    "check_language", "placeholders", "plural", "translate",
]
