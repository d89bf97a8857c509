"""Problems as data, with their Dutch and English messages.

A :class:`Problem` names where something is wrong (``row`` as a spreadsheet user sees
it: the header is row 1, the first data row is row 2; ``column`` as named in the file)
and a stable machine ``code``. Its messages come from :data:`MESSAGES`, one template per
code and language, filled with the problem's parameters. The same codes are the error
types of the pydantic records (``data_schema.records``), so a form and an import say the
same thing about the same mistake.

Values are quoted in messages as typed, shortened to :data:`SHOWN_CHARS` characters and
stripped of control characters; an identifier found in free text is only ever shown
masked (``data_schema.guard``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

SHOWN_CHARS = 40
from complexity import LANGUAGES as LANGS

# code -> (English, Dutch). Templates use str.format with the problem's parameters.
MESSAGES: Mapping[str, tuple[str, str]] = {
    "required": ("a value is required", "hier moet iets ingevuld worden"),
    "out_of_range": ("{value} is outside {lo}-{hi}", "{value} ligt buiten {lo}-{hi}"),
    "not_a_whole_number": ("{value} is not a whole number", "{value} is geen geheel getal"),
    "not_a_number": ("'{value}' is not a number", "'{value}' is geen getal"),
    "bad_date": (
        "'{value}' is not a date; write it as 2026-03-02 or 2-3-2026 (day-month-year)",
        "'{value}' is geen datum; schrijf hem als 2026-03-02 of 2-3-2026 (dag-maand-jaar)",
    ),
    "future_date": ("{value} is in the future", "{value} ligt in de toekomst"),
    "not_a_monday": (
        "{value} is a {weekday_en}; give the Monday of the week ({monday}) or the week as {week}",
        "{value} is een {weekday_nl}; geef de maandag van de week ({monday}) of de week als {week}",
    ),
    "bad_week": (
        "'{value}' is not a week; give its Monday (2026-03-02) or write it as 2026-W10",
        "'{value}' is geen week; geef de maandag (2026-03-02) of schrijf 2026-W10",
    ),
    "date_order": (
        "{value} is before {other_column} {other}",
        "{value} ligt vóór {other_column} {other}",
    ),
    "not_an_option": ("'{value}' is not one of: {allowed}", "'{value}' is geen van: {allowed}"),
    "bad_case_code": (
        "'{value}' is not a case code (C-XXXX-XXXX, for example C-7KQ2-M9XD)",
        "'{value}' is geen casuscode (C-XXXX-XXXX, bijvoorbeeld C-7KQ2-M9XD)",
    ),
    "bad_username": (
        "'{value}' is not a username: 3-64 characters, lower-case letters, digits, '.', '_' or '-'",
        "'{value}' is geen gebruikersnaam: 3-64 tekens, kleine letters, cijfers, '.', '_' of '-'",
    ),
    "bad_format": ("'{value}' does not have the expected form", "'{value}' heeft niet de verwachte vorm"),
    "too_long": (
        "{length} characters; at most {max} are allowed",
        "{length} tekens; er zijn er maximaal {max} toegestaan",
    ),
    "identifier_found": (
        "contains {found_en}. Identifying data (BSN, e-mail address, phone number, full date) "
        "is not allowed here: together with a case code it can identify a patient. Remove it",
        "bevat {found_nl}. Identificerende gegevens (BSN, e-mailadres, telefoonnummer, volledige "
        "datum) zijn hier niet toegestaan: samen met een casuscode kunnen ze een patiënt "
        "herkenbaar maken. Haal ze weg",
    ),
    "duplicate": ("{key} also appears in row {first}", "{key} staat ook in rij {first}"),
    "unknown_column": ("unknown column{hint_en}; the known columns are: {expected}",
                       "onbekende kolom{hint_nl}; de bekende kolommen zijn: {expected}"),
    "missing_column": ("this required column is missing", "deze verplichte kolom ontbreekt"),
    "duplicate_column": ("this column appears more than once", "deze kolom komt meer dan eens voor"),
    "no_ratings": ("no item is rated; rate at least one item", "er is geen enkel item gescoord; scoor minstens één item"),
    "empty": ("the file has no data rows", "het bestand bevat geen gegevensrijen"),
    "not_a_table": ("the file could not be read as a table", "het bestand kon niet als tabel gelezen worden"),
    "too_many_problems": (
        "... and {more} more problems; fix these first and try again",
        "... en nog {more} problemen; los eerst deze op en probeer het opnieuw",
    ),
    "internal_error": (
        "the file could not be checked ({error}); nothing was imported",
        "het bestand kon niet gecontroleerd worden ({error}); er is niets ingelezen",
    ),
    "unknown_field": ("unknown field", "onbekend veld"),
    "not_a_boolean": ("'{value}' is not yes or no", "'{value}' is geen ja of nee"),
    "not_a_timestamp": ("'{value}' is not a date and time with a time zone",
                        "'{value}' is geen datum en tijd met tijdzone"),
    "therapist_link": (
        "a therapist account needs its therapist, other roles may not have one",
        "een therapeutenaccount hoort bij een therapeut, andere rollen niet",
    ),
    "invalid": ("'{value}' is not valid here", "'{value}' is hier niet geldig"),
    # Rules the store checks against what is stored (forms show these in the user's language).
    "before_opened": ("{value} is before the case was opened ({opened})",
                      "{value} ligt vóór de start van de case ({opened})"),
    "after_closed": ("{value} is after the case was closed ({closed})",
                     "{value} ligt na het afsluiten van de case ({closed})"),
    "already_closed": ("the case was already closed on {closed}", "de case is al afgesloten op {closed}"),
    "session_after": ("there is a session on {other}, after this date", "er is een sessie op {other}, na deze datum"),
    "goal_exists": ("there is already a goal for the week of {value}", "er is al een doel voor de week van {value}"),
    "confirmation": ("type your username to confirm", "typ je gebruikersnaam om te bevestigen"),
    "period_order": ("the end lies before the start", "het einde ligt vóór het begin"),
    "period_too_long": ("at most {max} weeks at a time", "maximaal {max} weken tegelijk"),
    "unknown_supervisor": ("there is no supervisor '{value}'", "er is geen supervisor '{value}'"),
    "too_few_consents": (
        "only {count} therapists have consented; at least {minimum} are needed before pooled data "
        "can be shown without pointing at a person",
        "pas {count} therapeuten gaven toestemming; er zijn er minstens {minimum} nodig voordat "
        "gepoolde gegevens getoond kunnen worden zonder iemand aan te wijzen",
    ),
    "inactive_therapist": ("this therapist is not active", "deze therapeut is niet actief"),
    "rating_after": ("there is a rating on {other}, after this date", "er is een score op {other}, na deze datum"),
    # for callers that check references against the database (the importer)
    "unknown_username": ("there is no user '{value}'", "er is geen gebruiker '{value}'"),
    "unknown_case_code": ("there is no case '{value}'", "er is geen casus '{value}'"),
    "already_exists": ("'{value}' already exists", "'{value}' bestaat al"),
}

_WHERE = {
    "en": ("row {row}, column {column}: ", "row {row}: ", "column {column}: "),
    "nl": ("rij {row}, kolom {column}: ", "rij {row}: ", "kolom {column}: "),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def show(value: object) -> str:
    """A value as it may appear in a message: one line, at most SHOWN_CHARS characters."""
    text = _CONTROL.sub(" ", value if isinstance(value, str) else str(value))
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


class _Params(dict):
    def __missing__(self, key: str) -> str:  # a template never fails on a missing parameter
        return "?"


def render(code: str, lang: str, params: Mapping[str, object] | None = None) -> str:
    """The message for ``code`` in ``lang`` ("nl" or "en"), without a location."""
    en, nl = MESSAGES.get(code, MESSAGES["invalid"])
    template = nl if lang == "nl" else en
    values = _Params({k: show(v) if k == "value" else v for k, v in (params or {}).items()})
    return template.format_map(values)


def where(row: int | None, column: str | None, lang: str) -> str:
    both, row_only, column_only = _WHERE["nl" if lang == "nl" else "en"]
    if row is not None and column is not None:
        return both.format(row=row, column=show(column))
    if row is not None:
        return row_only.format(row=row)
    if column is not None:
        return column_only.format(column=show(column))
    return ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by spreadsheet row and file column."""

    row: int | None  # header is row 1, the first data row is 2; None = the whole file
    column: str | None  # as named in the file; None = the whole row or file
    code: str  # stable machine code, a key of MESSAGES
    message_en: str
    message_nl: str

    def message(self, lang: str = "en") -> str:
        return self.message_nl if lang == "nl" else self.message_en

    @classmethod
    def make(cls, code: str, row: int | None = None, column: str | None = None, **params) -> "Problem":
        """A problem with both messages rendered from :data:`MESSAGES`."""
        return cls(
            row, column, code,
            where(row, column, "en") + render(code, "en", params),
            where(row, column, "nl") + render(code, "nl", params),
        )


__all__ = ["LANGS", "MESSAGES", "Problem", "render", "show", "where"]
