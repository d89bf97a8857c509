"""Who is in the demo practice: its therapists, teams and logins' usernames and passwords.

The first eight therapists have names (:data:`NAMED_THERAPISTS`); a larger practice
adds numbered ones, alternating starting / experienced. Their contracts, when not
given here, are drawn in the plan (:mod:`store.demo.plan`).
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Mapping, NamedTuple

DEMO_PASSWORDS: Mapping[str, str] = MappingProxyType({
    "therapist": "demo-therapist-2026",
    "supervisor": "demo-supervisor-2026",
    "researcher": "demo-researcher-2026",
    "admin": "demo-admin-2026",
})
DRIFTING_USERNAME = "demo-starter"
SUPERVISOR_USERNAME = "supervisor"
RESEARCHER_USERNAME = "researcher"
ADMIN_USERNAME = "admin"


class TherapistSpec(NamedTuple):
    """One therapist of the demo: ``contracted`` is None until the plan draws it."""

    name: str  # display name
    username: str
    starting: bool
    contracted: int | None  # contracted sessions a week


# The first eight therapists. Index 4 (Eva, "demo-starter") is the starter who drifts
# into overload (see drifter_index).
NAMED_THERAPISTS = (
    TherapistSpec("Anouk", "anouk", True, 24),
    TherapistSpec("Bram", "bram", False, 28),
    TherapistSpec("Chantal", "chantal", True, 18),
    TherapistSpec("Daan", "daan", False, 26),
    TherapistSpec("Eva", DRIFTING_USERNAME, True, 20),
    TherapistSpec("Floor", "floor", True, 16),
    TherapistSpec("Gijs", "gijs", False, 30),
    TherapistSpec("Hanna", "hanna", False, 22),
)
DRIFTER_INDEX = 4  # Eva; in a practice of four or fewer, the first therapist (a starter)
TEAM_NAMES = ("Team Noord", "Team Zuid")
LARGE_PRACTICE = 100  # up to this many therapists: two teams
THERAPISTS_PER_TEAM = 50  # beyond it: one team per this many therapists


def therapist_specs(count: int) -> list[TherapistSpec]:
    """The ``count`` therapists: the named ones first, then numbered ones (even
    positions starting, odd ones experienced; their contracts drawn later)."""
    specs = list(NAMED_THERAPISTS[:count])
    for i in range(len(specs), count):
        specs.append(TherapistSpec(f"Therapeut {i + 1:04d}", f"therapist{i + 1:04d}", i % 2 == 0, None))
    return specs


def drifter_index(therapists: int) -> int:
    """The position of the starter who drifts into overload."""
    return DRIFTER_INDEX if therapists > DRIFTER_INDEX else 0


def team_count(therapists: int) -> int:
    return max(2, math.ceil(therapists / THERAPISTS_PER_TEAM)) if therapists > LARGE_PRACTICE else 2


def team_names(count: int) -> list[str]:
    """The two named teams, then numbered ones (``Team 03`` ..)."""
    return list(TEAM_NAMES) + [f"Team {i + 1:02d}" for i in range(2, count)]
