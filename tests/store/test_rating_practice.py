"""The rating practice in the store, on both backends: therapists rate vignettes and read
their own comparison; practice ratings stay out of case ratings; researchers read them
pooled and pseudonymised; researchers and admins add vignettes, all or nothing; every
other role is refused (and the refusal audited)."""

from __future__ import annotations

import re
import secrets
import statistics

import pytest
from sqlalchemy import func, select

from complexity import BANDS, INSTRUMENT
from store import AccessDenied, InvalidInput, NotFound, Refused
from store.cases import add_case, rate_case
from store.db import session_scope
from store.models import (
    AuditEvent, CaseRating, PracticeRating, PracticeRatingItem, PracticeVignette, ResearchConsent, Therapist,
    UserAccount,
)
from store.practice_agreement import agreement_report, practice_ratings_for_research
from store.rating_practice import (
    MIN_GROUP, add_vignette_file, add_vignettes, my_practice, practice_comparison, rate_vignette,
    raters_per_vignette, shipped_vignettes, vignettes,
)


def reference_of(key: str) -> dict[str, int]:
    return dict(next(v for v in shipped_vignettes() if v.key == key).reference)


def shifted(levels: dict[str, int], by: int) -> dict[str, int]:
    return {item: min(3, max(0, level + by)) for item, level in levels.items()}


def nudged(levels: dict[str, int], n: int) -> dict[str, int]:
    """``levels`` with the ``n``-th item (counting round) one level off: a rater who
    reads one anchor differently."""
    item = list(levels)[n % len(levels)]
    return dict(levels, **{item: levels[item] + 1 if levels[item] < 3 else 2})


def count(engine, model) -> int:
    with session_scope(engine, readonly=True) as s:
        return s.scalar(select(func.count()).select_from(model))


def audit_lines(engine, action: str) -> list[AuditEvent]:
    with session_scope(engine, readonly=True) as s:
        return s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def add_therapists(engine, n: int, *, consent: bool = True, start: int = 0) -> list[UserAccount]:
    """``n`` more therapists with accounts (and research consent unless told not to)."""
    accounts = []
    with session_scope(engine) as s:
        for i in range(start, start + n):
            therapist = Therapist(display_name=f"Therapeut {i}", experience="starting", contracted_sessions=20)
            s.add(therapist)
            s.flush()
            account = UserAccount(username=f"oefen{i}", role="therapist", therapist_id=therapist.id)
            s.add(account)
            if consent:
                s.add(ResearchConsent(therapist_id=therapist.id, research_id=secrets.token_hex(16)))
            s.flush()
            accounts.append(account)
    return accounts


def rate(engine, user, key: str, levels: dict[str, int]):
    with session_scope(engine) as s:
        return rate_vignette(s, user, key, levels)


def new_vignette(title_nl: str = "Schouderpijn bij een kok", title_en: str = "Shoulder pain in a cook",
                 **changes) -> dict:
    """An added vignette: v01's reference, a text of its own."""
    raw = {
        "band": "uncomplicated", "instrument_version": INSTRUMENT.version,
        "title": {"nl": title_nl, "en": title_en},
        "text": {"nl": "Een kok van 33 heeft sinds twee weken pijn in zijn schouder na een drukke week.",
                 "en": "A cook of 33 has had pain in his shoulder for two weeks after a busy week."},
        "reference": reference_of("v01"),
    }
    raw.update(changes)
    return raw


# --- the shipped vignettes ------------------------------------------------------------------------

def test_the_shipped_vignettes_cover_every_band_twice_and_are_offered_to_everyone(engine, people):
    shipped = shipped_vignettes()
    assert len(shipped) >= 8
    assert {band: sum(v.band == band for v in shipped) for band in BANDS} == dict.fromkeys(BANDS, 2)
    for user in (people.u1, people.supervisor, people.researcher, people.admin):
        with session_scope(engine) as s:
            offered = vignettes(s, user)
        assert [v.key for v in offered] == [v.key for v in sorted(shipped, key=lambda v: BANDS.index(v.band))]


# --- a therapist rates and reads their own comparison ----------------------------------------------

