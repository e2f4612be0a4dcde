"""The content model: menus, topics, phrases and prompts, as plain dataclasses."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .yamlsource import Problem

LINE_FILE = "line.yaml"
SOURCES_FILE = "sources.yaml"
SOURCE_FIELDS = ("title", "publisher", "year", "url")
# A medical answer not looked at for this long gets a warning in the check.
REVIEW_MONTHS = 12
MAX_OPTIONS = 5
MAX_PRESSES = 3
OPTION_KEYS = "12345"
ACTIONS = ("leave_message",)
RESERVED_KEYS = ("repeat", "back", "main_menu", "help", "text_me", "language")
KEY_PLACEHOLDERS = frozenset(RESERVED_KEYS)

# Fixed phrases every language must have: name -> (channel, placeholders allowed).
# The placeholders of two topics offered in one sentence: each one's title and key, all kept.
TWO_OFFERS = frozenset({"title1", "key1", "title2", "key2"})
PHRASES: dict[str, tuple[str, frozenset[str]]] = {
    "greeting": ("voice", frozenset()),
    "notice": ("voice", frozenset()),
    "language_offer": ("voice", frozenset({"key"})),
    "option": ("voice", frozenset({"title", "key"})),
    "main_menu_footer": ("voice", KEY_PLACEHOLDERS),
    "menu_footer": ("voice", KEY_PLACEHOLDERS),
    "answer_footer": ("voice", KEY_PLACEHOLDERS),
    "text_offer": ("voice", KEY_PLACEHOLDERS),
    "not_option": ("voice", frozenset()),
    "no_match": ("voice", frozenset()),
    "silence_1": ("voice", KEY_PLACEHOLDERS),
    "silence_2": ("voice", KEY_PLACEHOLDERS),
    "goodbye": ("voice", frozenset()),
    "help": ("voice", KEY_PLACEHOLDERS),
    "error": ("voice", frozenset()),
    "emergency": ("voice", frozenset()),
    "text_sent": ("voice", frozenset()),
    "text_failed": ("voice", frozenset()),
    "record_thanks": ("voice", frozenset()),
    "record_none": ("voice", frozenset()),
    "transfer_offer": ("voice", frozenset()),
    "transfer_failed": ("voice", frozenset()),
    "callback_confirm": ("voice", frozenset()),
    "callback_saved": ("voice", frozenset()),
    "callback_number": ("voice", frozenset({"number"})),
    "callback_invalid": ("voice", frozenset()),
    "callback_declined": ("voice", frozenset()),
    "callback_hidden": ("voice", KEY_PLACEHOLDERS),
    "callback_kept": ("voice", frozenset()),
    "callback_none": ("voice", frozenset()),
    "callback_other": ("voice", frozenset()),
    "crisis": ("voice", frozenset()),
    "distress": ("voice", frozenset()),
    "did_you_mean": ("voice", frozenset({"title", "key"})),
    "choice": ("voice", frozenset({"title", "key"})),
    "also": ("voice", frozenset({"title", "key"})),
    "nearest": ("voice", frozenset()),
    "courtesy": ("voice", frozenset()),
    "wait": ("voice", frozenset()),
    "off_topic": ("voice", frozenset()),
    "sms_welcome": ("sms", frozenset()),
    "sms_menu_header": ("sms", frozenset()),
    "sms_option": ("sms", frozenset({"title", "key", "keyword"})),
    "sms_menu_footer": ("sms", frozenset()),
    "sms_answer_footer": ("sms", frozenset()),
    "sms_help": ("sms", frozenset()),
    "sms_not_understood": ("sms", frozenset()),
    "sms_no_text": ("sms", frozenset()),
    "sms_emergency": ("sms", frozenset()),
    "sms_crisis": ("sms", frozenset()),
    "sms_did_you_mean": ("sms", frozenset()),
    "sms_choose": ("sms", frozenset()),
    "sms_nearest": ("sms", frozenset()),
    "sms_courtesy": ("sms", frozenset()),
    "sms_also": ("sms", frozenset({"title", "key"})),
    "sms_also_two": ("sms", TWO_OFFERS),
    "sms_goodbye": ("sms", frozenset()),
    "farewell": ("voice", frozenset()),
    "no_person": ("voice", frozenset()),
    "sms_off_topic": ("sms", frozenset()),
    "sms_distress": ("sms", frozenset()),
}
# Phrases a language may leave out, each with what the line does without it (the admin pages say so where one is left out).
OPTIONAL_PHRASES: dict[str, str] = {
    "sms_also_two": "Two topics offered after a text answer the line is not sure of, in one sentence; keep {key1}, "
                    "{title1}, {key2} and {title2}. Without it, each topic gets its own sms_also sentence, which is "
                    "longer, so a first text has room for the second topic less often.",
    "sms_goodbye": "The reply to a texter's \"bye\" (one text segment). Without it, a \"bye\" gets sms_courtesy.",
    "farewell": "What a caller who says goodbye (the goodbye words) hears before the line hangs up. Without it, the "
                "courtesy phrase (\"You are welcome\"), which answers a thank-you, not a goodbye.",
    "no_person": "What a caller who asks for a person (the person words: \"I want a real person\") hears when nobody can "
                 "take calls (no TRANSFER_NUMBER): that a message to the team can be left instead, before the offer of "
                 "leaving a message on key 1. Without it, that offer alone.",
    "callback_kept": "What a caller who left a message and then said nothing at the callback question (or keyed a "
                     "number that was not whole, then nothing) hears as the question ends: that the team will call back "
                     "the number they are calling from. Without it, record_thanks again.",
    "callback_none": "What a caller with a hidden number, who left a message and then said nothing at the callback "
                     "question, hears as the question ends: that nobody can call them back. Without it, record_thanks again.",
    "distress": "What a caller hears before the answer to a question that also says they cannot go on (a word of the "
                "distress list: \"camino una cuadra y ya no puedo más, ¿es la neuropatía?\"): where help is, with 988. "
                "Without it, the answer alone; said with nothing else to answer, such words get the crisis message.",
    "sms_distress": "The text sent before the answer to a question that also says they cannot go on (a word of the "
                    "distress list), with 988. Without it, the answer alone; with nothing else to answer, such words "
                    "get sms_crisis.",
    "callback_other": "The callback question after a caller said \"no\" to the number they are calling from: which "
                      "other number to call, or \"no thanks\". Without it, callback_confirm again.",
    "callback_number": "What a caller who keyed or said another number to be called back at hears: that number read "
                       "back digit by digit (keep {number}), so a digit misheard can be put right. Without it, "
                       "callback_saved, which does not say the number.",
    "off_topic": "What a caller hears when they ask about something else (a wrong number, the weather), before the menu "
                 "they were at. Without it, they hear no_match.",
    "sms_off_topic": "The reply to a text about something else (a wrong number, the weather). Without it, "
                     "sms_not_understood and the menu's footer.",
}
# Placeholders a phrase must keep: without them a caller hears titles with no key to press, or a texter a choice with
# no number to reply.
REQUIRED_PLACEHOLDERS: dict[str, frozenset[str]] = {
    name: frozenset({"title", "key"}) for name in ("option", "did_you_mean", "choice", "also", "sms_option", "sms_also")
} | {"language_offer": frozenset({"key"}), "sms_also_two": TWO_OFFERS, "callback_number": frozenset({"number"})}
# The numbers a safety phrase must give (digits, spaces and dashes aside): the crisis line and the emergency number.
# An edit that drops or mistypes one ("call or text 98") must not reach a caller.
EMERGENCY_NUMBER = "911"
CRISIS_NUMBER = "988"
SAFETY_NUMBERS: dict[str, tuple[str, ...]] = {
    "crisis": (CRISIS_NUMBER, EMERGENCY_NUMBER), "sms_crisis": (CRISIS_NUMBER, EMERGENCY_NUMBER),
    "emergency": (EMERGENCY_NUMBER,), "sms_emergency": (EMERGENCY_NUMBER,), "notice": (EMERGENCY_NUMBER,),
    "sms_welcome": (EMERGENCY_NUMBER,), "sms_help": (EMERGENCY_NUMBER,),
    "distress": (CRISIS_NUMBER,), "sms_distress": (CRISIS_NUMBER,),
}
# Words the carrier and Twilio answer themselves by text (opting out, back in, help): a keyword or phrase of the line
# that is one of them would unsubscribe the texter who sends it, or never reach the line.
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "end", "quit", "cancel", "optout", "revoke"})
CARRIER_WORDS = OPT_OUT_WORDS | {"start", "yes", "unstop", "help", "info"}
# Phrases whose text is spoken on its own (the others are built into menus and answers).
SPOKEN_PHRASES = tuple(
    name for name, (channel, _) in PHRASES.items()
    if channel == "voice" and name not in ("option", "did_you_mean", "choice", "also", "callback_number")
)
WORD_LISTS = ("menu", "help", "language", "repeat", "back", "numbers", "yes", "no", "courtesy", "emergency", "crisis", "ignore")
# Lists a language may have: without one, that way of asking is simply not heard in it (keys still work).
OPTIONAL_WORD_LISTS = ("text_me", "stop_texts", "filler", "negation", "not_it", "both", "choosing", "person", "ordinals", "asking", "goodbye", "wait",
                       "slower", "urgent", "no_callback", "last", "faster", "distress", "pleas", "said_to", "said_after_crisis",
                       "beside_distress", "more", "many", "thanks")
VOICE_FIELDS = ("name", "say_language", "say_voice", "speech_language", "gtts_lang", "gtts_tld", "espeak_voice", "readability")
READABILITY_FORMULAS = {"flesch_kincaid_grade": "max", "fernandez_huerta": "min", "szigriszt_pazos": "min", "flesch_reading_ease": "min"}
# How the admin pages name each formula.
FORMULA_NAMES = {"flesch_kincaid_grade": "Flesch-Kincaid grade", "fernandez_huerta": "Fernández Huerta",
                 "szigriszt_pazos": "Szigriszt-Pazos", "flesch_reading_ease": "Flesch reading ease"}


class ContentError(Exception):
    """The prompt files cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(format_problems(problems))
        self.problems = problems


