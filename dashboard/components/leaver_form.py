"""The admin's form to erase a leaver: a deactivated account, its username typed to
confirm. The store decides (``store.leavers``): the admin never sees the data erased."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.context import show_store_error, unit_of_work
from dashboard.i18n import t
from store import StoreError
from store.leavers import erase_leaver


def render_erase_leaver(user, accounts: pd.DataFrame) -> None:
    leavers = accounts[~accounts["active"].astype(bool)]
    names = dict(zip(leavers["user_id"], leavers["username"]))
    st.caption(t("admin.erase_help"))
    if not names:
        st.markdown(t("admin.erase_none"))
        return
    with st.form("erase_leaver_form", enter_to_submit=False):
        target = st.selectbox(t("admin.erase_who"), list(names), format_func=names.get, key="erase_who")
        typed = st.text_input(t("admin.erase_confirm"), key="erase_confirm")
        if st.form_submit_button(t("admin.erase_submit"), key="erase_submit", type="primary"):
            try:
                with unit_of_work() as db:
                    erase_leaver(db, user, target, typed)
                st.session_state["admin.notice"] = t("admin.erased", username=names[target])
                st.rerun()
            except StoreError as error:
                show_store_error(error)