def test_a_practice_rating_is_stored_apart_from_case_ratings_and_compared_with_the_reference(engine, people):
    reference = reference_of("v05")
    mine = dict(reference, emo_low_mood=3, cog_catastrophizing=1)
    comparison = rate(engine, people.u1, "v05", mine)
    assert count(engine, PracticeRating) == 1 and count(engine, PracticeRatingItem) == len(INSTRUMENT.item_ids)
    assert count(engine, CaseRating) == 0  # never a case rating
    assert comparison.raters == 1 and not comparison.group_shown
    by_domain = {d.domain: d for d in comparison.domains}
    assert list(by_domain) == list(INSTRUMENT.domain_ids)
    emotions = INSTRUMENT.domain("emotions").item_ids
    assert by_domain["emotions"].mine == pytest.approx(sum(mine[i] for i in emotions) / len(emotions))
    assert by_domain["emotions"].reference == pytest.approx(sum(reference[i] for i in emotions) / len(emotions))
    assert by_domain["emotions"].mine > by_domain["emotions"].reference
    assert by_domain["content"].mine == by_domain["content"].reference
    assert all(d.group_median is None for d in comparison.domains)
    assert {i.item: (i.mine, i.reference) for i in comparison.items}["emo_low_mood"] == (3, 2)
    assert comparison.reference.band == "moderate" and comparison.mine.complexity is not None
    with session_scope(engine) as s:
        assert practice_comparison(s, people.u1, "v05") == comparison
        assert practice_comparison(s, people.u1, "v01") is None  # not rated yet
        assert practice_comparison(s, people.u2, "v05") is None  # another therapist's rating is not theirs
        assert set(my_practice(s, people.u1)) == {"v05"} and my_practice(s, people.u2) == {}
    (line,) = audit_lines(engine, "create")
    assert (line.subject_type, line.subject_id, line.actor_user_id) == ("therapist", str(people.t1.id), people.u1.id)
    assert "v05" in line.detail and "emo" not in line.detail  # names the vignette, never the levels


def test_a_therapists_case_ratings_do_not_enter_the_practice(engine, people):
    with session_scope(engine) as s:
        code = add_case(s, people.u1)
        rate_case(s, people.u1, code, reference_of("v05"))
    assert count(engine, CaseRating) == 1 and count(engine, PracticeRating) == 0
    with session_scope(engine) as s:
        assert my_practice(s, people.u1) == {} and raters_per_vignette(s, people.u1) == {}


def test_the_group_median_shows_from_five_raters(engine, people):
    others = add_therapists(engine, MIN_GROUP - 1)
    reference = reference_of("v03")
    for n, user in enumerate(others):
        comparison = rate(engine, user, "v03", shifted(reference, n % 2))
        assert comparison.raters == n + 1 and all(d.group_median is None for d in comparison.domains)
    comparison = rate(engine, people.u1, "v03", shifted(reference, 1))
    assert comparison.raters == MIN_GROUP and comparison.group_shown
    everyone = [shifted(reference, n % 2) for n in range(MIN_GROUP - 1)] + [shifted(reference, 1)]
    for domain in comparison.domains:
        items = INSTRUMENT.domain(domain.domain).item_ids
        expected = statistics.median(sum(levels[i] for i in items) / len(items) for levels in everyone)
        assert domain.group_median == pytest.approx(expected)
    with session_scope(engine) as s:  # the earlier raters now see the group too
        assert practice_comparison(s, others[0], "v03").group_shown
        assert raters_per_vignette(s, people.u1) == {"v03": MIN_GROUP}


def test_every_item_is_rated_once_within_its_levels(engine, people):
    levels = reference_of("v02")
    with pytest.raises(InvalidInput) as missing:
        rate(engine, people.u1, "v02", {k: v for k, v in levels.items() if k not in ("emo_anxiety", "interplay")})
    assert [(p.code, p.column) for p in missing.value.problems] == [
        ("practice_unrated", "emo_anxiety"), ("practice_unrated", "interplay")]
    with pytest.raises(InvalidInput) as wrong:
        rate(engine, people.u1, "v02", dict(levels, emo_anxiety=4, no_such_item=1))
    assert {(p.code, p.column) for p in wrong.value.problems} == {
        ("out_of_range", "emo_anxiety"), ("unknown_field", "no_such_item")}
    assert count(engine, PracticeRating) == 0
    rate(engine, people.u1, "v02", levels)
    with pytest.raises(InvalidInput) as again:
        rate(engine, people.u1, "v02", shifted(levels, 1))
    assert again.value.codes == ["practice_already_rated"]
    assert count(engine, PracticeRating) == 1
    with pytest.raises(NotFound):
        rate(engine, people.u1, "v99", levels)


# --- who may do what -----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["supervisor", "admin", "researcher"])
def test_only_a_therapist_rates_and_reads_a_comparison(engine, people, role):
    rate(engine, people.u1, "v01", reference_of("v01"))
    user = getattr(people, role)
    with pytest.raises(AccessDenied):
        rate(engine, user, "v01", reference_of("v01"))
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        practice_comparison(s, user, "v01")
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        my_practice(s, user)
    denied = audit_lines(engine, "authz_denied")
    assert [line.actor_user_id for line in denied] == [user.id] * 3
    assert count(engine, PracticeRating) == 1


