"""The Research page's download: a format, k, and a button that has the store build the
file (``store.research_export``) only when pressed, never on a rerun. The file waits in
the session for the download button until the weeks, format or k change; the download
itself does not rerun the page. Also the current study, and starting a new one
(``store.research.new_study``)."""

from __future__ import annotations

import streamlit as st

from dashboard.components.context import show_store_error, unit_of_work
from dashboard.i18n import current_language, t, translate
from store import StoreError
from store.disclosure import DEFAULT_K
from store.research import MAX_K, MIN_GROUP, Study, new_study
from store.research_export import FORMATS, research_export

PREPARED = "research_export.prepared"  # session_state: ((format, weeks, k), ResearchExport)
FORMAT_KEY = "research_export_format"
K_KEY = "research_export_k"
BUILD_KEY = "research_export_build"
DOWNLOAD_KEY = "research_export_download"
CONFIRM_KEY = "research_new_study_confirm"
NEW_STUDY_KEY = "research_new_study"


def study_caption(study: Study) -> str:
    if study.since is None:
        return t("research_page.study_first", number=study.number)
    return t("research_page.study", number=study.number, since=f"{study.since:%d-%m-%Y}")


def export_panel(user, weeks: int, study: Study) -> None:
    """Format and k, the button that builds the file, and the download once built."""
    st.subheader(t("research_download.title"))
    st.caption(study_caption(study))
    left, right = st.columns(2)
    lang = current_language()  # the labels in this run's language, whenever Streamlit asks for them
    fmt = left.radio(t("research_download.format"), FORMATS, key=FORMAT_KEY, horizontal=True,
                     format_func=lambda f, lang=lang: translate(lang, f"research_download.format_{f}"))
    k = right.number_input(t("research_download.k"), min_value=MIN_GROUP, max_value=MAX_K, value=DEFAULT_K,
                           step=1, key=K_KEY, help=t("research_download.k_help"))
    wanted = (fmt, int(weeks), int(k))
    if st.button(t("research_download.build"), key=BUILD_KEY, icon=":material/build:"):
        try:
            with unit_of_work() as db:
                st.session_state[PREPARED] = (wanted, research_export(db, user, fmt=fmt, weeks=int(weeks), k=int(k)))
        except StoreError as error:
            show_store_error(error, what="research.refused")
            return
    prepared = st.session_state.get(PREPARED)
    if prepared is None or prepared[0] != wanted:
        st.caption(t("research_download.not_built"))
    else:
        export = prepared[1]
        report = export.disclosure
        st.download_button(t("research_download.download"), export.data, file_name=export.filename,
                           mime=export.mime, key=DOWNLOAD_KEY, on_click="ignore", icon=":material/download:")
        st.caption(t("research_download.ready", name=export.filename, participants=export.participants,
                     first=export.first_week, last=export.last_week, k=report.k,
                     generalised=report.generalised_values, suppressed=report.suppressed_values,
                     people=report.suppressed))
    _new_study(user)


def _new_study(user) -> None:
    with st.expander(t("research_download.new_study")):
        st.markdown(t("research_download.new_study_text"))
        confirmed = st.checkbox(t("research_download.new_study_confirm"), key=CONFIRM_KEY)
        if st.button(t("research_download.new_study_button"), key=NEW_STUDY_KEY, disabled=not confirmed):
            try:
                with unit_of_work() as db:
                    study = new_study(db, user)
            except StoreError as error:
                show_store_error(error)
                return
            st.session_state.pop(PREPARED, None)  # a file of the last study is not offered any more
            st.success(t("research_download.new_study_done", number=study.number))
