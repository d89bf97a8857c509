"""Case codes: ``C-XXXX-XXXX`` in Crockford base32, random, never derived from a name.

Eight symbols of 5 bits give 2^40 codes, drawn with :mod:`secrets`: a code says nothing
about the patient, the therapist or the order in which cases were opened. Crockford's
alphabet has no I, L, O or U, so a code read aloud or typed by hand survives;
:func:`normalize_case_code` accepts lower case, spaces, and I/L/O typed for 1/1/0. The
pattern and the normalisation are defined once, in ``data_schema.fields``.
"""

from __future__ import annotations

import re
import secrets

from data_schema.fields import CASE_CODE_ALPHABET as ALPHABET
from data_schema.fields import CASE_CODE_PATTERN, normalize_case_code

_PATTERN = re.compile(CASE_CODE_PATTERN)


def new_case_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"C-{symbols[:4]}-{symbols[4:]}"


def is_case_code(text: str) -> bool:
    return bool(_PATTERN.match(text))


__all__ = ["ALPHABET", "is_case_code", "new_case_code", "normalize_case_code"]
