"""Usage records, questions not understood and messages left: through a local durable buffer into the database
(SQLite by default, PostgreSQL with DATABASE_URL), so an outage of the database loses nothing and stops nothing."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import hashlib
import logging
import os
import threading
import time
import uuid
import weakref
import zoneinfo
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import (Column, Date, DateTime, Integer, MetaData, String, Table, create_engine, event, func, inspect,
                        or_, select, text, update)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .buffer import DurableBuffer
from .privacy import scrub

log = logging.getLogger("service.records")
metadata = MetaData()

usage = Table(
    "usage", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(80), unique=True),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("topic", String(64), nullable=False),
)
unmatched = Table(
    "unmatched", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(80), unique=True),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("words", String(200), nullable=False),
    # "none": nothing was close; "ask": a "did you mean" was offered (kept, to find those whose offer was not taken).
    Column("decision", String(8), nullable=True),
    Column("thread", String(64), nullable=True),
)
messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(80), unique=True),
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
    # The language the caller was using when they left it (the team calls back in it).
    Column("lang", String(8), nullable=True),
    # Why its recording cannot be played, once Twilio said it is gone (deleted, or never made).
    Column("recording_problem", String(200), nullable=True),
)
# One row per step of a call (where the line put the caller) and per text answered: what the admin page counts
# calls, texts, languages, decisions and where calls end from. Keyed by Twilio's SID, never by a phone number.
steps = Table(
    "steps", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(80), unique=True),
    Column("at", DateTime, nullable=False),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("sid", String(64), nullable=False, index=True),
    # Where the reply leaves the caller: "menu:main", "topic:nerves", "choose", "message", "goodbye", "person"...
    Column("place", String(80), nullable=False),
    # The conversation a text belongs to (a random id its cookie carries; a call's is its SID): never a number.
    Column("thread", String(64), nullable=True),
    # For a question in the caller's own words: "answer" (at once), "ask" (a "did you mean"), "chosen" (a choice
    # picked after one), "none" (not understood).
    Column("decision", String(8), nullable=True),
    Column("safety", String(12), nullable=True),
)
# Texts the line sends (an answer by "text me", a note to the admin): one per key (a call and a topic, a recording),
# counted per day per number, which is kept only as a keyed hash.
sent_texts = Table(
    "sent_texts", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(80), unique=True),
    Column("day", Date, nullable=False, index=True),
    Column("number", String(32), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
)
# Crisis and emergency words met: when, where, in which language, what the line answered, and for a text the words
# that set it off (e-mail addresses and phone numbers taken out).
safety_events = Table(
    "safety_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(80), unique=True),
    Column("at", DateTime, nullable=False),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("answered", String(16), nullable=False),
    Column("words", String(300), nullable=True),
)
# A short note an admin keeps with a message left ("called back, will call again Tuesday"), with who and when.
message_notes = Table(
    "message_notes", metadata,
    Column("id", Integer, primary_key=True),
    Column("rid", String(80), unique=True),
    Column("message_id", Integer, nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("who", String(64), nullable=False),
    Column("note", String(500), nullable=False),
)
# Questions an admin chose to hide from "Not understood" (spam, tests, a joke): kept, never deleted, and shown again
# on request.
ignored_questions = Table(
    "ignored_questions", metadata,
    Column("id", Integer, primary_key=True),
    Column("lang", String(8), nullable=False),
    Column("words", String(200), nullable=False),
    Column("who", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
)
TABLES = {"usage": usage, "unmatched": unmatched, "message": messages, "step": steps, "safety": safety_events}
RETRY_SECONDS = (1, 2, 5, 10, 30)
# A message's callback when the caller said not to call them back ("no thanks"): not a number, never dialled.
NO_CALLBACK = "declined"
COALESCE_SECONDS = 0.5
# How long a worker's records (steps, topics, questions) gather in memory before they are written together.
GATHER_SECONDS = 0.01
RETENTION_DAYS = 400
PURGE_SECONDS = 24 * 3600


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


SCHEMA_LOCK = 0x504F454D53  # the advisory lock held while the tables are made (any number the database's other users do not use)
POOL = 8  # database connections a worker may hold at once (see Store.__init__)
# What says the database cannot take records now, rather than that it refuses one: retried later, nothing set aside.
UNREACHABLE = (OperationalError, InterfaceError, PoolTimeout)


@dataclass(frozen=True)
class Report:
    """What callers and texters asked for in a period."""

    start: dt.date
    end: dt.date
    topics: list[tuple[str, str, str, int]]
    unmatched: list[tuple[str, str, str, int]]  # words, channel, language, count
    messages: list[dict[str, Any]]


def make_tables(conn: Connection, tables: MetaData) -> None:
    """These tables, made one process at a time, with the columns older versions of them lacked added (and text
    columns they made narrower widened, on PostgreSQL), in the connection's transaction."""
    postgresql = conn.dialect.name == "postgresql"
    if postgresql:
        # Workers starting together on a new database would each create the tables, and all but one fail on
        # PostgreSQL's catalogue (a duplicate key); one at a time (until this transaction ends), the others find them made.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
    tables.create_all(conn)
    for table in tables.tables.values():
        present = {c["name"]: c["type"] for c in inspect(conn).get_columns(table.name)}
        for column in table.columns:
            kind = column.type.compile(conn.dialect)
            if column.name not in present:
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
            elif (postgresql and isinstance(column.type, String)
                  and (getattr(present[column.name], "length", None) or 0) < (column.type.length or 0)):
                # A column older versions made narrower (record ids were 36 characters): widened.
                conn.execute(text(f"ALTER TABLE {table.name} ALTER COLUMN {column.name} TYPE {kind}"))


