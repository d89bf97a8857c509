"""The identifier guard: BSNs (11-check), e-mail addresses, Dutch phone numbers and full
dates are found in any surrounding text, masked in messages; clinical prose passes."""

from __future__ import annotations

import datetime as dt

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_schema.guard import (
    IdentifierFound, check_free_text, find_identifiers, guard_text, is_valid_bsn, mask,
)

MANY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = dt.date.today()

# Text around an identifier: anything, including digits, letters and symbols.
surrounding = st.text(max_size=40)


def bsn_digits(first8: list[int]) -> str | None:
    """Complete eight digits to a valid BSN, or None if no ninth digit fits."""
    total = sum((9 - i) * d for i, d in enumerate(first8))
    last = total % 11
    if last > 9:
        return None
    digits = "".join(map(str, first8)) + str(last)
    return None if digits == "0" * 9 else digits


valid_bsns = st.lists(st.integers(0, 9), min_size=8, max_size=8).map(bsn_digits).filter(bool)
invalid_nines = st.from_regex(r"\A[0-9]{9}\Z").filter(lambda d: not is_valid_bsn(d))


def formatted_bsn(digits: str) -> st.SearchStrategy[str]:
    sep = st.sampled_from([".", " ", "-"])
    return st.one_of(
        st.just(digits),
        sep.map(lambda s: f"{digits[:3]}{s}{digits[3:6]}{s}{digits[6:]}"),
        sep.map(lambda s: f"{digits[:4]}{s}{digits[4:6]}{s}{digits[6:]}"),
    )


def embedded(text_before: str, identifier: str, text_after: str) -> tuple[str, tuple[int, int]]:
    text = f"{text_before} {identifier} {text_after}"
    start = len(text_before) + 1
    return text, (start, start + len(identifier))


def found_at(text: str, span: tuple[int, int], kind: str) -> bool:
    return any(f.kind == kind and f.span[0] <= span[0] and span[1] <= f.span[1] for f in find_identifiers(text))


@MANY
@given(valid_bsns.flatmap(formatted_bsn), surrounding, surrounding)
def test_valid_bsns_in_any_text_are_found(bsn, before, after):
    text, span = embedded(before, bsn, after)
    findings = find_identifiers(text)
    assert any(f.span[0] <= span[0] and span[1] <= f.span[1] for f in findings), (text, findings)
    assert all(bsn not in f.text for f in findings)  # never shown in clear


@MANY
@given(invalid_nines, st.text("abcdefghij klmnop,.()", max_size=30), st.text("abcdefghij klmnop,.()", max_size=30))
def test_nine_digits_failing_the_11_check_are_not_a_bsn(digits, before, after):
    text, span = embedded(before, digits, after)
    assert not any(f.kind == "bsn" for f in find_identifiers(text))


def test_11_check_examples():
    assert is_valid_bsn("111222333")  # 9+16+21+12+10+12+9+6-3 = 99
    assert is_valid_bsn("123456782")
    assert not is_valid_bsn("123456789")
    assert not is_valid_bsn("000000000")
    assert not is_valid_bsn("12345678")


emails = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.from_regex(r"\A[a-z0-9][a-z0-9._+-]{0,15}\Z"),
    st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,8}){0,2}\Z"),
    st.sampled_from(["nl", "com", "org", "eu", "info"]),
)


@MANY
@given(emails, surrounding, surrounding)
def test_email_addresses_are_found(email, before, after):
    text, span = embedded(before, email, after)
    assert found_at(text, span, "email"), (text, find_identifiers(text))


def _spaced(digits: str, rnd: st.DrawFn) -> str:
    out = digits[0]
    for d in digits[1:]:
        out += rnd(st.sampled_from(["", "", "", " ", "-", "."])) + d
    return out


@st.composite
def dutch_phones(draw):
    subscriber = draw(st.from_regex(r"\A[1-9][0-9]{8}\Z"))  # nine digits after the trunk 0
    prefix = draw(st.sampled_from(["0", "+31 ", "+31", "0031 ", "+31 (0)", "0031-"]))
    return prefix + _spaced(subscriber, draw)


@MANY
@given(dutch_phones(), surrounding, surrounding)
def test_dutch_phone_numbers_are_found(phone, before, after):
    text, span = embedded(before, phone, after)
    assert found_at(text, span, "phone"), (text, find_identifiers(text))


