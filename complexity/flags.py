"""Flags as data: a code, a severity, who may see it, and the facts behind its reason.

The model never writes prose for a flag. Each flag names its ``code`` and carries the
numbers that explain it (``params``); the dashboard's i18n catalog turns
``flag.<code>.reason`` and ``flag.<code>.next_step`` into Dutch or English. A flag
without a next step is ignored in practice (domain.md section 5), so every code in
:data:`FLAG_CATALOG` has one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# Severity order, most urgent first. Never shown by colour alone: the dashboard pairs
# each with an icon and a word.
SEVERITIES: tuple[str, ...] = ("red", "amber", "info")

# Who may see a flag: "therapist" only, or also the therapist's "supervisor".
# Wellbeing-derived flags (balance, missed check-ins) stay private to the therapist.
PRIVATE, TEAM = "therapist", "team"


@dataclass(frozen=True)
class FlagSpec:
    code: str
    scope: str  # "case" or "therapist"
    audience: str  # PRIVATE or TEAM
    next_step: str  # key of the suggested next step


FLAG_CATALOG: Mapping[str, FlagSpec] = MappingProxyType(
    {
        spec.code: spec
        for spec in (
            FlagSpec("consult_now", "case", TEAM, "consult_today"),
            FlagSpec("therapist_impact_high", "case", PRIVATE, "intervision_or_supervision"),
            FlagSpec("incomplete", "case", PRIVATE, "rate_more_domains"),
            FlagSpec("load_over_capacity", "therapist", TEAM, "plan_intake"),
            FlagSpec("load_rising", "therapist", TEAM, "review_caseload"),
            FlagSpec("balance", "therapist", PRIVATE, "self_care_and_talk"),
            FlagSpec("missed_checkins", "therapist", PRIVATE, "check_in_now"),
        )
    }
)


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str
    params: Mapping[str, object] = field(default_factory=dict)
    subject: str | None = None  # case id or therapist id
    week: str | None = None  # ISO week "YYYY-Www" for therapist flags

    def __post_init__(self) -> None:
        if self.code not in FLAG_CATALOG:
            raise ValueError(f"unknown flag code {self.code!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def spec(self) -> FlagSpec:
        return FLAG_CATALOG[self.code]

    @property
    def next_step(self) -> str:
        return self.spec.next_step

    @property
    def audience(self) -> str:
        return self.spec.audience

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "audience": self.audience,
            "next_step": self.next_step,
            "subject": self.subject,
            "week": self.week,
            **{f"param_{k}": v for k, v in self.params.items()},
        }


def sort_flags(flags: list[Flag]) -> list[Flag]:
    return sorted(flags, key=lambda f: (SEVERITIES.index(f.severity), f.code))