class Store:
    """Records written where they cost a request least and survive what they must. Steps, topics and questions
    gather in memory for a few milliseconds and are written together; messages and callbacks are written at once
    and power-safe. With the embedded SQLite database they go straight into it; with a remote one (PostgreSQL)
    they pass through a local durable buffer, which a background writer drains into the database, connecting lazily
    and retrying: the line starts and answers with the database down and loses nothing across an outage."""

    def __init__(self, url: str, buffer_path: Path | None = None, retention_days: int = RETENTION_DAYS,
                 direct: bool | None = None, zone: str = "") -> None:
        connect_args = {"timeout": 10} if url.startswith("sqlite") else {"connect_timeout": 5}
        self.url = url
        # A file on this machine: nothing to wait for, so no buffer in between (direct=False: through the buffer).
        self.embedded = url.startswith("sqlite:///") if direct is None else direct
        if self.embedded:
            _private_file(Path(url.removeprefix("sqlite:///")))
        # At most POOL connections a worker, each held for a moment (records are written in the background): two
        # workers stay within the 20 of the smallest hosted PostgreSQL plans, and a request that finds them all busy
        # waits 5 s at most, not SQLAlchemy's 30 (Twilio gives up at 15).
        pool: dict[str, Any] = {}
        if not url.startswith("sqlite"):  # SQLite's files need no limit, and its in-memory pools take no such settings
            pool = {"pool_size": POOL // 2, "max_overflow": POOL - POOL // 2, "pool_timeout": 5}
        self.engine: Engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True, **pool)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        default = Path(url.removeprefix("sqlite:///")).with_suffix(".buffer.sqlite") if self.embedded else None
        self.buffer = DurableBuffer(buffer_path or default or Path("instance") / "records-buffer.sqlite")
        self.retention_days = retention_days
        # The line's own time zone (LINE_TIMEZONE): its days, in the records and on the admin pages, begin and end there.
        self.zone = zoneinfo.ZoneInfo(zone) if zone else None
        self.state = "unknown"  # "up" once the tables are known to exist, "down" while the database cannot be reached
        self._ready = False
        self._wake = threading.Event()
        self._gather = threading.Event()
        self._lock = threading.Lock()
        self._draining = threading.Lock()  # one drain at a time in a process: the writer's, or a flush's
        self._spilling = threading.Lock()  # one spill of the gathered records at a time
        self._pending: deque[tuple[str, dict[str, Any]]] = deque()
        self._threads: list[threading.Thread] = []
        self._day_cache: tuple[int, str] = (-1, "")
        self._started = False  # this process's threads are running (a forked child's are not: reset at fork)
        self._failures = 0
        self._next_purge = 0.0
        # What requests gathered in the last few milliseconds is written before the process ends (a worker stopped by
        # a deploy, a simulator's run): kept, never dropped. A weak reference: the store may go before the process.
        atexit.register(_spill_at_exit, weakref.ref(self))
        # A connection opened before gunicorn forks its workers (the app factory reads the edits) must not be shared by
        # them: each worker opens its own (SQLAlchemy's advice for forked processes).
        os.register_at_fork(after_in_child=functools.partial(_own_connections, weakref.ref(self)))

    def today(self) -> dt.date:
        """Today, in the line's time zone (the server's own when none is set)."""
        return dt.datetime.now(self.zone).date()

    def _day_of(self, now: float) -> str:
        """The line's day (ISO) at a time in seconds, worked out once a minute: every step pays for it."""
        # Time zones differ from UTC by whole minutes, so a minute never spans two days.
        minute = int(now // 60)
        cached = self._day_cache
        if cached[0] != minute:
            cached = self._day_cache = (minute, dt.datetime.fromtimestamp(minute * 60, self.zone).date().isoformat())
        return cached[1]

    # -- the request path: a list append, or (messages) one durable write --

    def _keep(self, kind: str, row: dict[str, Any], rid: str = "", power_safe: bool = False) -> None:
        row["rid"] = rid or str(uuid.uuid4())
        self._start_threads()
        if power_safe:
            # On disk before the caller hears "your message has been saved".
            if not (self.embedded and self._write_now([(kind, row)], durable=True)):
                self.buffer.append(kind, row, True)
                self._wake.set()
            return
        self._pending.append((kind, row))  # deque.append is atomic: the request path takes no lock
        # Set once a gathering, not once a record: Event.set takes a lock and notifies, a cost every step would pay.
        # The gatherer clears the flag before it takes the records, so one appended before a set flag is seen is taken.
        if not self._gather.is_set():
            self._gather.set()

    def record_usage(self, channel: str, lang: str, topic: str, rid: str = "") -> None:
        """Count one topic reached (rid: the same request again counts once)."""
        self._keep("usage", {"day": self.today().isoformat(), "channel": channel, "lang": lang, "topic": topic}, rid)

    def record_unmatched(self, channel: str, lang: str, words: str, rid: str = "", decision: str = "none",
                         thread: str = "", number_words: frozenset[str] = frozenset()) -> None:
        """Keep words the line did not understand, or asked "did you mean" about (never who sent them; e-mail
        addresses and phone numbers, typed or spelled out, are taken out first)."""
        words = scrub(" ".join(words.lower().split()), number_words)
        self._keep("unmatched", {"day": self.today().isoformat(), "channel": channel, "lang": lang, "words": words[:200],
                                 "decision": decision, "thread": thread[:64] or None}, rid)

    def record_message(self, call_sid: str, caller: str, recording_url: str, duration: int, recording_sid: str = "",
                       callback: str = "", lang: str = "") -> None:
        """Keep a left message's details (the caller's number masked; the callback number once confirmed)."""
        # Twilio may post the same recording twice (a retry): its SID makes the record count once.
        self._keep("message", {"created": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(),
                               "call_sid": call_sid, "recording_sid": recording_sid or None, "caller": caller,
                               "callback": callback or None, "recording_url": recording_url, "duration": duration,
                               "lang": lang or None},
                   rid=f"message-{recording_sid}" if recording_sid else "", power_safe=True)

    def record_step(self, channel: str, lang: str, sid: str, place: str, decision: str = "", safety: str = "",
                    rid: str = "", thread: str = "") -> None:
        """One step of a call, or one text answered: where it left the person, and what the line made of their words."""
        # The time as seconds: made a time when written (every request pays for this one); the day is the line's.
        now = time.time()
        self._keep("step", {"at": now, "day": self._day_of(now), "channel": channel, "lang": lang, "sid": sid[:64], "place": place[:80],
                            "decision": decision or None, "safety": safety or None, "thread": thread[:64] or None}, rid)

    def record_safety(self, channel: str, lang: str, kind: str, answered: str, words: str = "", rid: str = "",
                      number_words: frozenset[str] = frozenset()) -> None:
        """Crisis or emergency words met, and what the line answered (988, 911); a text's words, scrubbed."""
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        kept = scrub(" ".join(words.split()), number_words)[:300] if words else None
        self._keep("safety", {"at": now.isoformat(), "day": self.today().isoformat(), "channel": channel, "lang": lang,
                              "kind": kind, "answered": answered, "words": kept}, rid)

    def record_callback(self, recording_sid: str, number: str) -> None:
        """The number a caller asked to be called back on, for the message they just left."""
        self._keep("callback", {"recording_sid": recording_sid, "callback": number}, power_safe=True)

    def claim_text(self, key: str, number_key: str, kind: str, per_day: int) -> str:
        """Before sending a text: "ok" (claimed now), "again" (this key was claimed before: a repeat or a retry), or
        "cap" (this number has had per_day texts of this kind today). Shared by every worker and instance through
        the database; raises when the database cannot be reached (the caller then sends nothing)."""
        self.prepare()
        today = self.today()
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                # One number's claims one at a time, across every worker and instance.
                lock = int(hashlib.sha256(number_key.encode()).hexdigest()[:15], 16)
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
            else:
                # SQLite's transaction takes its write lock at the first write, not at the count below: a write that
                # changes nothing takes it first, so two workers' claims run one after the other.
                conn.execute(sent_texts.delete().where(sent_texts.c.id < 0))
            if conn.execute(select(sent_texts.c.id).where(sent_texts.c.rid == key[:80])).first():
                return "again"
            sent = conn.execute(select(func.count()).select_from(sent_texts).where(
                sent_texts.c.day == today, sent_texts.c.number == number_key, sent_texts.c.kind == kind)).scalar_one()
            if sent >= per_day:
                return "cap"
            conn.execute(sent_texts.insert().values(rid=key[:80], day=today, number=number_key, kind=kind))
        return "ok"

    def release_text(self, key: str) -> None:
        """Forget a claim whose text could not be sent, so that the next try may send it."""
        with self.engine.begin() as conn:
            conn.execute(sent_texts.delete().where(sent_texts.c.rid == key[:80]))

    def _write_now(self, batch: list[tuple[str, dict[str, Any]]], durable: bool = False) -> bool:
        """Write records straight into the embedded database (durable: synced to disk, as a message must be);
        False when that failed, and the records must go to the buffer instead."""
        try:
            self.prepare()
            with self.engine.connect() as conn:
                if durable:
                    conn.exec_driver_sql("PRAGMA synchronous=FULL")
                    conn.commit()
                try:
                    with conn.begin():
                        for kind, rows in _runs(batch):
                            self._write(conn, kind, rows)
                finally:
                    if durable:
                        conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                        conn.commit()
            return True
        except Exception as exc:  # noqa: BLE001 - the buffer takes them; nothing is lost
            log.warning("records: could not write %d record(s) to %s (%s); kept in %s", len(batch), where(self.url),
                        _reason(exc), self.buffer.path)
            return False

    # -- the background threads: one gathers what requests left in memory, one drains the buffer --

    def _start_threads(self) -> None:
        # Threads do not survive gunicorn's fork: each worker starts its own on its first record (_started is reset at
        # the fork). Their loops catch every failure, so a thread of this process, once started, runs as long as it.
        if self._started:
            return
        with self._lock:
            if self._started:  # another request's thread started them meanwhile
                return
            self._threads = [threading.Thread(target=self._gather_loop, name="records-gatherer", daemon=True),
                             threading.Thread(target=self._write_loop, name="records-writer", daemon=True)]
            for thread in self._threads:
                thread.start()
            self._started = True

    def _gather_loop(self) -> None:
        while True:
            self._gather.wait(timeout=1.0)
            # A busy line's steps come close together: a few milliseconds' worth go in one transaction.
            time.sleep(GATHER_SECONDS)
            self._gather.clear()
            try:
                self._spill()
            except Exception as exc:  # noqa: BLE001 - the batch is back in memory: say so, wait, try again
                log.warning("records: %d record(s) could not be set down yet (%s); retrying in %d s",
                            len(self._pending), _reason(exc), RETRY_SECONDS[0])
                time.sleep(RETRY_SECONDS[0])

    def _spill(self) -> int:
        """Write what the requests gathered in memory: into the embedded database, else into the buffer."""
        with self._spilling:
            # Taken one by one from the left while requests append on the right: none is missed or taken twice.
            batch = [self._pending.popleft() for _ in range(len(self._pending))]
            if not batch:
                return 0
            try:
                if self.embedded and self._write_now(batch):
                    return len(batch)
                self.buffer.append_many(batch)
            except BaseException:
                self._pending.extendleft(reversed(batch))  # back in front, in order, for the next try
                raise
            self._wake.set()
            return len(batch)

    def _write_loop(self) -> None:
        while True:
            self._wake.wait(timeout=RETRY_SECONDS[-1])
            # The records that come together are written together: one transaction for many.
            time.sleep(COALESCE_SECONDS)
            self._wake.clear()
            try:
                with self._draining:
                    while self.drain_once():
                        pass
                if time.monotonic() >= self._next_purge:
                    self.purge()
                    self._next_purge = time.monotonic() + PURGE_SECONDS
                delay = 0.0
            except Exception as exc:  # noqa: BLE001 - any failure to write is an outage: keep the records, retry
                delay = self._failed(exc)
            if delay:
                time.sleep(delay)

    def purge(self, today: dt.date | None = None) -> int:
        """Delete questions not understood, call steps and safety events older than the retention period."""
        self.prepare()
        before = (today or self.today()) - dt.timedelta(days=self.retention_days)
        gone = 0
        with self.engine.begin() as conn:
            for table in (unmatched, steps, safety_events):
                gone += conn.execute(table.delete().where(table.c.day < before)).rowcount or 0
        if gone:
            log.info("records: %d record(s) older than %d days deleted", gone, self.retention_days)
        return gone

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
        with self._lock:
            if self._ready:
                return
            for attempt in range(5):
                try:
                    self._make_tables()
                    break
                except OperationalError as exc:
                    # Processes on one SQLite file (gunicorn's workers starting together): both saw a table missing
                    # and the other made it first, or the other holds the file while it sets it up (switching to WAL
                    # does not wait). Looked at again a moment later, it is there.
                    if not ("already exists" in str(exc) or "locked" in str(exc)) or attempt == 4:
                        raise
                    time.sleep(0.05 * (attempt + 1))
            self._ready = True

    def _make_tables(self) -> None:
        """The tables, what older versions of them lacked, and their indexes, in one transaction."""
        with self.engine.begin() as conn:
            make_tables(conn, metadata)
            for table in metadata.tables.values():
                # What makes a record written twice count once (tables from before rid have no such constraint).
                if "rid" in table.columns:
                    conn.execute(text(f"CREATE UNIQUE INDEX IF NOT EXISTS uq_{table.name}_rid ON {table.name} (rid)"))
                # The admin pages follow a call or a text conversation by its thread ("did you mean", then no choice).
                if "thread" in table.columns:
                    conn.execute(text(f"CREATE INDEX IF NOT EXISTS ix_{table.name}_thread ON {table.name} (thread)"))

    def drain_once(self, limit: int = 500) -> bool:
        """Move one batch from the buffer into the database; True when a batch was moved."""
        batch = self.buffer.oldest(limit)
        if not batch and self._ready:
            return False
        # Also with nothing to write, once: a monitor wants to know whether the database is there.
        self.prepare()
        try:
            with self.engine.begin() as conn:
                for kind, rows in _runs([(k, r) for _, k, r in batch]):
                    self._write(conn, kind, rows)
            self.buffer.remove([i for i, _, _ in batch])
        except UNREACHABLE:
            raise  # the database cannot be reached (or every connection is busy): retried later with everything kept
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
        if self.engine.dialect.name == "sqlite":
            # Straight to the driver, values in SQLAlchemy's own SQLite formats: a step a request, so this is a cost every
            # request shares (Core's executemany took 16 us a row, this 6).
            sql, convert = _sqlite_insert(table, tuple(names))
            conn.exec_driver_sql(sql, [tuple(f(row.get(k)) for k, f in zip(names, convert)) for row in rows])
            return
        values = [{k: _typed(table, k, row.get(k)) for k in names} for row in rows]
        # A retry after a crash between the commit and the buffer's delete must not count a record twice.
        conn.execute(pg_insert(table).on_conflict_do_nothing(index_elements=["rid"]), values)

    def _write_one_by_one(self, batch: list[tuple[int, str, dict[str, Any]]]) -> None:
        for record_id, kind, row in batch:
            try:
                with self.engine.begin() as conn:
                    self._write(conn, kind, [row])
                self.buffer.remove([record_id])
            except UNREACHABLE:
                raise
            except Exception as exc:  # noqa: BLE001 - kept aside, with why, never dropped
                reason = _reason(exc)
                self.buffer.set_aside(record_id, reason)
                log.warning("records: the database refused a %s record (%s); kept aside in %s (table refused)",
                            kind, reason, self.buffer.path)

    def flush(self, timeout: float = 30.0) -> bool:
        """Write every kept record now, if the database can be reached; True when none is left waiting."""
        try:
            self._spill()
        except Exception as exc:  # noqa: BLE001 - kept in memory for the gatherer's next try; a page shows what it has
            log.warning("records: %d record(s) could not be set down yet (%s)", len(self._pending), _reason(exc))
            return False
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
        self._start_threads()
        self._wake.set()
        return {"database": self.state, "buffered": self.buffer.depth() + len(self._pending), "refused": self.buffer.refused()}

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
                select(unmatched.c.words, unmatched.c.channel, unmatched.c.lang, count).where(unmatched.c.day.between(start, end), not_understood())
                .group_by(unmatched.c.words, unmatched.c.channel, unmatched.c.lang)
                .order_by(count.desc(), unmatched.c.words).limit(limit)).all()
            left = conn.execute(
                select(messages).where(messages.c.created >= dt.datetime.combine(start, dt.time.min),
                                       messages.c.created < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
                .order_by(messages.c.created)).mappings().all()
        return Report(start, end, [tuple(r) for r in topics], [tuple(r) for r in words], [dict(r) for r in left])


def _own_connections(store: "weakref.ref[Store]") -> None:
    kept = store()
    if kept is not None:
        kept.engine.dispose(close=False)
        kept._started = False  # the parent's threads did not come with the fork
        kept._pending = deque()  # the parent's records are the parent's to write
        # Nor did they release what they held at that moment: the child's own locks and events, new and free.
        kept._lock, kept._draining, kept._spilling = threading.Lock(), threading.Lock(), threading.Lock()
        kept._gather, kept._wake = threading.Event(), threading.Event()


def _spill_at_exit(store: "weakref.ref[Store]") -> None:
    kept = store()
    if kept is not None:
        try:
            # Also when nothing is left in memory: the gatherer may be writing what it took a moment ago, and the
            # interpreter stops its thread when this returns. _spill waits for that write to end, then writes the rest.
            kept._spill()
        except Exception:  # noqa: BLE001 - at exit there is no one to tell but the log
            log.exception("records: %d record(s) could not be kept at exit", len(kept._pending))


def not_understood() -> Any:
    """The questions not understood among those kept (not those asked "did you mean" about); rows from before the
    decision was kept were all not understood."""
    return or_(unmatched.c.decision.is_(None), unmatched.c.decision == "none")


def _private_file(path: Path) -> None:
    """Create a records file readable by its owner only (SQLite gives its journal files the same permissions)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
    except OSError:
        log.warning("records: could not make %s private", path)


def _runs(batch: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """A batch as runs of one kind, in the order kept (a callback comes after the message it updates)."""
    runs: list[tuple[str, list[dict[str, Any]]]] = []
    for kind, row in batch:
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(row)
        else:
            runs.append((kind, [row]))
    return runs


def _reason(exc: Exception) -> str:
    """An exception as one short line for a log or a kept-aside record: its type and its message's first line."""
    return f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0][:160]}"


