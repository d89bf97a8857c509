"""The research analyses' charts in words: one text per chart, the caption right under it
(as ``components.chart_text`` does for the other pages: what a screen-reader user gets
instead of the picture). Each names the figures a sighted reader takes from the chart.

Pure functions of the tables the charts are drawn from; ``labels`` map ids (items,
domains) to what the chart shows.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from dashboard.i18n import format_number, translate


def _n(value: float, lang: str, decimals: int = 2) -> str:
    return "–" if value is None or pd.isna(value) else format_number(float(value), lang, decimals)


def _pct(value: float, lang: str) -> str:
    return "–" if value is None or pd.isna(value) else f"{format_number(float(value) * 100, lang, 0)} %"


def _words(lang: str, key: str, **params: object) -> str:
    return f"{translate(lang, 'chart_text.prefix')} {translate(lang, key, **params)}"


def _names(ids, labels: Mapping[str, str], lang: str) -> str:
    return ", ".join(labels.get(i, str(i)) for i in ids) or translate(lang, "analyses.text.none")


def items_text(items: pd.DataFrame, labels: Mapping[str, str], lang: str) -> str:
    """Floor and ceiling effects (the items the chart marks), the least often rated item."""
    floor = items.index[items["floor"].eq(True)]
    ceiling = items.index[items["ceiling"].eq(True)]
    unrated = items["share_unrated"]
    most = unrated.idxmax() if unrated.notna().any() else None
    return _words(lang, "analyses.text.items", count=len(items), floor=len(floor), ceiling=len(ceiling),
                  floor_items=_names(floor, labels, lang), ceiling_items=_names(ceiling, labels, lang),
                  unrated_item=labels.get(most, "–") if most is not None else "–",
                  unrated=_pct(unrated.get(most), lang) if most is not None else "–")


def bins_text(domains: pd.DataFrame, labels: Mapping[str, str], lang: str) -> str:
    """Per domain the share of cases scoring 2 or more (the two top bins)."""
    parts = []
    for domain, row in domains.iterrows():
        top = row[["2-2.5", "2.5-3"]]
        parts.append(f"{labels.get(domain, domain)} {'–' if top.isna().any() else _pct(top.sum(), lang)}")
    return _words(lang, "analyses.text.bins", parts="; ".join(parts))


def correlations_text(matrix: pd.DataFrame, labels: Mapping[str, str], lang: str) -> str:
    """The lowest and highest correlation between two different domains."""
    values = matrix.to_numpy(dtype=float)
    upper = [(values[i, j], i, j) for i in range(len(values)) for j in range(i + 1, len(values))
             if np.isfinite(values[i, j])]
    if not upper:
        return _words(lang, "analyses.text.none_computed")
    low, high = min(upper), max(upper)

    def pair(i: int, j: int) -> str:
        return f"{labels.get(matrix.index[i], matrix.index[i])} – {labels.get(matrix.columns[j], matrix.columns[j])}"

    return _words(lang, "analyses.text.correlations", low=_n(low[0], lang), low_pair=pair(*low[1:]),
                  high=_n(high[0], lang), high_pair=pair(*high[1:]))


def reliability_text(domains: pd.DataFrame, labels: Mapping[str, str], lang: str) -> str:
    """Each domain's alpha and omega with their intervals, as the chart marks them (alpha
    can be there without omega: omega needs more than alpha does)."""
    def domain(d: str, r: pd.Series) -> str:
        values = dict(domain=labels.get(d, d), alpha=_n(r["alpha"], lang), alpha_low=_n(r["alpha_low"], lang),
                      alpha_high=_n(r["alpha_high"], lang))
        if pd.isna(r["alpha"]):
            return translate(lang, "analyses.text.reliability_missing", domain=values["domain"])
        if pd.isna(r["omega"]):
            return translate(lang, "analyses.text.reliability_alpha_only", **values)
        return translate(lang, "analyses.text.reliability_domain", **values, omega=_n(r["omega"], lang),
                         omega_low=_n(r["omega_low"], lang), omega_high=_n(r["omega_high"], lang))

    return _words(lang, "analyses.text.reliability", parts="; ".join(domain(d, r) for d, r in domains.iterrows()))


def scree_text(eigenvalues: pd.DataFrame, suggested: int, lang: str) -> str:
    """The chart's two lines, the first six points of each, and the suggestion."""
    first, random = (", ".join(_n(v, lang) for v in eigenvalues[line].head(6)) for line in ("observed", "random"))
    return _words(lang, "analyses.text.scree", count=len(eigenvalues), first=first, random=random,
                  suggested=suggested)


def loadings_text(recovery: pd.DataFrame, share: float, labels: Mapping[str, str], lang: str) -> str:
    parts = [translate(lang, "analyses.text.loadings_domain", domain=labels.get(d, d),
                       factor=r["factor"] if isinstance(r["factor"], str) else "–",
                       share=_pct(r["share_on_factor"], lang)) for d, r in recovery.iterrows()]
    return _words(lang, "analyses.text.loadings", share=_pct(share, lang), parts="; ".join(parts))


def profiles_text(profiles: pd.DataFrame, labels: Mapping[str, str], names: Mapping[object, str], lang: str) -> str:
    parts = []
    for cluster, row in profiles.iterrows():
        scores = row.drop("n_cases")
        if scores.isna().all():
            parts.append(translate(lang, "analyses.text.profile_hidden", name=names[cluster]))
            continue
        parts.append(translate(lang, "analyses.text.profile", name=names[cluster], mean=_n(scores.mean(), lang),
                               highest=labels.get(scores.idxmax(), scores.idxmax()), high=_n(scores.max(), lang),
                               lowest=labels.get(scores.idxmin(), scores.idxmin()), low=_n(scores.min(), lang)))
    return _words(lang, "analyses.text.profiles", count=len(profiles), parts="; ".join(parts))


def calibration_text(table: pd.DataFrame, labels: Mapping[str, str], lang: str) -> str:
    parts = [translate(lang, "analyses.text.calibration_parameter", parameter=labels.get(p, p),
                       expert=_n(r["expert"], lang), estimate=_n(r["estimate"], lang), low=_n(r["low"], lang),
                       high=_n(r["high"], lang)) for p, r in table.iterrows()]
    return _words(lang, "analyses.text.calibration", parts="; ".join(parts))


__all__ = ["bins_text", "calibration_text", "correlations_text", "items_text", "loadings_text", "profiles_text",
           "reliability_text", "scree_text"]
