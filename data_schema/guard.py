"""The identifier guard: free text may not hold data that identifies a person.

Every free-text field (check-in reflection, self-care goal, audit detail) runs through
:func:`find_identifiers` before it is stored. Case codes are pseudonymous; a BSN, an
e-mail address, a phone number or a date written next to one makes the record
identifiable again, so the text is refused with a message saying what was found (always
masked, e.g. ``12*****82``) and why. What counts:

- **BSN**: nine digits, written together or with a single space, dot or dash between any
  of them (``123456782``, ``123.456.782``, ``1234 56 782``, ``1 2 3 4 5 6 7 8 2``), that
  pass the Dutch 11-check (9*d1 + 8*d2 + ... + 2*d8 - 1*d9 divisible by 11, not all
  zeros). Nine digits that fail the check are not a BSN and pass.
- **E-mail address**: ``name@domain.tld``, also written around a filter as
  ``jan [at] example [dot] nl``, ``jan(at)example(dot)nl`` or with ``apenstaartje`` /
  ``punt`` in brackets.
- **Street address**: a Dutch street name (ending in ``straat``, ``weg``, ``laan``,
  ``plein``, ``gracht``, ``kade``, ``singel``, ``dijk`` and the like) followed by a house
  number (``Kerkstraat 12``, ``Van Goghlaan 3b``, ``Oude Gracht 110-2``), or an English
  one (``12 Baker Street``).
- **Dutch postcode**: four digits (not starting with 0) and two capital letters
  (``3511 AB``, ``3511AB``); lower-case letters pass (``1000 mg`` is a dose).
- **Dutch phone number**: ten digits starting with 0, or +31 / 0031 and nine digits,
  with single spaces, dots or dashes anywhere and an optional ``(0)`` after the country
  code: ``06-12345678``, ``020-1234567``, ``+31 6 1234 5678``, ``0031 20 123 4567``.
- **Date of birth**: we cannot tell a date of birth from any other date, and any full
  date tied to a case code (birth, accident, admission) can identify a patient. So the
  rule is: every *full* date (day, month and a four-digit year) from 1900-01-01 up to
  today is refused, numeric (``12-03-1985``, ``12/3/1985``, ``1985-03-12``) or with the
  month written in Dutch or English (``12 maart 1985``, ``12 mrt. 1985``,
  ``March 12, 1985``). A two-digit year (``12-03-85``) counts only right after a birth
  cue (``geb.``, ``geboren``, ``geboortedatum``, ``born``, ``DOB``). Dates in the future
  (planning), a month and year (``maart 1985``), a day and month (``12 maart``) or a
  year alone pass.

The guard errs on the side of refusing: a longer number that contains a valid BSN-shaped
group is refused too. Plain clinical prose passes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from complexity.calendar import today as practice_today

from .i18n import Joined, Text
from .problems import Problem, render

KINDS: tuple[str, ...] = ("bsn", "email", "phone", "date_of_birth", "address", "postcode")



@dataclass(frozen=True)
class Finding:
    """An identifier found in a text: its kind, the match masked, and where it is."""

    kind: str  # one of KINDS
    text: str  # the matched text, masked: only its first and last two characters show
    span: tuple[int, int]  # [start, end) in the text

    def as_text(self) -> Text:
        """What was found, as the catalog says it (``identifier.<kind>``), masked."""
        return Text(f"identifier.{self.kind}", masked=self.text)

    def describe(self, lang: str = "en") -> str:
        return self.as_text().render(lang)


class IdentifierFound(ValueError):
    """Raised by :func:`guard_text`; usable in pydantic validators (a ValueError)."""

    def __init__(self, findings: list[Finding], field: str | None = None) -> None:
        self.findings = findings
        self.field = field
        super().__init__(describe(findings, "en"))

    def message(self, lang: str = "en") -> str:
        return render("identifier_found", lang, found_params(self.findings))


def mask(text: str) -> str:
    """Keep the first and last two characters, star the rest (all of it if short)."""
    if len(text) <= 4:
        return "*" * len(text)
    return text[:2] + "*" * (len(text) - 4) + text[-2:]


def is_valid_bsn(digits: str) -> bool:
    """The Dutch 11-check on nine ASCII digits (separators not allowed here)."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit() or digits == "0" * 9:
        return False
    total = sum((9 - i) * int(d) for i, d in enumerate(digits[:8])) - int(digits[8])
    return total % 11 == 0


