"""Plan an intake (supervisors): for a team they supervise, who has room for a new case
over the next four weeks, and why. The projection is the store's (``store.planner``);
no check-in is used."""

from __future__ import annotations

import streamlit as st

from dashboard.components.context import acting_user, unit_of_work
from dashboard.components.intake_planner import render_intake_planner
from dashboard.i18n import t
from store.team import supervised_teams

user = acting_user("supervisor")
st.title(t("planner.title"))
with unit_of_work() as db:
    teams = supervised_teams(db, user)
if not teams:
    st.info(t("team.none"))
else:
    names = dict(teams)
    team_id = st.selectbox(t("team.select"), list(names), format_func=names.get, key="intake_team")
    render_intake_planner(user, team_id=team_id)
