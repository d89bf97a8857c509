"""Run the benchmarks: `python -m bench [name ...]`. Exits 1 if a ratio misses its target."""

from __future__ import annotations

import importlib
import sys
import warnings

BENCHMARKS = ("scoring", "import", "team_load", "planner", "my_teams", "dashboard", "instance_load", "research")


def main(argv: list[str]) -> int:
    warnings.simplefilter("ignore", RuntimeWarning)  # nanmean of all-NaN rows in the baseline
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    results = []
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        for comparison in module.run():
            print(comparison.report(), flush=True)
            results.append(comparison)
    targeted = [c for c in results if c.target is not None]
    missed = [c.name for c in targeted if not c.ok]
    print(f"\n{len(targeted) - len(missed)} of {len(targeted)} benchmarks within target")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
