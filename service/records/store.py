"""Usage records, questions not understood and messages left: through a local durable buffer into the database
(SQLite by default, PostgreSQL with DATABASE_URL), so an outage of the database loses nothing and stops nothing."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (Column, Date, DateTime, Integer, MetaData, String, Table, create_engine, event, func, inspect,
                        select, text, update)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from .buffer import DurableBuffer

log = logging.getLogger("service.records")
metadata = MetaData()

usage = Table(
    "usage", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(36), unique=True),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("topic", String(64), nullable=False),
)
unmatched = Table(
    "unmatched", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(36), unique=True),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("words", String(200), nullable=False),
)
messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(36), unique=True),
    Column("created", DateTime, nullable=False, index=True),
    Column("call_sid", String(64), nullable=False),
    Column("recording_sid", String(64), nullable=True, index=True),
    Column("caller", String(32), nullable=False),
    # The number to call back, in full: the caller confirmed it or keyed it in. Shown to admins, never logged.
    Column("callback", String(32), nullable=True),
    Column("recording_url", String(500), nullable=False),
    Column("duration", Integer, nullable=False),
    # Marked on the admin page by whoever called back: their name, and when.
    Column("handled_by", String(64), nullable=True),
    Column("handled_at", DateTime, nullable=True),
)
# One row per step of a call (where the line put the caller) and per text answered: what the admin page counts
# calls, texts, languages, decisions and where calls end from. Keyed by Twilio's SID, never by a phone number.
steps = Table(
    "steps", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(36), unique=True),
    Column("at", DateTime, nullable=False),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("sid", String(64), nullable=False, index=True),
    # Where the reply leaves the caller: "menu:main", "topic:nerves", "choose", "message", "goodbye", "person"...
    Column("place", String(80), nullable=False),
    # For a question in the caller's own words: "answer" (at once), "ask" (a "did you mean"), "chosen" (a choice
    # picked after one), "none" (not understood).
    Column("decision", String(8), nullable=True),
    Column("safety", String(12), nullable=True),
)
TABLES = {"usage": usage, "unmatched": unmatched, "message": messages, "step": steps}
RETRY_SECONDS = (1, 2, 5, 10, 30)
COALESCE_SECONDS = 0.5
PHONE_LIKE = re.compile(r"\+?\d[\d ().-]{5,}\d")


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


def where(url: str) -> str:
    """A database URL without its password, for log lines."""
    return url.split("@")[-1] if "@" in url else url


@dataclass(frozen=True)
class Report:
    """What callers and texters asked for in a period."""

    start: dt.date
    end: dt.date
    topics: list[tuple[str, str, str, int]]
    unmatched: list[tuple[str, str, str, int]]  # words, channel, language, count
    messages: list[dict[str, Any]]


class Store:
    """Records kept first in the local buffer (the only cost a request pays), then written to the database by a
    background writer that connects lazily and retries: the line starts and answers with the database down."""

    def __init__(self, url: str, buffer_path: Path | None = None) -> None:
        connect_args = {"timeout": 10} if url.startswith("sqlite") else {"connect_timeout": 5}
        self.url = url
        self.engine: Engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        default = Path(url.removeprefix("sqlite:///")).with_suffix(".buffer.sqlite") if url.startswith("sqlite:///") else None
        self.buffer = DurableBuffer(buffer_path or default or Path("instance") / "records-buffer.sqlite")
        self.state = "unknown"  # "up" once the tables are known to exist, "down" while the database cannot be reached
        self._ready = False
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._draining = threading.Lock()  # one drain at a time in a process: the writer's, or a flush's
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._failures = 0

    # -- the request path: one local append --

    def _keep(self, kind: str, row: dict[str, Any], rid: str = "", power_safe: bool = True) -> None:
        # NUL characters are refused by PostgreSQL's text columns; nothing a caller or texter means needs them.
        clean = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in row.items()}
        self.buffer.append(kind, {"rid": rid or str(uuid.uuid4()), **clean}, power_safe)
        self._start_writer()
        self._wake.set()

    def record_usage(self, channel: str, lang: str, topic: str) -> None:
        """Count one topic reached."""
        self._keep("usage", {"day": dt.date.today().isoformat(), "channel": channel, "lang": lang, "topic": topic})

    def record_unmatched(self, channel: str, lang: str, words: str) -> None:
        """Keep words that matched no topic (never who sent them)."""
        # A phone number typed into a question is not kept: runs of 7 or more digits become #.
        words = PHONE_LIKE.sub("#", " ".join(words.lower().split()))
        self._keep("unmatched", {"day": dt.date.today().isoformat(), "channel": channel, "lang": lang, "words": words[:200]})

    def record_message(self, call_sid: str, caller: str, recording_url: str, duration: int, recording_sid: str = "",
                       callback: str = "") -> None:
        """Keep a left message's details (the caller's number masked; the callback number once confirmed)."""
        # Twilio may post the same recording twice (a retry): its SID makes the record count once.
        self._keep("message", {"created": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(),
                               "call_sid": call_sid, "recording_sid": recording_sid or None, "caller": caller,
                               "callback": callback or None, "recording_url": recording_url, "duration": duration},
                   rid=f"message-{recording_sid}" if recording_sid else "")

    def record_step(self, channel: str, lang: str, sid: str, place: str, decision: str = "", safety: str = "") -> None:
        """One step of a call, or one text answered: where it left the person, and what the line made of their words."""
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        self._keep("step", {"at": now.isoformat(), "day": dt.date.today().isoformat(), "channel": channel, "lang": lang,
                            "sid": sid[:64], "place": place[:80], "decision": decision or None, "safety": safety or None},
                   power_safe=False)

    def record_callback(self, recording_sid: str, number: str) -> None:
        """The number a caller asked to be called back on, for the message they just left."""
        self._keep("callback", {"recording_sid": recording_sid, "callback": number})

    # -- the background writer --

    def _start_writer(self) -> None:
        # Threads do not survive gunicorn's fork: each worker starts its own on its first record.
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._write_loop, name="records-writer", daemon=True)
                self._thread.start()

    def _write_loop(self) -> None:
        while True:
            self._wake.wait(timeout=RETRY_SECONDS[-1])
            # The records that come together (a busy line: every step of every call) are written together: one
            # transaction for many; one at a time took three quarters of a busy line's throughput (bench/README.md).
            time.sleep(COALESCE_SECONDS)
            self._wake.clear()
            try:
                with self._draining:
                    while self.drain_once():
                        pass
                delay = 0.0
            except Exception as exc:  # noqa: BLE001 - any failure to write is an outage: keep the records, retry
                delay = self._failed(exc)
            if delay:
                time.sleep(delay)

    def _failed(self, exc: Exception) -> float:
        self.state = "down"
        self._ready = False
        self._failures += 1
        delay = RETRY_SECONDS[min(self._failures, len(RETRY_SECONDS)) - 1]
        # One line per failure, no traceback: what was kept, where, and what happens next.
        log.warning("records: cannot write to the database %s (%s); %d record(s) kept in %s, retrying in %d s",
                    where(self.url), _reason(exc), self.buffer.depth(), self.buffer.path, delay)
        return delay

    def prepare(self) -> None:
        """Make the tables (and the columns older versions lacked), once a process."""
        if self._ready:
            return
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            # Tables made by an older version of the line: add the columns it lacked.
            for table in metadata.tables.values():
                present = {c["name"] for c in inspect(conn).get_columns(table.name)}
                for column in table.columns:
                    if column.name not in present:
                        conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {column.type.compile(self.engine.dialect)}"))
                # What makes a record written twice count once (tables from before rid have no such constraint).
                conn.execute(text(f"CREATE UNIQUE INDEX IF NOT EXISTS uq_{table.name}_rid ON {table.name} (rid)"))
        self._ready = True

    def drain_once(self, limit: int = 500) -> bool:
        """Move one batch from the buffer into the database; True when a batch was moved."""
        batch = self.buffer.oldest(limit)
        if not batch and self._ready:
            return False
        # Also with nothing to write, once: a monitor wants to know whether the database is there.
        self.prepare()
        try:
            with self.engine.begin() as conn:
                for kind, rows in _runs(batch):
                    self._write(conn, kind, rows)
            self.buffer.remove([i for i, _, _ in batch])
        except (OperationalError, InterfaceError):
            raise  # the database cannot be reached: an outage, retried later with everything kept
        except Exception:  # noqa: BLE001 - one record the database refuses must not hold up the others
            self._write_one_by_one(batch)
        if self.state == "down":
            log.warning("records: database %s reachable again; the kept records are written", where(self.url))
        self.state = "up"
        self._failures = 0
        return bool(batch)

    def _write(self, conn: Any, kind: str, rows: list[dict[str, Any]]) -> None:
        """Records of one kind in one statement (callbacks, which each update a message, one by one)."""
        if kind == "callback":
            for row in rows:
                conn.execute(update(messages).where(messages.c.recording_sid == row["recording_sid"]).values(callback=row["callback"]))
            return
        table = TABLES[kind]
        names = list(dict.fromkeys(k for row in rows for k in row))
        values = [{k: _typed(table, k, row.get(k)) for k in names} for row in rows]
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        # A retry after a crash between the commit and the buffer's delete must not count a record twice.
        conn.execute(insert(table).on_conflict_do_nothing(index_elements=["rid"]), values)

    def _write_one_by_one(self, batch: list[tuple[int, str, dict[str, Any]]]) -> None:
        for record_id, kind, row in batch:
            try:
                with self.engine.begin() as conn:
                    self._write(conn, kind, [row])
                self.buffer.remove([record_id])
            except (OperationalError, InterfaceError):
                raise
            except Exception as exc:  # noqa: BLE001 - kept aside, with why, never dropped
                reason = _reason(exc)
                self.buffer.set_aside(record_id, reason)
                log.warning("records: the database refused a %s record (%s); kept aside in %s (table refused)",
                            kind, reason, self.buffer.path)

    def flush(self, timeout: float = 30.0) -> bool:
        """Write every kept record now, if the database can be reached; True when none is left waiting."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._draining:
                try:
                    if not self.drain_once():
                        return True
                except Exception as exc:  # noqa: BLE001 - as in the writer: kept, retried later
                    self._failed(exc)
                    return False
        return self.buffer.depth() == 0

    def health(self) -> dict[str, Any]:
        """The database's state as last seen (the writer is woken to look again), and how many records wait."""
        self._start_writer()
        self._wake.set()
        return {"database": self.state, "buffered": self.buffer.depth(), "refused": self.buffer.refused()}

    def report(self, start: dt.date, end: dt.date, limit: int = 20) -> Report:
        """Most asked topics, unmatched words by count, and messages left, from start to end inclusive."""
        self.flush()
        self.prepare()
        with self.engine.connect() as conn:
            count = func.count().label("n")
            topics = conn.execute(
                select(usage.c.topic, usage.c.channel, usage.c.lang, count)
                .where(usage.c.day.between(start, end))
                .group_by(usage.c.topic, usage.c.channel, usage.c.lang).order_by(count.desc(), usage.c.topic)).all()
            words = conn.execute(
                select(unmatched.c.words, unmatched.c.channel, unmatched.c.lang, count).where(unmatched.c.day.between(start, end))
                .group_by(unmatched.c.words, unmatched.c.channel, unmatched.c.lang)
                .order_by(count.desc(), unmatched.c.words).limit(limit)).all()
            left = conn.execute(
                select(messages).where(messages.c.created >= dt.datetime.combine(start, dt.time.min),
                                       messages.c.created < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
                .order_by(messages.c.created)).mappings().all()
        return Report(start, end, [tuple(r) for r in topics], [tuple(r) for r in words], [dict(r) for r in left])


def _runs(batch: list[tuple[int, str, dict[str, Any]]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """A batch as runs of one kind, in the order kept (a callback comes after the message it updates)."""
    runs: list[tuple[str, list[dict[str, Any]]]] = []
    for _, kind, row in batch:
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(row)
        else:
            runs.append((kind, [row]))
    return runs


def _reason(exc: Exception) -> str:
    """An exception as one short line for a log or a kept-aside record: its type and its message's first line."""
    return f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0][:160]}"


def _typed(table: Table, name: str, value: Any) -> Any:
    """A buffered (JSON) value as its column wants it."""
    if value is None:
        return None
    kind = type(table.c[name].type)
    if kind is Date:
        return dt.date.fromisoformat(value)
    if kind is DateTime:
        return dt.datetime.fromisoformat(value)
    return value
