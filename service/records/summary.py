"""What the records say over a range of days: the figures the admin page and the report show, and the admin's own
writes (a message marked handled)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select, update

from .store import (Store, ignored_questions, message_notes, messages, not_understood, safety_events, steps, unmatched,
                    usage)

MAX_DAYS = 366
# No record is older: an earlier first day (and the period before it, shown beside it) is refused, not computed.
FIRST_DAY = dt.date(2000, 1, 1)
FLUSH_SECONDS = 2.0  # a page shows what reached the database; it does not wait long for a slow one
DECISIONS = ("answer", "ask", "chosen", "none")


class RangeError(ValueError):
    """A range of days that cannot be reported on; the message says what was expected."""


def date_range(days: int | None, since: dt.date | None, until: dt.date | None, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day to report on, from a number of days or a first day, up to a last day (default today)."""
    end = until or today or dt.date.today()
    if since is None:
        days = 30 if days is None else days
        if days < 1:
            raise RangeError(f"{days} days: expected a number of days of at least 1")
        if days > MAX_DAYS:
            raise RangeError(f"{days} days: expected at most {MAX_DAYS}")
        if end < FIRST_DAY:
            raise RangeError(f"{end} is before the line kept records: expected a last day on or after {FIRST_DAY}")
        start = end - dt.timedelta(days=days - 1)
    else:
        start = since
    latest = (today or dt.date.today()) + dt.timedelta(days=MAX_DAYS)
    if end > latest:
        raise RangeError(f"{end} is more than a year ahead: expected a last day on or before {latest}")
    if start < FIRST_DAY:
        raise RangeError(f"{start} is before the line kept records: expected a first day on or after {FIRST_DAY}")
    if start > end:
        raise RangeError(f"the first day, {start}, is after the last, {end}: expected the first day on or before the last")
    if (end - start).days + 1 > MAX_DAYS:
        raise RangeError(f"{start} to {end} is {(end - start).days + 1} days: expected at most {MAX_DAYS}")
    return start, end


@dataclass(frozen=True)
class Overview:
    """Calls, texts and what came of them, day by day, from start to end inclusive."""

    start: dt.date
    end: dt.date
    days: list[tuple[dt.date, int, int]]  # day, calls, texts
    languages: list[tuple[str, int, int]]  # language, calls, texts
    topics: list[tuple[str, int, int]]  # topic, by voice, by text
    decisions: dict[str, dict[str, int]]  # channel -> decision -> count
    safety: dict[str, int]
    ends: list[tuple[str, int]]  # the place calls ended at, how many

    @property
    def calls(self) -> int:
        """Calls in the range."""
        return sum(c for _, c, _ in self.days)

    @property
    def texts(self) -> int:
        """Texts answered in the range."""
        return sum(t for _, _, t in self.days)


@dataclass
class Unmatched:
    """Words that matched no topic, with how often, where and in which language they came."""

    words: str
    lang: str
    count: int
    channels: dict[str, int] = field(default_factory=dict)
    asked: int = 0  # of count: times the line asked "did you mean" and no choice was taken


