"""Translations: the dashboard's catalog (flat ``key -> text`` JSON files ``nl.json`` /
``en.json`` plus per-area parts ``nl.<area>.json``), read together with data_schema's
catalog (problem messages, field labels: ``data_schema/i18n``) through one
:class:`data_schema.i18n.Catalog`; a key may be defined in one file only.

``t(key, **params)`` looks a key up in the language kept in ``st.session_state``
(Dutch by default) and fills ``{placeholders}`` with ``str.format``. A key that is
missing, or a placeholder without a value, raises :class:`TranslationError` naming the
key and the language: a gap in a catalog should fail loudly in tests, never show a raw
key to a therapist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import streamlit as st

from complexity import LANGUAGES
from data_schema.i18n import CATALOG_DIR as DATA_SCHEMA_CATALOG_DIR
from data_schema.i18n import Catalog, TranslationError, check_language, placeholders

DEFAULT_LANGUAGE = LANGUAGES[0]
LANGUAGE_KEY = "language"  # session_state key (also the sidebar selector's widget key)
CATALOG_DIR = Path(__file__).resolve().parent
CATALOG = Catalog(CATALOG_DIR, DATA_SCHEMA_CATALOG_DIR)


def read_catalog(lang: str) -> dict[str, str]:
    """Read one language's catalog from disk (uncached; the app uses :func:`catalog`)."""
    return CATALOG.read(check_language(lang))


def catalog_files(lang: str) -> list[Path]:
    """The dashboard's files of ``lang``, then data_schema's."""
    return CATALOG.files(lang)


def catalog(lang: str) -> Mapping[str, str]:
    """The catalog for ``lang``, read once per server process (read-only). A plain
    module-level memo, not ``st.cache_resource``: a page looks up a hundred texts per
    run, and Streamlit's cache hashes the arguments of every call."""
    return CATALOG.texts(lang)


def current_language() -> str:
    try:
        lang = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    except Exception:  # no Streamlit session (plain Python): use the default
        lang = DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translate(lang: str, key: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in."""
    return CATALOG.translate(lang, key, **params)


def plural(lang: str, key: str, count: int, /, **params: object) -> str:
    """``key.one`` or ``key.other`` in ``lang`` by ``count`` (also a parameter)."""
    return CATALOG.plural(lang, key, count, **params)


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
