"""Translations: flat ``key -> text`` catalogs in ``nl.json`` and ``en.json``, plus
per-area parts ``nl.<area>.json`` / ``en.<area>.json`` merged into them (a key may be
defined in one file only).

``t(key, **params)`` looks a key up in the language kept in ``st.session_state``
(Dutch by default) and fills ``{placeholders}`` with ``str.format``. A key that is
missing, or a placeholder without a value, raises :class:`TranslationError` naming the
key and the language: a gap in a catalog should fail loudly in tests, never show a raw
key to a therapist.
"""

from __future__ import annotations

import json
import string
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import streamlit as st

from complexity import LANGUAGES

DEFAULT_LANGUAGE = LANGUAGES[0]
LANGUAGE_KEY = "language"  # session_state key (also the sidebar selector's widget key)
CATALOG_DIR = Path(__file__).resolve().parent


class TranslationError(KeyError):
    """A catalog has no text for a key, or the text needs a parameter nobody gave."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


def read_catalog(lang: str) -> dict[str, str]:
    """Read one catalog from disk (uncached; the app uses :func:`catalog`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    merged: dict[str, str] = {}
    for path in catalog_files(lang):
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise ValueError(f"{path.name} must be a flat object of string keys to string texts")
        twice = sorted(set(data) & set(merged))
        if twice:
            raise ValueError(f"{path.name} defines keys already defined in another {lang} catalog: {twice}")
        merged.update(data)
    return merged


def catalog_files(lang: str) -> list[Path]:
    """``<lang>.json`` first, then its area parts ``<lang>.<area>.json`` by name."""
    return [CATALOG_DIR / f"{lang}.json", *sorted(CATALOG_DIR.glob(f"{lang}.*.json"))]


_CATALOGS: dict[str, Mapping[str, str]] = {}


def catalog(lang: str) -> Mapping[str, str]:
    """The catalog for ``lang``, read once per server process (read-only).

    A plain module-level memo, not ``st.cache_resource``: a page looks up a hundred
    texts per run, and Streamlit's cache hashes the arguments of every call (that was
    a third of a warm rerun of My week)."""
    texts = _CATALOGS.get(lang)
    if texts is None:
        texts = _CATALOGS.setdefault(lang, MappingProxyType(read_catalog(lang)))
    return texts


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a catalog text expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def current_language() -> str:
    try:
        lang = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    except Exception:  # no Streamlit session (plain Python): use the default
        lang = DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translate(lang: str, key: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in."""
    texts = catalog(lang)
    try:
        text = texts[key]
    except KeyError:
        raise TranslationError(f"no {lang!r} text for key {key!r} in dashboard/i18n/{lang}.json") from None
    if not params and not placeholders(text):
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError) as exc:
        raise TranslationError(
            f"text for {key!r} in {lang!r} needs parameter {exc}; got {sorted(params)}"
        ) from None


def t(key: str, /, **params: object) -> str:
    """The text for ``key`` in the current language (see :func:`current_language`)."""
    return translate(current_language(), key, **params)


def format_number(
    value: object, lang: str | None = None, decimals: int = 1, *, strip: bool = False
) -> str:
    """A number as people read it: ``12,3`` in Dutch, ``12.3`` in English.

    Integers stay whole; floats get ``decimals`` places (``strip`` drops trailing zeros,
    so 2.0 reads "2" and 2.50 reads "2,5"). Anything else is returned as ``str``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        text = str(value)
    else:
        text = f"{value:.{decimals}f}"
        if strip and "." in text:
            text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if (lang or current_language()) == "nl" else text
