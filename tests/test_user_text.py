"""Every word a user reads comes from a catalog (dashboard/i18n, data_schema/i18n, or the
instrument's own definitions), in Dutch and English. These tests read the code and fail
when a text a person would read is written into it instead:

- a Streamlit call in the dashboard with a literal text as its label, body or help;
- a problem or a refused store call (``InvalidInput``) made with a text instead of a
  code and parameters;
- a command-line message (``print``, ``write``, ``say``/``error`` with something that is
  not a catalog key, a ``Failed`` without a catalog ``Text``).

Log lines for the operator (``logging``) and exception texts for developers are not
user-facing and are left alone.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = re.compile(r"[A-Za-zÀ-ÿ]{2,}")
KEY = re.compile(r"^[a-z_]+(\.[a-z_0-9]+)+$")  # a catalog key, e.g. "cli.export.failed"
# Streamlit functions whose first argument (and these keywords) a person reads.
TEXT_FUNCTIONS = {
    "title", "header", "subheader", "markdown", "caption", "text", "write", "error", "warning", "info", "success",
    "toast", "button", "form_submit_button", "download_button", "link_button", "checkbox", "toggle", "radio",
    "selectbox", "multiselect", "slider", "select_slider", "text_input", "text_area", "number_input",
    "date_input", "time_input", "file_uploader", "metric", "expander", "popover", "spinner", "status",
}
TEXT_KEYWORDS = {"label", "help", "placeholder", "body", "caption", "title", "text"}
LOGGERS = {"LOG", "log", "logger", "logging"}


def _modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def _literal(node: ast.AST) -> str | None:
    """The literal text of a string or f-string argument (its fixed parts)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


def _words(node: ast.AST) -> bool:
    text = _literal(node)
    return bool(text and WORDS.search(text) and not KEY.match(text))


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call):
            yield node


def _name(call: ast.Call) -> str:
    return ast.unparse(call.func)


def test_streamlit_calls_take_their_texts_from_the_catalog():
    found = []
    for path in _modules("dashboard"):
        for call in _calls(path):
            func = call.func
            if not isinstance(func, ast.Attribute) or func.attr not in TEXT_FUNCTIONS:
                continue
            if isinstance(func.value, ast.Name) and func.value.id in LOGGERS:
                continue
            texts = call.args[:1] + [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]
            found += [f"{path.relative_to(ROOT)}:{call.lineno} {_name(call)}" for a in texts if _words(a)]
    assert found == []


def test_problems_and_refusals_carry_codes_not_texts():
    found = []
    for path in _modules("complexity", "data_schema", "store", "dashboard"):
        for call in _calls(path):
            name = _name(call)
            if name in ("InvalidInput", "CheckinExists", "errors.InvalidInput"):
                found += [f"{path.relative_to(ROOT)}:{call.lineno} {name}" for a in call.args if _literal(a) is not None]
            elif name in ("Problem.make", "Problem", "refuse", "RuleError", "ctx.add"):
                code, *rest = call.args or [None]
                if code is not None and _literal(code) is not None and not re.fullmatch(r"[a-z_.]+", _literal(code)):
                    found.append(f"{path.relative_to(ROOT)}:{call.lineno} {name} code {_literal(code)!r}")
                values = rest + [k.value for k in call.keywords]
                found += [f"{path.relative_to(ROOT)}:{call.lineno} {name}" for a in values
                          if _literal(a) and " " in _literal(a) and WORDS.search(_literal(a))]
    assert found == []


def test_command_line_messages_come_from_the_catalog():
    found = []
    writer = ROOT / "data_schema" / "cli" / "__init__.py"
    for path in _modules("complexity", "data_schema", "store", "dashboard"):
        for call in _calls(path):
            name, where = _name(call), f"{path.relative_to(ROOT)}:{call.lineno}"
            if name == "print" and path != writer:
                found.append(f"{where} print()")
            elif name in ("write", "error", "say", "say_count", "cli.say", "cli.error", "cli.write"):
                found += [f"{where} {name}" for a in call.args if _words(a)]
            elif name == "Failed":
                first = call.args[0] if call.args else None
                if not (isinstance(first, ast.Call) and _name(first) == "Text"):
                    found.append(f"{where} Failed without a catalog Text")
    assert found == []


def test_the_checks_catch_what_they_are_for():
    """The scans above would see a literal text (a guard against a scan that finds nothing)."""
    sample = ast.parse('st.button("Opslaan")\nraise InvalidInput("bad")\nprint("done")\nsay(lang, "Done!")')
    calls = [n for n in ast.walk(sample) if isinstance(n, ast.Call)]
    assert [_words(c.args[-1]) for c in calls if c.args] == [True, True, True, True]
    assert not _words(ast.parse('"cli.export.failed"').body[0].value)
