"""Reading prompts/ into the content model, collecting every problem with its file and line (MkDocs-style)."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import threading
from collections import OrderedDict, deque
from pathlib import Path
from typing import Any, Mapping

from .checks import check_quality
from .replies import PLACEHOLDER, fill
from .model import (ACTIONS, CARRIER_WORDS, OPTIONAL_PHRASES, OPTIONAL_WORD_LISTS, REQUIRED_PLACEHOLDERS, SAFETY_NUMBERS, LINE_FILE, REVIEW_MONTHS, SOURCE_FIELDS, SOURCES_FILE, Source, MAX_OPTIONS, MAX_PRESSES, OPTION_KEYS, PHRASES, READABILITY_FORMULAS, RESERVED_KEYS,
                    SPOKEN_PHRASES, VOICE_FIELDS, WORD_LISTS, Content, ContentError, Language, Menu, Option, Prompt, Target,
                    Voice, amount, normalize)
from .yamlsource import Node, Problem, load_file


class _Reader:
    """Collects problems while reading Nodes into plain values (MkDocs-style: every error, not the first)."""

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self.problems: list[Problem] = []
        self.texts_of: Mapping[str, str] = texts or {}

    def error(self, where: Node, message: str) -> None:
        """Record a problem at a value's file and line."""
        self.problems.append(Problem(where.file, where.line, message))

    def mapping(self, node: Node, what: str, required: tuple[str, ...] = (), allowed: tuple[str, ...] | None = None) -> dict[str, Node] | None:
        """A mapping's values, reporting missing and unknown names; None when it is not a mapping."""
        if not isinstance(node.value, dict):
            self.error(node, f"{what}: expected a mapping of names to values, found {_kind(node.value)}")
            return None
        for name in required:
            if name not in node.value:
                self.error(node, f"{what}: missing '{name}'; expected it here")
        if allowed is not None:
            for name, child in node.value.items():
                if name not in allowed:
                    self.error(child, f"{what}: unknown name '{name}'; expected one of: {', '.join(allowed)}")
        return node.value

    def text(self, node: Node | None, what: str) -> str:
        """A value as one line of text (spaces collapsed), or "" with a problem when it is not text."""
        if node is None:
            return ""
        if isinstance(node.value, (int, str)) and not isinstance(node.value, bool) and str(node.value).strip():
            return " ".join(str(node.value).split())
        self.error(node, f"{what}: expected some text, found {_kind(node.value)}")
        return ""

    def date(self, node: Node | None, what: str) -> dt.date | None:
        """A date written YYYY-MM-DD, or None with a problem."""
        if node is None:
            return None
        try:
            return dt.date.fromisoformat(str(node.value).strip())
        except ValueError:
            self.error(node, f"{what}: expected a date written YYYY-MM-DD, found {_kind(node.value)}")
            return None

    def texts(self, node: Node | None, what: str) -> tuple[str, ...]:
        """A list of texts, or () with a problem when it is not a list."""
        if node is None:
            return ()
        if not isinstance(node.value, list):
            self.error(node, f"{what}: expected a list of words or phrases (lines starting with '- '), found {_kind(node.value)}")
            return ()
        return tuple(t for t in (self.text(item, what) for item in node.value) if t)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, str) and not value.strip():
        return "an empty field"
    return f"'{value}'"




def load(root: Path | str) -> Content:
    """Load and validate prompts/; raise ContentError listing every error."""
    content = read(root)
    errors = [p for p in content.problems if p.severity == "error"]
    if errors:
        raise ContentError(content.problems)
    return content


_READ: OrderedDict[tuple[str, bool, dt.date, str], Content] = OrderedDict()
_READ_LOCK = threading.Lock()