def overview(store: Store, start: dt.date, end: dt.date, top: int | None = 10) -> Overview:
    """The overview's figures for a range of days (the top most asked topics; None: every topic)."""
    store.flush(timeout=FLUSH_SECONDS)
    store.prepare()
    count = func.count().label("n")
    calls = func.count(func.distinct(steps.c.sid))
    with store.engine.connect() as conn:
        per_day: dict[dt.date, list[int]] = {start + dt.timedelta(days=i): [0, 0] for i in range((end - start).days + 1)}
        in_range = steps.c.day.between(start, end)
        # A call is its SID, counted once a day however many steps it has; a text is each one answered.
        for day, channel, people, rows in conn.execute(
                select(steps.c.day, steps.c.channel, calls, count).where(in_range).group_by(steps.c.day, steps.c.channel)):
            per_day[_day(day)][0 if channel == "voice" else 1] += people if channel == "voice" else rows
        by_lang: dict[str, list[int]] = {}
        for lang, rows in conn.execute(select(steps.c.lang, count).where(in_range, steps.c.channel == "sms").group_by(steps.c.lang)):
            by_lang.setdefault(lang, [0, 0])[1] += rows
        topics: dict[str, list[int]] = {}
        for topic, channel, n in conn.execute(
                select(usage.c.topic, usage.c.channel, count).where(usage.c.day.between(start, end))
                .group_by(usage.c.topic, usage.c.channel)):
            topics.setdefault(topic, [0, 0])[0 if channel == "voice" else 1] += n
        decisions: dict[str, dict[str, int]] = {"voice": {}, "sms": {}}
        for channel, decision, n in conn.execute(
                select(steps.c.channel, steps.c.decision, count)
                .where(in_range, steps.c.decision.is_not(None))
                .group_by(steps.c.channel, steps.c.decision)):
            decisions.setdefault(channel, {})[decision] = n
        safety = {kind: n for kind, n in conn.execute(
            select(steps.c.safety, count).where(in_range, steps.c.safety.is_not(None))
            .group_by(steps.c.safety))}
        # The last step of each call: where the caller was when it ended, and in which language (every call starts
        # in the default language; a caller who switched is counted in the one they chose).
        last = (select(steps.c.place, steps.c.lang,
                       func.row_number().over(partition_by=steps.c.sid, order_by=(steps.c.at.desc(), steps.c.id.desc())).label("k"))
                .where(steps.c.channel == "voice", in_range).subquery())
        ends: dict[str, int] = {}
        for place, lang, n in conn.execute(select(last.c.place, last.c.lang, func.count()).where(last.c.k == 1)
                                           .group_by(last.c.place, last.c.lang)):
            ends[place] = ends.get(place, 0) + n
            by_lang.setdefault(lang, [0, 0])[0] += n
    ranked = sorted(topics.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:top]
    return Overview(start, end, [(d, c, t) for d, (c, t) in per_day.items()],
                    sorted(((lang, c, t) for lang, (c, t) in by_lang.items()), key=lambda r: -(r[1] + r[2])),
                    [(topic, v, t) for topic, (v, t) in ranked], decisions, safety,
                    sorted(ends.items(), key=lambda kv: (-kv[1], kv[0])))


def unmatched_words(store: Store, start: dt.date, end: dt.date, limit: int = 2000) -> list[Unmatched]:
    """Each distinct text not understood in the range, most frequent first, with its channels; and those the line
    asked "did you mean" about where no choice was then taken in that call or text conversation."""
    store.flush(timeout=FLUSH_SECONDS)
    store.prepare()
    count = func.count().label("n")
    found: dict[tuple[str, str], Unmatched] = {}
    in_range = unmatched.c.day.between(start, end)
    # A choice taken is a later step of the same call or conversation (its thread) with the decision "chosen".
    chosen = exists().where(steps.c.thread == unmatched.c.thread, steps.c.decision == "chosen", steps.c.day >= unmatched.c.day)
    abandoned = and_(unmatched.c.decision == "ask", unmatched.c.thread.is_not(None), ~chosen)
    with store.engine.connect() as conn:
        for condition, asked in ((not_understood(), False), (abandoned, True)):
            rows = conn.execute(
                select(unmatched.c.words, unmatched.c.lang, unmatched.c.channel, count).where(in_range, condition)
                .group_by(unmatched.c.words, unmatched.c.lang, unmatched.c.channel).order_by(count.desc()).limit(limit))
            for words, lang, channel, n in rows:
                item = found.setdefault((words, lang), Unmatched(words, lang, 0))
                item.count += n
                item.asked += n if asked else 0
                item.channels[channel] = item.channels.get(channel, 0) + n
    return sorted(found.values(), key=lambda u: (-u.count, u.words))


def ignored(store: Store) -> set[tuple[str, str]]:
    """The questions (language, words) an admin hid from the list."""
    store.prepare()
    with store.engine.connect() as conn:
        return {(lang, words) for lang, words in conn.execute(select(ignored_questions.c.lang, ignored_questions.c.words))}


def ignore(store: Store, lang: str, words: list[str], who: str, hide: bool = True) -> None:
    """Hide these questions from the list (or show them again); the records themselves are kept."""
    store.prepare()
    with store.engine.begin() as conn:
        conn.execute(delete(ignored_questions).where(ignored_questions.c.lang == lang, ignored_questions.c.words.in_(words)))
        if hide and words:
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            conn.execute(insert(ignored_questions), [{"lang": lang[:8], "words": w[:200], "who": who[:64], "at": now}
                                                     for w in dict.fromkeys(words)])


