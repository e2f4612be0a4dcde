"""The content the line serves, kept current: the deployed prompt files with the admin pages' edits written in. Each
worker looks for a new revision every few seconds and swaps in a line built on it; when a change teaches the matcher
something (examples, phrases, titles), the new matcher is trained off the request path and swapped in after."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import threading
import time
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask

from .audio import AudioLibrary
from .content import Content, Problem, read
from .content.edits import Edit, Outcome, apply
from .line import Line

log = logging.getLogger("service.live")
POLL_SECONDS = 2.0
LEARNT = "learnt"  # content_state key: the examples and phrases a worker has learnt last (their fingerprint), and when


def base_texts(root: Path) -> dict[str, str]:
    """The deployed prompt files, by name."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(root.glob("*.yaml"))}


def live_texts(root: Path, edits: list[Edit]) -> tuple[dict[str, str], list[Outcome]]:
    """The prompt files with the edits written in, and what became of each edit."""
    return apply(base_texts(root), edits)


def matcher_fingerprint(content: Content) -> str:
    """What the matcher learns from (places, their names, phrases and examples): a new one is trained when it changes."""
    digest = hashlib.sha256()
    for code, lang in content.languages.items():
        for key, target in lang.targets.items():
            digest.update(repr((code, key, target.title, target.keyword, target.phrases, target.examples)).encode())
        digest.update(repr(sorted(lang.words.items())).encode())
    return digest.hexdigest()[:16]


def answers_hash(content: Content, topic: str) -> str:
    """A topic's answers (spoken and text) in every language: what a medical review looked at."""
    digest = hashlib.sha256()
    for code, lang in content.languages.items():
        target = lang.targets.get(("topic", topic))
        if target is not None:
            digest.update(f"{code}\0{target.spoken}\0{target.text}\0".encode())
    return digest.hexdigest()[:32]


ANSWER_FIELDS = ("spoken", "text")


def answer_hash(content: Content, topic: str, lang: str, values: dict[str, Any] | None = None) -> str:
    """A topic's answers (spoken and text) in one language, or these values of them: what translations follow."""
    target = content.languages[lang].targets.get(("topic", topic))
    parts = [(values or {}).get(name, getattr(target, name, "") if target is not None else "") for name in ANSWER_FIELDS]
    return hashlib.sha256("\0".join(" ".join(str(p or "").split()) for p in parts).encode()).hexdigest()[:32]


def filed_hash(content: Content, outcomes: list[Outcome], topic: str, lang: str) -> str:
    """A topic's answers in one language as the prompt files say them (under the edits made on the admin pages)."""
    values = {o.edit.field: o.file_value for o in outcomes
              if (o.edit.kind, o.edit.ident, o.edit.lang) == ("topic", topic, lang) and o.edit.field in ANSWER_FIELDS
              and o.status in ("applied", "conflict", "absorbed")}
    return answer_hash(content, topic, lang, values)


def untranslated(content: Content, store: Any, outcomes: list[Outcome]) -> dict[tuple[str, str], Any]:
    """The topics and languages whose answers do not follow the first language's as they now are, each with its
    latest translation mark made by someone (None: none). Answers follow when the pair of them was marked so (written or
    checked on the admin pages); with no mark yet, when the first language's answers are the prompt files' or this
    language's were edited too (an undo or a deploy brings back a pair that was, or was not, marked)."""
    first = content.default_language
    marks = store.translations()
    as_filed = functools.partial(filed_hash, content, outcomes)
    found: dict[tuple[str, str], Any] = {}
    for topic in content.topic_ids():
        source = answer_hash(content, topic, first)
        for code, lang in content.languages.items():
            if code == first or ("topic", topic) not in lang.targets:
                continue
            target, mine = answer_hash(content, topic, code), marks.get((topic, code), [])
            if mine:
                behind = (source, target) not in {(m.source, m.target) for m in mine}
            else:
                behind = source != as_filed(topic, first) and target == as_filed(topic, code)
            if behind:
                found[(topic, code)] = next((m for m in reversed(mine) if m.who), None)
    return found


