"""Admins' sign-in tries and sessions, kept in the records database so that every worker and every instance of the
line counts the same tries and knows the same signed-out sessions."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import Column, DateTime, Float, Integer, String, Table, delete, func, insert, select, update

from .store import Store, metadata

sign_in_tries = Table(
    "sign_in_tries", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(80), unique=True),
    Column("at", Float, nullable=False, index=True),  # seconds since the epoch
    Column("address", String(64), nullable=False, index=True),
)
admin_sessions = Table(
    "admin_sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(80), unique=True),  # the session's random id, which its signed cookie carries
    Column("name", String(64), nullable=False),
    Column("started", DateTime, nullable=False),
    Column("ended", DateTime, nullable=True),
)


class DatabaseTries:
    """Sign-in tries counted in the database: each try is written before its password is checked."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, address: str, now: float) -> str:
        """Count a try now; its id (to take it back when it is refused unchecked)."""
        self.store.prepare()
        rid = secrets.token_hex(16)
        with self.store.engine.begin() as conn:
            conn.execute(insert(sign_in_tries).values(rid=rid, at=now, address=address[:64]))
        return rid

    def take_back(self, rid: str) -> None:
        """Forget a try that was refused before its password was looked at."""
        with self.store.engine.begin() as conn:
            conn.execute(delete(sign_in_tries).where(sign_in_tries.c.rid == rid))

    def seen(self, address: str, since: float, but_not: str = "") -> tuple[list[float], int, float]:
        """This address's tries since then (oldest first), how many from all addresses, and the oldest of those (but
        not the try but_not: the one being judged)."""
        self.store.prepare()
        others = sign_in_tries.c.rid != but_not
        with self.store.engine.begin() as conn:
            conn.execute(delete(sign_in_tries).where(sign_in_tries.c.at < since))
            mine = [float(t) for t, in conn.execute(select(sign_in_tries.c.at).where(sign_in_tries.c.address == address[:64], others)
                                                    .order_by(sign_in_tries.c.at))]
            count, oldest = conn.execute(select(func.count(), func.min(sign_in_tries.c.at)).where(others)).one()
        return mine, int(count or 0), float(oldest or 0.0)

    def clear(self, address: str) -> None:
        """A right password: this address's tries are not held against it."""
        with self.store.engine.begin() as conn:
            conn.execute(delete(sign_in_tries).where(sign_in_tries.c.address == address[:64]))


# Begins the id of a session opened while the database could not be reached: every worker takes it as open (its
# cookie is signed) until it is signed out; another id the database does not know was never opened.
UNRECORDED = "u."


class DatabaseSessions:
    """Admin sessions the server knows: signing out ends one for good, whatever its cookie says."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def open(self, name: str) -> str:
        """A new session's id."""
        self.store.prepare()
        sid = secrets.token_urlsafe(24)
        with self.store.engine.begin() as conn:
            conn.execute(insert(admin_sessions).values(rid=sid, name=name[:64], started=_now()))
        return sid

    def is_open(self, sid: str) -> bool:
        """Whether a session was opened here, or while the database could not be reached, and has not been ended."""
        self.store.prepare()
        with self.store.engine.connect() as conn:
            row: Any = conn.execute(select(admin_sessions.c.ended).where(admin_sessions.c.rid == sid[:80])).first()
        if row is None:
            return sid.startswith(UNRECORDED)
        return row[0] is None

    def end(self, sid: str) -> None:
        """Sign a session out on the server (one opened while the database could not be reached, too)."""
        with self.store.engine.begin() as conn:
            ended = conn.execute(update(admin_sessions).where(admin_sessions.c.rid == sid[:80]).values(ended=_now()))
            if not ended.rowcount and sid.startswith(UNRECORDED):
                conn.execute(insert(admin_sessions).values(rid=sid[:80], name="", started=_now(), ended=_now()))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
