"""Records survive database outages and restarts: a local durable buffer, a background writer, on SQLite and on
a real PostgreSQL that a test stops in the middle of calls and texts."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from service.records import Store, engine_url
from service.simulator import PhoneCall, TextThread, TwilioClient, audio_texts
from tests.conftest import LINE_FIXTURE, ROOT, TOKEN, fixture_audio, make_app

# The tests here that use PostgreSQL run one after another on one test worker: one of them stops the cluster.
pytestmark = pytest.mark.xdist_group("postgres")
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PG_CTL = os.environ.get("TEST_PG_CTL", "")
DOWN = "postgresql://nobody@127.0.0.1:9/none"  # nothing listens on port 9


def fresh_postgres_database() -> str:
    """A new, empty database on the test cluster, so counts are exact."""
    import psycopg

    name = f"line_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def databases() -> list[str]:
    return ["sqlite"] + (["postgresql"] if PG_URL else [])


def url_for(kind: str, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'records.sqlite'}" if kind == "sqlite" else fresh_postgres_database()


def counts(store: Store) -> tuple[int, int, int]:
    today = dt.date.today()
    report = store.report(today, today, limit=10000)
    return sum(t[3] for t in report.topics), sum(u[3] for u in report.unmatched), len(report.messages)


@pytest.mark.parametrize("kind", databases())
def test_records_reach_the_database_through_the_buffer(kind: str, tmp_path: Path) -> None:
    store = Store(engine_url(url_for(kind, tmp_path), ""), tmp_path / "buffer.sqlite")
    store.record_usage("voice", "es", "skin")
    store.record_unmatched("sms", "en", "zorp blik")
    store.record_message("CA9", "*********23", "https://api.twilio.com/rec/RE7", 12, recording_sid="RE7")
    store.record_callback("RE7", "+15555550199")
    assert store.flush() and store.buffer.depth() == 0
    assert counts(store) == (1, 1, 1)
    [message] = store.report(dt.date.today(), dt.date.today()).messages
    assert message["callback"] == "+15555550199" and message["caller"] == "*********23"


@pytest.mark.parametrize("kind", databases())
def test_nothing_is_lost_across_an_outage_and_a_restart(kind: str, tmp_path: Path) -> None:
    url = engine_url(url_for(kind, tmp_path), "")
    buffer = tmp_path / "buffer.sqlite"
    down = Store(engine_url(DOWN, ""), buffer)
    for n in range(5):
        down.record_usage("sms", "en", f"topic{n}")
    down.record_message("CA1", "*********23", "https://api.twilio.com/rec/RE1", 30, recording_sid="RE1")
    assert not down.flush(timeout=8) and down.buffer.depth() == 6 and down.health()["database"] == "down"
    # The line restarts (a new process), now with the database back: the kept records arrive, once each.
    up = Store(url, buffer)
    assert up.flush() and counts(up) == (5, 0, 1)
    assert up.flush() and counts(up) == (5, 0, 1)


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_every_connection_busy_is_an_outage_the_records_wait_out_never_refused(tmp_path: Path) -> None:
    from service.records.store import POOL

    store = Store(engine_url(fresh_postgres_database(), ""), tmp_path / "buffer.sqlite")
    assert store.flush()
    store.engine.pool._timeout = 0.2  # type: ignore[attr-defined]  # the test's patience, not the line's 5 s
    held = [store.engine.connect() for _ in range(POOL)]
    try:
        for n in range(3):
            store.record_usage("sms", "en", f"topic{n}")
        assert not store.flush(timeout=2)
        assert store.buffer.depth() == 3 and store.buffer.refused() == 0  # waiting, not set aside as refused
    finally:
        for conn in held:
            conn.close()
    assert store.flush() and counts(store) == (3, 0, 0)


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_workers_starting_together_on_a_new_database_all_find_its_tables(tmp_path: Path) -> None:
    # Two gunicorn workers (or two instances) on a fresh PostgreSQL database make the tables at the same moment: one
    # failed on the catalogue's duplicate key, its records waited out an "outage", and its admin sign-ins were its own.
    import threading

    from service.editing import EditStore

    url = engine_url(fresh_postgres_database(), "")
    stores = [Store(url, tmp_path / f"buffer{n}.sqlite") for n in range(4)]
    together, failed = threading.Barrier(len(stores) * 2), list[str]()

    def start(prepare: Callable[[], None]) -> None:
        together.wait()
        try:
            prepare()
        except Exception as exc:  # noqa: BLE001 - what failed is the finding
            failed.append(f"{type(exc).__name__}: {str(exc)[:120]}")

    threads = [threading.Thread(target=start, args=(prepare,))
               for store in stores for prepare in (store.prepare, EditStore(store.engine).prepare)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    store = stores[0]
    store.record_usage("sms", "en", "outlook")
    assert store.flush() and counts(store) == (1, 0, 0)


def test_a_record_written_twice_after_a_crash_counts_once(tmp_path: Path) -> None:
    store = Store(engine_url("", str(tmp_path / "r.sqlite")), tmp_path / "buffer.sqlite", direct=False)
    store.record_usage("voice", "en", "outlook")
    store._spill()
    batch = store.buffer.oldest()
    assert batch
    store.flush()
    # The process died after the database's commit and before the buffer's delete: the same record comes again.
    for _, kind, row in batch:
        store.buffer.append(kind, row)
    store.flush()
    assert counts(store) == (1, 0, 0)


def test_records_gathered_in_memory_survive_a_failed_write(tmp_path: Path) -> None:
    store = Store(engine_url("", str(tmp_path / "r.sqlite")), tmp_path / "buffer.sqlite", direct=False)
    real = store.buffer.append_many
    failures = iter([OSError("disk full")])

    def flaky(records: list) -> None:
        failure = next(failures, None)
        if failure:
            raise failure
        real(records)

    store.buffer.append_many = flaky  # type: ignore[method-assign]
    store.record_usage("sms", "en", "outlook")  # its first write fails
    time.sleep(0.3)
    store.record_usage("sms", "en", "skin")
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and counts(store) != (2, 0, 0):
        time.sleep(0.2)
        if not store._pending:  # the gatherer has set both down again: write them on
            store.flush()
    assert counts(store) == (2, 0, 0)
    assert all(t.is_alive() for t in store._threads)
    assert not store._pending
    # A page that asks for the records written meanwhile is told they are not yet, rather than failing.
    store.buffer.append_many = lambda records: (_ for _ in ()).throw(OSError("disk full"))  # type: ignore[method-assign]
    store._pending.append(("usage", {"rid": "late", "day": dt.date.today().isoformat(), "channel": "sms", "lang": "en",
                                     "topic": "skin"}))
    assert store.flush(timeout=1) is False and len(store._pending) == 1
    store.buffer.append_many = real  # type: ignore[method-assign]
    assert store.flush() and counts(store) == (3, 0, 0)


def test_the_line_starts_and_answers_with_the_database_down(tmp_path: Path) -> None:
    app = make_app(tmp_path, DATABASE_URL=DOWN, RECORDS_BUFFER=str(tmp_path / "buffer.sqlite"))
    twilio = TwilioClient(app.test_client(), TOKEN)
    call = PhoneCall(twilio, audio_texts(app.extensions["line"]))
    call.start()
    call.press("4")
    assert "not an infection" in call.press("3").text
    assert "not an infection" in TextThread(twilio).send("is it contagious")[-1]
    time.sleep(1.5)
    health = app.test_client().get("/healthz")
    assert health.status_code == 200 and health.json["database"] == "down" and health.json["buffered"] >= 2
    assert len(health.json["content"]) == 12


def test_admin_commands_that_need_no_database_run_with_it_down(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "FLASK_"))}
    # The fixture content: the shipped content's own check is test_content's (each run of it takes seconds).
    env.update(DATABASE_URL=DOWN, RECORDS_BUFFER=str(tmp_path / "buffer.sqlite"), PROMPTS_DIR=str(LINE_FIXTURE),
               AUDIO_DIR=str(fixture_audio()), AUDIO_ENGINE="espeak")
    for args in (["prompts", "check"], ["ask", "is it contagious"]):
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "service", *args], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr and "unreachable" not in result.stderr


@pytest.mark.skipif(not (PG_URL and PG_CTL), reason="needs the throwaway PostgreSQL that .ci/run starts (TEST_PG_CTL)")
def test_postgresql_stopped_in_the_middle_of_calls_and_texts_loses_nothing(tmp_path: Path) -> None:
    app: Flask = make_app(tmp_path, DATABASE_URL=fresh_postgres_database(), RECORDS_BUFFER=str(tmp_path / "buffer.sqlite"))
    line = app.extensions["line"]
    twilio = TwilioClient(app.test_client(), TOKEN)

    def talk(texter: str) -> None:
        call = PhoneCall(twilio, audio_texts(line))
        call.start()
        call.press("1")
        TextThread(twilio, texter=texter).send("is it contagious")

    talk("+15555550001")
    assert line.store.flush()
    subprocess.run(shlex.split(PG_CTL) + ["stop", "-m", "fast"], check=True, capture_output=True)
    try:
        for n in range(3):
            talk(f"+1555555001{n}")
        from tests.test_voice import key_path

        call = PhoneCall(twilio, audio_texts(line))
        call.start()
        for key in key_path(line.content, "leave_message"):
            turn = call.press(key)
        assert turn.record is not None
        call.leave_recording(url="https://api.twilio.com/recordings/RE_OUTAGE")
        assert not line.store.flush(timeout=5) and line.store.buffer.depth() >= 7
        assert app.test_client().get("/healthz").json["database"] == "down"
    finally:
        subprocess.run(shlex.split(PG_CTL) + ["start"], check=True, capture_output=True)
    assert line.store.flush()
    topics, _, messages = counts(line.store)
    assert topics == 8 + 1 and messages == 1  # 4 calls and 4 texts reached a topic, plus the message left


def test_a_database_made_by_an_older_line_gets_the_new_columns(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE usage (id INTEGER PRIMARY KEY, day DATE NOT NULL, channel VARCHAR(8) NOT NULL, "
                     "lang VARCHAR(8) NOT NULL, topic VARCHAR(64) NOT NULL)")
        conn.execute("INSERT INTO usage (day, channel, lang, topic) VALUES (?, 'voice', 'en', 'skin')", (dt.date.today().isoformat(),))
        conn.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, created DATETIME NOT NULL, call_sid VARCHAR(64) NOT NULL, "
                     "caller VARCHAR(32) NOT NULL, recording_url VARCHAR(500) NOT NULL, duration INTEGER NOT NULL)")
    store = Store(engine_url("", str(path)), tmp_path / "buffer.sqlite")
    store.record_usage("sms", "es", "skin")
    store.record_message("CA2", "***45", "https://api.twilio.com/rec/RE2", 9, recording_sid="RE2", callback="+15555550145")
    assert store.flush()
    assert counts(store) == (2, 0, 1)


@pytest.mark.parametrize("kind", databases())
def test_a_record_the_database_refuses_is_kept_aside_and_the_others_are_written(kind: str, tmp_path: Path) -> None:
    store = Store(engine_url(url_for(kind, tmp_path), ""), tmp_path / "buffer.sqlite")
    store.record_unmatched("sms", "en", "nul \x00 byte")  # PostgreSQL refuses NUL in text: it is taken out first
    store.record_usage("sms", "en", "skin")
    store.buffer.append("usage", {"rid": "bad", "day": "not a date", "channel": "sms", "lang": "en", "topic": "x"})
    store.record_usage("voice", "en", "skin")
    assert store.flush()
    assert counts(store) == (2, 1, 0) and store.buffer.depth() == 0 and store.buffer.refused() == 1


def test_the_same_recording_posted_twice_is_one_message(tmp_path: Path) -> None:
    store = Store(engine_url("", str(tmp_path / "r.sqlite")), tmp_path / "buffer.sqlite")
    for _ in range(2):
        store.record_message("CA1", "***23", "https://api.twilio.com/rec/RE8", 5, recording_sid="RE8", callback="+15555550123")
    assert store.flush() and counts(store) == (0, 0, 1)


def test_a_phone_number_typed_into_a_question_is_not_kept(tmp_path: Path) -> None:
    store = Store(engine_url("", str(tmp_path / "r.sqlite")), tmp_path / "buffer.sqlite")
    store.record_unmatched("sms", "en", "call me back at (555) 555-0123 please")
    store.flush()
    [(words, *_)] = store.report(dt.date.today(), dt.date.today()).unmatched
    assert "555" not in words and "#" in words


@pytest.mark.parametrize("kind", databases())
def test_the_admin_figures_come_from_either_database(kind: str, tmp_path: Path) -> None:
    from service.records import summary

    app = make_app(tmp_path, DATABASE_URL=url_for(kind, tmp_path))
    line = app.extensions["line"]
    twilio = TwilioClient(app.test_client(), TOKEN)
    answered = PhoneCall(twilio, audio_texts(line))
    answered.start()
    answered.press("1")  # the main menu's first option: an answer, where this caller hangs up
    quiet = PhoneCall(twilio, audio_texts(line))
    quiet.start()
    quiet.wait()  # hangs up in the main menu after a silence
    TextThread(twilio).send("is it contagious")
    line.store.record_message("CA9", "***23", "https://api.twilio.com/rec/RE9", 12, recording_sid="RE9", callback="+15555550199")
    assert line.store.flush()
    today = dt.date.today()
    data = summary.overview(line.store, today, today)
    first = line.content.menus["main"].options[0].target
    assert (data.calls, data.texts) == (2, 1)
    assert dict(data.ends) == {f"topic:{first}": 1, "menu:main": 1}
    assert data.decisions["sms"] == {"answer": 1} and ("contagious", 0, 1) in data.topics
    [message] = summary.messages_left(line.store)
    assert summary.mark_handled(line.store, message["id"], "Ana")
    marked = summary.message(line.store, message["id"])
    assert marked is not None and marked["handled_by"] == "Ana" and marked["handled_at"] is not None
    assert not summary.mark_handled(line.store, message["id"] + 100, "Ana")


@pytest.mark.parametrize("words, kept", [
    ("call me back at (555) 555-0123 please", "call me back at # please"),
    ("my email is ana.perez@example.com can you write", "my email is # can you write"),
    ("my number is five five five one two one two thanks", "my number is # thanks"),
    ("mi numero es cinco cinco cinco uno dos tres", "mi numero es #"),
    ("5 5 5 0 1 2 3 call me", "# call me"),
    ("i have one or two questions about year 2023", "i have one or two questions about year 2023"),
])
def test_numbers_and_email_addresses_in_a_question_are_not_kept(words: str, kept: str, tmp_path: Path) -> None:
    store = Store(engine_url("", str(tmp_path / "r.sqlite")))
    store.record_unmatched("sms", "en", words)
    store.flush()
    [(stored, *_)] = store.report(dt.date.today(), dt.date.today()).unmatched
    assert stored == kept


def test_old_questions_and_steps_are_deleted_after_the_retention_period(tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from service.records.store import steps, unmatched

    store = Store(engine_url("", str(tmp_path / "r.sqlite")), retention_days=30)
    store.record_unmatched("sms", "en", "zorp")
    store.record_step("sms", "en", "SM1", "reply")
    store.record_usage("sms", "en", "skin")
    store.flush()
    assert store.purge() == 0
    assert store.purge(today=dt.date.today() + dt.timedelta(days=31)) == 2
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(unmatched)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(steps)).scalar() == 0
    assert counts(store)[0] == 1  # topics reached are counts, not people's words: kept


def test_the_records_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    import stat

    store = Store(engine_url("", str(tmp_path / "r.sqlite")), tmp_path / "buffer.sqlite")
    store.record_usage("sms", "en", "skin")
    store.record_message("CA1", "***23", "https://api.twilio.com/rec/RE1", 3, recording_sid="RE1")
    assert store.flush()
    for path in (tmp_path / "r.sqlite", tmp_path / "buffer.sqlite"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for journal in tmp_path.glob("*-wal"):
        assert not stat.S_IMODE(journal.stat().st_mode) & 0o077, journal


def test_the_embedded_database_is_written_straight_and_a_message_at_once(tmp_path: Path) -> None:
    store = Store(engine_url("", str(tmp_path / "r.sqlite")), tmp_path / "buffer.sqlite")
    store.record_message("CA1", "***23", "https://api.twilio.com/rec/RE1", 3, recording_sid="RE1")
    # Power-safe on return: in the database already, nothing waiting anywhere.
    assert store.buffer.depth() == 0 and counts(store)[2] == 1
    for n in range(50):
        store.record_step("voice", "en", f"CA{n}", "menu:main")
    store.flush()
    assert store.buffer.depth() == 0


@pytest.mark.parametrize("kind", databases())
def test_a_text_is_claimed_once_per_key_and_capped_per_number_per_day(kind: str, tmp_path: Path) -> None:
    store = Store(engine_url(url_for(kind, tmp_path), ""), tmp_path / "buffer.sqlite")
    assert store.claim_text("answer-CA1-skin", "n1", "answer", 2) == "ok"
    assert store.claim_text("answer-CA1-skin", "n1", "answer", 2) == "again"
    assert store.claim_text("answer-CA1-outlook", "n1", "answer", 2) == "ok"
    assert store.claim_text("answer-CA2-skin", "n1", "answer", 2) == "cap"
    assert store.claim_text("answer-CA2-skin", "n2", "answer", 2) == "ok"


@pytest.mark.parametrize("kind", databases())
def test_two_workers_claiming_texts_to_one_number_at_once_never_pass_the_cap(kind: str, tmp_path: Path) -> None:
    import threading

    from sqlalchemy import event

    url = engine_url(url_for(kind, tmp_path), "")
    # Two workers, each with its own store; each pauses after counting the number's texts, so that without a lock
    # both would count none and both send.
    workers = [Store(url, tmp_path / f"buffer{n}.sqlite") for n in range(2)]
    for store in workers:
        store.prepare()
        event.listen(store.engine, "after_cursor_execute",
                     lambda *args: time.sleep(0.3) if "count(" in str(args[2]).lower() else None)
    start = threading.Barrier(2)
    said: list[str] = []

    def claim(n: int) -> None:
        start.wait()
        said.append(workers[n].claim_text(f"answer-CA{n}-skin", "n1", "answer", 1))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(said) == ["cap", "ok"]


@pytest.mark.skipif(not PG_URL, reason="needs the throwaway PostgreSQL that .ci/run starts")
def test_record_ids_of_an_older_postgresql_table_are_widened(tmp_path: Path) -> None:
    import psycopg

    url = fresh_postgres_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE messages (id SERIAL PRIMARY KEY, rid VARCHAR(36) UNIQUE, created TIMESTAMP NOT NULL, "
                     "call_sid VARCHAR(64) NOT NULL, caller VARCHAR(32) NOT NULL, recording_url VARCHAR(500) NOT NULL, "
                     "duration INTEGER NOT NULL)")
    store = Store(engine_url(url, ""), tmp_path / "buffer.sqlite")
    store.record_message("CA1", "***23", "https://api.twilio.com/rec", 3, recording_sid="RE" + "a" * 32)
    assert store.flush() and counts(store)[2] == 1 and store.buffer.refused() == 0


def test_records_being_written_when_the_process_ends_are_waited_for(tmp_path: Path) -> None:
    # The gatherer has taken the last steps out of memory and is writing them when the process exits: the exit waits
    # for that write (the interpreter would otherwise stop the thread halfway, and the steps would be lost).
    import threading
    import weakref

    from service.records import store as records

    kept = Store(f"sqlite:///{tmp_path / 'exit.sqlite'}")
    kept.prepare()
    write_now = kept._write_now
    writing = threading.Event()

    def slow_write(batch: list, durable: bool = False) -> bool:
        writing.set()
        time.sleep(0.5)
        return write_now(batch, durable)

    kept._write_now = slow_write  # type: ignore[method-assign]
    kept._pending.append(("step", {"at": time.time(), "day": time.time(), "channel": "voice", "lang": "en", "sid": "CAexit",
                                   "place": "menu:main", "decision": None, "safety": None, "thread": None, "rid": "exit-1"}))
    gatherer = threading.Thread(target=kept._spill, daemon=True)
    gatherer.start()
    assert writing.wait(5)
    records._spill_at_exit(weakref.ref(kept))
    with kept.engine.connect() as conn:
        assert conn.exec_driver_sql("select count(*) from steps where sid = 'CAexit'").scalar() == 1


def test_workers_preparing_one_sqlite_file_at_once_all_get_their_tables(tmp_path: Path) -> None:
    """gunicorn's workers start together on the embedded database: each makes the tables it finds missing, and the
    one that finds another worker made them first carries on (it raised "table ... already exists")."""
    import threading

    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    stores = [Store(url, buffer_path=tmp_path / f"buffer{n}.sqlite") for n in range(6)]
    failures: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def prepare(store: Store) -> None:
        start.wait()
        try:
            store.prepare()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            failures.append(exc)

    threads = [threading.Thread(target=prepare, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[0]


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"])
def test_a_steps_day_is_the_lines_day_around_midnight_and_the_clock_changes(tmp_path: Path, zone: str) -> None:
    import zoneinfo

    store = Store(engine_url("", str(tmp_path / "r.sqlite")), tmp_path / "buffer.sqlite", zone=zone)
    tz = zoneinfo.ZoneInfo(zone)
    # Each second around the local midnights of a day when the clocks change, and of an ordinary day.
    for day in (dt.date(2026, 3, 8), dt.date(2026, 4, 5), dt.date(2026, 10, 4), dt.date(2026, 11, 1), dt.date(2026, 6, 15)):
        midnight = dt.datetime.combine(day, dt.time(), tz).timestamp()
        for now in range(int(midnight) - 90, int(midnight) + 90):
            assert store._day_of(now + 0.5) == dt.datetime.fromtimestamp(now + 0.5, tz).date().isoformat(), (zone, now)


def test_a_forked_worker_gets_locks_of_its_own_and_starts_its_own_writer(tmp_path: Path) -> None:
    store = Store(engine_url("", str(tmp_path / "r.sqlite")), tmp_path / "buffer.sqlite")
    store.record_step("voice", "en", "CA1", "menu:main", rid="step-parent")
    assert store.flush()
    store._lock.acquire()  # held by a thread of the parent at the moment of the fork
    pid = os.fork()
    if pid == 0:  # the child: a gunicorn worker forked after the app was built
        code = 1
        signal.alarm(20)  # a child stuck on a lock its parent held dies rather than hang the test
        try:
            store.record_step("voice", "en", "CA2", "menu:main", rid="step-child")
            code = 0 if store.flush(timeout=10) else 2
        finally:
            os._exit(code)
    store._lock.release()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with store.engine.connect() as conn:
        assert {r[0] for r in conn.execute(text("SELECT rid FROM steps"))} == {"step-parent", "step-child"}
