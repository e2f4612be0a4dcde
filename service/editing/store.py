"""Where the admin pages' edits live: the current value of each edited field, every revision (who, when, what changed),
medical review marks, the audio built for edited prompts, and what the line's workers report. In the records
database (PostgreSQL with DATABASE_URL, else the embedded SQLite file), so that every worker and every instance
serves the same content, and edits survive restarts and redeploys."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sqlalchemy import (Column, Date, DateTime, Integer, LargeBinary, MetaData, String, Table, Text, delete, func, insert,
                        select, update)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ..content.edits import Edit, Value, fingerprint, plain
from ..records.store import make_tables

metadata = MetaData()

# The current value of every field an admin changed, over the deployed prompt files: one row a field.
edits = Table(
    "content_edits", metadata,
    Column("id", Integer, primary_key=True),
    Column("lang", String(16), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("ident", String(64), nullable=False),
    Column("field", String(16), nullable=False),
    Column("value", Text, nullable=False),  # JSON: a string, or a list of strings
    Column("was", Text, nullable=True),  # JSON: the files' value when the edit was made
    Column("revision", Integer, nullable=False),
)
revisions = Table(
    "content_revisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("who", String(64), nullable=False),
    Column("action", String(16), nullable=False),  # publish, revert, review, keep (a conflict resolved), retire
    Column("kind", String(8), nullable=False),
    Column("ident", String(64), nullable=False),
    Column("langs", String(64), nullable=False),
    Column("changes", Text, nullable=False),  # JSON list of {lang, field, before, after}
    Column("reverts", Integer, nullable=True),
)
reviews = Table(
    "content_reviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("topic", String(64), nullable=False, index=True),
    Column("who", String(64), nullable=False),
    Column("on", Date, nullable=False),
    Column("answers", String(64), nullable=False),  # a hash of the topic's answers in every language when reviewed
    Column("revision", Integer, nullable=True),
)
# What a topic's answer in another language was last written or checked against: the first language's answers then.
translations = Table(
    "content_translations", metadata,
    Column("id", Integer, primary_key=True),
    Column("topic", String(64), nullable=False, index=True),
    Column("lang", String(16), nullable=False),
    Column("who", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("source", String(64), nullable=False),  # a hash of the first language's answers (spoken and text)
    Column("target", String(64), nullable=False),  # a hash of this language's answers, which follow those
    Column("revision", Integer, nullable=True),  # the History's entry of a mark someone made by saying so
)
audio = Table(
    "content_audio", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(160), nullable=False, unique=True),
    Column("record", Text, nullable=False),  # JSON: the manifest's record (prompt, lang, text_sha, engine, voice...)
    Column("data", LargeBinary, nullable=False),
)
jobs = Table(
    "content_audio_jobs", metadata,
    Column("id", Integer, primary_key=True),
    Column("revision", Integer, nullable=False, index=True),
    Column("total", Integer, nullable=False),
    Column("done", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # building, done
    Column("note", String(300), nullable=True),
)
previews = Table(
    "content_previews", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("at", DateTime, nullable=False),
    Column("data", LargeBinary, nullable=False),
)
state = Table(
    "content_state", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("value", String(200), nullable=False),
    Column("at", DateTime, nullable=False),
)


TURN = "publish-turn"  # the content_state row every publish locks first


class _NothingChanged(Exception):
    pass


class Stale(Exception):
    """A publish made on an older view of a field than the database's: someone changed it since (on any worker)."""

    def __init__(self, fields: list[tuple[str, str, str, str]]) -> None:
        super().__init__(f"{len(fields)} field(s) changed since")
        self.fields = fields


class PublishRefused(Exception):
    """A publish the check refused: the whole content with it would have these errors."""

    def __init__(self, problems: list[Any]) -> None:
        super().__init__(f"{len(problems)} error(s)")
        self.problems = problems