def read(root: Path | str, reading: bool = True, texts: Mapping[str, str] | None = None) -> Content:
    """Load prompts/ and collect every problem without raising (reading=False: not the reading-level warnings; texts:
    files' contents by name, as the admin pages' edits make them, in place of the disk's). The same files read
    again the same day give the same Content (never changed once made: an edit builds a new one)."""
    root = Path(root)
    # The files' hash: the cache's key, and the content's version.
    digest = hashlib.sha256()
    for path in sorted(root.glob("*.yaml")):
        given = (texts or {}).get(path.name)
        digest.update(path.name.encode() + b"\0" + (given.encode() if given is not None else path.read_bytes()))
    key = (str(root.resolve()), reading, today(), digest.hexdigest())
    with _READ_LOCK:
        found = _READ.get(key)
        if found is not None:
            _READ.move_to_end(key)
            return found
    content = _read(root, reading, texts, digest.hexdigest()[:12])
    with _READ_LOCK:
        _READ[key] = content
        while len(_READ) > 16:
            _READ.popitem(last=False)
    return content


def _read(root: Path, reading: bool, texts: Mapping[str, str] | None, version: str) -> Content:
    reader = _Reader(texts or {})
    line_display = f"{root.name}/{LINE_FILE}"
    line_node, problems = load_file(root / LINE_FILE, line_display, reader.texts_of.get(LINE_FILE))
    reader.problems.extend(problems)
    content = Content(root, "en", {}, {}, {}, {"first_seconds": 10, "later_seconds": 15, "silences_before_goodbye": 3}, 120, reader.problems)
    if line_node is None:
        return content
    top = reader.mapping(line_node, LINE_FILE, required=("default_language", "languages", "keys", "menus"),
                         allowed=("default_language", "languages", "keys", "timeouts", "recording", "emergency_topic", "menus")) or {}
    codes = [c for c in reader.texts(top.get("languages"), "languages")]
    for bad in [c for c in codes if not LANGUAGE_CODE.fullmatch(c)]:
        reader.error(top["languages"], f"languages: '{bad}' is not a language code; expected a code such as en, es or pt-BR "
                     "(each names its file: en.yaml)")
    codes = [c for c in codes if LANGUAGE_CODE.fullmatch(c)]
    content.default_language = reader.text(top.get("default_language"), "default_language") or (codes[0] if codes else "en")
    if codes and content.default_language not in codes:
        reader.error(top["default_language"], f"default_language '{content.default_language}' is not in languages; expected one of: {', '.join(codes)}")
    _read_keys(reader, top.get("keys"), content)
    _read_timeouts(reader, top.get("timeouts"), top.get("recording"), content)
    _read_menus(reader, top.get("menus"), content)
    if "emergency_topic" in top:
        content.emergency_topic = reader.text(top["emergency_topic"], "emergency_topic")
        if content.emergency_topic and content.emergency_topic not in content.topic_ids():
            reader.error(top["emergency_topic"], f"emergency_topic '{content.emergency_topic}' is not a topic in any menu; "
                         f"expected one of: {', '.join(content.topic_ids())}")
    for code in codes:
        lang = _read_language(reader, root, code, content)
        if lang is not None:
            content.languages[code] = lang
    _check_languages_agree(reader, content)
    for lang in content.languages.values():
        _build_prompts(reader, content, lang)
    _check_phrase_owners(reader, content)
    _read_sources(reader, root, content)
    content.version = version
    reader.problems.extend(check_quality(content, reading))
    return content


def _item_lines(node: Node | None) -> tuple[int, ...]:
    """The line of each text in a list (blank items are dropped, as texts() drops them)."""
    if node is None or not isinstance(node.value, list):
        return ()
    return tuple(item.line for item in node.value if isinstance(item.value, (int, str)) and str(item.value).strip())


# Twilio's <Say> voices: its older man/woman voices exist only for a few languages (not es-US), so a language names an
# Amazon Polly or Google voice.
TWILIO_VOICE = re.compile(r"(Polly|Google)\.[A-Za-z0-9-]+")
TOPIC_FIELDS = ("title", "keyword", "spoken", "text", "phrases", "sources", "reviewed")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
# "Do not call 911", "no llame al 911": a safety phrase that says not to call its number.
TOLD_NOT_TO = r"\b(?:do not|don't|dont|never|no)\s+(?:call|text|dial|llame|marque|escriba)\b"


def today() -> dt.date:
    """The date review ages are counted to (a function so tests can fix it)."""
    return dt.date.today()