def format_problems(problems: list[Problem]) -> str:
    """The report an admin reads: one problem a line, then a count."""
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    lines = [f"{p} ({p.severity})" if p.severity != "error" else str(p) for p in sorted(problems)]
    lines.append(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    return "\n".join(lines)


@dataclass(frozen=True)
class Voice:
    """How one language is spoken and heard."""

    say_language: str
    say_voice: str
    speech_language: str
    gtts_lang: str
    gtts_tld: str
    espeak_voice: str


@dataclass(frozen=True)
class Target:
    """Something a caller can reach: a topic, a menu or an action, in one language."""

    kind: str  # "topic", "menu" or "action"
    id: str
    title: str
    keyword: str
    phrases: tuple[str, ...]
    spoken: str = ""
    text: str = ""
    intro: str = ""
    examples: tuple[str, ...] = ()
    example_lines: tuple[int, ...] = field(default=(), compare=False)
    sources: tuple[str, ...] = ()
    reviewed: dt.date | None = None
    file: str = ""
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def line_of(self, name: str) -> int:
        """The line of one field (text, spoken, phrases...), or the topic's own line."""
        return self.lines.get(name, self.line)


@dataclass(frozen=True)
class Option:
    """One choice in a menu."""

    key: str
    kind: str
    target: str
    line: int


@dataclass(frozen=True)
class Menu:
    """A menu's structure, the same in every language."""

    id: str
    options: tuple[Option, ...]
    parent: str | None
    line: int

    def option(self, key: str) -> Option | None:
        """The option on this key, if any."""
        for option in self.options:
            if option.key == key:
                return option
        return None

    def offers(self, target_id: str) -> bool:
        """True when one of this menu's options leads to the topic or action."""
        return any(o.target == target_id and o.kind != "menu" for o in self.options)


@dataclass(frozen=True)
class Prompt:
    """One piece of speech: what audio is built for, and what Say speaks when there is none."""

    lang: str
    id: str
    text: str
    file: str = ""
    line: int = 0
    # Worked out once: what an audio file must match, and the hash a prompt is looked up by on every request.
    text_sha: str = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text_sha", hashlib.sha256(f"{self.lang}\n{self.text}".encode()).hexdigest()[:16])
        object.__setattr__(self, "_hash", hash((self.lang, self.id, self.text, self.file, self.line)))

    def __hash__(self) -> int:
        return self._hash


@dataclass
class Language:
    """Everything the line says and hears in one language."""

    code: str
    name: str
    file: str
    voice: Voice
    readability: tuple[str, str, float]
    key_names: dict[str, str]
    words: dict[str, tuple[str, ...]]
    phrases: dict[str, str]
    targets: dict[tuple[str, str], Target]
    prompts: dict[str, Prompt] = field(default_factory=dict)
    phrase_lines: dict[str, int] = field(default_factory=dict)

    def topic(self, topic_id: str) -> Target:
        """The topic or action with this id."""
        return self.targets.get(("topic", topic_id)) or self.targets[("action", topic_id)]

    def menu(self, menu_id: str) -> Target:
        """The menu texts with this id."""
        return self.targets[("menu", menu_id)]

    def key_name(self, key: str) -> str:
        """How a key is said aloud ("star" for *)."""
        return self.key_names.get(key, key)


@dataclass(frozen=True)
class Source:
    """One entry of the bibliography that answers cite."""

    id: str
    title: str
    publisher: str
    year: int
    url: str


@dataclass
class Content:
    """The whole line: structure plus every language, validated."""

    root: Path
    default_language: str
    languages: dict[str, Language]
    menus: dict[str, Menu]
    keys: dict[str, str]
    timeouts: dict[str, int]
    recording_seconds: int
    problems: list[Problem]
    sources: dict[str, Source] = field(default_factory=dict)
    # The topic about warning signs: a message with emergency words gets 911 first, then this answer when it is
    # what the message asks about, and never any other topic.
    emergency_topic: str = ""
    # A short hash of the prompt files as loaded: which content a running line (or its health check) is on.
    version: str = ""

    def kind_of(self, target_id: str) -> str:
        """Whether an id names a topic or an action."""
        return "action" if target_id in ACTIONS else "topic"

    def key_of(self, ref: str, lang: Language) -> tuple[str, str]:
        """The place a reference names (as ref_of() wrote it, in a call's URL or a texter's session), among a
        language's targets."""
        if ref.startswith(MENU_REF):
            return ("menu", ref[len(MENU_REF):])
        key = (self.kind_of(ref), ref)
        # A bare menu id: references written before menus were marked (a call or a conversation across a release).
        return key if key in lang.targets or ref not in self.menus else ("menu", ref)

    def home_of(self, topic_id: str) -> str:
        """The first menu that offers a topic: where back leads from it when it was reached by a question."""
        return next((menu.id for menu in self.menus.values() if menu.offers(topic_id)), "main")

    def topic_ids(self) -> list[str]:
        """Every topic and action reachable from the menus, in menu order."""
        seen: list[str] = []
        for menu in self.menus.values():
            for option in menu.options:
                if option.kind != "menu" and option.target not in seen:
                    seen.append(option.target)
        return seen

    def prompts(self) -> list[Prompt]:
        """Every spoken prompt in every language."""
        return [p for lang in self.languages.values() for p in lang.prompts.values()]

    def other_languages(self, code: str) -> list[Language]:
        """The languages other than code, in the order line.yaml gives."""
        return [lang for c, lang in self.languages.items() if c != code]


_NON_WORD = re.compile(r"[^a-z0-9ñ]+")


# A menu named where only a string is kept (a URL, a session) is marked: a topic may have a menu's id ("support").
MENU_REF = "menu."


def ref_of(target: Target) -> str:
    """How a place is named where only a string is kept (Content.key_of reads it back)."""
    return f"{MENU_REF}{target.id}" if target.kind == "menu" else target.id


def amount(entry: str) -> tuple[str, int] | None:
    """An entry of a list "many" ("twenty/20"): its words, normalized, and the number they say; None when it has none."""
    said, _, value = entry.rpartition("/")
    return (normalize(said), int(value)) if normalize(said) and value.strip().isdigit() else None


# Large enough for every text of the bank, each normalized several times while the matcher is built.
@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Lower case, no accents (ñ kept), no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ñ", "\0"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("\0", "ñ")
    return " ".join(_NON_WORD.sub(" ", plain).split())
