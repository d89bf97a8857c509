"""The rating practice's vignettes: the shipped files keep the rules (read here with
tomllib, apart from the loader), their reference ratings land in their bands when the
model scores them, and ``data_schema.vignettes`` names each broken rule."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from complexity import BANDS, INSTRUMENT, LANGUAGES, score_cases
from complexity.scoring import band_of
from data_schema.guard import find_identifiers
from data_schema.vignettes import check_vignette, read_vignette_file

FOLDER = Path(__file__).resolve().parents[2] / "store" / "vignettes"
FILES = sorted(FOLDER.glob("*.toml"))
RAW = {path.stem: tomllib.loads(path.read_text("utf-8")) for path in FILES}


def test_at_least_eight_vignettes_two_per_band_each_in_both_languages():
    assert len(RAW) >= 8
    bands = [raw["band"] for raw in RAW.values()]
    assert all(bands.count(band) >= 2 for band in BANDS)
    for key, raw in RAW.items():
        assert raw["key"] == key  # the file is named after its key
        assert raw["instrument_version"] == INSTRUMENT.version
        for lang in LANGUAGES:
            assert raw["title"][lang].strip() and len(raw["text"][lang].split()) >= 150, (key, lang)


def test_every_reference_rates_every_item_and_lands_in_its_band():
    references = pd.DataFrame([{"case_id": key, **raw["reference"]} for key, raw in RAW.items()])
    assert all(set(raw["reference"]) == set(INSTRUMENT.item_ids) for raw in RAW.values())
    assert references[list(INSTRUMENT.item_ids)].isin([0, 1, 2, 3]).all().all()
    scores = score_cases(references).set_index("case_id")
    for key, raw in RAW.items():
        assert scores.loc[key, "complete"] and scores.loc[key, "unrated_items"] == 0
        assert scores.loc[key, "band"] == raw["band"] == band_of(scores.loc[key, "complexity"]), key


def test_the_references_rise_with_the_band():
    # Plausible ratings: a heavier band has more raised domains, and a severe vignette
    # raises every domain (the interplay the model counts only where several are raised).
    scores = score_cases(pd.DataFrame([{"case_id": k, **r["reference"]} for k, r in RAW.items()])).set_index("case_id")
    band = {k: BANDS.index(r["band"]) for k, r in RAW.items()}
    for lower in RAW:
        for higher in RAW:
            if band[lower] < band[higher]:
                assert scores.loc[lower, "complexity"] < scores.loc[higher, "complexity"], (lower, higher)
    for key, raw in RAW.items():
        domains = scores.loc[key, list(INSTRUMENT.domain_ids)]
        if raw["band"] == "severe":
            assert (domains >= 1.5).all(), key
        if raw["band"] == "uncomplicated":
            assert (domains < 0.5).all() and raw["reference"]["safety_concern"] == 0, key


def test_no_vignette_text_holds_an_identifier():
    for key, raw in RAW.items():
        for lang in LANGUAGES:
            assert find_identifiers(raw["title"][lang]) == [] and find_identifiers(raw["text"][lang]) == [], key


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_file_passes_the_checks(path):
    entries, problems = read_vignette_file(path.read_text("utf-8"))
    assert problems == [] and len(entries) == 1
    vignette, problems = check_vignette(entries[0][1], shipped=True)
    assert problems == [] and vignette.key == path.stem and vignette.reference_score().band == vignette.band


def test_the_checks_name_each_broken_rule():
    raw = dict(RAW["v01"])
    raw.pop("key")
    assert check_vignette(raw, shipped=True)[1][0].code == "required"  # a shipped vignette has a key
    assert check_vignette(dict(raw, key="v01"), shipped=False)[1][0].code == "unknown_field"  # an added one not
    broken = dict(raw, band="hard", title={"nl": "Titel"}, extra=1,
                  text={"nl": "Geboren op 12-03-1985.", "en": "x" * 7000},
                  reference=dict(raw["reference"], emo_anxiety=5, no_item=1, interplay=None))
    vignette, problems = check_vignette(broken, shipped=False, where="vignettes[3].")
    assert vignette is None
    assert {(p.code, p.column) for p in problems} == {
        ("unknown_field", "vignettes[3].extra"),
        ("not_an_option", "vignettes[3].band"),
        ("required", "vignettes[3].title.en"),
        ("identifier_found", "vignettes[3].text.nl"),
        ("too_long", "vignettes[3].text.en"),
        ("unknown_field", "vignettes[3].reference.no_item"),
        ("vignette_unrated", "vignettes[3].reference"),
        ("out_of_range", "vignettes[3].reference.emo_anxiety"),
    }
    (mismatch,) = check_vignette(dict(raw, band="severe"), shipped=False)[1]
    assert mismatch.code == "vignette_band_mismatch"
    assert mismatch.message("en").endswith("which is uncomplicated, not severely complex as the vignette states: "
                                           "adjust the rating or the band")
    assert "ongecompliceerd" in mismatch.message("nl")


def test_a_file_of_several_vignettes_and_files_that_are_none():
    text = "\n".join(f"[[vignettes]]\nband = \"{b}\"" for b in ("mild", "severe"))
    entries, problems = read_vignette_file(text)
    assert problems == [] and [where for where, _ in entries] == ["vignettes[1].", "vignettes[2]."]
    assert read_vignette_file("band = ")[1][0].code == "vignette_file_unreadable"
    assert read_vignette_file("")[1][0].code == "vignette_file_empty"
    assert read_vignette_file("vignettes = []")[1][0].code == "vignette_file_empty"
    assert [p.code for p in read_vignette_file('title = "x"\n[[vignettes]]\nband = "mild"')[1]] == ["unknown_field"]