def _read_sources(reader: _Reader, root: Path, content: Content) -> None:
    """The bibliography, then every topic's sources and review date checked against it."""
    display = f"{root.name}/{SOURCES_FILE}"
    cited = [t for lang in content.languages.values() for t in lang.targets.values() if t.kind == "topic"]
    if not (root / SOURCES_FILE).exists():
        if cited:
            reader.problems.append(Problem(display, 1, "missing file; expected the bibliography that topics' sources: name"))
        return
    node, problems = load_file(root / SOURCES_FILE, display, reader.texts_of.get(SOURCES_FILE))
    reader.problems.extend(problems)
    for source_id, entry in ((reader.mapping(node, SOURCES_FILE) or {}) if node else {}).items():
        fields = reader.mapping(entry, f"source '{source_id}'", required=SOURCE_FIELDS, allowed=SOURCE_FIELDS) or {}
        year = fields.get("year")
        if year is not None and not (isinstance(year.value, int) and 1800 < year.value < 2200):
            reader.error(year, f"source '{source_id}': year: expected a year like 2023, found {_kind(year.value)}")
        url = reader.text(fields.get("url"), f"source '{source_id}': url")
        if url and not url.startswith(("https://", "http://")):
            reader.error(fields["url"], f"source '{source_id}': url: expected a web address starting https:// (or http://), found '{url}'")
        content.sources[source_id] = Source(source_id, reader.text(fields.get("title"), f"source '{source_id}': title"),
                                            reader.text(fields.get("publisher"), f"source '{source_id}': publisher"),
                                            year.value if year is not None and isinstance(year.value, int) else 0, url)
    now = today()
    stale = now - dt.timedelta(days=round(REVIEW_MONTHS * 30.44))
    for target in cited:
        where = target.line_of("sources")
        if "sources" in target.lines and not target.sources:
            reader.problems.append(Problem(target.file, where, f"topic '{target.id}': no sources; expected at least one id from {SOURCES_FILE} (on the editor: tick one under Sources)"))
        for source_id in target.sources:
            if source_id not in content.sources:
                close = difflib.get_close_matches(source_id, list(content.sources), n=3, cutoff=0.5)
                hint = f" (the closest: {', '.join(close)})" if close else f" ({len(content.sources)} listed)" if content.sources else " (none yet)"
                reader.problems.append(Problem(target.file, where, f"topic '{target.id}': source '{source_id}' is not in "
                                               f"{SOURCES_FILE}; expected an id listed there{hint}"))
        if target.reviewed is not None and target.reviewed < stale:
            reader.problems.append(Problem(target.file, target.line_of("reviewed"), f"topic '{target.id}': last reviewed {target.reviewed}, more than {REVIEW_MONTHS} months ago; expected a fresh medical review of this answer", "warning"))
        if target.reviewed is not None and target.reviewed > now:
            reader.problems.append(Problem(target.file, target.line_of("reviewed"), f"topic '{target.id}': reviewed {target.reviewed} is in the future; expected the date of the last review"))


def _read_keys(reader: _Reader, node: Node | None, content: Content) -> None:
    if node is None:
        return
    keys = reader.mapping(node, "keys", required=RESERVED_KEYS, allowed=RESERVED_KEYS) or {}
    seen: dict[str, str] = {}
    for name in RESERVED_KEYS:
        if name not in keys:
            continue
        key = reader.text(keys[name], f"keys: {name}")
        if key and (len(key) != 1 or key not in "0123456789*#"):
            reader.error(keys[name], f"keys: {name} is '{key}'; expected one key: a digit, * or #")
            continue
        if key in OPTION_KEYS:
            reader.error(keys[name], f"keys: {name} is '{key}', which menus use for options (1 to 5); expected 6, 7, 8, 9, 0, * or #")
        if key in seen:
            reader.error(keys[name], f"keys: {name} and {seen[key]} are both '{key}'; expected a different key for each")
        seen[key] = name
        content.keys[name] = key


