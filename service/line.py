"""The running line: content, understanding, audio, records and outgoing texts, built once and shared by requests."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from flask import current_app

from .audio import AudioLibrary
from .content import Content, Language, normalize
from .logs import mask, note, request_key
from .settings import country_code
from .understanding import LanguageGuesser, Matcher, Safety
from .understanding.matcher import MAX_CHOICES, Decision
from .understanding.junk import Junk

log = logging.getLogger("service.records")

MAX_HINTS = 150  # Twilio takes up to 500; the likeliest words help its recognizer more than every one
LONG_WORD = 8
MAX_REPLIES = 4096
_HINT_PUNCTUATION = re.compile(r"[^\w' ]+")


ALERTS_PER_DAY = 20  # safety alerts to the admin's phone: enough to notice, never a flood


@dataclass
class Line:
    """Everything a request handler needs, loaded and validated once."""

    content: Content
    matcher: Matcher
    audio: AudioLibrary
    safety: Safety
    languages: LanguageGuesser
    junk: Junk = field(default_factory=Junk)
    hints: dict[str, str] = field(default_factory=dict)
    store: Any = None
    messenger: Any = None
    admin_number: str = ""
    transfer_numbers: dict[str, str] = field(default_factory=dict)
    replies: dict[tuple[object, ...], str] = field(default_factory=dict)
    # Every language's words for digits: scrubbed out of kept words with the digits themselves.
    number_words: frozenset[str] = frozenset()
    # Where texts may go (calling codes; empty: the line's own number's) and how many a number gets in a day.
    text_countries: frozenset[str] = frozenset()
    texts_per_day: int = 5
    # A text to admin_number when crisis or emergency words come (SAFETY_ALERTS; off by default).
    safety_alerts: bool = False
    # What phone numbers are hashed with before they are counted in the records (never kept whole).
    secret: bytes = b""

    @classmethod
    def build(cls, content: Content, audio: AudioLibrary, matcher: Matcher | None = None) -> "Line":
        """Prepare the matcher and speech hints for every language."""
        languages, safety, junk, hints = _understood(content)
        line = cls(content, matcher or Matcher(content), audio, safety, languages, junk)
        line.hints.update(hints)
        line.number_words = frozenset(normalize(w) for lang in content.languages.values() for w in lang.words.get("numbers", ()))
        return line

    def decide(self, text: str, lang: str, choices: int = MAX_CHOICES) -> Decision:
        """What to do with a message, its choices as this content has them (a matcher still learning an edit was built
        on the content before it: the places are the same, their titles and answers are now these)."""
        decision = self.matcher.decide(text, lang, choices)
        places = self.content.languages[lang].targets
        return replace(decision, choices=tuple(places.get((t.kind, t.id), t) for t in decision.choices))

    def language(self, code: str | None) -> Language:
        """The language for a code from a URL or session, or the default one."""
        return self.content.languages.get(code or "", self.content.languages[self.content.default_language])

    def remember(self, key: tuple[object, ...], reply: str) -> str:
        """Keep a built reply for the next identical step (bounded: places, hosts and audio states are few)."""
        if len(self.replies) >= MAX_REPLIES:
            self.replies.clear()
        self.replies[key] = reply
        return reply

    def number_key(self, number: str) -> str:
        """A phone number as the records count it: a keyed hash, never the number."""
        return hmac.new(self.secret, number.encode(), hashlib.sha256).hexdigest()[:32]

    def may_text(self, to: str, line_number: str) -> bool:
        """Whether texts may go to this number: its calling code is one TEXT_COUNTRIES allows (by default, the line's
        own number's)."""
        return country_code(to) in (self.text_countries or frozenset({country_code(line_number)}))

    def send_text(self, key: str, to: str, line_number: str, body: str, kind: str = "answer", per_day: int = 0) -> str:
        """Send a text once per key ("sent"; "again" for a key sent before, as a retried request or a second press
        of 7 for the same answer), only to the allowed countries ("country"), within the day's cap per number
        ("cap"); "failed" when it could not be sent or checked (with the records down, nothing is sent)."""
        if self.messenger is None or self.store is None:
            return "failed"
        if not self.may_text(to, line_number):
            log.warning("text to %s refused: calling code %s is not in TEXT_COUNTRIES", mask(to), country_code(to) or "?")
            return "country"
        try:
            claimed = self.store.claim_text(f"{kind}-{key}", self.number_key(to), kind, per_day or self.texts_per_day)
        except Exception as exc:  # noqa: BLE001 - no cap can be checked: send nothing (SMS pumping costs money)
            log.warning("text to %s not sent: the records cannot be reached (%s)", mask(to), type(exc).__name__)
            return "failed"
        if claimed != "ok":
            return claimed
        if self.messenger.send(to, line_number, body):
            return "sent"
        try:
            self.store.release_text(f"{kind}-{key}")
        except Exception:  # noqa: BLE001 - the claim stays; the next try says it was sent, which costs nothing
            log.warning("a claim for a text to %s that failed could not be released", mask(to))
        return "failed"

    def transfer_number(self, code: str) -> str:
        """The number that puts a caller in this language through to a person, or "" when there is none."""
        return self.transfer_numbers.get(code) or self.transfer_numbers.get("", "")

    def record_usage(self, channel: str, lang: str, topic: str) -> None:
        """Count a topic reached, when records are kept (once, however often Twilio sends the same request)."""
        if self.store is not None:
            self.store.record_usage(channel, lang, topic, _rid("usage"))

    def record_step(self, channel: str, sid: str, fields: dict[str, object], thread: str = "") -> None:
        """Keep where a call's step (or a text's answer) left the person, from the fields noted for its log line."""
        if self.store is None or not fields.get("place"):
            return
        try:
            self.store.record_step(channel, str(fields.get("lang") or self.content.default_language), sid, str(fields["place"]),
                                   str(fields.get("decision") or ""), str(fields.get("safety") or ""), _rid("step"),
                                   thread or sid)
        except Exception:  # noqa: BLE001 - a step record must never cost a caller or texter their reply
            log.exception("%s step not recorded", channel)

    def record_unmatched(self, channel: str, lang: str, words: str, decision: str = "none", thread: str = "") -> None:
        """Keep words that matched nothing, or were asked "did you mean" about (never who sent them; numbers and
        e-mail addresses in them taken out), so admins can add examples."""
        if decision == "none":
            note(unmatched=True)
        if self.store is not None:
            self.store.record_unmatched(channel, lang, words, _rid(f"unmatched-{decision}"), decision, thread,
                                        self.number_words)

    def record_safety(self, channel: str, lang: str, kind: str, words: str = "", line_number: str = "") -> None:
        """Keep that crisis or emergency words came, what the line answered, and (for a text) the words, scrubbed;
        with SAFETY_ALERTS on, text the admin that it happened (never who, never the words)."""
        answered = "988 and 911" if kind == "crisis" else "911"
        rid = _rid("safety")
        if self.store is not None:
            self.store.record_safety(channel, lang, kind, answered, words, rid, self.number_words)
        if self.safety_alerts and self.admin_number and line_number:
            body = (f"POEMS line: {kind} words came by {'phone' if channel == 'voice' else 'text'} ({lang}); the line "
                    f"answered with {answered}. Not monitored in real time: see the admin pages.")
            # Off the request path: a person in crisis never waits on Twilio's API for their own reply.
            threading.Thread(target=self.send_text, args=(rid or secrets.token_hex(8), self.admin_number, line_number, body),
                             kwargs={"kind": "admin", "per_day": ALERTS_PER_DAY}, daemon=True).start()


def _rid(kind: str) -> str:
    """A record's id from this request's key: the same request again writes the same record, counted once."""
    key = request_key()
    return f"{kind}-{key}" if key else ""


# What a content version's words give (the language guesser, the safety phrases, the junk test, the speech hints), by
# its version: an app built again on the same content (a worker's reload, a test, the CLI) does not work it out again.
_UNDERSTOOD: dict[str, tuple[LanguageGuesser, Safety, Junk, dict[str, str]]] = {}
_UNDERSTOOD_LOCK = threading.Lock()
KEEP_UNDERSTOOD = 8


def _understood(content: Content) -> tuple[LanguageGuesser, Safety, Junk, dict[str, str]]:
    with _UNDERSTOOD_LOCK:
        found = _UNDERSTOOD.get(content.version) if content.version else None
    if found is None:
        languages = LanguageGuesser(content)
        found = (languages, Safety(content, languages.known), Junk(languages.known),
                 {code: speech_hints(lang) for code, lang in content.languages.items()})
        if content.version:
            with _UNDERSTOOD_LOCK:
                _UNDERSTOOD[content.version] = found
                while len(_UNDERSTOOD) > KEEP_UNDERSTOOD:
                    del _UNDERSTOOD[next(iter(_UNDERSTOOD))]
    return found


def speech_hints(lang: Language) -> str:
    """Twilio's Gather hints for a language: titles, keywords and phrases, control words, then the long words the
    question bank uses most (the medical words a recognizer is likeliest to miss), as words and spaces only."""
    hints: list[str] = []
    # The most telling first (Twilio's limit cuts from the end): keywords, control words, titles, phrases, the bank's words.
    targets = list(lang.targets.values())
    phrases = [t.keyword for t in targets] + [w for name in ("menu", "help", "repeat", "back") for w in lang.words.get(name, ())]
    phrases += [t.title for t in targets] + [p for t in targets for p in t.phrases]
    counts: dict[str, int] = {}
    for target in lang.targets.values():
        for example in target.examples:
            for word in example.split():
                word = word.strip(".,?!¿¡:;\"'()").lower()
                if len(word) >= LONG_WORD and word.isalpha():
                    counts[word] = counts.get(word, 0) + 1
    phrases += sorted(counts, key=lambda w: (-counts[w], w))
    for phrase in phrases:
        # Twilio takes words separated by spaces, entries separated by commas: no other punctuation.
        hint = " ".join(_HINT_PUNCTUATION.sub(" ", phrase).split())[:100].strip()
        if len(hint) > 1 and hint not in hints:
            hints.append(hint)
    return ", ".join(hints[:MAX_HINTS])


def current_line() -> Line:
    """The Line of the app handling this request."""
    return current_app.extensions["line"]