class Live:
    """The running line's content, refreshed from the edits in the records database."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.root = Path(app.config["PROMPTS_DIR"])
        self.outcomes: list[Outcome] = []
        self.stamp: tuple[int, int] = (0, 0)
        self.fingerprint = ""  # what the newest content served asks the matcher to have learnt
        self.learnt = ""  # what the matcher serving has learnt
        self._pid = 0
        self._lock = threading.Lock()
        # Whether this process retires edits the files carry (the serving line does; a command-line run does not).
        self.retiring = True
        # True while the line serves other content than the files with the edits (those have errors): an editor
        # page then shows what is served, not the database's edits.
        self.behind = False

    @property
    def store(self) -> Any:
        """The editor's store, when the line keeps records."""
        line = self.app.extensions.get("line")
        return self.app.extensions.get("editing") if line is not None and line.store is not None else None

    def initial(self) -> tuple[dict[str, str] | None, list[Outcome]]:
        """At start: the deployed files with the edits written in (the files alone when the database cannot say)."""
        store = self.app.extensions.get("editing")
        if store is None:
            return None, []
        try:
            self.stamp = store.stamp()
            texts, self.outcomes = live_texts(self.root, store.edits())
            self._retire(store)
            return texts, self.outcomes
        except Exception as exc:  # noqa: BLE001 - the line starts on the deployed files; the edits come when it is back
            log.warning("live content: the edits cannot be read (%s); serving the deployed prompt files", type(exc).__name__)
            return None, []

    def conflicts(self) -> list[Outcome]:
        """Edits whose field the deployed files changed since: both values, for the admin to choose."""
        return [o for o in self.outcomes if o.status == "conflict"]

    def ensure_watching(self) -> None:
        """Start this process's watcher (threads do not survive gunicorn's fork: each worker starts its own)."""
        if self._pid == os.getpid() or self.app.extensions.get("editing") is None:
            return
        seconds = float(self.app.config.get("LIVE_POLL_SECONDS", POLL_SECONDS))
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                if seconds > 0:
                    threading.Thread(target=_watch, args=(weakref.ref(self), seconds), name="live-content",
                                     daemon=True).start()

    def refresh(self, force: bool = False) -> bool:
        """Look for a new revision (or new audio); when there is one, serve the content built on it. True when swapped."""
        store = self.store
        if store is None:
            return False
        stamp = store.stamp()
        if stamp == self.stamp and not force:
            return False
        with self._lock:
            if stamp[0] == self.stamp[0] and not force:
                # New audio only (a publish's recordings coming in one by one): the edits change only with a
                # revision, so the content is the same; only what callers hear is swapped.
                self.app.extensions["line"] = replace(self.app.extensions["line"], audio=self.library(store), replies={})
                self.stamp = stamp
                self._retire(store)
                self.app.extensions.pop("admin.catalogue", None)
                self.app.extensions.pop("admin.problems", None)
                return True
            texts, outcomes = live_texts(self.root, store.edits())
            content = read(self.root, reading=False, texts=texts)
            errors = [p for p in content.problems if p.severity == "error"]
            if errors:
                log.warning("live content: the edited prompt files have %d error(s) (first: %s); still serving the last good content",
                            len(errors), errors[0])
                self.stamp = stamp
                self.behind = True
                return False
            self.behind = False
            old: Line = self.app.extensions["line"]
            audio = self.library(store)
            fingerprint = matcher_fingerprint(content)
            new = self._line(content, audio, old.matcher, old)
            self.app.extensions["line"] = new
            self.outcomes, self.stamp = outcomes, stamp
            self._retire(store)
            self.app.extensions.pop("admin.catalogue", None)
            self.app.extensions.pop("admin.problems", None)
            if fingerprint != self.fingerprint:
                self.fingerprint = fingerprint
                self._learn(content, fingerprint, store)
            log.info("live content: serving version %s (revision %d)", content.version, stamp[0])
            return True

    def _retire(self, store: Any) -> None:
        absorbed = [o.edit for o in self.outcomes if o.status == "absorbed"]
        if not absorbed or not self.retiring:
            return
        try:
            gone = store.retire(absorbed)
        except Exception as exc:  # noqa: BLE001 - they stay edits that change nothing; the next look tries again
            log.warning("live content: edits the files now carry could not be retired (%s)", type(exc).__name__)
            return
        if gone:
            log.info("live content: %d edit(s) the deployed files now say word for word follow the files again", gone)
            self.outcomes = [o for o in self.outcomes if o.status != "absorbed"]

    def library(self, store: Any) -> AudioLibrary:
        """The audio callers hear: the deployed files, and the files built for edits (kept in the database)."""
        config = self.app.config
        library = AudioLibrary(config["AUDIO_DIR"], config["AUDIO_BASE_URL"], config["PUBLIC_BASE_URL"], config["AUDIO_ENGINE"])
        try:
            library.add_stored(store.audio_records(), store.audio_data)
        except Exception as exc:  # noqa: BLE001 - without them, those prompts are read by Twilio's voice
            log.warning("live content: the edited prompts' audio cannot be read (%s)", type(exc).__name__)
        return library

    def _line(self, content: Content, audio: AudioLibrary, matcher: Any, old: Line) -> Line:
        line = Line.build(content, audio, matcher)
        # What talks to the world stays the same objects: records, texts sent, numbers, secrets.
        for name in ("store", "messenger", "admin_number", "transfer_numbers", "text_countries", "texts_per_day",
                     "safety_alerts", "secret"):
            setattr(line, name, getattr(old, name))
        return line

    @property
    def learning(self) -> bool:
        """True while the matcher serving has not yet learnt the examples and phrases of the content served."""
        return self.learnt != self.fingerprint

    def _learn(self, content: Content, fingerprint: str, store: Any) -> None:
        """Train a matcher on the new content in the background, then serve it (within a minute or two)."""
        def train() -> None:
            from .understanding import Matcher

            started = time.monotonic()
            try:
                matcher = Matcher.for_content(content, cache_dir=Path(self.app.instance_path))
            except Exception:  # the line goes on with the matcher it has; the next change trains again
                log.exception("live content: the matcher could not learn version %s; answering with the one before", content.version)
                with self._lock:
                    if self.fingerprint == fingerprint:
                        self.fingerprint = self.learnt  # the next refresh with these examples tries again
                return
            with self._lock:
                # Served if what it learnt is still what the line needs: content published meanwhile that changed
                # no example or phrase (an answer's words) needs the same matcher, and no other training.
                if self.fingerprint != fingerprint:
                    return
                self.app.extensions["line"] = replace(self.app.extensions["line"], matcher=matcher, replies={})
                self.learnt = fingerprint
            try:
                store.set_state(LEARNT, fingerprint)
            except Exception:  # noqa: BLE001 - only the page's note depends on it
                log.warning("live content: could not note that the examples are learnt")
            log.info("live content: the matcher learnt version %s in %.1f s", content.version, time.monotonic() - started)

        threading.Thread(target=train, name="live-learn", daemon=True).start()