# A publish changes one place's prompts: a handful, built in seconds (gTTS) to a minute. Still "building" this long
# after, the thread building them is gone (the worker restarted): the page says so rather than "building" forever.
JOB_STALLS = dt.timedelta(minutes=10)


def now() -> dt.datetime:
    """The time, in UTC, as the tables keep it."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _load(value: str | None) -> Value | None:
    if value is None:
        return None
    found = json.loads(value)
    return tuple(found) if isinstance(found, list) else str(found)


def _dump(value: Value | None) -> str | None:
    return None if value is None else json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


@dataclass(frozen=True)
class Change:
    """One field of a revision: its value before and after."""

    lang: str
    field: str
    before: Value | None
    after: Value | None


def _changes(changes: list[Change]) -> str:
    """A revision's changes as the history keeps them."""
    return json.dumps([{"lang": c.lang, "field": c.field, "before": _dump(c.before), "after": _dump(c.after)} for c in changes],
                      ensure_ascii=False)


def _edit_of(row: Any) -> Edit:
    """An edit as its row keeps it."""
    return Edit(row["lang"], row["kind"], row["ident"], row["field"], _load(row["value"]) or "", _load(row["was"]))


def _revision_of(row: Any) -> Revision:
    """A revision as its row keeps it."""
    return Revision(row["id"], row["at"], row["who"], row["action"], row["kind"], row["ident"],
                    tuple(filter(None, row["langs"].split(","))),
                    tuple(Change(c["lang"], c["field"], _load(c["before"]), _load(c["after"])) for c in json.loads(row["changes"])),
                    row["reverts"])


def _field_is(edit: Edit) -> tuple[Any, ...]:
    """The conditions that pick an edit's field's row."""
    return (edits.c.lang == edit.lang, edits.c.kind == edit.kind, edits.c.ident == edit.ident, edits.c.field == edit.field)


def _take_turn(conn: Any) -> None:
    """Wait for the publish turn, and hold it until this transaction ends (PostgreSQL: the row; SQLite: the file)."""
    conn.execute(update(state).where(state.c.key == TURN).values(at=now()))


def _add_revision(conn: Any, who: str, action: str, kind: str, ident: str, langs: Iterable[str], changes: list[Change],
                  reverts: int | None = None) -> int:
    """A new revision in the history; its number."""
    return int(conn.execute(insert(revisions).values(
        at=now(), who=who[:64], action=action, kind=kind, ident=ident[:64], langs=",".join(sorted(set(langs)))[:64],
        changes=_changes(changes), reverts=reverts)).inserted_primary_key[0])


@dataclass(frozen=True)
class Revision:
    """One publish, revert, review mark or resolved conflict."""

    id: int
    at: dt.datetime
    who: str
    action: str
    kind: str
    ident: str
    langs: tuple[str, ...]
    changes: tuple[Change, ...]
    reverts: int | None = None


@dataclass(frozen=True)
class Review:
    """The latest medical review of a topic made on the admin pages."""

    topic: str
    who: str
    on: dt.date
    answers: str


@dataclass(frozen=True)
class Translation:
    """A topic's answers in a language known to follow the first language's: written to them, or checked against
    them, by someone ("": they were so when the first language's answers were first changed here)."""

    topic: str
    lang: str
    who: str
    at: dt.datetime
    source: str
    target: str


@dataclass
class Job:
    """The audio being built for a revision's changed prompts."""

    revision: int
    total: int
    done: int
    failed: int
    state: str
    note: str = ""
    names: list[str] = field(default_factory=list)


