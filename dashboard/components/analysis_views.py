"""What the Analyses page shows of one result: its charts with their text alternatives,
its tables and their CSV downloads, notes, in the reader's language.

A result (``store.research_results``) becomes a :class:`SectionView`: blocks drawn in
order. Each table is shown and offered as a CSV (Dutch Excel: ``;``, decimal comma,
``store.exporter.writers.csv_bytes``) holding the same numbers (rounded to
``DECIMALS`` in both), with ids as column names and the instrument and model versions in
every row; the file name says the analysis, version and weeks. Hidden cells (fewer than
five participants) are empty in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from complexity import BANDS, INSTRUMENT
from dashboard.components import analysis_charts as charts
from dashboard.components import analysis_text as words
from dashboard.i18n import catalog, format_number, t, translate
from store.exporter.writers import csv_bytes
from store.research_analyses import instrument_of
from store.research_results import BINS, Basis

DECIMALS = 4
ROW = 24  # pixels per item in the loadings heatmap


@dataclass(frozen=True)
class Chart:
    figure: go.Figure
    text: str


@dataclass(frozen=True)
class Table:
    name: str
    frame: pd.DataFrame  # shown: the CSV's columns with translated headers
    csv: bytes
    file_name: str


@dataclass(frozen=True)
class Note:
    text: str


@dataclass(frozen=True)
class SectionView:
    """Shared between reruns (``st.cache_resource``): read, never change."""

    analysis: str
    blocks: tuple[Chart | Table | Note, ...]
    basis: str


class Labels:
    """Ids -> what a reader sees, for one instrument version and language."""

    def __init__(self, version: str, lang: str) -> None:
        self.lang = lang
        self.instrument = instrument_of(version) or INSTRUMENT
        self.domains = {d.id: d.label(lang) for d in self.instrument.domains}
        self.items = {i.id: i.label(lang) for d in self.instrument.domains for i in d.items}
        self.bands = {b: translate(lang, f"band.{b}") for b in BANDS}

    def parameter(self, name: str) -> str:
        if name.startswith("weight_") and name[7:] in self.domains:
            return self.domains[name[7:]]
        return translate(self.lang, f"analyses.parameter.{name}")

    def header(self, column: object) -> str:
        key = f"analyses.col.{column}"
        if key in catalog(self.lang):
            return translate(self.lang, key)
        return self.domains.get(column, self.items.get(column, str(column)))


def basis_text(basis: Basis, lang: str) -> str:
    models = ", ".join(basis.model_versions) or "–"
    text = translate(lang, "analyses.basis", version=basis.instrument_version, models=models,
                     ratings=format_number(basis.ratings, lang), cases=format_number(basis.cases, lang),
                     participants=format_number(basis.participants, lang), first=basis.first_week,
                     last=basis.last_week)
    if not basis.defined:
        text += " " + translate(lang, "analyses.undefined_version")
    return text


def _table(name: str, frame: pd.DataFrame, labels: Labels, basis: Basis) -> Table:
    data = frame.reset_index()
    for column in data.columns:
        if pd.api.types.is_float_dtype(data[column]):
            data[column] = data[column].round(DECIMALS)
    label_of = {**labels.items, **labels.domains, **labels.bands}
    first = data.columns[0]
    if data[first].isin(list(label_of)).any():
        data.insert(1, "label", data[first].map(lambda v: label_of.get(v, "")))
    data["instrument_version"] = basis.instrument_version
    data["model_versions"] = " ".join(basis.model_versions)
    shown = data.drop(columns=["instrument_version", "model_versions"]).rename(columns=labels.header)
    file_name = f"draagkracht-{name}-{basis.instrument_version}-{basis.first_week}-{basis.last_week}.csv"
    return Table(name, shown, csv_bytes(data), file_name)


def _hidden(count: int, lang: str) -> tuple[Note, ...]:
    return (Note(translate(lang, "analyses.hidden", count=count)),) if count else ()


def items_view(result, labels: Labels) -> tuple:
    lang = labels.lang
    items = result.items
    marks = [labels.items.get(i, i) + (" ▼" if items.at[i, "floor"] is True else "")
             + (" ▲" if items.at[i, "ceiling"] is True else "") for i in items.index]
    levels = [f"{n} {name}" for n, name in enumerate(labels.instrument.level_labels[lang])]
    domain_labels = [labels.domains.get(d, d) for d in result.domains.index]
    bins = [translate(lang, "analyses.bin", bin=b) if b != "unscored" else translate(lang, "analyses.unscored")
            for b in BINS]
    blocks = [Note(translate(lang, "analyses.items.marks")), *_hidden(result.hidden, lang),
              Chart(charts.items_figure(items, marks, levels, lang), words.items_text(items, labels.items, lang)),
              _table("items", items, labels, result.basis),
              Chart(charts.bins_figure(result.domains, domain_labels, bins, lang),
                    words.bins_text(result.domains, labels.domains, lang)),
              _table("domain-scores", result.domains, labels, result.basis)]
    if result.correlations is None:
        blocks.append(Note(translate(lang, "analyses.items.no_correlations")))
    else:
        names = [labels.domains.get(d, d) for d in result.correlations.index]
        blocks += [Chart(charts.heatmap_figure(result.correlations, names, names, lang,
                                               title=translate(lang, "analyses.items.correlations_title")),
                         words.correlations_text(result.correlations, labels.domains, lang)),
                   _table("domain-correlations", result.correlations, labels, result.basis)]
    return tuple(blocks)


def _problems(table: pd.DataFrame, labels: Labels) -> tuple[Note, ...]:
    found = table["problem"].dropna()
    return tuple(Note(translate(labels.lang, "analyses.reliability.problem", domain=labels.domains.get(d, d),
                                problem=translate(labels.lang, f"analyses.problem.{code}")))
                 for d, code in found.items() if code)


def reliability_view(result, labels: Labels) -> tuple:
    lang, domains = labels.lang, result.domains
    series = {translate(lang, "analyses.col.alpha"): domains[["alpha", "alpha_low", "alpha_high"]].set_axis(
                  ["estimate", "low", "high"], axis=1),
              translate(lang, "analyses.col.omega"): domains[["omega", "omega_low", "omega_high"]].set_axis(
                  ["estimate", "low", "high"], axis=1)}
    figure = charts.interval_figure(series, [labels.domains.get(d, d) for d in domains.index], lang,
                                    title=translate(lang, "analyses.reliability.chart_title"),
                                    axis=translate(lang, "analyses.reliability.axis"))
    return (Note(translate(lang, "analyses.reliability.replicates", n_boot=result.n_boot)),
            *_problems(domains, labels), *_hidden(result.hidden, lang),
            Chart(figure, words.reliability_text(domains, labels.domains, lang)),
            _table("reliability", domains, labels, result.basis),
            _table("item-statistics", result.items, labels, result.basis))


def structure_view(result, labels: Labels) -> tuple:
    lang = labels.lang
    factors = [c for c in result.loadings.columns if str(c).startswith("F") and str(c)[1:].isdigit()]
    rows = [labels.items.get(i, i) for i in result.loadings.index]
    notes = [translate(lang, "analyses.structure.summary", factors=result.n_factors,
                       rotation=translate(lang, f"analyses.rotation.{result.rotation}"), suggested=result.suggested,
                       share=f"{format_number(result.share_recovered * 100, lang, 0)} %",
                       cases=format_number(result.n_cases, lang), dropped=format_number(result.n_dropped, lang))]
    if result.heywood or not result.converged:
        notes.append(translate(lang, "analyses.structure.careful"))
    return (*(Note(n) for n in notes),
            Chart(charts.scree_figure(result.eigenvalues, lang),
                  words.scree_text(result.eigenvalues, result.suggested, lang)),
            _table("eigenvalues", result.eigenvalues, labels, result.basis),
            Chart(charts.heatmap_figure(result.loadings[factors], rows, factors, lang, row_height=ROW,
                                        title=translate(lang, "analyses.structure.loadings_title")),
                  words.loadings_text(result.recovery, result.share_recovered, labels.domains, lang)),
            _table("loadings", result.loadings, labels, result.basis),
            _table("domain-recovery", result.recovery, labels, result.basis))


def profiles_view(result, labels: Labels) -> tuple:
    lang = labels.lang
    names = {c: translate(lang, "analyses.profiles.name", number=c,
                          cases="–" if pd.isna(result.profiles.at[c, "n_cases"])
                          else format_number(int(result.profiles.at[c, "n_cases"]), lang))
             for c in result.profiles.index}
    domains = [c for c in result.profiles.columns if c != "n_cases"]
    strength = translate(lang, f"analyses.strength.{result.strength}")
    notes = [translate(lang, "analyses.profiles.summary", k=result.k, silhouette=format_number(
        float(result.criterion.max()), lang, 2), strength=strength, cases=format_number(result.n_cases, lang),
        dropped=format_number(result.n_dropped, lang),
        cramers_v="–" if result.cramers_v is None or pd.isna(result.cramers_v)
        else format_number(result.cramers_v, lang, 2))]
    bands = result.bands
    return (*(Note(n) for n in notes), *_hidden(result.hidden, lang),
            Chart(charts.profiles_figure(result.profiles, [labels.domains.get(d, d) for d in domains],
                                         list(names.values()), lang),
                  words.profiles_text(result.profiles, labels.domains, names, lang)),
            _table("profiles", result.profiles, labels, result.basis),
            _table("bands-by-profile", bands.set_axis([str(c) for c in bands.columns], axis=1), labels, result.basis),
            _table("silhouette", result.criterion.to_frame(), labels, result.basis))


def calibration_view(result, labels: Labels) -> tuple:
    lang, table = labels.lang, result.table
    shown = table.drop(index=[p for p in ("intercept", "slope") if p in table.index])
    names = [labels.parameter(p) for p in shown.index]
    series = {translate(lang, "analyses.calibration.learned"): shown[["estimate", "low", "high"]],
              translate(lang, "analyses.calibration.expert"): shown[["expert"]].set_axis(["estimate"], axis=1).assign(
                  low=float("nan"), high=float("nan"))}
    notes = [translate(lang, "analyses.calibration.sample", ratings=format_number(result.n_ratings, lang),
                       therapists=format_number(result.n_therapists, lang), n_boot=result.n_boot,
                       incomplete=result.left_out.get("incomplete", 0), expert_model=result.expert_model_version)]
    if result.sampled:
        notes.append(translate(lang, "analyses.calibration.sampled"))
    if result.few_therapists:
        notes.append(translate(lang, "analyses.calibration.few_therapists"))
    figure = charts.interval_figure(series, names, lang, title=translate(lang, "analyses.calibration.chart_title"),
                                    axis=translate(lang, "analyses.calibration.axis"))
    return (*(Note(n) for n in notes),
            Chart(figure, words.calibration_text(shown, {p: labels.parameter(p) for p in shown.index}, lang)),
            _table("calibration", table.assign(label=[labels.parameter(p) for p in table.index])[
                ["label", *table.columns]], labels, result.basis))


BUILDERS: Mapping[str, Callable] = {"items": items_view, "reliability": reliability_view,
                                    "structure": structure_view, "profiles": profiles_view,
                                    "calibration": calibration_view}


def section_view(analysis: str, result, lang: str) -> SectionView:
    labels = Labels(result.basis.instrument_version, lang)
    return SectionView(analysis, BUILDERS[analysis](result, labels), basis_text(result.basis, lang))


def draw(view: SectionView, key: str) -> None:
    """The blocks in order: a note as text, a chart with its caption, a table with its
    download."""
    st.caption(view.basis)
    for n, block in enumerate(view.blocks):
        if isinstance(block, Note):
            st.markdown(block.text)
        elif isinstance(block, Chart):
            st.plotly_chart(block.figure, key=f"{key}_chart_{n}", config={"displayModeBar": False})
            st.caption(block.text)  # the chart in words, for a screen reader
        else:
            st.dataframe(block.frame, hide_index=True, height=min(38 + 35 * len(block.frame), 400))
            st.download_button(t("analyses.download", table=t(f"analyses.table.{block.name}")), block.csv,
                               file_name=block.file_name, mime="text/csv", key=f"{key}_download_{block.name}",
                               icon=":material/download:")


__all__ = ["Chart", "Labels", "Note", "SectionView", "Table", "basis_text", "draw", "section_view"]
