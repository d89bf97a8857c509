"""Draagkracht dashboard entry point: ``streamlit run dashboard/app.py``.

Sets up the page, the language selector (Dutch by default, kept in
``st.session_state["language"]``; once logged in, the language stored with the account,
read on every run: a change in the selector is stored at once and follows the user into
their other open sessions and the next login), the login, and the navigation per role:
before login every address shows the login page; after login only the pages of the user's role are
registered with ``st.navigation``, so another role's page cannot be reached, not even
by its URL. A user whose role requires a second factor and has none gets only the
account page until it is set up, as does a user with a temporary password until they
choose their own. Each page lives in ``views/`` (not ``pages/``: that folder name would
switch on Streamlit's older file-based page routing beside ``st.navigation``); to add
one, define it below and add it to the roles in ``PAGES_BY_ROLE``.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from dashboard.components import auth  # noqa: E402
from dashboard.components.database import db_session  # noqa: E402
from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGE_KEY, LANGUAGES, t, translate  # noqa: E402
from store.accounts import set_language, totp_required_roles  # noqa: E402
from store.health import classify  # noqa: E402

LOG = logging.getLogger("draagkracht.dashboard")
VIEWS_DIR = Path(__file__).resolve().parent / "views"

if LANGUAGE_KEY not in st.session_state:
    st.session_state[LANGUAGE_KEY] = DEFAULT_LANGUAGE

# The icon is a file of ours: a Material icon as page_icon is fetched from Google's font
# server by the browser (a request to a third party, and refused by our CSP).
st.set_page_config(page_title=t("app.title"), page_icon=str(Path(__file__).resolve().parent / "favicon.png"),
                   layout="centered")

try:
    totp_required_roles()  # a misconfigured requirement must not be ignored
except ValueError as error:
    LOG.error("Draagkracht configuration error: %s", error)  # for the operator, in the server log
    st.error(t("app.config_error"))
    st.stop()

def _database_problem(error: SQLAlchemyError) -> None:
    """The database cannot serve the app: the cause in the server log, to the user what it
    is (unreachable or damaged, ``store.health``), and this run ends."""
    kind = classify(error)
    LOG.error("database %s: %s: %s", kind, type(error).__name__, getattr(error, "orig", None) or error)
    st.error(t(f"app.database_{kind}"))
    st.stop()


try:
    user = auth.current_user()
except SQLAlchemyError as error:
    _database_problem(error)
if user is not None:
    # The account is where a logged-in user's language lives: a change in the selector
    # is stored before this run (_store_language), so this only matters where the
    # selector's own state was lost (AppTest loses it on a page's st.rerun()).
    st.session_state[LANGUAGE_KEY] = user.language


def _store_language() -> None:
    acting = auth.current_user()  # the session rules apply to callbacks too
    if acting is not None:
        with db_session() as session:
            set_language(session, acting, st.session_state[LANGUAGE_KEY])


with st.sidebar:
    st.radio(
        t("language.label"),
        LANGUAGES,
        format_func=lambda code: translate(code, "language.name"),  # each name in its own language
        key=LANGUAGE_KEY,
        horizontal=True,
        on_change=_store_language,
    )


def _page(file: str, url_path: str, title_key: str, icon: str) -> st.Page:
    return st.Page(VIEWS_DIR / file, title=t(title_key), icon=icon, url_path=url_path)


# role -> its pages as (file, URL path, title key, icon); the first is the home page. A
# page not listed for a role is not registered for it, so that role cannot open it.
MY_WEEK = ("my_week.py", "my-week", "nav.my_week", ":material/home:")
MY_CASES = ("my_cases.py", "my-cases", "nav.my_cases", ":material/folder_open:")
CHECKIN = ("checkin.py", "check-in", "nav.checkin", ":material/edit_note:")
REPORT = ("report.py", "my-report", "nav.report", ":material/description:")
MY_DATA = ("my_data.py", "my-data", "nav.my_data", ":material/shield_person:")
RATE_CASE = ("rate_case.py", "rate-case", "nav.rate_case", ":material/assignment:")
ACCOUNT = ("account.py", "my-account", "nav.account", ":material/manage_accounts:")
TEAM = ("team.py", "my-teams", "nav.team", ":material/groups:")
INTAKE = ("intake.py", "plan-intake", "nav.intake", ":material/person_add:")
RESEARCH = ("research.py", "research-data", "nav.research", ":material/science:")
ANALYSES = ("research_analyses.py", "research-analyses", "nav.analyses", ":material/analytics:")
ADMINISTRATION = ("admin.py", "administration", "nav.admin", ":material/admin_panel_settings:")
RATING_PRACTICE = ("rating_practice.py", "rating-practice", "nav.rating_practice", ":material/school:")
RATING_AGREEMENT = ("rating_agreement.py", "rating-agreement", "nav.rating_agreement", ":material/compare_arrows:")
PAGES_BY_ROLE: dict[str, list[tuple[str, str, str, str]]] = {
    "therapist": [MY_WEEK, MY_CASES, CHECKIN, REPORT, MY_DATA, RATE_CASE, RATING_PRACTICE, ACCOUNT],
    "supervisor": [TEAM, INTAKE, ACCOUNT],
    "researcher": [RESEARCH, ANALYSES, RATING_AGREEMENT, ACCOUNT],
    "admin": [ADMINISTRATION, ACCOUNT],
}

if user is None:
    # A bookmark or a link to a page, opened before login: its address shows the login
    # form (not Streamlit's "Page not found"), and after login the address opens that
    # page if the user's role has it (else the role's home page).
    known = dict.fromkeys(spec for specs in PAGES_BY_ROLE.values() for spec in specs)
    pages = [st.Page(auth.login_form, title=t("nav.login"), icon=":material/login:", url_path="login", default=True),
             *(st.Page(auth.login_form, title=t(title_key), url_path=path) for _, path, title_key, _ in known)]
    navigation = st.navigation(pages, position="hidden")
    st.session_state[auth.NEXT_PAGE_KEY] = navigation.url_path  # where the login returns to
else:
    pages = [_page(*spec) for spec in ([ACCOUNT] if user.account_page_only else PAGES_BY_ROLE[user.role])]
    navigation = st.navigation(pages)
if user is not None and auth.handing_over():
    st.caption(t("auth.opening"))  # the browser is on its way to /auth/session and back
    st.stop()
with st.sidebar:
    if user is not None:
        auth.logout_button(user)
        auth.session_watchdog()
    else:  # what Draagkracht is for, before login; after it, every element here costs each page
        st.caption(t("app.tagline"))
try:
    with auth.checked_for_run(user):  # the page's login check reuses this run's
        navigation.run()
except SQLAlchemyError as error:
    _database_problem(error)
except Exception:  # a bug or an outage: the user gets a plain message, the log gets the traceback
    LOG.exception("page %s failed", navigation.url_path)
    st.error(t("error.unexpected"))
