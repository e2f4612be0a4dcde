"""Usage records and left messages: SQLite by default, PostgreSQL with DATABASE_URL, one data layer."""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (Column, Date, DateTime, Integer, MetaData, String, Table, create_engine, event, func, select)
from sqlalchemy.engine import Engine

log = logging.getLogger("service.store")
metadata = MetaData()

usage = Table(
    "usage", metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("topic", String(64), nullable=False),
)
unmatched = Table(
    "unmatched", metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("words", String(200), nullable=False),
)
messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("created", DateTime, nullable=False, index=True),
    Column("call_sid", String(64), nullable=False),
    Column("caller", String(32), nullable=False),
    Column("recording_url", String(500), nullable=False),
    Column("duration", Integer, nullable=False),
)


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    # WAL lets gunicorn's workers write while the report reads; NORMAL syncs at checkpoints, not every commit.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine_url(database_url: str, default_path: str) -> str:
    """SQLAlchemy's URL for DATABASE_URL (Heroku's postgres:// included), or a SQLite file."""
    if not database_url:
        return f"sqlite:///{default_path}"
    if database_url.startswith("postgres://"):
        return "postgresql+psycopg://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        return "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return database_url


@dataclass(frozen=True)
class Report:
    """What callers and texters asked for in a period."""

    start: dt.date
    end: dt.date
    topics: list[tuple[str, str, str, int]]
    unmatched: list[tuple[str, int]]
    messages: list[dict[str, Any]]


class Store:
    """Writes happen on a background thread, so no caller waits on the database."""

    def __init__(self, url: str) -> None:
        connect_args = {"timeout": 10} if url.startswith("sqlite") else {"connect_timeout": 5}
        self.engine: Engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)
        # gunicorn --preload builds the app before forking workers: no pooled connection may cross the fork.
        self.engine.dispose()
        self._queue: queue.Queue[tuple[Table, dict[str, Any]] | None] = queue.Queue(maxsize=10000)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _put(self, table: Table, row: dict[str, Any]) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._write_loop, name="usage-writer", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait((table, row))
        except queue.Full:
            log.warning("usage queue full; dropping a %s record", table.name)

    def _write_loop(self) -> None:
        while True:
            item = self._queue.get()
            batch = [item]
            while not self._queue.empty() and len(batch) < 500:
                batch.append(self._queue.get_nowait())
            try:
                with self.engine.begin() as conn:
                    for entry in batch:
                        if entry is not None:
                            conn.execute(entry[0].insert(), entry[1])
            except Exception:  # a database outage must not stop the line
                log.exception("writing %d usage records failed", len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()

    def flush(self) -> None:
        """Wait until every queued record is written."""
        self._queue.join()

    def record_usage(self, channel: str, lang: str, topic: str) -> None:
        """Count one topic reached."""
        self._put(usage, {"day": dt.date.today(), "channel": channel, "lang": lang, "topic": topic})

    def record_unmatched(self, channel: str, lang: str, words: str) -> None:
        """Keep words that matched no topic (never who sent them)."""
        self._put(unmatched, {"day": dt.date.today(), "channel": channel, "lang": lang, "words": " ".join(words.lower().split())[:200]})

    def record_message(self, call_sid: str, caller: str, recording_url: str, duration: int) -> None:
        """Keep a left message's details (the caller's number masked)."""
        self._put(messages, {"created": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), "call_sid": call_sid,
                             "caller": caller, "recording_url": recording_url, "duration": duration})

    def report(self, start: dt.date, end: dt.date, limit: int = 20) -> Report:
        """Most asked topics, unmatched words by count, and messages left, from start to end inclusive."""
        self.flush()
        with self.engine.connect() as conn:
            count = func.count().label("n")
            topics = conn.execute(
                select(usage.c.topic, usage.c.channel, usage.c.lang, count)
                .where(usage.c.day.between(start, end))
                .group_by(usage.c.topic, usage.c.channel, usage.c.lang).order_by(count.desc(), usage.c.topic)).all()
            words = conn.execute(
                select(unmatched.c.words, count).where(unmatched.c.day.between(start, end))
                .group_by(unmatched.c.words).order_by(count.desc(), unmatched.c.words).limit(limit)).all()
            left = conn.execute(
                select(messages).where(messages.c.created >= dt.datetime.combine(start, dt.time.min),
                                       messages.c.created < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
                .order_by(messages.c.created)).mappings().all()
        return Report(start, end, [tuple(r) for r in topics], [tuple(r) for r in words], [dict(r) for r in left])