def _read_timeouts(reader: _Reader, node: Node | None, recording: Node | None, content: Content) -> None:
    if node is not None:
        values = reader.mapping(node, "timeouts", allowed=tuple(content.timeouts)) or {}
        for name, child in values.items():
            if name in content.timeouts:
                if not isinstance(child.value, int) or child.value < 1:
                    reader.error(child, f"timeouts: {name}: expected a whole number of at least 1, found {_kind(child.value)}")
                else:
                    content.timeouts[name] = child.value
        if content.timeouts["first_seconds"] < 10:
            reader.error(values.get("first_seconds", node), "timeouts: first_seconds must be at least 10: callers with weak hands need the time")
    if recording is not None:
        values = reader.mapping(recording, "recording", allowed=("max_seconds",)) or {}
        if "max_seconds" in values:
            child = values["max_seconds"]
            if isinstance(child.value, int) and 10 <= child.value <= 600:
                content.recording_seconds = child.value
            else:
                reader.error(child, "recording: max_seconds: expected a whole number from 10 to 600")


def _read_menus(reader: _Reader, node: Node | None, content: Content) -> None:
    if node is None:
        return
    menus = reader.mapping(node, "menus") or {}
    if menus and "main" not in menus:
        reader.error(node, "menus: missing 'main'; expected the main menu to be called main")
    for menu_id, menu_node in menus.items():
        if not isinstance(menu_node.value, list) or not menu_node.value:
            reader.error(menu_node, f"menu '{menu_id}': expected a list of options (lines starting with '- key:')")
            continue
        if len(menu_node.value) > MAX_OPTIONS:
            reader.error(menu_node, f"menu '{menu_id}' has {len(menu_node.value)} options; expected at most {MAX_OPTIONS} (move some into a sub-menu)")
        options: list[Option] = []
        keys_seen: dict[str, int] = {}
        for option_node in menu_node.value:
            fields = reader.mapping(option_node, f"menu '{menu_id}' option", required=("key",), allowed=("key", "topic", "menu", "action"))
            if fields is None:
                continue
            key = reader.text(fields.get("key"), f"menu '{menu_id}' option key")
            kinds = [k for k in ("topic", "menu", "action") if k in fields]
            if len(kinds) != 1:
                reader.error(option_node, f"menu '{menu_id}' option {key}: expected exactly one of topic, menu or action")
                continue
            kind = kinds[0]
            target = reader.text(fields[kind], f"menu '{menu_id}' option {key}")
            if key and key not in OPTION_KEYS:
                reader.error(fields["key"], f"menu '{menu_id}': option key '{key}'; expected 1 to 5 (other keys are kept for repeat, back, main menu and help)")
            if key in keys_seen:
                reader.error(fields["key"], f"menu '{menu_id}': two options on key {key} (the other is on line {keys_seen[key]}); expected one option per key")
            keys_seen[key] = fields["key"].line
            if kind == "action" and target not in ACTIONS:
                reader.error(fields[kind], f"menu '{menu_id}' option {key}: unknown action '{target}'; expected one of: {', '.join(ACTIONS)}")
            options.append(Option(key, kind, target, option_node.line))
        expected = OPTION_KEYS[: len(options)]
        got = "".join(sorted(o.key for o in options))
        if got != expected and len(set(got)) == len(got) and all(k in OPTION_KEYS for k in got):
            reader.error(menu_node, f"menu '{menu_id}': keys {', '.join(got)}; expected keys in order with no gaps ({', '.join(expected)})")
        content.menus[menu_id] = Menu(menu_id, tuple(sorted(options, key=lambda o: o.key)), None, menu_node.line)
    for menu in content.menus.values():
        for option in menu.options:
            if option.kind == "menu" and option.target not in content.menus:
                reader.problems.append(Problem(node.file, option.line, f"menu '{menu.id}' option {option.key} points at menu '{option.target}', which does not exist; expected one of: {', '.join(content.menus)}"))
    # Parents by breadth-first search from main, so back always leads toward the main menu.
    if "main" in content.menus:
        parents: dict[str, str | None] = {"main": None}
        queue = deque(["main"])
        while queue:
            current = queue.popleft()
            for option in content.menus[current].options:
                if option.kind == "menu" and option.target in content.menus and option.target not in parents:
                    parents[option.target] = current
                    queue.append(option.target)
        depth = {"main": 0}
        for menu_id in parents:  # breadth-first order: a parent's depth is known before its children's
            if parents[menu_id] is not None:
                depth[menu_id] = depth[parents[menu_id]] + 1  # type: ignore[index]
        for menu_id, menu in list(content.menus.items()):
            if menu_id not in parents:
                reader.problems.append(Problem(node.file, menu.line, f"menu '{menu_id}' is not reached from the main menu; expected some menu to point at it"))
            content.menus[menu_id] = Menu(menu.id, menu.options, parents.get(menu_id), menu.line)
        shallowest: dict[str, tuple[int, Menu, Option]] = {}
        for menu_id, menu in content.menus.items():
            for option in menu.options:
                if option.kind != "menu" and menu_id in depth:
                    presses = depth[menu_id] + 1
                    if option.target not in shallowest or presses < shallowest[option.target][0]:
                        shallowest[option.target] = (presses, menu, option)
        for target, (presses, menu, option) in shallowest.items():
            if presses > MAX_PRESSES:
                reader.problems.append(Problem(node.file, option.line, f"{content.kind_of(target)} '{target}' is {presses} key presses from the main menu (menu '{menu.id}' option {option.key}); expected at most {MAX_PRESSES}"))