def _watch(live: "weakref.ref[Live]", seconds: float) -> None:
    # Holds the line only while it looks: an app that is gone (a test's, a reloaded one's) lets its watcher end.
    failing = False
    while True:
        time.sleep(seconds)
        current = live()
        if current is None:
            return
        try:
            current.refresh()
            if failing:
                log.info("live content: looking for edits again")
            failing = False
        except Exception as exc:  # noqa: BLE001 - the line goes on serving what it has; the next look may succeed
            if not failing:  # one line per outage, not one every few seconds
                log.warning("live content: cannot look for edits (%s); serving what it has until the database answers",
                            type(exc).__name__)
            failing = True
        del current


REVIEW_DUE = "changed after its last medical review"


def stale_topics(content: Content, store: Any, outcomes: list[Outcome]) -> dict[str, Any]:
    """The topics whose answer changed (in any language) since their last medical review, with that review (None:
    the one in the prompt files)."""
    reviews = store.reviews()
    changed = {o.edit.ident for o in outcomes if o.edit.kind == "topic" and o.edit.field in ("spoken", "text")
               and o.status in ("applied", "conflict")}
    stale = {}
    for topic in content.topic_ids():
        review = reviews.get(topic)
        if review.answers != answers_hash(content, topic) if review is not None else topic in changed:
            stale[topic] = review
    return stale


def review_problems(content: Content, store: Any, outcomes: list[Outcome]) -> list[Problem]:
    """A warning for each topic whose answer changed (in any language) since its last medical review."""
    problems = []
    for topic, review in stale_topics(content, store, outcomes).items():
        when = f"{review.on} by {review.who}" if review is not None else "in the prompt files"
        for lang in content.languages.values():
            target = lang.targets.get(("topic", topic))
            if target is not None:
                problems.append(Problem(lang.file, target.line_of("spoken"), f"topic '{topic}': its answer {REVIEW_DUE} "
                                        f"({when}); expected a new review: mark it reviewed on its editor page", "warning"))
    return problems


def is_review_problem(problem: Problem, topic: str = "") -> bool:
    """Whether a problem is one of review_problems' warnings (the editor shows them apart from the fields'), about
    this topic when one is named."""
    return REVIEW_DUE in problem.message and (not topic or problem.message.startswith(f"topic '{topic}':"))


def today() -> dt.date:
    """Today, as review marks date it."""
    return dt.date.today()
