"""Timing helpers: interleaved repeats, medians, and a ratio checked against a target."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Comparison:
    name: str
    subject: str
    baseline: str
    subject_seconds: float
    baseline_seconds: float
    target: float | None  # None: shown for information, checked against nothing

    @property
    def ratio(self) -> float:
        return self.subject_seconds / self.baseline_seconds

    @property
    def ok(self) -> bool:
        return self.target is None or self.ratio <= self.target

    def report(self) -> str:
        verdict = "OK" if self.ok else "OVER TARGET"
        return (
            f"{self.name}\n"
            f"  {self.subject:<48} {self.subject_seconds * 1000:10.1f} ms (median)\n"
            f"  {self.baseline:<48} {self.baseline_seconds * 1000:10.1f} ms (median)\n"
            + (f"  ratio {self.ratio:.2f}  (information, no target)" if self.target is None
               else f"  ratio {self.ratio:.2f}  (target <= {self.target:g})  {verdict}")
        )


def compare(
    name: str,
    subject: tuple[str, Callable[[], object]],
    baseline: tuple[str, Callable[[], object]],
    *,
    target: float | None,
    repeats: int = 5,
    warmup: int = 1,
) -> Comparison:
    """Time subject and baseline alternately (so both see the same machine noise) and
    compare their medians."""
    def timed(fn: Callable[[], object]) -> Callable[[], float]:
        def run() -> float:
            t0 = time.perf_counter()
            fn()
            return time.perf_counter() - t0
        return run

    subject_seconds, baseline_seconds = interleaved_medians(
        timed(subject[1]), timed(baseline[1]), repeats=repeats, warmup=warmup)
    return Comparison(name, subject[0], baseline[0], subject_seconds, baseline_seconds, target)


def interleaved_medians(subject: Callable[[], float], baseline: Callable[[], float], *,
                        repeats: int, warmup: int = 1) -> tuple[float, float]:
    """Medians of the seconds each function reports, over ``repeats`` interleaved tries
    (which side goes first alternates) after ``warmup`` tries of each."""
    for _ in range(warmup):
        subject()
        baseline()
    subject_times: list[float] = []
    baseline_times: list[float] = []
    for i in range(repeats):
        pairs = [(subject, subject_times), (baseline, baseline_times)]
        for fn, times in (reversed(pairs) if i % 2 else pairs):
            times.append(fn())
    return statistics.median(subject_times), statistics.median(baseline_times)