def _read_language(reader: _Reader, root: Path, code: str, content: Content) -> Language | None:
    display = f"{root.name}/{code}.yaml"
    node, problems = load_file(root / f"{code}.yaml", display, reader.texts_of.get(f"{code}.yaml"))
    reader.problems.extend(problems)
    if node is None:
        if not problems:
            reader.problems.append(Problem(display, 1, "missing file"))
        return None
    top = reader.mapping(node, f"{code}.yaml", required=("language", "phrases", "words", "menus", "topics"),
                         allowed=("language", "key_names", "words", "phrases", "menus", "topics")) or {}
    settings = reader.mapping(top["language"], "language", required=VOICE_FIELDS, allowed=VOICE_FIELDS) if "language" in top else None
    settings = settings or {}
    voice = Voice(*(reader.text(settings.get(name), f"language: {name}") for name in VOICE_FIELDS[1:7]))
    if voice.say_voice and not TWILIO_VOICE.fullmatch(voice.say_voice):
        reader.error(settings["say_voice"], f"language: say_voice '{voice.say_voice}' is not a voice Twilio names; expected an "
                     "Amazon Polly or Google voice for this language, such as Polly.Joanna-Neural or Polly.Lupe-Neural")
    readability = ("flesch_kincaid_grade", "max", 8.0)
    if "readability" in settings:
        rnode = settings["readability"]
        r = reader.mapping(rnode, "language: readability", required=("formula",), allowed=("formula", "max", "min")) or {}
        formula = reader.text(r.get("formula"), "readability: formula")
        if formula and formula not in READABILITY_FORMULAS:
            reader.error(r["formula"], f"readability: unknown formula '{formula}'; expected one of: {', '.join(READABILITY_FORMULAS)}")
        elif formula:
            bound = READABILITY_FORMULAS[formula]
            limit = r.get(bound)
            if limit is None or not isinstance(limit.value, (int, str)):
                reader.error(rnode, f"readability: {formula} needs '{bound}:' (the {'highest' if bound == 'max' else 'lowest'} score allowed)")
            else:
                try:
                    readability = (formula, bound, float(limit.value))
                except ValueError:
                    reader.error(limit, f"readability: {bound}: expected a number, found '{limit.value}'")
    key_names: dict[str, str] = {}
    if "key_names" in top:
        for key, kn in (reader.mapping(top["key_names"], "key_names") or {}).items():
            key_names[key] = reader.text(kn, f"key_names: {key}")
    words: dict[str, tuple[str, ...]] = {}
    if "words" in top:
        wmap = reader.mapping(top["words"], "words", required=WORD_LISTS, allowed=WORD_LISTS + OPTIONAL_WORD_LISTS) or {}
        for name in WORD_LISTS + tuple(n for n in OPTIONAL_WORD_LISTS if n in wmap):
            words[name] = tuple(w.lower() for w in reader.texts(wmap.get(name), f"words: {name}"))
        many = wmap.get("many")
        # "twenty/20": what "N+" in a safety phrase matches counts on the number ("took 15+ pills").
        for entry in words.get("many", ()):
            if many is not None and amount(entry) is None:
                reader.error(many, f"words: many: '{entry}' has no number; expected the words, a slash and the number they "
                                   "say, as twenty/20")
    phrases: dict[str, str] = {}
    phrase_lines: dict[str, int] = {}
    if "phrases" in top:
        pmap = reader.mapping(top["phrases"], "phrases", required=tuple(n for n in PHRASES if n not in OPTIONAL_PHRASES), allowed=tuple(PHRASES)) or {}
        for name, pnode in pmap.items():
            if name not in PHRASES:
                continue
            text = reader.text(pnode, f"phrase '{name}'")
            allowed = PHRASES[name][1]
            used_all = set(PLACEHOLDER.findall(text))
            for used in sorted(used_all):
                if used not in allowed:
                    expected = ", ".join("{" + a + "}" for a in sorted(allowed)) or "no {...} placeholders"
                    reader.error(pnode, f"phrase '{name}': unknown placeholder {{{used}}}; expected {expected}")
            outside = PLACEHOLDER.sub("", text)
            if "{" in outside or "}" in outside:
                # "press back}": a brace lost, and callers would hear the placeholder's name instead of a key.
                reader.error(pnode, f"phrase '{name}': a '{{' or '}}' without its pair; expected each placeholder written "
                                    "whole, as {name}")
            for missing in sorted(REQUIRED_PLACEHOLDERS.get(name, frozenset()) - used_all):
                reader.error(pnode, f"phrase '{name}': {{{missing}}} is missing; expected it, where the line puts the "
                                    f"{'key to press or reply' if missing.startswith('key') else 'title'}")
            for number in SAFETY_NUMBERS.get(name, ()):
                # The number itself, written 988, 9 8 8 or 9-8-8, not digits inside another number.
                written = r"(?<![\d-])" + r"[ -]?".join(number) + r"(?![\d-]?\d)"
                if not re.search(written, text):
                    reader.error(pnode, f"phrase '{name}': the number {number} is missing; expected {number} in it, "
                                        f"as every {name} phrase must give it")
                elif re.search(TOLD_NOT_TO + r"[^.!?]*" + written, text, re.IGNORECASE):
                    reader.error(pnode, f"phrase '{name}': it tells people not to call {number}; expected it to tell "
                                        f"them to call {number}")
            phrases[name] = text
            phrase_lines[name] = pnode.line
            if name == "sms_answer_footer" and words.get("menu"):
                said = f" {normalize(text)} "
                # A word the carrier answers itself ("start") brings nothing back from the line.
                replies = [w for w in words["menu"] if normalize(w) and normalize(w) not in CARRIER_WORDS]
                if not any(f" {normalize(w)} " in said for w in replies):
                    # Every text answer closes with it: without the word to reply, a texter has no way on.
                    single = [w for w in replies if " " not in w.strip()]
                    example = "menu" if "menu" in replies else (single or replies or ["menu"])[0]
                    reader.error(pnode, f"phrase '{name}': it names no word that brings back the topics; expected one of "
                                        f"the menu words (words: menu), such as {example.upper()}, for texters to reply")
    targets: dict[tuple[str, str], Target] = {}
    if "menus" in top:
        for menu_id, mnode in (reader.mapping(top["menus"], "menus") or {}).items():
            fields = reader.mapping(mnode, f"menu '{menu_id}'", required=("title", "intro"), allowed=("title", "intro", "keyword", "phrases", "examples")) or {}
            if menu_id not in content.menus:
                reader.error(mnode, f"menu '{menu_id}' is not in {LINE_FILE}; expected one of: {', '.join(content.menus)}")
            targets[("menu", menu_id)] = Target(
                "menu", menu_id, reader.text(fields.get("title"), f"menu '{menu_id}': title"),
                reader.text(fields.get("keyword"), f"menu '{menu_id}': keyword"),
                reader.texts(fields.get("phrases"), f"menu '{menu_id}': phrases"),
                intro=reader.text(fields.get("intro"), f"menu '{menu_id}': intro"),
                examples=reader.texts(fields.get("examples"), f"menu '{menu_id}': examples"),
                example_lines=_item_lines(fields.get("examples")), file=display, line=mnode.line,
                lines={k: v.line for k, v in fields.items()})
    if "topics" in top:
        for topic_id, tnode in (reader.mapping(top["topics"], "topics") or {}).items():
            kind = content.kind_of(topic_id)
            # Medical answers name their sources and when they were last reviewed; an action (leave a message) has none.
            required = TOPIC_FIELDS if kind == "topic" else TOPIC_FIELDS[:5]
            fields = reader.mapping(tnode, f"topic '{topic_id}'", required=required, allowed=(*TOPIC_FIELDS, "examples")) or {}
            what = f"topic '{topic_id}'"
            targets[(kind, topic_id)] = Target(
                kind, topic_id, reader.text(fields.get("title"), f"{what}: title"),
                reader.text(fields.get("keyword"), f"{what}: keyword"),
                reader.texts(fields.get("phrases"), f"{what}: phrases"),
                spoken=reader.text(fields.get("spoken"), f"{what}: spoken"),
                text=reader.text(fields.get("text"), f"{what}: text"),
                examples=reader.texts(fields.get("examples"), f"{what}: examples"),
                example_lines=_item_lines(fields.get("examples")),
                sources=reader.texts(fields.get("sources"), f"{what}: sources"),
                reviewed=reader.date(fields.get("reviewed"), f"{what}: reviewed"),
                file=display, line=tnode.line, lines={k: v.line for k, v in fields.items()})
    name = reader.text(settings.get("name"), "language: name") or code
    return Language(code, name, display, voice, readability, key_names, words, phrases, targets, phrase_lines=phrase_lines)


