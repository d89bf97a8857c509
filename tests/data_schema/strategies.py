"""Hypothesis strategies that build import tables from the field specs themselves.

Valid values are drawn per :class:`data_schema.spec.FieldSpec` and rendered as text in
any accepted spelling (``3``, ``3.0``, ``3,0``; ISO or Dutch dates; week labels; option
labels in any case), so a new instrument item or check-in field is covered without an
edit here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import strategies as st

from complexity.calendar import monday_of
from data_schema import fields
from data_schema.spec import FieldSpec, TableSpec

TODAY = dt.date.today()
EARLIEST = dt.date(1990, 1, 1)
PROSE_ALPHABET = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.,;:!?'()-éëïü"
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ éë"


def case_codes() -> st.SearchStrategy[str]:
    symbol = st.sampled_from(fields.CASE_CODE_ALPHABET)
    block = st.lists(symbol, min_size=4, max_size=4).map("".join)
    return st.tuples(block, block).map(lambda b: f"C-{b[0]}-{b[1]}")


def mondays(up_to: dt.date = TODAY) -> st.SearchStrategy[dt.date]:
    last = monday_of(up_to)
    return st.integers(0, 52 * 30).map(lambda k: last - dt.timedelta(weeks=k))


def value(spec: FieldSpec) -> st.SearchStrategy:
    """A valid, parsed value for ``spec`` (never None)."""
    t = spec.type
    if t == "whole":
        return st.integers(int(spec.min), int(spec.max))
    if t == "date":
        return st.dates(EARLIEST, TODAY if spec.not_future else dt.date(2100, 12, 31))
    if t == "week":
        return mondays()
    if t == "choice":
        return st.sampled_from(spec.choices)
    if t == "multi":
        return st.sets(st.sampled_from(spec.choices)).map(lambda s: tuple(c for c in spec.choices if c in s))
    if t == "username":
        return st.from_regex(r"\A[a-z0-9][a-z0-9._@-]{2,19}\Z")
    if t == "case_code":
        return case_codes()
    if t == "free_text":
        top = min(spec.max_length or 200, 200)
        return st.text(PROSE_ALPHABET, min_size=1, max_size=top).map(str.strip).filter(bool)
    if t == "text":
        top = min(spec.max_length or 60, 60)
        return st.text(LETTERS, min_size=1, max_size=top).map(str.strip).filter(bool)
    raise NotImplementedError(t)


def spelling(spec: FieldSpec, v) -> st.SearchStrategy[str]:
    """Text a user may type for the parsed value ``v``."""
    t = spec.type
    if t == "whole":
        return st.sampled_from([str(v), f"{v}.0", f"{v},0", f" {v} ", f"+{v}"])
    if t in ("date", "week"):
        forms = [v.isoformat(), f"{v.day}-{v.month}-{v.year}", f"{v:%d-%m-%Y}", f"{v:%d/%m/%Y}",
                 f"{v.day}.{v.month}.{v.year}", f"{v.isoformat()} 00:00:00"]
        if t == "week":
            year, week, _ = v.isocalendar()
            forms += [f"{year}-W{week:02d}", f"{year}W{week:02d}", f"{year}-w{week}"]
        return st.sampled_from(forms)
    if t == "choice":
        texts = [v, v.upper()] + [label for label in spec.choice_labels.get(v, {}).values()]
        return st.sampled_from(texts)
    if t == "multi":
        def spell(option):
            return st.sampled_from([option] + list(spec.choice_labels[option].values()))
        return st.tuples(*(spell(o) for o in v)).flatmap(
            lambda words: st.sampled_from(["; ", ",", "|"]).map(lambda sep: sep.join(words)))
    if t == "username":
        return st.sampled_from([v, v.upper(), f" {v} "])
    if t == "case_code":
        return st.sampled_from([v, v.lower(), v.replace("-", ""), f" {v.lower()} "])
    return st.just(v)


def empty_cell() -> st.SearchStrategy:
    return st.sampled_from(["", "  ", None])


@st.composite
def valid_rows(draw, table: TableSpec, min_rows: int = 1, max_rows: int = 8):
    """(expected parsed rows, raw text frame) for a valid table of this spec."""
    n = draw(st.integers(min_rows, max_rows))
    expected, raw = [], []
    keys = set()
    for _ in range(n):
        row, texts = {}, {}
        for spec in table.fields:
            present = spec.required or draw(st.booleans())
            if spec.type == "multi" and not present:
                row[spec.name] = ()
                texts[spec.name] = draw(empty_cell())
                continue
            if not present:
                row[spec.name] = None
                texts[spec.name] = draw(empty_cell())
                continue
            v = draw(value(spec))
            row[spec.name] = v
            texts[spec.name] = draw(spelling(spec, v))
        for earlier, later in table.order:
            if row[earlier] is not None and row[later] is not None and row[later] < row[earlier]:
                row[later] = row[earlier]
                texts[later] = row[earlier].isoformat()
        if table.at_least_one and all(row[c] is None for c in table.at_least_one):
            first = table.field(table.at_least_one[0])
            row[first.name] = draw(value(first))
            texts[first.name] = str(row[first.name])
        key = tuple(row[k] for k in table.unique)
        if table.unique and (any(k is None for k in key) is False) and key in keys:
            continue  # keys within a file are unique
        keys.add(key)
        expected.append(row)
        raw.append(texts)
    frame = pd.DataFrame(raw, columns=list(table.columns), dtype=object)
    return expected, frame