@pytest.mark.parametrize("role", ["u1", "supervisor", "admin"])
def test_only_a_researcher_reads_the_pooled_practice_ratings(engine, people, role):
    for user in add_therapists(engine, MIN_GROUP):
        rate(engine, user, "v01", reference_of("v01"))
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        practice_ratings_for_research(s, getattr(people, role))
    (line,) = audit_lines(engine, "authz_denied")
    assert line.actor_user_id == getattr(people, role).id and line.subject_type == "research_dataset"


def test_researchers_read_consenting_raters_under_pseudonyms_and_get_the_agreement(engine, people):
    consenting = add_therapists(engine, MIN_GROUP + 1)
    without = add_therapists(engine, 1, consent=False, start=100)
    keys = [v.key for v in shipped_vignettes()]
    for n, user in enumerate(consenting + without):
        for m, key in enumerate(keys):
            rate(engine, user, key, nudged(reference_of(key), 7 * n + 5 * m))
    with session_scope(engine) as s:  # one of them withdraws: their ratings leave the pool
        withdrawn = s.scalars(select(ResearchConsent).where(
            ResearchConsent.therapist_id == consenting[-1].therapist_id)).one()
        withdrawn.withdrawn_at = withdrawn.given_at
    with session_scope(engine) as s:
        data = practice_ratings_for_research(s, people.researcher)
    frame = data.ratings
    assert list(frame.columns) == ["vignette", "rater", "item", "level"]
    assert data.raters == MIN_GROUP and data.vignettes == len(keys) and data.instrument_version == INSTRUMENT.version
    assert all(re.fullmatch(r"P[0-9a-f]{10}", r) for r in frame["rater"])
    assert len(frame) == MIN_GROUP * len(keys) * len(INSTRUMENT.item_ids)
    with session_scope(engine, readonly=True) as s:
        names = set(s.scalars(select(Therapist.display_name))) | set(s.scalars(select(UserAccount.username)))
        tokens = set(s.scalars(select(ResearchConsent.research_id)))
    shown = set(frame["rater"])
    assert not shown & (names | tokens | {str(u.therapist_id) for u in consenting})
    (line,) = audit_lines(engine, "read")
    assert (line.actor_user_id, line.subject_type) == (people.researcher.id, "research_dataset")
    assert f"{MIN_GROUP} raters" in line.detail

    report = agreement_report(data, n_boot=20)
    assert set(report.items["item"]) == set(INSTRUMENT.item_ids)
    assert list(report.domains["domain"]) == list(INSTRUMENT.domain_ids)
    assert report.items["mad"].is_monotonic_decreasing  # most disagreement first
    assert report.items["icc"].notna().all() and report.domains["icc"].notna().all()
    assert report.domains["kappa"].notna().all() and (report.domains["kappa_low"] <= report.domains["kappa"]).all()
    assert (report.vignettes, report.raters, report.drop) == (len(keys), MIN_GROUP, "targets")
    # Each rater reads one item per vignette one level off the reference: the vignettes,
    # spread over the bands, differ much more, so agreement is excellent, not perfect.
    assert (report.domains["icc"] > 0.9).all() and (report.domains["icc"] < 1).all()
    assert (report.domains["kappa"] > 0.8).all()
    assert report.items["mad"].max() > 0 and report.items["mad"].min() == 0


def test_the_pool_is_refused_below_five_consenting_raters(engine, people):
    for user in add_therapists(engine, MIN_GROUP - 1) + add_therapists(engine, 2, consent=False, start=50):
        rate(engine, user, "v01", reference_of("v01"))
    with pytest.raises(Refused) as refused, session_scope(engine) as s:
        practice_ratings_for_research(s, people.researcher)
    assert refused.value.reason.key == "refused.practice_too_few_raters"
    assert refused.value.reason.params["raters"] == MIN_GROUP - 1
    assert audit_lines(engine, "read") == []


# --- adding vignettes ------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_a_researcher_or_admin_adds_a_vignette_that_therapists_can_rate(engine, people, role):
    with session_scope(engine) as s:
        (key,) = add_vignettes(s, getattr(people, role), [new_vignette()])
    assert re.fullmatch(r"a[0-9a-f]{6}", key)
    with session_scope(engine) as s:
        added = next(v for v in vignettes(s, people.u1) if v.key == key)
    assert not added.shipped and added.title("en") == "Shoulder pain in a cook" and added.band == "uncomplicated"
    assert rate(engine, people.u1, key, reference_of("v01")).reference.band == "uncomplicated"
    line = audit_lines(engine, "create")[0]
    assert (line.actor_user_id, line.subject_type) == (getattr(people, role).id, "research_dataset")
    assert key in line.detail


@pytest.mark.parametrize("role", ["u1", "supervisor"])
def test_therapists_and_supervisors_cannot_add_vignettes(engine, people, role):
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        add_vignettes(s, getattr(people, role), [new_vignette()])
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        add_vignette_file(s, getattr(people, role), 'band = "mild"')
    assert count(engine, PracticeVignette) == 0
    assert len(audit_lines(engine, "authz_denied")) == 2


