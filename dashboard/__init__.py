"""Draagkracht's Streamlit dashboard: drawing only, every number comes from ``complexity``."""
