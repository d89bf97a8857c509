"""docs/model.md states figures the code computes: they must still be what the code gives
(the anchor cases, the cut-offs, the rating time), its example must run, and every test it
cites must exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from complexity import DEFAULT_CONFIG
from complexity.anchors import anchors
from complexity.rating_time import rating_times

ROOT = Path(__file__).resolve().parents[2]
MODEL = (ROOT / "docs" / "model.md").read_text("utf-8")


def test_the_anchor_table_shows_the_indices_the_code_computes():
    for name, value in vars(anchors()).items():
        row = next(line for line in MODEL.splitlines() if line.startswith(f"| `{name}`"))
        assert f"| {value:.4f} |" in row, name
    cut = DEFAULT_CONFIG.scoring.index_cutoffs
    assert f"| mild | 15 | {cut.mild} |" in MODEL and f"| moderate | 35 | {cut.moderate} |" in MODEL
    assert f"| severe | 60 | {cut.severe} |" in MODEL


def test_the_rating_time_table_shows_the_estimates():
    for (lang, kind), estimate in rating_times().items():
        language = {"nl": "Dutch", "en": "English"}[lang]
        row = next(line for line in MODEL.splitlines() if line.startswith(f"| {kind}, {language} |"))
        minutes, seconds = divmod(round(estimate.total_s), 60)
        assert f"**{round(estimate.total_s)} s ({minutes} min {seconds} s)**" in row, (lang, kind)
        assert f"{estimate.words:,} at {round(estimate.words_per_minute)}/min" in row


def test_the_configuration_example_runs():
    block = re.search(r"```python\n(.*?)```", MODEL, re.S).group(1)
    namespace: dict = {}
    exec(compile(block, "docs/model.md", "exec"), namespace)  # noqa: S102 - our own documentation
    assert namespace["scores"]["model_version"].iloc[0].startswith("2.0.0+cfg.")


CITED = sorted(set(re.findall(r"`(test_[a-z0-9_]+)`", MODEL)) | set(re.findall(r"::(test_[a-z0-9_]+)", MODEL)))


@pytest.mark.parametrize("name", CITED)
def test_every_cited_test_exists(name):
    assert any(f"def {name}(" in path.read_text("utf-8") for path in (ROOT / "tests").rglob("test_*.py")), name