@pytest.mark.parametrize("text", [
    "06-12345678", "06 12 34 56 78", "020-1234567", "+31 6 1234 5678", "+31 (0)20 123 4567",
    "0031 6 12345678", "(020) 1234567", "bel 0612345678 morgen",
])
def test_phone_examples(text):
    assert [f.kind for f in find_identifiers(text)] == ["phone"]


@pytest.mark.parametrize("text", [
    "12-03-1985", "12/3/1985", "1985-03-12", "12.03.1985", "12 maart 1985", "12 mrt. 1985",
    "12e maart 1985", "March 12, 1985", "12th of March 1985", "geb. 1985-03-12", "geb. 12-03-85",
    "geboren 3-4-01", "DOB: 12/03/85",
])
def test_full_dates_are_refused(text):
    assert [f.kind for f in find_identifiers(text)] == ["date_of_birth"]


@pytest.mark.parametrize("text", [
    "12 maart", "maart 1985", "sinds 2019", "op 12-03-85 ging het beter",  # two-digit year, no birth cue
    "31-02-1985",  # not a date
    "12-03-1899",  # before 1900
])
def test_what_is_not_a_full_date(text):
    assert find_identifiers(text) == []


@MANY
@given(st.dates(dt.date(1900, 1, 1), TODAY), st.sampled_from(["{d}-{m}-{y}", "{d:02d}-{m:02d}-{y}", "{y}-{m:02d}-{d:02d}",
                                                                 "{d} {mon} {y}", "{d}/{m}/{y}"]),
       st.text("abcdefghij klm,.", max_size=20), st.text("abcdefghij klm,.", max_size=20))
def test_past_dates_in_any_form_are_found(date, form, before, after):
    mon = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"][date.month - 1]
    written = form.format(d=date.day, m=date.month, y=date.year, mon=mon)
    text, span = embedded(before, written, after)
    assert found_at(text, span, "date_of_birth"), (text, find_identifiers(text))


def test_future_dates_pass():
    later = TODAY + dt.timedelta(days=30)
    assert find_identifiers(f"volgende evaluatie {later:%d-%m-%Y}") == []


CLINICAL_PROSE = [
    "Patiënt ervaart veel spanning in de schouders en vermijdt traplopen sinds de val.",
    "Vandaag oefeningen voor ademhaling gedaan; VAS pijn 6/10, na afloop 4/10.",
    "Ik merk dat deze casus me raakt. Intervisie aangevraagd voor volgende week dinsdag.",
    "Drie keer per week 20 minuten wandelen lukt inmiddels, doel is 5x per week.",
    "Week 12 van de behandeling: catastroferen neemt af, slaap nog onrustig (5 uur per nacht).",
    "Huisarts en psycholoog zijn op de hoogte; overleg gepland in maart.",
    "Score op de PSK ging van 58 naar 41 punten, een klinisch relevante verbetering.",
]


@pytest.mark.parametrize("text", CLINICAL_PROSE)
def test_clinical_prose_passes(text):
    assert find_identifiers(text) == []
    assert check_free_text(text, "reflection") == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(CLINICAL_PROSE), min_size=1, max_size=6))
def test_paragraphs_of_clinical_prose_pass(sentences):
    assert find_identifiers(" ".join(sentences)) == []


def test_masking_keeps_only_the_ends():
    assert mask("123456782") == "12*****82"
    assert mask("abc") == "***"
    finding = find_identifiers("mail anna@praktijk.nl")[0]
    assert finding.text == "an" + "*" * 12 + "nl" and finding.span == (5, 21)


def test_check_free_text_says_what_was_found_and_why_in_both_languages():
    [problem] = check_free_text("Bel 06-12345678 of mail a@b.nl", "reflection")
    assert problem.code == "identifier_found" and problem.column == "reflection" and problem.row is None
    assert "a phone number (06*******78) and an e-mail address" in problem.message_en
    assert "can identify a patient" in problem.message_en
    assert "een telefoonnummer (06*******78) en een e-mailadres" in problem.message_nl
    assert "patiënt herkenbaar" in problem.message_nl
    assert "12345678" not in problem.message_en


