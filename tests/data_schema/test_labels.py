"""Forms name a field by its label in the user's language; a file's report keeps the
column name its header used."""

from __future__ import annotations

from data_schema.labels import column_label, form_message
from data_schema.problems import Problem


def test_a_form_names_the_field_by_its_label_in_either_language() -> None:
    problem = Problem(row=None, column="display_name", code="required")
    assert form_message(problem, "nl").startswith("Naam zoals getoond: ")
    assert form_message(problem, "en").startswith("Display name: ")
    assert "display_name" not in form_message(problem, "nl")
    # The file report is unchanged: the column as the header names it.
    assert "display_name" in problem.message("nl")


def test_a_row_stays_in_the_message_and_an_unknown_column_keeps_the_file_style() -> None:
    with_row = Problem(row=3, column="display_name", code="required")
    assert form_message(with_row, "nl").startswith("rij 3, Naam zoals getoond: ")
    unknown = Problem(row=None, column="no_such_column", code="required")
    assert column_label("no_such_column", "nl") is None
    assert form_message(unknown, "nl") == unknown.message("nl")
