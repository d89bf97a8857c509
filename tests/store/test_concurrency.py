"""Twenty therapists saving check-ins at the same moment, each through sessions of their
own on one engine: every save that returned is stored, and no "database is locked" or
other OperationalError reaches a caller. On both backends."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from store.checkins import save_checkin
from store.db import session_scope
from store.models import Team, Therapist, UserAccount, WeeklyCheckin

WRITERS = 20
CHECKINS_EACH = 50


def test_twenty_writers_lose_nothing(backend):
    engine = backend.new_engine(pool_size=WRITERS, max_overflow=0)  # a connection per thread
    try:
        with session_scope(engine) as s:
            team = Team(name="Team Druk")
            s.add(team)
            s.flush()
            therapists = [Therapist(display_name=f"T{i}", team_id=team.id, contracted_sessions=20)
                          for i in range(WRITERS)]
            s.add_all(therapists)
            s.flush()
            users = [UserAccount(username=f"t{i:02d}", role="therapist", therapist_id=t.id)
                     for i, t in enumerate(therapists)]
            s.add_all(users)

        monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
        weeks = [monday - dt.timedelta(weeks=k) for k in range(CHECKINS_EACH)]
        barrier = threading.Barrier(WRITERS)
        returned: list[tuple[int, dt.date]] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def writer(user: UserAccount, offset: int) -> None:
            try:
                barrier.wait(timeout=60)
                for k in range(CHECKINS_EACH):
                    week = weeks[(k + offset) % CHECKINS_EACH]  # writers touch different weeks at once
                    with session_scope(engine) as s:
                        record = save_checkin(s, user, week, {"energy": k % 11, "burnout": 1 + k % 5})
                    with lock:
                        returned.append((user.therapist_id, record.week_start))
            except BaseException as exc:  # noqa: BLE001 - every failure is reported below
                with lock:
                    errors.append(exc)

        threads = [threading.Thread(target=writer, args=(u, i)) for i, u in enumerate(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not any(t.is_alive() for t in threads)
        assert not errors, f"{len(errors)} writer(s) failed, first: {errors[0]!r}"
        assert len(returned) == WRITERS * CHECKINS_EACH

        with session_scope(engine, readonly=True) as s:
            stored = s.execute(select(WeeklyCheckin.therapist_id, WeeklyCheckin.week_start)).all()
        assert sorted(map(tuple, stored)) == sorted(returned)
        assert len(set(returned)) == WRITERS * CHECKINS_EACH
    finally:
        engine.dispose()
