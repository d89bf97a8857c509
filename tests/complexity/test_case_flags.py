"""``complexity.scoring.case_flags``: the flags of many cases in one pass, the same as
``score_case`` gives each case on its own (My week draws them for every open case)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from complexity import INSTRUMENT, score_case
from complexity.scoring import case_flags


def test_case_flags_match_score_case_row_by_row():
    rng = np.random.default_rng(7)
    n = 300
    levels = rng.integers(0, 4, size=(n, len(INSTRUMENT.item_ids))).astype(float)
    levels[rng.random(levels.shape) < 0.2] = np.nan
    levels[: n // 10, : len(INSTRUMENT.scored_item_ids) * 3 // 4] = np.nan  # a tenth hardly rated: incomplete
    frame = pd.DataFrame(levels, columns=list(INSTRUMENT.item_ids))
    frame.insert(0, "case_id", [f"C-{i:04d}" for i in range(n)])

    batch = case_flags(frame)

    one_by_one = [score_case({k: (None if pd.isna(v) else v) for k, v in row.items()}).flags
                  for row in frame.to_dict("records")]
    assert batch == one_by_one
    codes = {flag.code for flags in batch for flag in flags}
    assert codes == {"consult_now", "therapist_impact_high", "incomplete"}  # every kind exercised
    assert all(flag.subject == case for flags, case in zip(batch, frame["case_id"]) for flag in flags)

