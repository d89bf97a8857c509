"""The case-complexity instrument, loaded from ``instrument.toml``.

The TOML file is the single definition; this module turns it into typed, immutable
objects and checks its invariants when it is loaded (ids unique, four anchors per
language, every language present), so a broken edit fails at import, not in a form.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from types import MappingProxyType
from typing import Mapping

LANGUAGES: tuple[str, ...] = ("nl", "en")  # the languages of every text in Draagkracht; Dutch first (the default)
LEVELS: tuple[int, ...] = (0, 1, 2, 3)
MIN_LEVEL, MAX_LEVEL = LEVELS[0], LEVELS[-1]
# Asked with every rating, outside the instrument and the score: "How heavy does this
# case feel to you right now?" 0 (not at all) .. BURDEN_MAX. Calibration's criterion.
BURDEN_MAX = 10
PURPOSES: tuple[str, ...] = ("score", "flag", "meaning", "interplay")  # "score" for domain items, the others outside the score


@dataclass(frozen=True)
class Item:
    """One rated item: an id, its labels and four anchors per language."""

    id: str
    domain: str | None  # None for items outside the score
    labels: Mapping[str, str]
    anchors: Mapping[str, tuple[str, str, str, str]]
    purpose: str = "score"  # one of PURPOSES

    @property
    def scored(self) -> bool:
        return self.purpose == "score"

    def label(self, lang: str = "nl") -> str:
        return self.labels[lang]

    def anchor(self, level: int, lang: str = "nl") -> str:
        return self.anchors[lang][level]


@dataclass(frozen=True)
class Domain:
    id: str
    labels: Mapping[str, str]
    descriptions: Mapping[str, str]
    items: tuple[Item, ...]

    def label(self, lang: str = "nl") -> str:
        return self.labels[lang]

    def description(self, lang: str = "nl") -> str:
        return self.descriptions[lang]

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)


@dataclass(frozen=True)
class Instrument:
    version: str
    names: Mapping[str, str]
    level_labels: Mapping[str, tuple[str, ...]]
    domains: tuple[Domain, ...]
    extra_items: tuple[Item, ...]

    @cached_property
    def domain_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.domains)

    @cached_property
    def scored_items(self) -> tuple[Item, ...]:
        """Scored items in instrument order: grouped by domain, domains in order."""
        return tuple(item for d in self.domains for item in d.items)

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return self.scored_items + self.extra_items

    @cached_property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @cached_property
    def scored_item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.scored_items)

    @cached_property
    def extra_item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.extra_items)

    @cached_property
    def _by_id(self) -> Mapping[str, Item]:
        return MappingProxyType({item.id: item for item in self.items})

    def item(self, item_id: str) -> Item:
        return self._by_id[item_id]

    def domain(self, domain_id: str) -> Domain:
        for d in self.domains:
            if d.id == domain_id:
                return d
        raise KeyError(domain_id)

    @cached_property
    def domain_sizes(self) -> tuple[int, ...]:
        return tuple(len(d.items) for d in self.domains)

    def name(self, lang: str = "nl") -> str:
        return self.names[lang]


class InstrumentDefinitionError(ValueError):
    """The instrument file breaks one of its invariants."""


def _item(raw: dict, domain: str | None) -> Item:
    anchors = {}
    for lang in LANGUAGES:
        texts = tuple(raw["anchors"][lang])
        if len(texts) != len(LEVELS):
            raise InstrumentDefinitionError(
                f"item {raw['id']!r}: {len(texts)} {lang} anchors, expected {len(LEVELS)}"
            )
        anchors[lang] = texts
    labels = raw["label"]
    missing = [lang for lang in LANGUAGES if not labels.get(lang)]
    if missing:
        raise InstrumentDefinitionError(f"item {raw['id']!r}: no label in {missing}")
    purpose = raw.get("purpose", "score")
    if purpose not in PURPOSES:
        raise InstrumentDefinitionError(f"item {raw['id']!r}: purpose {purpose!r}, expected one of {PURPOSES}")
    return Item(
        id=raw["id"],
        domain=domain,
        labels=MappingProxyType(dict(labels)),
        anchors=MappingProxyType(anchors),
        purpose=purpose,
    )


def parse_instrument(text: str) -> Instrument:
    raw = tomllib.loads(text)
    domains = tuple(
        Domain(
            id=d["id"],
            labels=MappingProxyType(dict(d["label"])),
            descriptions=MappingProxyType(dict(d["description"])),
            items=tuple(_item(i, d["id"]) for i in d["items"]),
        )
        for d in raw["domains"]
    )
    extras = tuple(_item(i, None) for i in raw.get("extra_items", []))
    if any(item.scored for item in extras):
        raise InstrumentDefinitionError("extra items must have purpose 'flag', 'meaning' or 'interplay'")
    instrument = Instrument(
        version=raw["version"],
        names=MappingProxyType(dict(raw["name"])),
        level_labels=MappingProxyType({lang: tuple(raw["levels"][lang]) for lang in LANGUAGES}),
        domains=domains,
        extra_items=extras,
    )
    ids = instrument.item_ids + instrument.domain_ids
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise InstrumentDefinitionError(f"duplicate ids: {duplicated}")
    return instrument


def load_instrument() -> Instrument:
    text = resources.files("complexity").joinpath("instrument.toml").read_text("utf-8")
    return parse_instrument(text)


INSTRUMENT: Instrument = load_instrument()
