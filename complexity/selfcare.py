"""The 5A self-care plan's *Advise* step: which advice this week's signals suggest.

Rules are data (``selfcare.toml``): each advice fires when any of its conditions holds
(a check-in field at or over / at or under a level, or a flag being raised). The result
names advice, resources and goal suggestions by id; the dashboard's catalog holds the
words. ``keep_going`` is always last, so a good week still gets a plan.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Iterable, Mapping

from .checkin import CHECKIN
from .flags import FLAG_CATALOG, SEVERITIES, Flag


@dataclass(frozen=True)
class Condition:
    field: str | None = None
    at_least: float | None = None
    at_most: float | None = None
    flag: str | None = None
    severity: str | None = None
    always: bool = False

    def holds(self, answers: Mapping[str, object], flags: Iterable[Flag]) -> bool:
        if self.always:
            return True
        if self.flag is not None:
            return any(f.code == self.flag and (self.severity is None or f.severity == self.severity)
                       for f in flags)
        value = answers.get(self.field) if self.field else None
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        value = float(value)
        if self.at_least is not None and value < self.at_least:
            return False
        if self.at_most is not None and value > self.at_most:
            return False
        return True

    def reason(self) -> dict[str, object]:
        """What triggered it, for the explanation shown beside the advice."""
        if self.always:
            return {"kind": "always"}
        if self.flag is not None:
            return {"kind": "flag", "flag": self.flag}
        return {"kind": "field", "field": self.field, "at_least": self.at_least, "at_most": self.at_most}


@dataclass(frozen=True)
class AdviceRule:
    id: str
    priority: int
    when: tuple[Condition, ...]
    resources: tuple[str, ...]
    goals: tuple[str, ...]


@dataclass(frozen=True)
class Advice:
    id: str
    resources: tuple[str, ...]
    goals: tuple[str, ...]
    because: tuple[dict[str, object], ...]  # the conditions that held


@dataclass(frozen=True)
class SelfcarePlanRules:
    version: str
    max_advice: int
    rules: tuple[AdviceRule, ...]

    @property
    def resource_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for rule in self.rules for r in rule.resources))

    @property
    def goal_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g for rule in self.rules for g in rule.goals))


def parse_rules(text: str) -> SelfcarePlanRules:
    raw = tomllib.loads(text)
    fields = {f.id for f in CHECKIN.fields}
    rules = []
    for entry in raw["advice"]:
        conditions = tuple(Condition(**c) for c in entry["when"])
        for c in conditions:
            if c.field is not None and c.field not in fields:
                raise ValueError(f"advice {entry['id']}: unknown check-in field {c.field!r}")
            if c.flag is not None and c.flag not in FLAG_CATALOG:
                raise ValueError(f"advice {entry['id']}: unknown flag {c.flag!r}")
            if c.severity is not None and c.severity not in SEVERITIES:
                raise ValueError(f"advice {entry['id']}: unknown severity {c.severity!r}")
            if not (c.always or c.flag or c.field):
                raise ValueError(f"advice {entry['id']}: a condition needs a field, a flag or always")
        rules.append(AdviceRule(entry["id"], int(entry["priority"]), conditions,
                                tuple(entry["resources"]), tuple(entry["goals"])))
    rules.sort(key=lambda r: r.priority)
    if not rules or not any(c.always for c in rules[-1].when):
        raise ValueError("the last advice must always apply (a plan is never empty)")
    return SelfcarePlanRules(str(raw["version"]), int(raw["max_advice"]), tuple(rules))


SELFCARE_RULES = parse_rules(resources.files("complexity").joinpath("selfcare.toml").read_text("utf-8"))


def selfcare_advice(
    answers: Mapping[str, object] | None,
    flags: Iterable[Flag] = (),
    rules: SelfcarePlanRules = SELFCARE_RULES,
) -> list[Advice]:
    """The advice for this week, most pressing first, at most ``rules.max_advice``;
    ``keep_going`` only when nothing else applies."""
    answers = answers or {}
    flags = list(flags)
    chosen: list[Advice] = []
    for rule in rules.rules:
        held = tuple(c.reason() for c in rule.when if c.holds(answers, flags))
        if not held:
            continue
        if any(c.always for c in rule.when) and chosen:
            continue
        chosen.append(Advice(rule.id, rule.resources, rule.goals, held))
        if len(chosen) >= rules.max_advice:
            break
    return chosen
