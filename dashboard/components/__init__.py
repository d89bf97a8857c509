"""Reusable drawing for the dashboard pages (forms, charts, flags, results)."""
