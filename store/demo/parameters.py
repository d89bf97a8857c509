"""The numbers that shape the demo practice, each named and explained.

The command's own arguments (how many therapists, how many weeks, which seed) have
their defaults and limits here as module constants. Everything else that decides what
the practice looks like (the case mix, how long treatments last, how full a caseload
is, how check-ins respond to load, the drifting starter's path into overload) is a field
of :class:`DemoParameters`; :data:`DEMO_PARAMETERS` holds the values the demo uses.

The values were chosen so that the demo looks like a real practice in the dashboard
*and* keeps the promises the tests check (every band present, some cases re-rated and
some never rated, the drifting starter's flags firing). Changing one changes the demo's
data for every seed: the tests in ``tests/store/test_demo.py`` say whether it still
keeps its promises.

A range written ``(low, high)`` is inclusive unless its comment says "half-open".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# --- the command's arguments -------------------------------------------------------------

DEFAULT_SEED = 2026  # the demo's year: any seed works, this one is the documented practice
DEFAULT_THERAPISTS = 8  # the eight named therapists (people.NAMED_THERAPISTS), two teams
DEFAULT_WEEKS = 26  # half a year: enough history for every trend the dashboard shows
MIN_THERAPISTS = 2  # one starter and one experienced therapist at least
MAX_THERAPISTS = 10_000  # far beyond any practice; keeps a typo from filling the disk
MIN_WEEKS = 8  # the drift (DRIFT_WEEKS) needs a couple of ordinary weeks before it
MAX_WEEKS = 520  # ten years
DRIFT_WEEKS = 6  # the drifting starter's overload builds over the last six weeks

# --- the calendar ------------------------------------------------------------------------

WORKDAYS = 5  # sessions fall on Monday (0) .. Friday (4)
FRIDAY = 4  # the last workday; a week's check-in is due on it

# The plan draws this many uniforms per new case in one call (much faster than a
# generator call per draw). Only eight are used; the ninth is kept because drawing fewer
# would change every later draw of the therapist's stream, and so the demo's data.
UNIFORMS_PER_CASE = 9


@dataclass(frozen=True)
class DemoParameters:
    """What the demo practice looks like; see each field's comment."""

    # --- therapists
    # Contracted sessions a week of a generated therapist (the named eight have theirs):
    # starters have smaller contracts, experienced therapists fuller ones.
    starter_contract: tuple[int, int] = (16, 28)
    experienced_contract: tuple[int, int] = (22, 32)
    # Weeks employed before the demo's first week: a starter began in the last nine
    # months, an experienced therapist three to twenty-three years ago.
    starter_tenure_weeks: tuple[int, int] = (4, 39)
    experienced_tenure_weeks: tuple[int, int] = (150, 1199)
    # One therapist in this many (the last of each group) gives no research consent, so
    # the research export visibly leaves someone out ("three in four consent").
    consent_group: int = 4

    # --- cases and their complexity
    # Case mix over the bands (uncomplicated, mild, moderate, severe): mostly mild and
    # moderate, as in a psychosomatic practice; severe cases are the exception.
    case_mix: tuple[float, ...] = (0.22, 0.36, 0.28, 0.14)
    # The drifting starter takes on heavier cases while her load rises.
    drift_case_mix: tuple[float, ...] = (0.05, 0.25, 0.40, 0.30)
    # Per band, the latent item level (uniform in this range, items scored 0-3) that
    # makes a rating of that band likely under model 2.0 (items mostly 0; mostly 1;
    # 1-2; mostly 3); rejection sampling then makes it certain.
    band_item_level: tuple[tuple[float, float], ...] = ((0.0, 0.35), (0.35, 0.8), (0.9, 1.8), (2.0, 2.9))
    # Per band, the planned treatment length in weeks (half-open: 3-8 weeks for an
    # uncomplicated case up to 12-30 for a severe one): complex cases last longer.
    treatment_weeks: tuple[tuple[int, int], ...] = ((3, 9), (5, 13), (8, 21), (12, 31))
    # Share of cases never rated (their sessions weigh the reference weight): a few, so
    # the dashboard's "not yet rated" hints have something to show.
    unrated_share: float = 0.04
    # Share of rated cases rated again later (when the treatment is long enough): about
    # a third, so the history of a case's complexity shows in the dashboard.
    rerate_share: float = 0.35
    # A re-rating needs a treatment of at least this many weeks; it falls at least
    # `rerate_earliest_week` weeks after the first session and at least
    # `rerate_latest_before_end` weeks before the last.
    rerate_min_span_weeks: int = 6
    rerate_earliest_week: int = 3
    rerate_latest_before_end: int = 2
    # How a re-rating moves the band, as cumulative edges of one uniform draw: down one
    # band with chance 0.45 (treatment helps), the same with 0.35, up one with 0.20.
    rerate_shift_edges: tuple[float, float] = (0.45, 0.80)
    # The drifting starter's cases are not re-rated from this many weeks before her
    # drift on: a re-rating would bend the steady rise of her load.
    drift_rerating_stop_weeks: int = 1

    # --- how rated items are drawn (store.demo.ratings)
    rating_batch: int = 4096  # item vectors drawn and scored at once per band
    domain_shift_sd: float = 0.45  # a case is heavier in some domains than others
    item_noise_sd: float = 0.5  # each item scatters around the case's level
    missing_item_share: float = 0.02  # an item now and then not rated
    item_max: int = 3  # the instrument's items score 0-3
    # Chance of a safety concern per band step (0 for uncomplicated, 9% for severe); a
    # concern is "vague" or "clear" (1-2), never "acute" (3) in the demo.
    safety_share_per_band: float = 0.03
    safety_levels: tuple[int, int] = (1, 2)
    meaning_levels: tuple[int, int] = (0, 3)  # the case-meaning item, any of its anchors
    # The interplay item (how much the problems feed each other): unrated now and then,
    # otherwise about the case's latent level, so heavier cases tend to hang together more.
    interplay_unrated_share: float = 0.15
    interplay_noise_sd: float = 0.7
    # "How heavy does this case feel to you right now?" (0-10): answered in most
    # ratings, about a tenth of the complexity with a therapist's own scatter.
    burden_answered_share: float = 0.8
    burden_per_point: float = 0.1
    burden_noise_sd: float = 1.2

    # --- caseload: the weekly load index each therapist's cases are planned towards
    # Base load target (load index) of an experienced therapist and of a starter: well
    # filled but below 1.0, starters a bit lighter; each therapist's own base scatters
    # with `base_load_sd` around it.
    experienced_load: float = 0.84
    starter_load: float = 0.77
    base_load_sd: float = 0.03
    # Week-to-week wobble of the target: an autoregressive series (this much of last
    # week's deviation carries over, plus fresh noise), so busy weeks come in runs.
    load_persistence: float = 0.6
    load_noise_sd: float = 0.03
    # One holiday week per this many weeks (a week a quarter), never in the last
    # `holiday_free_weeks` weeks (plus DRIFT_WEEKS for the drifter), so the recent
    # picture is complete.
    weeks_per_holiday: int = 13
    holiday_free_weeks: int = 3
    # Share of planned weekly sessions that take place (the rest are cancelled); the
    # caseload is planned so that the *expected* load meets the target.
    attendance: float = 0.9
    # Minutes of a session: mostly 45, some 30 or 60; an intake always takes 60.
    session_minutes: tuple[int, ...] = (30, 45, 60)
    session_minutes_p: tuple[float, ...] = (0.15, 0.65, 0.20)
    intake_minutes: int = 60

    # --- the drifting starter's path into overload
    # Before her drift her target never exceeds `drift_ceiling` (a full but healthy
    # caseload); during the last DRIFT_WEEKS weeks it rises by `drift_rise_per_week` a
    # week from there (0.985 .. 1.31), so her load index passes 1.1 halfway. She gets
    # at least one new case a week, none of her cases closes, and none is cancelled.
    drift_ceiling: float = 0.92
    drift_rise_per_week: float = 0.065
    # Her supervisor sees her reports from this many weeks before the drift on.
    share_weeks_before_drift: int = 4

    # --- check-ins: a latent wellbeing (0-1) per therapist and week, turned into answers
    # Each therapist's usual wellbeing (uniform in this range); the drifter starts
    # healthy, at least `drifter_wellbeing_floor`.
    base_wellbeing: tuple[float, float] = (0.58, 0.8)
    drifter_wellbeing_floor: float = 0.72
    # Week-to-week wobble: autoregressive, like the load target.
    wellbeing_persistence: float = 0.5
    wellbeing_noise_sd: float = 0.05
    # Load above `strain_threshold` (load index) costs wellbeing: `strain_now` per point
    # this week, `strain_last_week` per point of last week's excess (strain lingers).
    strain_threshold: float = 0.95
    strain_now: float = 0.5
    strain_last_week: float = 0.2
    rest_after_holiday: float = 0.06  # the week after a holiday feels better
    # The drifter's wellbeing sinks by this much more every drift week, so her check-ins
    # fall below the low-capacity line while her load rises.
    drift_wellbeing_decline: float = 0.025
    wellbeing_range: tuple[float, float] = (0.05, 0.95)  # never perfect, never zero
    # Noise of an answer, as a share of its scale's range (0-10: about one point).
    answer_noise: float = 0.08
    # Share of weeks without a check-in (besides holidays); the drifter checks in every
    # week from `drifter_checkin_weeks_before_drift` weeks before her drift on.
    missed_checkin_share: float = 0.04
    drifter_checkin_weeks_before_drift: int = 2
    # Chance of ticking each self-care action in a check-in at middling wellbeing; the
    # chance scales with (action_scale_base + wellbeing): who feels better does more.
    # An action not listed here is never ticked.
    action_probability: tuple[tuple[str, float], ...] = (
        ("checked_in", 0.5), ("pause_walk", 0.5), ("breathing", 0.3), ("intervision", 0.25),
        ("supervision", 0.15), ("boundary", 0.2), ("exercise", 0.45), ("time_off", 0.06),
    )
    action_scale_base: float = 0.5
    # Wellbeing edges between a heavy, a mixed and a good week's reflection text, and the
    # share of check-ins with a reflection at all.
    reflection_tone_edges: tuple[float, float] = (0.4, 0.65)
    reflection_share: float = 0.12

    # --- self-care goals
    goals_per_therapist: tuple[int, int] = (1, 3)
    goal_review_weeks: int = 4  # a goal is reviewed four weeks after it was set
    # How a reviewed goal turned out: achieved, partly, not achieved.
    goal_outcome_p: tuple[float, float, float] = (0.5, 0.35, 0.15)

    def mix_edges(self, drifting: bool) -> tuple[float, ...]:
        """The cumulative case mix (of the drifting starter's drift weeks or everyone
        else's), the edges one uniform draw is compared with."""
        return tuple(np.cumsum(np.array(self.drift_case_mix if drifting else self.case_mix)).tolist())

    def action_probabilities(self, actions: tuple[str, ...]) -> np.ndarray:
        """:attr:`action_probability` in the order of ``actions`` (0 for one not listed)."""
        listed = dict(self.action_probability)
        return np.array([listed.get(action, 0.0) for action in actions])


DEMO_PARAMETERS = DemoParameters()


def pick(edges: tuple[float, ...], draw: float) -> int:
    """The index of the first cumulative edge above the uniform ``draw`` (the last index
    if none is: rounding may leave the last edge a hair below 1)."""
    for k, edge in enumerate(edges):
        if draw < edge:
            return k
    return len(edges) - 1
