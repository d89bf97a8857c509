"""What an import did, in the reader's language: the rows stored, or every problem that
stopped it (the first ``MAX_LISTED_PROBLEMS`` listed, all counted)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from data_schema.i18n import plural, translate
from data_schema.problems import Problem

MAX_LISTED_PROBLEMS = 10_000


@dataclass
class ImportReport:
    """What an import did: ``ok`` and ``stored`` rows, or the ``problems`` that stopped
    it (nothing stored). ``problems`` lists at most :data:`MAX_LISTED_PROBLEMS`;
    ``total_problems`` counts all."""

    kind: str
    file_name: str
    lang: str = "en"
    rows: int = 0  # data rows read from the file
    stored: int = 0
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    created_teams: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and self.total_problems == 0

    def summary(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        if self.ok:
            text = plural(lang, "cli.import.stored", self.stored, kind=self.kind, file=self.file_name)
            if self.created_teams:
                text += translate(lang, "cli.import.new_teams", teams=", ".join(self.created_teams))
            return text
        return plural(lang, "cli.import.refused", self.total_problems, file=self.file_name)

    def lines(self, lang: str | None = None) -> list[str]:
        """The summary and one line per problem."""
        lang = lang or self.lang
        out = [self.summary(lang)] + [p.message(lang) for p in self.problems]
        more = self.total_problems - len(self.problems)
        if more > 0:
            out.append(plural(lang, "cli.more_problems", more))
        return out

    def text(self, lang: str | None = None) -> str:
        return "\n".join(self.lines(lang))

    def write_csv(self, path: str | Path, lang: str | None = None) -> None:
        """The problems as CSV ``row,column,code,message`` (UTF-8; a header only when ok)."""
        lang = lang or self.lang
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "column", "code", "message"])
            for p in self.problems:
                writer.writerow(["" if p.row is None else p.row, p.column or "", p.code, p.message(lang)])


class ProblemList:
    """Collects problems: at most one per (row, column, code), the first
    MAX_LISTED_PROBLEMS listed, all counted."""

    def __init__(self) -> None:
        self.listed: list[Problem] = []
        self.total = 0
        self._seen: set[tuple] = set()
        self.cells: set[tuple[int | None, str | None]] = set()

    def add(self, problem: Problem) -> None:
        if problem.code == "too_many_problems":  # validate_table's count of what it did not list
            self.total += int(problem.params.get("more", 1))
            return
        key = (problem.row, problem.column, problem.code)
        if key in self._seen:
            return
        self._seen.add(key)
        self.cells.add((problem.row, problem.column))
        self.total += 1
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append(problem)

    def __bool__(self) -> bool:
        return self.total > 0
