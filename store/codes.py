"""Case codes: ``C-XXXX-XXXX`` in Crockford base32, random, never derived from a name.

Eight symbols of 5 bits give 2^40 codes, drawn with :mod:`secrets`: a code says nothing
about the patient, the therapist or the order in which cases were opened. Crockford's
alphabet has no I, L, O or U, so a code read aloud or typed by hand survives;
:func:`normalize_case_code` accepts lower case, spaces, and I/L/O typed for 1/1/0.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PATTERN = re.compile(r"^C-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
_TYPOS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_case_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"C-{symbols[:4]}-{symbols[4:]}"


def is_case_code(text: str) -> bool:
    return bool(_PATTERN.match(text))


def normalize_case_code(text: str) -> str:
    """The canonical form of a typed case code; raises ValueError if it cannot be one."""
    raw = re.sub(r"[\s\-]", "", str(text).upper())
    if len(raw) == 9 and raw.startswith("C"):
        raw = raw[1:]
    raw = raw.translate(_TYPOS)
    code = f"C-{raw[:4]}-{raw[4:]}"
    if len(raw) != 8 or not is_case_code(code):
        raise ValueError(f"{text!r} is not a case code (C-XXXX-XXXX)")
    return code