# Overlapping candidates (a lookahead match consumes nothing), so a number next to
# another cannot hide a BSN.
_SEP = r"[. \u00a0-]"
_BSN = re.compile(rf"(?<![0-9])(?=([0-9](?:{_SEP}?[0-9]){{8}})(?![0-9]))")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
# "jan [at] example [dot] nl", "jan(at)example(punt)nl": an address written around a filter.
_AT = r"\s*[\[({<]\s*(?:at|apenstaartje|@)\s*[\])}>]\s*"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|punt|\.)\s*[\])}>]\s*|\.)"
_EMAIL_SPELLED = re.compile(
    rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{{1,64}}{_AT}[A-Za-z0-9-]{{1,63}}(?:{_DOT}[A-Za-z0-9-]{{1,63}})*"
    rf"{_DOT}[A-Za-z]{{2,24}}(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
# Street names: the ending glued to a name ("Kerkstraat", "Goghlaan"), or a capitalised
# word before a capitalised ending ("Oude Gracht"); a bare "de weg 2 keer" is prose, and
# "onderweg", "halfweg" and "overweg" are words, not streets.
_STREET_ENDINGS = ("straat", "(?<!onder)(?<!half)(?<!over)weg", "laan", "plein", "gracht", "kade", "singel", "dijk",
                   "steeg", "dreef", "plantsoen", "boulevard", "burgwal")
_HOUSE_NUMBER = r"[1-9][0-9]{0,4}(?:\s?[A-Za-z](?![A-Za-z])|-[0-9]{1,3}|\s?(?:hs|bis|I{1,3})(?![A-Za-z]))?(?![0-9])"
_ADDRESS = re.compile(
    rf"(?<![A-Za-z])[A-Za-z\u00c0-\u024f'-]{{2,}}(?:{'|'.join(_STREET_ENDINGS)})\s+{_HOUSE_NUMBER}",
    re.IGNORECASE,
)
_ADDRESS_CAPITALISED = re.compile(
    r"(?<![A-Za-z])[A-Z][a-z\u00e0-\u00ff]+\s+(?:Straat|Weg|Laan|Plein|Gracht|Kade|Singel|Dijk|Steeg|Dreef|Boulevard)"
    rf"\s+{_HOUSE_NUMBER}"
    r"|(?<![0-9])[1-9][0-9]{0,4}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|Road|Avenue|Lane|Drive|Square)\b"
)
_POSTCODE = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{3}\s?(?!SA|SD|SS)[A-Z]{2}(?![A-Za-z0-9])")

# Phone numbers are also written 06/12345678 or 06 - 12345678.
_PSEP = r"(?:[ \u00a0]?[-/.][ \u00a0]?|[ \u00a0])"
_PHONE = re.compile(
    rf"(?<![0-9+])(?:(?:\+|00)31{_PSEP}?(?:\(0\){_PSEP}?)?|0{_PSEP}?)[1-9](?:{_PSEP}?[0-9]){{8}}(?![0-9])"
    rf"|(?<![0-9])\(0[1-9][0-9]{{0,2}}\){_PSEP}?[0-9](?:{_PSEP}?[0-9]){{5,7}}(?![0-9])"
)

_MONTHS = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "february": 2, "feb": 2,
    "maart": 3, "march": 3, "mrt": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "augustus": 8,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10,
    "october": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![a-z])"
_DATE = re.compile(
    r"(?<![0-9])(?:"
    r"(?P<y1>[0-9]{4})(?P<s1>[-/.])(?P<m1>[0-9]{1,2})(?P=s1)(?P<d1>[0-9]{1,2})"
    r"|(?P<d2>[0-9]{1,2})(?P<s2>[-/.])(?P<m2>[0-9]{1,2})(?P=s2)(?P<y2>[0-9]{4}|[0-9]{2})"
    rf"|(?P<d3>[0-9]{{1,2}})(?:ste|de|st|nd|rd|th|e)?\.?\s+(?:of\s+)?(?P<mon3>{_MONTH})\.?,?\s+(?P<y3>[0-9]{{4}})"
    rf"|(?P<mon4>{_MONTH})\.?\s+(?P<d4>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y4>[0-9]{{4}})"
    # after a birth cue only: "geboren 12 03 1985", "geboren op 12 maart '85"
    r"|(?P<d5>[0-9]{1,2}) (?P<m5>[0-9]{1,2}) (?P<y5>[0-9]{4})"
    rf"|(?P<d6>[0-9]{{1,2}})\.?\s+(?P<mon6>{_MONTH})\.?\s+['\u2019](?P<y6>[0-9]{{2}})"
    r")(?![0-9])",
    re.IGNORECASE,
)
_BIRTH_CUE = re.compile(
    r"(?:geb(?:oren)?(?:\s+op)?|geboortedatum|born(?:\s+on)?|dob|d\.o\.b|date of birth|birth ?date)\W{0,4}$",
    re.IGNORECASE,
)
_EARLIEST = dt.date(1900, 1, 1)
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def _today() -> dt.date:
    return practice_today()


def _date_of(m: re.Match, text: str, today: dt.date) -> dt.date | None:
    g = m.groupdict()
    try:
        if g["y1"]:
            y, mo, d = int(g["y1"]), int(g["m1"]), int(g["d1"])
        elif g["y2"]:
            y, mo, d = int(g["y2"]), int(g["m2"]), int(g["d2"])
            if len(g["y2"]) == 2:
                if not _BIRTH_CUE.search(text, max(0, m.start() - 24), m.start()):
                    return None
                y += 2000 if 2000 + y <= today.year else 1900
        elif g["y3"]:
            y, mo, d = int(g["y3"]), _MONTHS[g["mon3"].lower()], int(g["d3"])
        elif g["y5"] or g["y6"]:
            if not _BIRTH_CUE.search(text, max(0, m.start() - 24), m.start()):
                return None
            if g["y5"]:
                y, mo, d = int(g["y5"]), int(g["m5"]), int(g["d5"])
            else:
                y, mo, d = int(g["y6"]), _MONTHS[g["mon6"].lower()], int(g["d6"])
                y += 2000 if 2000 + y <= today.year else 1900
        else:
            y, mo, d = int(g["y4"]), _MONTHS[g["mon4"].lower()], int(g["d4"])
        date = dt.date(y, mo, d)
    except ValueError:
        return None
    return date if _EARLIEST <= date <= today else None


