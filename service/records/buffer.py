"""A local, durable queue of records (a SQLite file in instance/): appended on the request path in well under a
millisecond, kept across outages and restarts until the database has them."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

SCHEMA = "CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, row TEXT NOT NULL)"
# Records the database refused for themselves (not for an outage): kept here, so nothing is lost, and out of the way.
SET_ASIDE = "CREATE TABLE IF NOT EXISTS refused (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, row TEXT NOT NULL, reason TEXT NOT NULL)"


class DurableBuffer:
    """Records waiting for the database. Each process and thread has its own connection (none crosses a fork)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Readable by the line's own user only: the records hold what people asked and numbers to call back.
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        with self._connect() as conn:
            conn.execute(SCHEMA)
            conn.execute(SET_ASIDE)

    def _connect(self, sync: str = "FULL") -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        # WAL: appends from gunicorn's workers and the writers' reads do not block each other. FULL: a record is on
        # disk once append returns, so a crash or power cut loses nothing already answered. NORMAL (the steps of
        # calls, one per request): in the file once append returns, so a crashed or restarted worker loses nothing;
        # only a power cut can take the last moment's steps, for a quarter of FULL's cost (50 us, not 220).
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={sync}")
        return conn

    def _conn(self, sync: str = "FULL") -> sqlite3.Connection:
        if getattr(self._local, "pid", None) != os.getpid():
            self._local.conns = {}
            self._local.pid = os.getpid()
        conn = self._local.conns.get(sync)
        if conn is None:
            conn = self._local.conns[sync] = self._connect(sync)
        return conn

    def append(self, kind: str, row: dict[str, Any], power_safe: bool = True) -> None:
        """Keep one record until the database has it (power_safe=False: safe from crashes, not from a power cut)."""
        self._conn("FULL" if power_safe else "NORMAL").execute("INSERT INTO pending (kind, row) VALUES (?, ?)",
                                                               (kind, json.dumps(row, default=str)))

    def append_many(self, records: list[tuple[str, dict[str, Any]]]) -> None:
        """Keep many records in one transaction, safe from crashes (not from a power cut)."""
        conn = self._conn("NORMAL")
        conn.execute("BEGIN")
        try:
            conn.executemany("INSERT INTO pending (kind, row) VALUES (?, ?)",
                             [(kind, json.dumps(row, default=str)) for kind, row in records])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def oldest(self, limit: int = 500) -> list[tuple[int, str, dict[str, Any]]]:
        """The oldest waiting records, in the order they were kept."""
        rows = self._conn().execute("SELECT id, kind, row FROM pending ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [(i, kind, json.loads(row)) for i, kind, row in rows]

    def remove(self, ids: list[int]) -> None:
        """Forget records the database now has."""
        if ids:
            self._conn().execute(f"DELETE FROM pending WHERE id IN ({','.join('?' * len(ids))})", ids)

    def set_aside(self, record_id: int, reason: str) -> None:
        """Move one record the database refuses out of the queue, keeping it and why."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR REPLACE INTO refused (id, kind, row, reason) SELECT id, kind, row, ? FROM pending WHERE id = ?",
                     (reason[:500], record_id))
        conn.execute("DELETE FROM pending WHERE id = ?", (record_id,))
        conn.execute("COMMIT")

    def refused(self) -> int:
        """How many records the database refused (kept in the buffer's file, table refused)."""
        return int(self._conn().execute("SELECT count(*) FROM refused").fetchone()[0])

    def depth(self) -> int:
        """How many records are waiting."""
        return int(self._conn().execute("SELECT count(*) FROM pending").fetchone()[0])
