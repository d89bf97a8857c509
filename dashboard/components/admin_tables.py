"""The admin's two tables, as the admin reads them: translated column names, roles,
audit actions and subjects, local times, and a dash where there is nothing (an account
that never logged in, an actor whose account was removed)."""

from __future__ import annotations

import pandas as pd

from complexity.calendar import local_time
from dashboard.i18n import translate

DASH = "–"
SUBJECT_TYPES = ("therapist", "case", "user_account", "team", "audit_log", "export", "research_dataset", "demo", "retention",
                 "therapists", "cases", "ratings", "sessions", "checkins")  # the last five: import kinds


def _when(moment, seconds: bool = False) -> str:
    if moment is None or pd.isna(moment):
        return DASH
    return local_time(moment).strftime("%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M")


def accounts_frame(accounts: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``store.admin.accounts`` for display (without the internal id)."""
    shown = accounts.drop(columns=["user_id"]).assign(
        role=[translate(lang, f"role.{r}") for r in accounts["role"]],
        language=[translate(lang, f"admin.language.{code}") for code in accounts["language"]],
        last_login_at=[_when(a) for a in accounts["last_login_at"]],
    )
    return shown.rename(columns={c: translate(lang, f"admin.col_{c}") for c in shown.columns})


def audit_frame(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``store.audit_log.audit_page(...).lines`` for display (and its CSV)."""
    def text(values) -> list[str]:
        # pandas reads a text column with gaps as str with NaN: test for text, not for None
        return [v if isinstance(v, str) and v else DASH for v in values]

    shown = pd.DataFrame({
        "at": [_when(a, seconds=True) for a in log["at"]],
        "actor": text(log["actor"]),
        "actor_role": [translate(lang, f"role.{r}") if isinstance(r, str) else DASH for r in log["actor_role"]],
        "action": [translate(lang, f"audit.{a}") for a in log["action"]],
        "outcome": [translate(lang, f"outcome.{o}") if isinstance(o, str) else DASH for o in log["outcome"]],
        "subject_type": [translate(lang, f"subject.{s}") if s in SUBJECT_TYPES else (s if isinstance(s, str) else DASH)
                         for s in log["subject_type"]],
        "subject_id": text(log["subject_id"]),
        "detail": text(log["detail"]),
        "client_address": text(log["client_address"]),
        "session_key": text(log["session_key"]),
    })
    return shown.rename(columns={c: translate(lang, f"admin.audit_col_{c}") for c in shown.columns})