def _phone_digits_ok(match: str) -> bool:
    digits = re.sub(r"[^0-9]", "", match.replace("(0)", ""))
    if digits.startswith("0031"):
        return len(digits) == 13
    if digits.startswith("31") and match.lstrip().startswith("+"):
        return len(digits) == 11
    return len(digits) == 10 and digits.startswith("0")


def might_contain_identifier(text: str) -> bool:
    """Cheap pre-check: every identifier has an '@', a spelled-out one ("at",
    "apenstaartje") or a digit."""
    lowered = text.lower()
    return "@" in text or any(c in "0123456789" for c in text) or "at" in lowered or "apenstaart" in lowered


def find_identifiers(text: str) -> list[Finding]:
    """Every identifier in ``text``, in order of position (see the module docstring)."""
    if not isinstance(text, str):
        return []
    original = text
    text, positions = _normalised(text)
    if not might_contain_identifier(text):
        return []
    found: list[Finding] = []
    for m in _BSN.finditer(text):
        digits = re.sub(r"[^0-9]", "", m.group(1))
        if is_valid_bsn(digits):
            span = (m.start(1), m.end(1))
            found.append(Finding("bsn", mask(m.group(1)), span))
    for pattern in (_EMAIL, _EMAIL_SPELLED):
        for m in pattern.finditer(text):
            found.append(Finding("email", mask(m.group()), m.span()))
    for pattern in (_ADDRESS, _ADDRESS_CAPITALISED):
        for m in pattern.finditer(text):
            found.append(Finding("address", mask(m.group()), m.span()))
    for m in _POSTCODE.finditer(text):
        found.append(Finding("postcode", mask(m.group()), m.span()))
    for m in _PHONE.finditer(text):
        if _phone_digits_ok(m.group()):
            found.append(Finding("phone", mask(m.group()), m.span()))
    today = _today()
    for m in _DATE.finditer(text):
        if _date_of(m, text, today) is not None:
            found.append(Finding("date_of_birth", mask(m.group()), m.span()))
    if text is not original:  # spans back to the text as given
        found = [Finding(f.kind, f.text, (positions[f.span[0]], positions[f.span[1] - 1] + 1)) for f in found]
    return _outermost(found)


def _normalised(text: str) -> tuple[str, list[int]]:
    """Full-width digits and the like read as what they look like (NFKC, where a
    character stays one character); invisible characters cannot split a number. Returns
    the text and, per character, its position in the text as given."""
    if text.isascii():
        return text, []
    chars: list[str] = []
    positions: list[int] = []
    for i, ch in enumerate(text):
        if _INVISIBLE.match(ch):
            continue
        folded = unicodedata.normalize("NFKC", ch)
        chars.append(folded if len(folded) == 1 else ch)
        positions.append(i)
    return "".join(chars), positions


def _outermost(found: list[Finding]) -> list[Finding]:
    """Drop findings inside another one (a BSN-shaped run inside a phone number)."""
    found.sort(key=lambda f: (f.span[0], -f.span[1]))
    out: list[Finding] = []
    reach = -1  # the furthest end of a kept finding; every kept one starts at or before f
    for f in found:
        if f.span[1] <= reach:
            continue
        out.append(f)
        reach = f.span[1]
    return out


def describe(findings: list[Finding], lang: str = "en") -> str:
    return Joined(f.as_text() for f in findings).render(lang)


def found_params(findings: list[Finding]) -> dict[str, Joined]:
    """The parameters of the ``identifier_found`` problem: what was found, masked."""
    return {"found": Joined(f.as_text() for f in findings)}


def identifier_problem(findings: list[Finding], row: int | None, column: str | None) -> Problem:
    return Problem.make("identifier_found", row, column, **found_params(findings))


def check_free_text(text: str | None, field: str | None = None, row: int | None = None) -> list[Problem]:
    """No problems if ``text`` holds no identifier; else one problem naming what was found."""
    if text is None:
        return []
    findings = find_identifiers(text)
    return [identifier_problem(findings, row, field)] if findings else []


def guard_text(text: str, field: str | None = None) -> str:
    """Return ``text`` unchanged, or raise :class:`IdentifierFound` (a ValueError)."""
    findings = find_identifiers(text)
    if findings:
        raise IdentifierFound(findings, field)
    return text


__all__ = [
    "Finding", "IdentifierFound", "KINDS", "check_free_text", "describe", "find_identifiers",
    "found_params", "guard_text", "identifier_problem", "is_valid_bsn", "mask", "might_contain_identifier",
]