@functools.lru_cache(maxsize=64)
def _sqlite_insert(table: Table, names: tuple[str, ...]) -> tuple[str, list[Callable[[Any], Any]]]:
    """An INSERT that skips a record already written (by its rid), and each column's converter to SQLite's storage."""
    convert = [_to_sqlite(type(table.c[name].type)) for name in names]
    sql = f"INSERT OR IGNORE INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    return sql, convert


def _to_sqlite(kind: type) -> Callable[[Any], Any]:
    """How a kept value is stored in a SQLite column of this type, as SQLAlchemy stores it (so it reads it back)."""
    if kind is Date:
        def day(v: Any) -> Any:
            if isinstance(v, (int, float)):
                return time.strftime("%Y-%m-%d", time.localtime(v))
            return None if v is None else dt.date.fromisoformat(v).isoformat()  # a bad one raises: it is set aside
        return day
    if kind is DateTime:
        def stamp(v: Any) -> Any:
            if isinstance(v, (int, float)):
                return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(v)) + f".{int(v % 1 * 1e6):06d}"
            return None if v is None else dt.datetime.fromisoformat(v).strftime("%Y-%m-%d %H:%M:%S.%f")
        return stamp
    return lambda v: v.replace("\x00", "") if isinstance(v, str) else v


def _typed(table: Table, name: str, value: Any) -> Any:
    """A buffered (JSON) value as its column wants it."""
    if value is None:
        return None
    kind = type(table.c[name].type)
    if kind is Date:
        return dt.date.fromtimestamp(value) if isinstance(value, (int, float)) else dt.date.fromisoformat(value)
    if kind is DateTime:
        if isinstance(value, (int, float)):
            return dt.datetime.fromtimestamp(value, dt.timezone.utc).replace(tzinfo=None)
        return dt.datetime.fromisoformat(value)
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "")  # PostgreSQL's text columns refuse NUL; nothing people mean needs it
    return value
