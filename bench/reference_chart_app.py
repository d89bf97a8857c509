"""The reference for `make bench`'s time to first chart: a two-page Streamlit app whose
second page holds one plotly chart (twelve bars and a line, like the balance chart) and
nothing else. The benchmark moves from the first page to the second through the sidebar,
as it moves to My week in the real app, and times until the chart is drawn.

Run it alone with ``streamlit run bench/reference_chart_app.py``.
"""

import plotly.graph_objects as go
import streamlit as st

WEEKS = [f"2026-W{w:02d}" for w in range(1, 13)]


def start() -> None:
    st.title("Start")


def chart() -> None:
    st.title("Chart")
    figure = go.Figure()
    figure.add_bar(x=WEEKS, y=[0.8 + 0.05 * i for i in range(12)], name="load index")
    figure.add_scatter(x=WEEKS, y=[70 - 3 * i for i in range(12)], name="capacity", yaxis="y2")
    figure.update_layout(height=360, yaxis2=dict(overlaying="y", side="right"))
    st.plotly_chart(figure, key="reference_chart", config={"displayModeBar": False, "responsive": True})


st.navigation([st.Page(start, title="Start", url_path="start", default=True),
               st.Page(chart, title="Chart", url_path="chart")]).run()