def crisis_events(store: Store, start: dt.date, end: dt.date, limit: int = 500) -> list[dict[str, Any]]:
    """Crisis and emergency words met in the range, newest first: when, channel, language, what the line answered,
    and a text's words (scrubbed when kept)."""
    store.flush(timeout=FLUSH_SECONDS)
    store.prepare()
    with store.engine.connect() as conn:
        rows = conn.execute(select(safety_events).where(safety_events.c.day.between(start, end))
                            .order_by(safety_events.c.at.desc(), safety_events.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


SHOWS = ("waiting", "handled", "all")


def _shown(show: str, lang: str) -> list[Any]:
    conditions = []
    if show == "waiting":
        conditions.append(messages.c.handled_at.is_(None))
    elif show == "handled":
        conditions.append(messages.c.handled_at.is_not(None))
    if lang:
        conditions.append(messages.c.lang == lang)
    return conditions


def message_counts(store: Store, lang: str = "") -> dict[str, int]:
    """How many messages wait, were handled, and in all (in one language, or every one)."""
    store.prepare()
    with store.engine.connect() as conn:
        waiting, total = conn.execute(select(func.count(messages.c.id).filter(messages.c.handled_at.is_(None)),
                                             func.count(messages.c.id)).where(*_shown("all", lang))).one()
    return {"waiting": waiting or 0, "handled": (total or 0) - (waiting or 0), "all": total or 0}


def message_languages(store: Store) -> list[str]:
    """The languages messages were left in."""
    store.prepare()
    with store.engine.connect() as conn:
        return sorted(lang for (lang,) in conn.execute(select(messages.c.lang).distinct()) if lang)


def messages_left(store: Store, limit: int = 50, offset: int = 0, show: str = "all", lang: str = "") -> list[dict[str, Any]]:
    """Messages callers left, the newest first (limit of them, after skipping offset): waiting, handled or all, in one
    language or every one; each with its notes, oldest first."""
    store.flush(timeout=FLUSH_SECONDS)
    store.prepare()
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(
            select(messages).where(*_shown(show, lang)).order_by(messages.c.created.desc(), messages.c.id.desc())
            .limit(limit).offset(offset)).mappings()]
        notes: dict[int, list[dict[str, Any]]] = {}
        if rows:
            for note in conn.execute(select(message_notes).where(message_notes.c.message_id.in_([r["id"] for r in rows]))
                                     .order_by(message_notes.c.at, message_notes.c.id)).mappings():
                notes.setdefault(note["message_id"], []).append(dict(note))
    for row in rows:
        row["notes"] = notes.get(row["id"], [])
    return rows


def note_recording_problem(store: Store, message_id: int, problem: str) -> None:
    """Remember why a message's recording cannot be fetched (Twilio says it is gone), so the page says so at once."""
    store.prepare()
    with store.engine.begin() as conn:
        conn.execute(update(messages).where(messages.c.id == message_id).values(recording_problem=problem[:200]))


def add_note(store: Store, message_id: int, who: str, note: str) -> bool:
    """Keep a short note with a message, with who and when; False when there is no such message."""
    store.prepare()
    with store.engine.begin() as conn:
        if conn.execute(select(messages.c.id).where(messages.c.id == message_id)).first() is None:
            return False
        conn.execute(insert(message_notes).values(message_id=message_id, who=who[:64], note=note[:500],
                                                  at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))
    return True


def message(store: Store, message_id: int) -> dict[str, Any] | None:
    """One message left, by its id."""
    store.prepare()
    with store.engine.connect() as conn:
        row = conn.execute(select(messages).where(messages.c.id == message_id)).mappings().first()
    return dict(row) if row else None


def mark_handled(store: Store, message_id: int, who: str, handled: bool = True) -> bool:
    """Mark a message handled by someone, now (or not handled again); False when there is no such message."""
    store.prepare()
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    values = {"handled_by": who[:64], "handled_at": now} if handled else {"handled_by": None, "handled_at": None}
    with store.engine.begin() as conn:
        done = conn.execute(update(messages).where(and_(messages.c.id == message_id)).values(**values))
    return bool(done.rowcount)


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
