from __future__ import annotations

import pytest

from store.codes import ALPHABET, is_case_code, new_case_code, normalize_case_code


def test_new_codes_have_the_format_and_are_random():
    codes = {new_case_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert is_case_code(code)
        assert set(code[2:6] + code[7:]) <= set(ALPHABET)
    # Every symbol of the alphabet turns up in every position over many draws.
    for pos in (2, 3, 4, 5, 7, 8, 9, 10):
        assert {c[pos] for c in codes} == set(ALPHABET)


@pytest.mark.parametrize(
    "typed, code",
    [
        ("C-AB12-CD34", "C-AB12-CD34"),
        ("c-ab12-cd34", "C-AB12-CD34"),
        ("  C AB12 CD34 ", "C-AB12-CD34"),
        ("cAB12CD34", "C-AB12-CD34"),
        ("AB12CD34", "C-AB12-CD34"),
        ("C-ABI2-CDO4", "C-AB12-CD04"),  # I and O typed for 1 and 0
        ("C-ABL2-CD34", "C-AB12-CD34"),
    ],
)
def test_normalize(typed, code):
    assert normalize_case_code(typed) == code


@pytest.mark.parametrize("typed", ["", "C-AB12", "C-AB12-CD345", "C-AB!2-CD34", "C-ABU2-CD34"])
def test_normalize_refuses(typed):
    with pytest.raises(ValueError, match="not a case code"):
        normalize_case_code(typed)