def _check_languages_agree(reader: _Reader, content: Content) -> None:
    used = {(("menu" if o.kind == "menu" else content.kind_of(o.target)), o.target): (m, o) for m in content.menus.values() for o in m.options}
    line_display = f"{content.root.name}/{LINE_FILE}"
    for lang in content.languages.values():
        for (kind, target_id), (owner, option) in used.items():
            if (kind, target_id) not in lang.targets and kind != "menu":
                reader.problems.append(Problem(line_display, option.line, f"menu '{owner.id}' option {option.key} points at {kind} '{target_id}', which {lang.file} does not have; expected a topic of that name there"))
        for menu_id in content.menus:
            if ("menu", menu_id) not in lang.targets:
                reader.problems.append(Problem(lang.file, 1, f"menu '{menu_id}' has no title and intro in {lang.name}; expected it under menus:"))
        for (kind, target_id), target in lang.targets.items():
            if kind != "menu" and (kind, target_id) not in used:
                reader.problems.append(Problem(lang.file, target.line, f"topic '{target_id}' is not reached from any menu; expected {LINE_FILE} to list it in a menu"))
    for lang in content.languages.values():
        for other in content.languages.values():
            if other is lang:
                continue
            for (kind, target_id), target in other.targets.items():
                if kind != "menu" and (kind, target_id) not in lang.targets and (kind, target_id) in used:
                    reader.problems.append(Problem(lang.file, 1, f"topic '{target_id}' is missing in {lang.name} ({other.file} line {target.line} has it); expected a translation under topics:"))