class EditStore:
    """The edits, revisions, reviews and audio of the admin pages' editor, in the records database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._ready = False
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Make the tables (and the row publishes take turns on), once a process."""
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                try:
                    with self.engine.begin() as conn:
                        make_tables(conn, metadata)
                        if conn.execute(select(state.c.id).where(state.c.key == TURN)).first() is None:
                            conn.execute(insert(state).values(key=TURN, value="", at=now()))
                except IntegrityError:
                    pass  # another process on the same SQLite file made it first
                self._ready = True

    def stamp(self) -> tuple[int, int]:
        """What changes when the live content does: the newest revision, and the newest audio (cheap to poll)."""
        self.prepare()
        with self.engine.connect() as conn:
            revision = conn.execute(select(func.max(revisions.c.id))).scalar() or 0
            newest = conn.execute(select(func.max(audio.c.id))).scalar() or 0
        return int(revision), int(newest)

    def edits(self) -> list[Edit]:
        """Every field edited on the admin pages, with its current value."""
        self.prepare()
        with self.engine.connect() as conn:
            rows = conn.execute(select(edits).order_by(edits.c.id)).mappings().all()
        return [_edit_of(r) for r in rows]

    def publish(self, changes: list[Edit], who: str, action: str = "publish", reverts: int | None = None,
                check: Callable[[list[Edit]], list[Any]] | None = None,
                expect: dict[tuple[str, str, str, str], tuple[str, ...]] | None = None) -> int:
        """Record a revision and make its changes the fields' current values (a field set back to its value in the
        files stops being an edit); 0 when nothing would change. Each change's was: the field's value in the deployed
        files as the caller read them (None: not there). check: the errors of the whole content with these changes, run while no other
        publish can happen (on any worker), so two publishes can never together make content the line refuses;
        with errors, nothing is stored and PublishRefused says them. expect: for some fields, the fingerprints of
        the values the change was made from; when the field now holds another (a colleague published meanwhile, on
        this worker or another), nothing is stored and Stale names those fields. A change whose value is None takes
        the field's edit away (back to the files, where the field is absent)."""
        self.prepare()
        try:
            return self._publish(changes, who, action, reverts, check, expect or {})
        except _NothingChanged:
            return 0

    def _publish(self, changes: list[Edit], who: str, action: str, reverts: int | None,
                 check: Callable[[list[Edit]], list[Any]] | None, expect: dict[tuple[str, str, str, str], tuple[str, ...]]) -> int:
        kept: list[Change] = []
        with self.engine.begin() as conn:
            _take_turn(conn)
            found = {(r["lang"], r["kind"], r["ident"], r["field"]): r for r in conn.execute(select(edits)).mappings()}
            # A field's value now: its edit's, else the deployed files'.
            now_values = {c.key: _load(found[c.key]["value"]) if c.key in found else c.was for c in changes}
            stale = [c.key for c in changes if c.key in expect and fingerprint(now_values[c.key]) not in expect[c.key]]
            if stale:
                raise Stale(stale)
            if check is not None:
                whole = {key: _edit_of(r) for key, r in found.items()}
                for change in changes:
                    if change.value is None:
                        whole.pop(change.key, None)
                    else:
                        was = whole[change.key].was if change.key in whole else change.was
                        whole[change.key] = Edit(*change.key, plain(change.value), was)
                errors = check(list(whole.values()))
                if errors:
                    raise PublishRefused(errors)
            # Its changes are written once known (below): the edits' rows name the revision that set them.
            revision = _add_revision(conn, who, action, changes[0].kind, changes[0].ident, (c.lang for c in changes), [], reverts)
            for change in changes:
                row = found.get(change.key)
                in_files = plain(change.was) if change.was is not None else None
                before = plain(_load(row["value"]) or "") if row is not None else in_files
                if change.value is None:
                    # The edit taken away: the field is again as the files have it (absent there, so absent here).
                    if row is not None:
                        conn.execute(delete(edits).where(edits.c.id == row["id"]))
                        kept.append(Change(change.lang, change.field, before, in_files))
                    continue
                after = plain(change.value)
                if before == after:
                    continue
                kept.append(Change(change.lang, change.field, before, after))
                if in_files is not None and after == in_files:
                    if row is not None:  # back to the files' own value: no longer an edit
                        conn.execute(delete(edits).where(edits.c.id == row["id"]))
                elif row is None or not conn.execute(update(edits).where(edits.c.id == row["id"]).values(
                        value=_dump(after), revision=revision)).rowcount:
                    # A new edit, or one a look at the deployed files retired just now: kept as a new one.
                    conn.execute(insert(edits).values(lang=change.lang, kind=change.kind, ident=change.ident, field=change.field,
                                                      value=_dump(after), was=_dump(in_files), revision=revision))
            if not kept:
                raise _NothingChanged  # rolled back: no empty revision in the history
            conn.execute(update(revisions).where(revisions.c.id == revision).values(changes=_changes(kept)))
        return int(revision)

    def retire(self, absorbed: list[Edit]) -> int:
        """Take away edits the deployed files now say word for word (pulled and committed): from then on the field
        follows the files, so a later change in the files is served, not held up as a conflict. Each place's are one
        revision in the history (reverting it brings the edit back, should the files go back to older words). Their
        count."""
        self.prepare()
        gone: dict[tuple[str, str], list[Change]] = {}
        with self.engine.begin() as conn:
            _take_turn(conn)  # in turn with publishes: a colleague's publish of the same field is never undone halfway
            for edit in absorbed:
                if edit.value is None:
                    continue
                value = plain(edit.value)
                if conn.execute(delete(edits).where(*_field_is(edit), edits.c.value == _dump(value))).rowcount:
                    gone.setdefault((edit.kind, edit.ident), []).append(Change(edit.lang, edit.field, value, value))
            for (kind, ident), changes in gone.items():
                _add_revision(conn, "the deployed files", "retire", kind, ident, (c.lang for c in changes), changes)
        return sum(len(changes) for changes in gone.values())

    def keep(self, edit: Edit, file_value: Value, who: str, shown: str | None = None) -> int:
        """A conflict resolved by keeping the web's value: the files' new value becomes what it was edited from.
        shown: the fingerprint of the value the admin saw (default: edit's). Stale when the field's edit is no longer
        that value (a colleague published other words meanwhile, on any worker): nothing is stored. (A colleague who
        kept the same words a moment before is not told apart: the result is the same words, kept twice.)"""
        self.prepare()
        with self.engine.begin() as conn:
            _take_turn(conn)  # in turn with publishes: the value kept is the value the admin saw
            row = conn.execute(select(edits.c.id, edits.c.value).where(*_field_is(edit))).first()
            kept = _load(row.value) if row is not None else None
            if row is None or fingerprint(kept) != (shown or fingerprint(edit.value)):
                raise Stale([edit.key])
            # The revision records the words kept as the database holds them.
            revision = _add_revision(conn, who, "keep", edit.kind, edit.ident, [edit.lang],
                                     [Change(edit.lang, edit.field, file_value, plain(kept or ""))])
            conn.execute(update(edits).where(edits.c.id == row.id).values(was=_dump(file_value), revision=revision))
        return int(revision)

    def revision(self, revision_id: int) -> Revision | None:
        """One revision, by its number."""
        found = self.revisions(1, where=revision_id)
        return found[0] if found else None

    def revisions(self, limit: int = 100, offset: int = 0, where: int | None = None) -> list[Revision]:
        """The revisions, newest first."""
        self.prepare()
        query = select(revisions).order_by(revisions.c.id.desc()).limit(limit).offset(offset)
        if where is not None:
            query = query.where(revisions.c.id == where)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_revision_of(r) for r in rows]

    def changes_of(self, kind: str, ident: str, lang: str, fields: tuple[str, ...]) -> list[Revision]:
        """The revisions that changed one of these fields of a place in a language, newest first (of its last 200)."""
        self.prepare()
        query = (select(revisions).where(revisions.c.kind == kind, revisions.c.ident == ident[:64])
                 .order_by(revisions.c.id.desc()).limit(200))
        with self.engine.connect() as conn:
            found = [_revision_of(row) for row in conn.execute(query).mappings()]
        # A deploy that now says what was edited here ("retire") changed nothing anyone sees.
        return [r for r in found if r.action != "retire" and any(c.lang == lang and c.field in fields for c in r.changes)]

    def undone(self, ids: list[int]) -> dict[int, int]:
        """Of these revisions, those a later revert undid and that stay undone (a revert of that revert puts them
        back): each with the revert's number."""
        if not ids:
            return {}
        self.prepare()
        query = select(revisions.c.reverts, revisions.c.id).where(revisions.c.reverts.is_not(None)).order_by(revisions.c.id)
        with self.engine.connect() as conn:
            reverts = [(int(reverted), int(by)) for reverted, by in conn.execute(query)]
        by_whom: dict[int, list[int]] = {}
        for reverted, by in reverts:
            by_whom.setdefault(reverted, []).append(by)
        standing: dict[int, int | None] = {}

        def undone_by(revision: int) -> int | None:
            # Newest revert first: the revision stays undone by the latest revert that is not itself undone.
            if revision not in standing:
                standing[revision] = next((by for by in reversed(by_whom.get(revision, [])) if undone_by(by) is None), None)
            return standing[revision]

        found = {revision: undone_by(revision) for revision in ids}
        return {revision: by for revision, by in found.items() if by is not None}

    def review(self, topic: str, who: str, answers: str, revision: int | None = None) -> None:
        """Mark a topic medically reviewed, today, by someone, for its answers as they are now."""
        self.prepare()
        with self.engine.begin() as conn:
            conn.execute(insert(reviews).values(topic=topic, who=who[:64], on=dt.date.today(), answers=answers, revision=revision))

    def unreview(self, topic: str, revision: int) -> None:
        """Take back the review mark a revision made (that revision was reverted)."""
        self.prepare()
        with self.engine.begin() as conn:
            conn.execute(delete(reviews).where(reviews.c.topic == topic, reviews.c.revision == revision))

    def reviews(self) -> dict[str, Review]:
        """The latest review mark of each topic reviewed on the admin pages."""
        self.prepare()
        with self.engine.connect() as conn:
            rows = conn.execute(select(reviews).order_by(reviews.c.id)).mappings().all()
        return {r["topic"]: Review(r["topic"], r["who"], r["on"], r["answers"]) for r in rows}

    def translated(self, topic: str, lang: str, who: str, source: str, target: str, listed: bool = False) -> None:
        """A topic's answers in a language (their hash: target) follow the first language's answers (source); listed:
        someone said so, and the history shows it."""
        self.prepare()
        with self.engine.begin() as conn:
            revision = _add_revision(conn, who, "translated", "topic", topic, [lang], []) if listed else None
            conn.execute(insert(translations).values(topic=topic[:64], lang=lang[:16], who=who[:64], at=now(), source=source,
                                                     target=target, revision=revision))

    def untranslated(self, revision: int, who: str) -> int | None:
        """Take back a mark someone made by saying so (its History entry): a revision that says so, its number; None
        when that entry is no such mark, or is undone already."""
        self.prepare()
        with self.engine.begin() as conn:
            _take_turn(conn)  # two presses of Revert at once: the second finds the first's
            mark = conn.execute(select(revisions).where(revisions.c.id == revision)).mappings().first()
            if mark is None or mark["action"] != "translated" or conn.execute(
                    select(revisions.c.id).where(revisions.c.reverts == revision)).first() is not None:
                return None
            if not conn.execute(delete(translations).where(translations.c.revision == revision)).rowcount:
                return None
            return _add_revision(conn, who, "revert", "topic", mark["ident"], mark["langs"].split(","), [], revision)

    def translations(self) -> dict[tuple[str, str], list[Translation]]:
        """Every translation mark, by topic and language, oldest first."""
        self.prepare()
        found: dict[tuple[str, str], list[Translation]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(select(translations).order_by(translations.c.id)).mappings():
                found.setdefault((r["topic"], r["lang"]), []).append(
                    Translation(r["topic"], r["lang"], r["who"], r["at"], r["source"], r["target"]))
        return found

    # -- audio built for edited prompts --

    def audio_records(self) -> dict[str, dict[str, Any]]:
        """The manifest records of the audio built for edits, by file name."""
        self.prepare()
        with self.engine.connect() as conn:
            return {name: json.loads(record) for name, record in conn.execute(select(audio.c.name, audio.c.record))}

    def audio_data(self, name: str) -> bytes | None:
        """One built file's bytes."""
        self.prepare()
        with self.engine.connect() as conn:
            found = conn.execute(select(audio.c.data).where(audio.c.name == name)).first()
        return bytes(found[0]) if found else None

    def put_audio(self, name: str, record: dict[str, Any], data: bytes) -> None:
        """Keep a built file (once: the same name is the same text, voice and engine)."""
        self.prepare()
        with self.engine.begin() as conn:
            if conn.execute(select(audio.c.id).where(audio.c.name == name)).first() is None:
                conn.execute(insert(audio).values(name=name, record=json.dumps(record), data=data))

    def start_job(self, revision: int, total: int) -> None:
        """Audio is being built for a revision's prompts."""
        self.prepare()
        with self.engine.begin() as conn:
            conn.execute(insert(jobs).values(revision=revision, total=total, done=0, failed=0,
                                             state="building" if total else "done"))

    def job_progress(self, revision: int, done: int, failed: int, finished: bool = False, note: str = "") -> None:
        """How far a revision's audio has come."""
        with self.engine.begin() as conn:
            conn.execute(update(jobs).where(jobs.c.revision == revision).values(
                done=done, failed=failed, state="done" if finished else "building", note=note[:300] or None))

    def job(self, revision: int) -> Job | None:
        """The audio job of a revision, if any ("stopped": still building long after its publish, so the worker
        building it was restarted or stopped; the rest is read by Twilio's voice until a deploy builds it)."""
        self.prepare()
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs, revisions.c.at).join(revisions, revisions.c.id == jobs.c.revision, isouter=True)
                               .where(jobs.c.revision == revision)).mappings().first()
        if row is None:
            return None
        state = row["state"]
        if state == "building" and (row["at"] is None or row["at"] < now() - JOB_STALLS):
            state = "stopped"
        return Job(row["revision"], row["total"], row["done"], row["failed"], state, row["note"] or "")

    def put_preview(self, key: str, data: bytes) -> None:
        """A "Listen" recording, kept an hour for whichever worker the browser asks."""
        self.prepare()
        with self.engine.begin() as conn:
            conn.execute(delete(previews).where(previews.c.at < now() - dt.timedelta(hours=1)))
            if conn.execute(select(previews.c.id).where(previews.c.key == key)).first() is None:
                conn.execute(insert(previews).values(key=key, at=now(), data=data))

    def preview(self, key: str) -> bytes | None:
        """A "Listen" recording, by its key."""
        self.prepare()
        with self.engine.connect() as conn:
            found = conn.execute(select(previews.c.data).where(previews.c.key == key[:64])).first()
        return bytes(found[0]) if found else None

    def set_state(self, key: str, value: str) -> None:
        """Note something a worker did (the newest content whose examples it has learnt)."""
        self.prepare()
        with self.engine.begin() as conn:
            if conn.execute(update(state).where(state.c.key == key).values(value=value[:200], at=now())).rowcount == 0:
                conn.execute(insert(state).values(key=key, value=value[:200], at=now()))

    def get_state(self, key: str) -> tuple[str, dt.datetime] | None:
        """What was noted under a key, and when."""
        self.prepare()
        with self.engine.connect() as conn:
            found = conn.execute(select(state.c.value, state.c.at).where(state.c.key == key)).first()
        return (found[0], found[1]) if found else None
