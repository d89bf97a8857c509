"""Account: who you are logged in as, change your password, set up the second factor,
where you are logged in (and end a session there), and what happened to your account
(changes, by an admin too, and logins).

For every role. A user whose role requires a second factor and has none sees only this
page (see ``app.py``) until it is set up; a user with a temporary password until they
choose their own. Drawing only: ``dashboard.components.account_forms``.
"""

from __future__ import annotations

import streamlit as st

from dashboard.components.account_forms import password_form, show_flash, totp_section
from dashboard.components.account_history import render_history
from dashboard.components.auth import require_login
from dashboard.components.session_list import render_sessions
from dashboard.i18n import t

user = require_login()
st.title(t("account.title"))
st.markdown(t("account.who", username=user.username, role=t(f"role.{user.role}")))
show_flash()
if user.must_set_up_totp and not user.must_change_password:
    totp_section(user)  # first things first
    st.divider()
    password_form(user)
else:
    password_form(user)
    st.divider()
    totp_section(user)
st.divider()
render_sessions(user)
st.divider()
render_history(user)