def heard_phrase(content: Content, lang: Language, name: str, text: str) -> str:
    """A phrase's words as callers hear them: its keys said by their names ("press star", not "press {repeat}"), and the
    language offer's key the language key."""
    if name == "language_offer":
        return fill(text, {"key": lang.key_name(content.keys.get("language", "6"))})
    return fill(text, {key_name: lang.key_name(key) for key_name, key in content.keys.items()})


def _build_prompts(reader: _Reader, content: Content, lang: Language) -> None:
    """Compose the spoken prompts: menus with their options and footers, answers, phrases."""
    phrase = {name: heard_phrase(content, lang, name, text) for name, text in lang.phrases.items()}
    prompts: dict[str, Prompt] = {}
    if len(content.languages) > 2:
        # With three or more languages, key 6 opens a menu offering each in its own voice on keys 1, 2, 3...
        number = list(content.languages).index(lang.code) + 1
        prompts["phrase.language_choice"] = Prompt(lang.code, "phrase.language_choice", fill(lang.phrases.get("language_offer", ""), {"key": lang.key_name(str(number))}), lang.file, lang.phrase_lines.get("language_offer", 1))
    for name in SPOKEN_PHRASES:
        if lang.phrases.get(name):
            prompts[f"phrase.{name}"] = Prompt(lang.code, f"phrase.{name}", phrase[name], lang.file, lang.phrase_lines.get(name, 1))
    for menu in content.menus.values():
        texts = lang.targets.get(("menu", menu.id))
        if texts is None:
            continue
        # The intro ("Symptoms.") is its own prompt: a call's first main menu, after the greeting, goes without it.
        if texts.intro:
            prompts[f"intro.{menu.id}"] = Prompt(lang.code, f"intro.{menu.id}", texts.intro, lang.file, texts.line_of("intro"))
        parts = []
        for option in menu.options:
            target = lang.targets.get(("menu", option.target) if option.kind == "menu" else (option.kind, option.target))
            if target is not None:
                parts.append(fill(lang.phrases.get("option", "{title}, {key}."), {"title": target.title, "key": lang.key_name(option.key)}))
        prompts[f"menu.{menu.id}"] = Prompt(lang.code, f"menu.{menu.id}", " ".join(p for p in parts if p), lang.file, texts.line)
    for (kind, target_id), target in lang.targets.items():
        if kind != "menu" and target.spoken:
            prompts[f"topic.{target_id}"] = Prompt(lang.code, f"topic.{target_id}", target.spoken, lang.file, target.line_of("spoken"))
    lang.prompts = prompts


