"""Navigation per role: a page is registered with ``st.navigation`` only for the roles
that may use it, so another role cannot open it, not even by its address.

``registered(at)`` reads the pages the last run registered (AppTest's record of the
navigation message, the same one the browser gets) as (URL path, title); a page's id
is the hash of its URL path. The first page is the home page, at "/".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.components import auth
from dashboard.components.rating_form import SUBMIT_KEY
from dashboard.i18n import read_catalog

NL, EN = read_catalog("nl"), read_catalog("en")
THERAPIST_PAGES = [
    ("my-week", NL["nav.my_week"]), ("my-cases", NL["nav.my_cases"]), ("check-in", NL["nav.checkin"]),
    ("my-report", NL["nav.report"]), ("my-data", NL["nav.my_data"]), ("rate-case", NL["nav.rate_case"]),
    ("rating-practice", NL["nav.rating_practice"]), ("my-account", NL["nav.account"]),
]
URL_PATHS = ("login", "my-teams", "plan-intake", "research-data", "research-analyses", "rating-agreement",
             "administration", *(path for path, _ in THERAPIST_PAGES))
THERAPIST_FILES = ("my_week", "my_cases", "checkin", "report", "my_data", "rate_case")


def registered(at: AppTest) -> list[tuple[str, str]]:
    by_hash = {calc_hash(path): path for path in URL_PATHS}
    return [(by_hash.get(page_hash, page_hash), info["page_name"])
            for page_hash, info in at._registered_pages.items()]


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def shows_rate_case(at: AppTest) -> bool:
    return NL["rate.title"] in titles(at) or EN["rate.title"] in titles(at) or bool(
        [b for b in at.button if b.key == SUBMIT_KEY])


def test_before_login_every_address_is_the_login_page(app):
    # Each page's address is registered before login (a bookmark must not get "Page not
    # found"), but every one of them is the login form, and none is in the sidebar.
    pages = registered(app)
    assert pages[0] == ("login", NL["nav.login"]) and {path for path, _ in pages} == set(URL_PATHS)
    assert not app.sidebar.get("page_link") and [t.value for t in app.title] == [NL["login.title"]]
    with pytest.raises(ValueError, match="rate_case"):
        app.switch_page("views/rate_case.py")
    assert not shows_rate_case(app)
    assert [c.value for c in app.sidebar.caption] == [NL["app.tagline"]]  # what Draagkracht is for


def test_a_therapist_gets_the_therapist_pages(logged_in, run):
    at = logged_in("therapist")
    assert registered(at) == THERAPIST_PAGES
    assert titles(at) == [NL["my_week.title"]]  # the first page is home
    at.switch_page("views/account.py")
    run(at)
    assert titles(at) == [NL["account.title"]]
    assert [b.label for b in at.sidebar.button] == [NL["auth.logout"]]
    # who is logged in; nothing decorative (each sidebar element costs every page's first draw)
    assert [c.value for c in at.sidebar.caption] == [
        NL["auth.logged_in_as"].format(username="anna", role=NL["role.therapist"])]


@pytest.mark.parametrize("role", ["supervisor", "researcher", "admin"])
def test_other_roles_get_only_their_pages(logged_in, demo_db, role):
    at = logged_in(role)
    lang = read_catalog(demo_db.languages[role])
    if role == "supervisor":
        assert registered(at) == [("my-teams", lang["nav.team"]), ("plan-intake", lang["nav.intake"]),
                                  ("my-account", lang["nav.account"])]
        assert titles(at) == [lang["team.title"]]
    elif role == "admin":
        assert registered(at) == [("administration", lang["nav.admin"]), ("my-account", lang["nav.account"])]
        assert titles(at) == [lang["admin.title"]]
    elif role == "researcher":
        assert registered(at) == [("research-data", lang["nav.research"]), ("research-analyses", lang["nav.analyses"]),
                                  ("rating-agreement", lang["nav.rating_agreement"]),
                                  ("my-account", lang["nav.account"])]
        assert titles(at) == [lang["research.title"]]
    else:
        assert registered(at) == [("my-account", lang["nav.account"])]
        assert titles(at) == [lang["account.title"]]
    for name in THERAPIST_FILES:
        with pytest.raises(ValueError, match=name):
            at.switch_page(f"views/{name}.py")  # not registered: no address leads to it
    assert not shows_rate_case(at)


def test_a_supervisor_asking_for_the_rate_case_page_gets_their_home_page(logged_in, log_in, run):
    # The therapist is on the rate-case page; then a supervisor logs in in the same
    # browser session, whose next request still asks for that page.
    at = logged_in("therapist")
    at.switch_page("views/rate_case.py")
    run(at)
    assert shows_rate_case(at)
    at.button(key=auth.LOGOUT_KEY).click()
    run(at)
    log_in(at, "sanne")
    assert not shows_rate_case(at)
    assert titles(at) == [EN["team.title"]]
    assert registered(at) == [("my-teams", EN["nav.team"]), ("plan-intake", EN["nav.intake"]),
                              ("my-account", EN["nav.account"])]


@pytest.mark.parametrize("role", [None, "supervisor"])
def test_a_view_file_name_as_an_address_opens_no_view(app, log_in, run, role):
    # The views live in views/, not pages/: Streamlit has no file-name route to run
    # views/rate_case.py without app.py. The address gives the login form, or the role's
    # own home page.
    if role:
        log_in(app, "sanne")
    app._page_hash = calc_hash("rate_case")
    run(app)
    assert not shows_rate_case(app) and not app.exception
    if role is None:
        assert app.text_input(key=auth.USERNAME_KEY)  # the login form instead
    else:
        assert titles(app) == [EN["team.title"]]


def test_no_pages_folder_and_no_streamlit_internals_patched():
    dashboard = Path(__file__).resolve().parents[2] / "dashboard"
    assert not (dashboard / "pages").exists()
    code = "".join(p.read_text("utf-8") for p in dashboard.rglob("*.py"))
    assert "PagesManager" not in code and "uses_pages_directory" not in code