def test_guard_text_raises_a_value_error_usable_in_pydantic():
    class Note(pydantic.BaseModel):
        text: str

        @pydantic.field_validator("text")
        @classmethod
        def _guard(cls, v: str) -> str:
            return guard_text(v, "text")

    assert Note(text="rustige week").text == "rustige week"
    with pytest.raises(pydantic.ValidationError) as info:
        Note(text="BSN 123456782")
    error = info.value.errors()[0]
    assert isinstance(error["ctx"]["error"], IdentifierFound)
    assert error["ctx"]["error"].findings[0].kind == "bsn"
    assert "BSN" in error["ctx"]["error"].message("nl")


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["1", "a@", "06-", "12-03-", "maart ", " "]))
def test_long_adversarial_text_is_fast_enough(chunk):
    import time

    text = chunk * 20_000
    start = time.perf_counter()
    find_identifiers(text)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("text, kind", [
    ("bel 06/12345678", "phone"),
    ("bel (06) 12345678", "phone"),
    ("bel 06 - 12345678", "phone"),
    ("bel 020 - 123 45 67", "phone"),
    ("geboren 12 03 1985", "date_of_birth"),
    ("geboren op 12 maart '85", "date_of_birth"),
    ("BSN 1\u200b1\u200b1\u200b2\u200b2\u200b2\u200b3\u200b3\u200b3", "bsn"),
    ("BSN \uff11\uff11\uff11\uff12\uff12\uff12\uff13\uff13\uff13", "bsn"),  # full-width digits
])
def test_common_dutch_notations_are_found(text, kind):
    assert kind in [f.kind for f in find_identifiers(text)]


@pytest.mark.parametrize("text", [
    "12 03 sessies gepland",  # numbers with spaces but no birth cue
    "na 12 maart '85 niet meer gezien",  # a written date with a two-digit year, no cue
    "pijn 6/10, spanning 7 - 8",
])
def test_ordinary_numbers_still_pass(text):
    assert find_identifiers(text) == []


# --- what slipped through before (issue 13): spelled-out addresses, spaced BSNs, streets, postcodes

@MANY
@given(valid_bsns, st.sampled_from([" ", ".", "-"]), surrounding, surrounding)
def test_a_bsn_typed_with_a_separator_between_every_digit_is_found(bsn, sep, before, after):
    text, span = embedded(before, sep.join(bsn), after)
    # Refused as a BSN, or inside a phone number that contains it ("0 1 0 0 0 0 0 0 8 0":
    # ten digits from a 0 are a phone number too): either way the text is not stored.
    assert found_at(text, span, "bsn") or found_at(text, span, "phone"), text


@pytest.mark.parametrize("text", [
    "jan [at] example [dot] nl", "mail: jan(at)example(punt)nl", "j.de.vries {at} zorg-mail (dot) com",
    "jan [apenstaartje] example [punt] nl", "jan [at] example.nl",
])
def test_an_email_address_written_around_a_filter_is_found(text):
    assert [f.kind for f in find_identifiers(text)] == ["email"], text


@pytest.mark.parametrize("text", [
    "woont aan de Kerkstraat 12", "Van Goghlaan 3b", "Oude Gracht 110-2", "Dorpsstraat 1 hs", "Stationsplein 10",
    "Nieuwe Weg 3", "lives at 12 Baker Street",
])
def test_a_street_address_with_a_house_number_is_found(text):
    assert [f.kind for f in find_identifiers(text)] == ["address"], text


@pytest.mark.parametrize("text", ["postcode 3511 AB", "3511AB Utrecht"])
def test_a_dutch_postcode_is_found(text):
    assert [f.kind for f in find_identifiers(text)] == ["postcode"], text


@pytest.mark.parametrize("text", [
    "1000 mg paracetamol", "had at least 3 sessions", "de weg 2 keer per dag", "bij de kade 3 keer gewandeld",
    "ik was onderweg 2 uur", "2 keer naar de supermarkt", "antwoord 3 van 5", "laan 5", "straat 5",
    "at 10 am the pain was 7", "score 1234 punten", "we spraken af om 18.00 uur",
])
def test_prose_with_numbers_near_street_words_still_passes(text):
    assert find_identifiers(text) == [], text


def test_the_new_kinds_are_named_in_both_languages():
    (problem,) = check_free_text("woont Kerkstraat 12, 3511 AB", field="reflection")
    assert "een adres" in problem.message("nl") and "een postcode" in problem.message("nl")
    assert "a street address" in problem.message("en") and "a postcode" in problem.message("en")