def _check_phrase_owners(reader: _Reader, content: Content) -> None:
    for lang in content.languages.values():
        owners: dict[str, Target] = {}
        for target in lang.targets.values():
            for phrase in (*target.phrases, target.keyword):
                key = normalize(phrase)
                if not key:
                    continue
                other = owners.get(key)
                if other is not None and other is not target:
                    # Beside the box it was typed in (an exploratory admin's keyword "skin" was reported under Phrases).
                    field, what = ("keyword", "keyword") if phrase == target.keyword and phrase not in target.phrases else ("phrases", "phrase")
                    reader.problems.append(Problem(lang.file, target.line_of(field), f"{target.kind} '{target.id}': the {what} '{phrase}' also leads to {other.kind} '{other.id}' (line {other.line}); expected each phrase to lead to one place"))
                owners.setdefault(key, target)
        for key, target in owners.items():
            if key in CARRIER_WORDS:
                reader.problems.append(Problem(lang.file, target.line_of("phrases" if normalize(target.keyword) != key else "keyword"),
                                               f"{target.kind} '{target.id}': '{key}' is a word the phone company answers "
                                               f"itself by text (opting out, back in, or help); expected another word"))
        numbers = {normalize(w) for w in lang.words.get("numbers", ())}
        for key, target in owners.items():
            if key.isdigit() or key in numbers:
                # A texter's number picks an option of the menu they are in: this one would never reach the place.
                reader.problems.append(Problem(lang.file, target.line_of("phrases" if normalize(target.keyword) != key else "keyword"),
                                               f"{target.kind} '{target.id}': '{key}' is a number, which by text picks "
                                               f"a menu's option; expected a word"))
        fixed = {w: name for name in ("menu", "help", "language") for w in lang.words.get(name, ())}
        for key, target in owners.items():
            if key in fixed:
                field, what = ("keyword", "keyword") if normalize(target.keyword) == key else ("phrases", "phrase")
                reader.problems.append(Problem(lang.file, target.line_of(field), f"{target.kind} '{target.id}': the {what} '{key}' is also a '{fixed[key]}' word under words:; expected it in one place"))
