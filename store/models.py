"""Draagkracht's tables as SQLAlchemy 2 typed ORM classes.

(A little longer than 400 lines: the whole schema stays in one place to read, one
class per table; the base and column types are in ``store.orm``.)

Portable across SQLite and PostgreSQL (``store.orm``: the base with deterministic
constraint names, UTC timestamps, enumerations as strings with CHECK constraints).

Instrument and check-in columns are **generated** from ``complexity``: ``case_rating``
has one nullable SmallInteger column per ``INSTRUMENT.item_ids`` (named after the item,
CHECK 0-3) and ``weekly_checkin`` one per check-in scale field (CHECK min-max) plus one
Boolean ``action_<option id>`` per self-care action. A new item therefore needs no edit
here, only a migration: ``python -m store revision -m "add item x"`` autogenerates it,
and ``tests/store/test_migrations.py`` fails until it exists.

Notes on the data:

- ``case.code`` is the only case identifier anyone sees; it is random (see
  ``store.codes``) and never contains a name.
- ``therapy_session.weight`` is a snapshot: ``complexity.load.session_weight`` of the
  case's latest complexity when the session was recorded (``complexity`` holds that
  complexity, NULL when the case was not scored). Re-rating a case changes the weight
  of sessions recorded afterwards, never of sessions already recorded, so past weekly
  loads do not move. ``therapist_id`` is copied from the case for aggregation.
- ``audit_event`` has no foreign keys: the log must outlive accounts and never be
  changed by a cascade.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complexity import BAND_CATEGORIES, CHECKIN, INSTRUMENT
from complexity.instrument import MAX_LEVEL, MIN_LEVEL

# The vocabularies and limits are defined once, in data_schema.fields.
from data_schema.fields import (
    ALERT_KINDS, AUDIT_ACTIONS, AUDIT_OUTCOMES, CASE_CODE_LENGTH, EXPERIENCE, GOAL_STATUSES, LANGUAGES, MAX_CONTRACTED_SESSIONS,
    MAX_SESSION_MINUTES, MIN_CONTRACTED_SESSIONS, REFLECTION_MAX, ROLES, SELFCARE_ACTIONS, BURDEN_MAX,
    SESSION_END_REASONS,
)

from .orm import NAMING_CONVENTION, Base, UTCDateTime, check_in, column_name, created_at_column, utcnow


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    archived_on: Mapped[dt.date | None] = mapped_column(Date)  # no longer offered; its history stays

    therapists: Mapped[list["Therapist"]] = relationship(back_populates="team")


class TeamMembership(Base):
    """Which team a therapist belonged to from which Monday on (``store.membership``):
    a team's weekly load counts a therapist only in the weeks they belonged to it. A
    therapist without rows has always been in ``therapist.team_id``."""

    __tablename__ = "team_membership"
    __table_args__ = (UniqueConstraint("therapist_id", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapist.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    valid_from: Mapped[dt.date] = mapped_column(Date)


class Therapist(Base):
    __tablename__ = "therapist"
    __table_args__ = (
        CheckConstraint(check_in("experience", EXPERIENCE), name="experience"),
        CheckConstraint(f"contracted_sessions >= {MIN_CONTRACTED_SESSIONS} "
                        f"AND contracted_sessions <= {MAX_CONTRACTED_SESSIONS}",
                        name="contracted_sessions_range"),
        {"sqlite_autoincrement": True},  # never reuse an id: audit lines name ids
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), index=True
    )
    experience: Mapped[str] = mapped_column(String(16), default="starting")
    contracted_sessions: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    team: Mapped[Team | None] = relationship(back_populates="therapists")

    @property
    def is_starting(self) -> bool:
        return self.experience == "starting"


class UserAccount(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(check_in("role", ROLES), name="role"),
        CheckConstraint(check_in("language", LANGUAGES), name="language"),
        # A therapist account is linked to exactly one therapist; other roles to none.
        CheckConstraint(
            "(role = 'therapist' AND therapist_id IS NOT NULL) "
            "OR (role <> 'therapist' AND therapist_id IS NULL)",
            name="therapist_link",
        ),
        CheckConstraint("failed_logins >= 0", name="failed_logins"),
        {"sqlite_autoincrement": True},  # never reuse an id: audit lines name ids
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2), default="nl", server_default="nl")
    therapist_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapist.id", ondelete="RESTRICT"), unique=True
    )
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = created_at_column()
    # Login and access (store.accounts): a deactivated account cannot log in and its
    # open sessions end at their next request; sessions that began before
    # password_changed_at end too. totp_pending_secret holds a second factor being set
    # up until its first code confirms it; totp_last_counter is the time step of the
    # last accepted code (a code is accepted once). password_must_change: the password
    # was given by an admin (a temporary one); until the user chooses their own, the
    # dashboard shows only the account page.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_counter: Mapped[int | None] = mapped_column(BigInteger)
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    therapist: Mapped[Therapist | None] = relationship()


class SupervisorTeam(Base):
    __tablename__ = "supervisor_team"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Case(Base):
    __tablename__ = "case"  # a reserved word: SQLAlchemy and Alembic quote it
    __table_args__ = (
        CheckConstraint("code LIKE 'C-____-____'", name="code_format"),
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_opened"),
        {"sqlite_autoincrement": True},  # never reuse an id: audit lines name ids
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CASE_CODE_LENGTH), unique=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapist.id", ondelete="RESTRICT"), index=True
    )
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = created_at_column()

    therapist: Mapped[Therapist] = relationship()


def _item_checks() -> tuple[CheckConstraint, ...]:
    return tuple(
        CheckConstraint(
            f"{column_name(i)} >= {MIN_LEVEL} AND {i} <= {MAX_LEVEL}", name=f"{i}_range"
        )
        for i in INSTRUMENT.item_ids
    )


class CaseRating(Base):
    """One dated rating of a case: every instrument item (NULL = not rated) and the
    score the model gave, stamped with the instrument and model versions.

    Item columns are generated below the class from ``INSTRUMENT.item_ids``; read them
    with ``rating.items()`` or ``getattr(rating, item_id)``.
    """

    __tablename__ = "case_rating"
    __table_args__ = (
        Index(None, "case_id", "rated_on"),
        CheckConstraint("complexity IS NULL OR (complexity >= 0 AND complexity <= 100)",
                        name="complexity_range"),
        CheckConstraint(check_in("band", BAND_CATEGORIES), name="band"),
        CheckConstraint(f"burden IS NULL OR (burden >= 0 AND burden <= {BURDEN_MAX})", name="burden_range"),
        CheckConstraint("complexity_low IS NULL OR (complexity_low >= 0 AND complexity_low <= 100)",
                        name="complexity_low_range"),
        CheckConstraint("complexity_high IS NULL OR (complexity_high >= 0 AND complexity_high <= 100)",
                        name="complexity_high_range"),
        *_item_checks(),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    rated_on: Mapped[dt.date] = mapped_column(Date)
    rated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    complexity: Mapped[float | None] = mapped_column(Double)
    band: Mapped[str] = mapped_column(String(16))
    interaction: Mapped[float | None] = mapped_column(Double)
    # The range the score could take once the unrated items are rated (model 2.0);
    # NULL for a rating scored by model 1.0 and not rescored since.
    complexity_low: Mapped[float | None] = mapped_column(Double)
    complexity_high: Mapped[float | None] = mapped_column(Double)
    # "How heavy does this case feel to you right now?" 0-10, optional: the therapist's
    # own burden, the criterion calibration learns from (not part of the score).
    burden: Mapped[int | None] = mapped_column(SmallInteger)
    instrument_version: Mapped[str] = mapped_column(String(20))
    model_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = created_at_column()

    def items(self) -> dict[str, int | None]:
        """Item id -> level (None = not rated), in instrument order."""
        return {i: getattr(self, i) for i in INSTRUMENT.item_ids}


for _item_id in INSTRUMENT.item_ids:
    # Declarative classes accept new mapped columns by assignment.
    setattr(CaseRating, column_name(_item_id), mapped_column(_item_id, SmallInteger, nullable=True))


class RatingRescore(Base):
    """A score a rating had before ``python -m store rescore`` scored it again under a
    newer model: the history of its scores, oldest first."""

    __tablename__ = "rating_rescore"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_rating_id: Mapped[int] = mapped_column(ForeignKey("case_rating.id", ondelete="CASCADE"), index=True)
    complexity: Mapped[float | None] = mapped_column(Double)
    band: Mapped[str] = mapped_column(String(16))
    interaction: Mapped[float | None] = mapped_column(Double)
    complexity_low: Mapped[float | None] = mapped_column(Double)
    complexity_high: Mapped[float | None] = mapped_column(Double)
    model_version: Mapped[str] = mapped_column(String(40))
    rescored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TherapySession(Base):
    __tablename__ = "therapy_session"
    __table_args__ = (
        Index(None, "therapist_id", "session_date"),
        CheckConstraint(f"duration_minutes > 0 AND duration_minutes <= {MAX_SESSION_MINUTES}",
                        name="duration_range"),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("complexity IS NULL OR (complexity >= 0 AND complexity <= 100)",
                        name="complexity_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapist.id", ondelete="RESTRICT"))
    session_date: Mapped[dt.date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    complexity: Mapped[float | None] = mapped_column(Double)  # snapshot, NULL = unscored
    # The model that gave that complexity (NULL with it): load charts say which models
    # the weeks they show were weighed with.
    model_version: Mapped[str | None] = mapped_column(String(40))
    weight: Mapped[float] = mapped_column(Double)  # snapshot: session_weight(complexity)
    created_at: Mapped[dt.datetime] = created_at_column()


ACTION_COLUMNS: tuple[str, ...] = tuple(column_name(f"action_{a}") for a in SELFCARE_ACTIONS)


def _scale_checks() -> tuple[CheckConstraint, ...]:
    return tuple(
        CheckConstraint(
            f"{column_name(f.id)} >= {f.min} AND {f.id} <= {f.max}", name=f"{f.id}_range"
        )
        for f in CHECKIN.scale_fields
    )


class WeeklyCheckin(Base):
    """A therapist's check-in for one ISO week (``week_start`` is its Monday).

    Scale columns (one per ``CHECKIN.scale_ids``, NULL = not answered) and
    ``action_<id>`` columns are generated below the class. Health data of the
    therapist: readable by that therapist only.
    """

    __tablename__ = "weekly_checkin"
    __table_args__ = (
        UniqueConstraint("therapist_id", "week_start"),
        CheckConstraint(f"reflection IS NULL OR length(reflection) <= {REFLECTION_MAX}",
                        name="reflection_length"),
        CheckConstraint("capacity_score IS NULL OR (capacity_score >= 0 AND capacity_score <= 100)",
                        name="capacity_score_range"),
        *_scale_checks(),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapist.id", ondelete="CASCADE"))
    week_start: Mapped[dt.date] = mapped_column(Date)
    reflection: Mapped[str | None] = mapped_column(Text)
    capacity_score: Mapped[float | None] = mapped_column(Double)
    checkin_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = created_at_column()

    def answers(self) -> dict[str, object]:
        """The check-in as the form's answers: scale values, ``selfcare_actions`` (list
        of option ids) and ``reflection``."""
        out: dict[str, object] = {f: getattr(self, f) for f in CHECKIN.scale_ids}
        out["selfcare_actions"] = [a for a, c in zip(SELFCARE_ACTIONS, ACTION_COLUMNS) if getattr(self, c)]
        out["reflection"] = self.reflection
        return out


for _field in CHECKIN.scale_fields:
    setattr(WeeklyCheckin, column_name(_field.id), mapped_column(_field.id, SmallInteger, nullable=True))
for _col in ACTION_COLUMNS:
    setattr(
        WeeklyCheckin, _col,
        mapped_column(_col, Boolean, nullable=False, default=False, server_default=false()),
    )


class SelfcareGoal(Base):
    __tablename__ = "selfcare_goal"
    __table_args__ = (
        Index(None, "therapist_id", "week_start"),
        CheckConstraint(check_in("status", GOAL_STATUSES), name="status"),
        CheckConstraint("review_week >= week_start", name="review_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapist.id", ondelete="CASCADE"))
    week_start: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    resource: Mapped[str | None] = mapped_column(String(200))
    review_week: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    created_at: Mapped[dt.datetime] = created_at_column()


class ShareGrant(Base):
    """A therapist shares reports of ``period_start..period_end`` with one supervisor,
    until ``revoked_at``."""

    __tablename__ = "share_grant"
    __table_args__ = (
        CheckConstraint("period_end >= period_start", name="period_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapist.id", ondelete="CASCADE"), index=True
    )
    supervisor_user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = created_at_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AlertReview(Base):
    """A supervisor marked an alert as discussed (``store.alerts``). An alert is named by
    its kind, the therapist, its subject (a case code for ``consult_now``, else empty) and
    the week or day its cause began (``since``); no free text about the person."""

    __tablename__ = "alert_review"
    __table_args__ = (
        CheckConstraint(check_in("kind", ALERT_KINDS), name="kind"),
        UniqueConstraint("kind", "therapist_id", "subject", "since"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapist.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(32), default="")
    since: Mapped[dt.date] = mapped_column(Date)
    discussed_on: Mapped[dt.date] = mapped_column(Date)
    discussed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = created_at_column()


class LoginSession(Base):
    """A login session (``store.accounts.sessions``): the browser holds a random token in
    an ``HttpOnly`` cookie, the database only its SHA-256 digest. ``handoff_digest`` is
    the digest of a one-time ticket (valid until ``handoff_expires_at``) that the browser
    exchanges for the cookie right after the login. A session is over once ``ended_at``
    is set (``end_reason`` says why) or by the idle and absolute limits."""

    __tablename__ = "login_session"
    __table_args__ = (
        CheckConstraint(check_in("end_reason", SESSION_END_REASONS), name="end_reason"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # a password change after this ends it
    client_address: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(64))
    handoff_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    handoff_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    notices: Mapped[str | None] = mapped_column(Text)  # JSON: told once, on the first page after the cookie
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(24))


class ResearchConsent(Base):
    __tablename__ = "research_consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapist.id", ondelete="CASCADE"), index=True
    )
    research_id: Mapped[str] = mapped_column(String(32), unique=True)  # random token
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """One access-log line (NEN 7513): when, who (account and role), on whose behalf, on
    which subject, what (action, detail), from where (client address, session) and with
    which outcome. Never holds clinical or wellbeing content.

    Append-only and chained (``store.audit``): ``seq`` numbers the lines in the order
    they were chained, ``hash`` is a SHA-256 over the line and ``prev_hash`` (the hash
    of line ``seq - 1``); a trigger refuses every UPDATE and DELETE (revision 0007)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index(None, "subject_type", "subject_id"),
        Index(None, "seq", unique=True),
        CheckConstraint(check_in("action", AUDIT_ACTIONS), name="action"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    on_behalf_of_user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    actor_role: Mapped[str | None] = mapped_column(String(16))  # the role when it happened
    outcome: Mapped[str | None] = mapped_column(String(8))  # AUDIT_OUTCOMES; None: before 0007
    session_key: Mapped[str | None] = mapped_column(String(16))  # a digest of the session id
    client_address: Mapped[str | None] = mapped_column(String(64))
    seq: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditChain(Base):
    """The head of the audit chain (one row, id 1): the last line chained. Verifying
    compares the chain's end with it, so lines cut off the end are found too."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_hash: Mapped[str] = mapped_column(String(64))


class PracticeVignette(Base):
    """A written case vignette a researcher or admin added to the rating practice
    (``store.rating_practice``; Draagkracht's own are files in ``store/vignettes/``):
    fictional, its texts checked by the identifier guard, ``reference`` the reference
    rating as JSON (item id -> level, every item of ``instrument_version``)."""

    __tablename__ = "practice_vignette"
    __table_args__ = (
        CheckConstraint(check_in("band", BAND_CATEGORIES[:-1]), name="band"),  # the bands, not "incomplete"
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(16), unique=True)
    band: Mapped[str] = mapped_column(String(16))
    instrument_version: Mapped[str] = mapped_column(String(20))
    title_nl: Mapped[str] = mapped_column(String(120))
    title_en: Mapped[str] = mapped_column(String(120))
    text_nl: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(Text)
    added_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = created_at_column()


class PracticeRating(Base):
    """A therapist's rating of a vignette in the rating practice (``store.rating_practice``):
    never a case rating (no case, its own table). One per therapist, vignette and
    instrument version: the first impression is what the practice compares. Its levels
    are rows of ``practice_rating_item``."""

    __tablename__ = "practice_rating"
    __table_args__ = (UniqueConstraint("vignette_key", "therapist_id", "instrument_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vignette_key: Mapped[str] = mapped_column(String(16))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapist.id", ondelete="CASCADE"), index=True)
    instrument_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = created_at_column()


class PracticeRatingItem(Base):
    """One item's level in a practice rating."""

    __tablename__ = "practice_rating_item"
    __table_args__ = (CheckConstraint(f"level >= {MIN_LEVEL} AND level <= {MAX_LEVEL}", name="level_range"),)

    rating_id: Mapped[int] = mapped_column(ForeignKey("practice_rating.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger)


__all__ = [
    "ACTION_COLUMNS", "ALERT_KINDS", "AUDIT_ACTIONS", "AUDIT_OUTCOMES", "AlertReview", "AuditChain", "AuditEvent", "BURDEN_MAX", "RatingRescore", "Base", "Case", "CaseRating", "EXPERIENCE",
    "GOAL_STATUSES", "LANGUAGES", "LoginSession", "NAMING_CONVENTION", "PracticeRating", "PracticeRatingItem",
    "PracticeVignette", "ROLES", "ResearchConsent", "SELFCARE_ACTIONS",
    "SelfcareGoal", "ShareGrant", "SupervisorTeam", "Team", "TeamMembership", "Therapist", "TherapySession",
    "UTCDateTime", "UserAccount", "WeeklyCheckin", "utcnow",
]
