"""My teams (supervisors): each team at a glance (who needs attention first), the alerts
to act on (and a link to plan an intake), the load heatmap, and the reports therapists
chose to share. Never check-in content unless shared."""

from __future__ import annotations

import streamlit as st

from dashboard.components.balance import balance_caption, balance_figure, load_models_caption
from dashboard.components.chart_text import balance_text, team_load_text
from dashboard.components.context import acting_user, show_store_error, unit_of_work
from dashboard.components.alerts_view import render_team_alerts
from dashboard.components.flags import render_period_flags
from dashboard.components.report import report_html, report_tables
from dashboard.components.team_cache import team_view
from dashboard.i18n import current_language, t
from complexity.calendar import iso_week_label
from store import StoreError
from store.overview import period_report
from store.team import shared_with_me, supervised_teams

lang = current_language()
user = acting_user("supervisor")
st.title(t("team.title"))
st.caption(t("team.privacy"))
with unit_of_work() as db:
    teams = supervised_teams(db, user)
    shares = shared_with_me(db, user)
if not teams:
    st.info(t("team.none"))
else:
    # Every element costs each rerun (make bench my_teams: a warm rerun at most 3x an
    # empty page's), so the page draws what is needed: a team choice only when there is
    # one, the order's explanation as the heading's help, the heatmap on request (the
    # trend column shows the same weeks).
    names = dict(teams)
    team_id = (st.selectbox(t("team.select"), list(names), format_func=names.get, key="team_select")
               if len(names) > 1 else next(iter(names)))
    cached = team_view(user, team_id, lang)  # the store's access rules apply when it is computed
    view = cached.overview
    st.subheader(t("team.glance_title", team=names[team_id]), help=t("team.glance_help"))
    st.dataframe(cached.table, hide_index=True, key="team_table", column_config=cached.columns)
    st.subheader(t("team.alerts_title"))
    render_team_alerts(user, view.alerts)
    st.page_link("views/intake.py", label=t("team.planner_link"), icon=":material/person_add:")
    if st.toggle(t("team.heatmap_show"), key="team_heatmap_show"):
        st.plotly_chart(cached.heatmap, key="team_heatmap", config={"displayModeBar": False})
        st.caption(team_load_text(view.load, lang, week=iso_week_label(view.last_complete)))  # in words
        st.caption(load_models_caption(view.load, lang))

st.subheader(t("team.shared_title"))
if not shares:
    st.markdown(t("team.no_shared"))
else:
    labels = {s.grant_id: t("team.shared_line", therapist=s.therapist, start=s.period_start.strftime("%d-%m-%Y"),
                            end=s.period_end.strftime("%d-%m-%Y")) for s in shares}
    chosen = st.selectbox(t("team.shared_select"), list(labels), format_func=labels.get, index=None,
                          placeholder=t("team.shared_placeholder"), key="shared_select")
    if chosen is not None:
        share = next(s for s in shares if s.grant_id == chosen)
        try:
            with unit_of_work() as db:  # logged: the therapist sees this read in My data
                report = period_report(db, user, share.period_start, share.period_end,
                                       therapist_id=share.therapist_id)
        except StoreError as error:
            show_store_error(error)
            st.stop()
        st.plotly_chart(balance_figure(report.balance, lang), key="shared_balance",
                        config={"displayModeBar": False})
        st.caption(balance_text(report.balance, lang))  # the chart in words, for a screen reader
        st.caption(balance_caption(report.balance, lang))
        tables = report_tables(report, lang)
        st.dataframe(tables.weeks, hide_index=True)
        render_period_flags(tables.flags, lang)
        # The same HTML file the therapist downloads (the read above is the logged one).
        st.download_button(t("team.shared_download"), report_html(report, lang, who=share.username or share.therapist),
                           file_name=f"draagkracht-report-{share.period_start}-{share.period_end}.html",
                           mime="text/html", key="shared_download")