def test_adding_vignettes_is_all_or_nothing_and_names_every_problem(engine, people):
    unrated = {k: v for k, v in reference_of("v01").items() if k != "ther_rumination"}
    bad = [
        new_vignette("Een goede", "A good one"),
        new_vignette("Met een telefoonnummer", "With a phone number",
                     text={"nl": "Bel haar op 06-12345678.", "en": "Call her."}),
        new_vignette("Verkeerde klasse", "Wrong band", band="severe"),
        new_vignette("Onvolledig", "Incomplete", reference=unrated, key="a000001", instrument_version="1.0.0"),
        new_vignette("Rugpijn na een verhuizing", "Back pain after a house move"),  # v01's titles
    ]
    with pytest.raises(InvalidInput) as error, session_scope(engine) as s:
        add_vignettes(s, people.researcher, bad)
    found = {(p.code, p.column) for p in error.value.problems}
    assert found == {
        ("identifier_found", "vignettes[2].text.nl"),
        ("vignette_band_mismatch", "vignettes[3].reference"),
        ("unknown_field", "vignettes[4].key"),
        ("vignette_instrument_version", "vignettes[4].instrument_version"),
        ("vignette_unrated", "vignettes[4].reference"),
        ("vignette_title_taken", "vignettes[5].title.nl"),
        ("vignette_title_taken", "vignettes[5].title.en"),
    }
    assert "06-12345678" not in " ".join(error.value.messages("nl"))  # an identifier is only shown masked
    assert count(engine, PracticeVignette) == 0 and audit_lines(engine, "create") == []


def test_vignettes_are_added_from_a_toml_file(engine, people):
    def entry(title_nl: str, title_en: str) -> str:
        levels = "\n".join(f"{item} = {level}" for item, level in reference_of("v01").items())
        return (f'[[vignettes]]\nband = "uncomplicated"\ninstrument_version = "{INSTRUMENT.version}"\n'
                f'title = {{ nl = "{title_nl}", en = "{title_en}" }}\n'
                'text = { nl = "Een korte casus.", en = "A short case." }\n'
                f'[vignettes.reference]\n{levels}\n')

    with session_scope(engine) as s:
        keys = add_vignette_file(s, people.admin, entry("Eerste", "First") + entry("Tweede", "Second"))
    assert len(keys) == 2 and count(engine, PracticeVignette) == 2
    with pytest.raises(InvalidInput) as unreadable, session_scope(engine) as s:
        add_vignette_file(s, people.admin, "band = ")
    assert unreadable.value.codes == ["vignette_file_unreadable"]
    with pytest.raises(InvalidInput) as empty, session_scope(engine) as s:
        add_vignette_file(s, people.admin, "")
    assert empty.value.codes == ["vignette_file_empty"]


def test_a_therapists_own_data_download_holds_their_practice_ratings_and_nobody_elses(engine, people):
    import io
    import zipfile

    import pandas as pd

    from store import privacy

    mine = nudged(reference_of("v02"), 3)
    rate(engine, people.u1, "v02", mine)
    rate(engine, people.u1, "v07", reference_of("v07"))
    rate(engine, people.u2, "v02", reference_of("v02"))  # Bram's: not in Anna's download
    with session_scope(engine) as s:
        archive = zipfile.ZipFile(io.BytesIO(privacy.export_my_data(s, people.u1)))
    table = pd.read_csv(archive.open("practice_ratings.csv"), sep=";", encoding="utf-8-sig", dtype={"therapist": str})
    assert table["vignette"].tolist() == ["v02", "v07"]
    assert set(table["therapist"]) == {str(people.t1.id)}
    assert table.loc[0, list(INSTRUMENT.item_ids)].astype(int).to_dict() == mine
    assert (table["instrument_version"] == INSTRUMENT.version).all() and table["created_at"].notna().all()
    codebook = pd.read_csv(archive.open("codebook.csv"), sep=";", encoding="utf-8-sig")
    described = codebook[codebook["table"] == "practice_ratings"]
    assert set(described["column"]) == set(table.columns) and described["label_nl"].notna().all()


def test_erasing_ones_data_erases_ones_practice_ratings_and_only_those(engine, people):
    from store import privacy

    rate(engine, people.u1, "v02", reference_of("v02"))
    rate(engine, people.u2, "v02", reference_of("v02"))
    with session_scope(engine) as s:
        privacy.erase_my_data(s, people.u1, people.u1.username)
    with session_scope(engine, readonly=True) as s:
        assert set(s.scalars(select(PracticeRating.therapist_id))) == {people.t2.id}
    assert count(engine, PracticeRatingItem) == len(INSTRUMENT.item_ids)  # Bram's levels only
