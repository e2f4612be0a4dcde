"""Changing what the line says from the admin pages: an editor for each topic, menu and fixed phrase with every language
side by side, the check run on the whole content with the change, "Listen", publish (with the changed prompts' audio
built), history with word-level differences and revert, medical review marks, conflicts with a deploy, and the
prompt files as they now stand, to download."""

from __future__ import annotations

import difflib
import functools
import hashlib
import io
import json
import logging
import re
import threading
import zipfile
import dataclasses
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from ..content import Content, Language, Problem, Target, gsm, normalize, read
from ..content.checks import MAX_SPOKEN_WORDS, number_problems, readability_scores, too_hard
from ..content.edits import FIELDS, LISTS, Edit, Value, apply, current, fingerprint, plain
from ..content.listening import WORDS_PER_MINUTE, word_count
from ..content.loader import heard_phrase
from ..content.model import FORMULA_NAMES, OPTIONAL_PHRASES
from ..content.replies import fill, first_text_room, longest_closing
from ..line import Line
from ..editing import PublishRefused, Revision, Stale
from ..live import (ANSWER_FIELDS, Live, answer_hash, answers_hash, base_texts, filed_hash, is_review_problem, live_texts,
                    review_problems, untranslated)
from .questions import MAX_ADDED
from .views import _at, _line, _log, bp

log = logging.getLogger("service.admin")
LABELS = {"title": "Title", "keyword": "Keyword", "phrases": "Phrases (one a line)", "spoken": "Spoken answer",
          "text": "Text message answer", "examples": "Examples (one question a line)", "sources": "Sources",
          "reviewed": "Medically reviewed", "intro": "Introduction (spoken)", "value": "Wording"}
HELP = {
    "title": "Menus say it as \"<title>, press 1\": keep it short.",
    "keyword": "One word texters can send to get this.",
    "phrases": "Other words that lead here, spoken or texted.",
    "spoken": "What callers hear: at most 150 words.",
    "text": "What texters get, with the closing line: plain characters, within three text segments.",
    "examples": "Questions as people really ask them: the line learns from these.",
    "sources": "Where each fact comes from (the bibliography in sources.yaml).",
}
# A callback number read back, as a caller would hear one (555-01xx numbers are fictional).
SAMPLE_NUMBER = "5 5 5, 5 5 5, 0 1 2 3"
# What one field may hold, beyond what the content check says (a spoken phrase or menu introduction is read in full
# by Twilio, so a pasted page would be read too; the form itself is at most 128 kB).
LIMITS = {"title": ("characters", 60), "keyword": ("characters", 20), "intro": ("words", 40), "value": ("words", 150),
          "spoken": ("characters", 3000), "text": ("characters", 2000)}
ITEM_LIMITS = {"phrases": (60, 80), "examples": (300, 2000)}  # characters an item, items in all
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
TAB = "a tab character: use spaces"
_KEYWORD = re.compile(r"[^\W_](?:[\w'-]*[^\W_])?")


@dataclass
class Counters:
    """The figures shown beside a field (and updated by the page's script as one types)."""

    words: int = 0
    seconds: int = 0
    characters: int = 0
    segments: int = 0
    room: int = 0
    score: float | None = None
    formula: str = ""
    target: str = ""
    unicode: list[str] = dataclasses.field(default_factory=list)
    max_words: int = 0  # a spoken answer's limit (the check refuses more)
    too_hard: bool = False  # the reading score is past the language's limit (the check refuses it)


@dataclass
class FieldView:
    """One field of one language in the editor."""

    name: str  # the form field's name
    field: str
    label: str
    value: str
    widget: str  # input, textarea, lines, sources, date
    help: str = ""
    problems: list[Problem] = dataclasses.field(default_factory=list)
    counters: Counters | None = None
    shown: str = ""  # a fingerprint of the value the page showed, to tell the admin's changes from another's
    served: str = ""  # the value the line serves now (the page's script keeps a draft of what differs from it)
    yours: str = ""  # this admin's wording of a field a colleague changed meanwhile (the field shows theirs)


@dataclass
class LanguageColumn:
    """One language's side of the editor."""

    lang: Language
    prefix: str
    fields: list[FieldView]
    listen: str = ""
    review: str = ""
    stale: bool = False
    room: int = 0  # characters a text answer may have (three segments, less the notice and the closing line)
    absent: str = ""  # an optional phrase this language leaves out: what the line does without it
    closing: str = ""  # the longest closing line a text answer is sent with (the page's script counts segments with it)
    behind: bool = False  # this answer does not follow the first language's as it now is
    behind_since: Revision | None = None  # the change to the first language's answer since this was last marked
    pair: str = ""  # the two answers the page shows, as a translator's "says the same" marks them
    behind_diff: list[tuple[str, Markup]] = dataclasses.field(default_factory=list)  # the first language's words then and now


def _editing() -> Any:
    store = current_app.extensions.get("editing")
    if store is None:
        abort(503, "Editing needs a records database: DATABASE_URL is none")
    return store


def _live() -> Live:
    return current_app.extensions["live"]


def _place(content: Content, lang_code: str, kind: str, ident: str) -> Target | None:
    lang = content.languages.get(lang_code)
    if lang is None:
        return None
    if kind == "phrase":
        if ident not in lang.phrases and ident not in OPTIONAL_PHRASES:
            return None
        # A phrase as a place with one field, "value", at its line in the language's file (an optional phrase the file
        # leaves out has no line: it can be added here, an empty field until it is written).
        at = lang.phrase_lines.get(ident)
        return Target("phrase", ident, ident, "", (), file=lang.file, line=at or 1, lines={"value": at} if at else {})
    if kind == "menu":
        return lang.targets.get(("menu", ident))
    return lang.targets.get(("topic", ident)) or lang.targets.get(("action", ident))


def _closing(lang: Language) -> str:
    """The longest closing line a text answer is sent with, as sent ("" without the phrases to make one)."""
    return gsm.fold(longest_closing(lang)) if "sms_answer_footer" in lang.phrases else ""


def _same(one: Value | None, other: Value | None) -> bool:
    """Whether two field values read the same (None, a field's absence, is like nothing else)."""
    return one is not None and other is not None and plain(one) == plain(other)


def _with_was(edit: Edit, base: dict[str, str]) -> Edit:
    """An edit with its field's value in the deployed files (a later deploy that changes that value is a conflict)."""
    return replace(edit, was=current(base.get(edit.file, ""), edit))


def _value(target: Target, lang: Language, kind: str, name: str) -> Value:
    if kind == "phrase":
        return lang.phrases.get(target.id, "")
    if name == "reviewed":
        return str(target.reviewed or "")
    return getattr(target, name)


def _text(value: Value) -> str:
    return "\n".join(value) if isinstance(value, tuple) else value


def _fields(kind: str, target: Target) -> tuple[str, ...]:
    names = FIELDS[kind]
    return tuple(n for n in names if not (target.kind == "action" and n in ("sources", "reviewed")))


def _refusal(name: str, raw: str, value: Value) -> str:
    """What is wrong with a field as typed that the content check does not look at, in plain words; "" when nothing."""
    bad = _CONTROL.search(raw)
    if bad:
        return (f"a control character (U+{ord(bad.group()):04X}), which cannot be read aloud or sent in a text: delete "
                "it (it often comes with text pasted from another program)")
    if name in ITEM_LIMITS:
        longest, most = ITEM_LIMITS[name]
        items = value if isinstance(value, tuple) else (value,)
        if len(items) > most:
            return f"{len(items)} lines; expected at most {most}"
        long = next((i for i in items if len(i) > longest), None)
        if long is not None:
            return f"the line \"{long[:40]}...\" has {len(long)} characters; expected at most {longest} a line"
        return ""
    if name == "keyword" and value and not _KEYWORD.fullmatch(str(value)):
        return f"\"{str(value)[:40]}\" is not one word; expected one word of letters or digits that texters can send, such as SKIN"
    if name in LIMITS:
        unit, most = LIMITS[name]
        size = len(str(value).split()) if unit == "words" else len(str(value))
        if size > most:
            return f"{size} {unit}; expected at most {most}"
    return ""


def _from_form(fields: tuple[str, ...], prefix: str) -> tuple[dict[str, Value], list[str], dict[str, str]]:
    """A language's fields as the form sent them, typography made plain; what was made plain; and what is wrong with
    a field beyond what the content check looks at (a tab, a control character, a length)."""
    values: dict[str, Value] = {}
    replaced: list[str] = []
    tabs: dict[str, str] = {}
    for name in fields:
        key = f"{prefix}{name}"
        if name == "reviewed":
            continue
        if name == "sources":
            # Boxes left unticked send nothing: the form says separately that its source boxes were there.
            if request.form.get(f"{key}-shown"):
                values[name] = tuple(v for v in request.form.getlist(key) if v)
            continue
        if key not in request.form:
            continue
        raw = request.form.get(key, "")
        fixed = gsm.plain_typography(raw)
        if fixed != raw:
            replaced.append(name)
        if name in LISTS:
            values[name] = tuple(line.strip() for line in fixed.replace("\r", "").split("\n") if line.strip())
        else:
            values[name] = " ".join(fixed.split())
        wrong = TAB if "\t" in raw else _refusal(name, raw, values[name])
        if wrong:
            tabs[name] = wrong
    return values, replaced, tabs


_ABOUT = re.compile(r"^(topic|menu|action) '([\w-]+)'")


@dataclass(frozen=True)
class Elsewhere:
    """A problem the check found outside this page's fields, with a link to the page of the place it is about."""

    file: str
    line: int
    message: str
    severity: str
    place: str = ""
    href: str = ""

    @classmethod
    def of(cls, problem: Problem, content: Content) -> Elsewhere:
        """The problem, and where an admin fixes it when it names a topic or menu."""
        found = _ABOUT.match(problem.message)
        language = next((lang for lang in content.languages.values() if lang.file == problem.file), None)
        if found is None or language is None:
            return cls(problem.file, problem.line, problem.message, problem.severity)
        kind, ident = found.groups()
        target = _place(content, language.code, "menu" if kind == "menu" else "topic", ident)
        endpoint = "admin.menu_editor" if kind == "menu" else "admin.topic_editor"
        return cls(problem.file, problem.line, problem.message, problem.severity,
                   f"{language.name}, {target.title if target is not None else ident}",
                   url_for(endpoint, lang=language.code, ident=ident))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def _without_lines(message: str) -> str:
    """A problem's words without the line numbers it names (an edit moves the lines after it)."""
    return re.sub(r"\(line \d+\)", "", message)


def _in_their_order(ticked: tuple[str, ...], before: Value) -> tuple[str, ...]:
    """The sources ticked, in the order the topic lists them (the page shows its boxes by title), new ones after: the
    same boxes ticked are no change."""
    kept = [s for s in (before if isinstance(before, tuple) else ()) if s in ticked]
    return (*kept, *(s for s in ticked if s not in kept))


class Session:
    """One editor request: the content now served, the place edited, and the admin's changes to it."""

    def __init__(self, lang_code: str, kind: str, ident: str) -> None:
        self.line = _line()
        self.content = self.line.content
        self.kind = kind
        self.ident = ident
        self.primary = lang_code
        target = _place(self.content, lang_code, kind, ident)
        if target is None or (kind == "topic" and target.kind == "menu"):
            abort(404)
        self.base = base_texts(Path(current_app.config["PROMPTS_DIR"]))
        self.languages = [self.content.languages[lang_code], *self.content.other_languages(lang_code)]
        self.changes: list[Edit] = []
        self.replaced: dict[str, list[str]] = {}
        self.tabs: dict[str, dict[str, str]] = {}
        # Fields another admin changed since this page was opened, that this admin changed too: (language, field).
        self.clashes: list[tuple[str, str]] = []
        # Each change's field as this admin saw it (the page's fingerprint, else this worker's): a publish made
        # meanwhile on any worker is found under the publish lock, not only against this worker's copy.
        self.expect: dict[tuple[str, str, str, str], tuple[str, ...]] = {}
        # A question from "Not understood", put at the end of this language's examples, ready to check and publish.
        # Questions people asked, brought from "Not understood" to be added to the examples (a group's wordings).
        asked = (" ".join(w.split())[:200] for w in request.args.getlist("add_example")[:MAX_ADDED] if w.strip())
        first_of: dict[str, str] = {}
        for question in asked:
            first_of.setdefault(normalize(question), question)  # one of each, however it is written
        self.add_examples: tuple[str, ...] = tuple(first_of.values()) if kind != "phrase" else ()
        self.added: list[str] = []  # those not among the examples yet, put at their end
        self._untranslated: dict[tuple[str, str], Any] | None = None

    def behind(self) -> dict[tuple[str, str], Any]:
        """The topics and languages whose answers do not follow the first language's as served (read once a page)."""
        if self._untranslated is None:
            self._untranslated = untranslated(self.content, _editing(), _live().outcomes)
        return self._untranslated

    def prefix(self, lang: Language) -> str:
        """The form fields' prefix for a language: none for the page's own, "es-" for the others."""
        return "" if lang.code == self.primary else f"{lang.code}-"

    def read_form(self) -> None:
        """The admin's changes, language by language, against what the line serves now."""
        for lang in self.languages:
            target = _place(self.content, lang.code, self.kind, self.ident)
            if target is None:
                continue
            values, replaced, tabs = _from_form(_fields(self.kind, target), self.prefix(lang))
            self.replaced[lang.code], self.tabs[lang.code] = replaced, tabs
            for name, value in values.items():
                if name in tabs and tabs[name] != TAB:
                    continue  # refused as typed: said beside the field, never published (a tab is checked with the rest)
                if name == "sources" and isinstance(value, tuple):
                    value = _in_their_order(value, _value(target, lang, self.kind, name))
                now = plain(_value(target, lang, self.kind, name))
                shown = request.form.get(f"was-{self.prefix(lang)}{name}")
                if shown is not None and fingerprint(value) == shown:
                    continue  # as the page showed it: not this admin's change (a colleague's since stays)
                if shown is not None and fingerprint(now) != shown and plain(value) != now:
                    self.clashes.append((lang.code, name))
                    continue
                if plain(value) != now:
                    edit = _with_was(Edit(lang.code, self.kind, self.ident, name, value), self.base)
                    self.changes.append(edit)
                    self.expect[edit.key] = (shown or fingerprint(now),)

    def checked(self) -> tuple[Content, list[Problem]]:
        """The whole content with the changes, and every problem the check finds in it (as prompts check would)."""
        store = _editing()
        edits = {e.key: e for e in store.edits()}
        for change in self.changes:
            edits[change.key] = change
        texts, outcomes = apply(self.base, list(edits.values()))
        content = read(Path(current_app.config["PROMPTS_DIR"]), reading=True, texts=texts)
        # A number that this change makes differ between languages is most often a slip ("1-800-999-667"): refused,
        # where the same difference already served is a warning for whoever reviews the translation.
        served = {_without_lines(p.message) for p in number_problems(self.content)}
        new = {p for p in number_problems(content) if _without_lines(p.message) not in served}
        problems = [replace(p, severity="error", message=f"{p.message}. This change makes the languages disagree: "
                            "correct the number, or change it in every language in the same publish") if p in new else p
                    for p in content.problems]
        for lang in self.languages:
            for name, wrong in sorted(self.tabs.get(lang.code, {}).items()):
                target = _place(content, lang.code, self.kind, self.ident)
                line = target.line_of(name) if target is not None else lang.phrase_lines.get(self.ident, 1)
                problems.append(Problem(lang.file, line, f"{self._where(name)}: {wrong}"))
            for code, name in self.clashes:
                if code == lang.code:
                    target = _place(self.content, lang.code, self.kind, self.ident)
                    line = target.line_of(name) if target is not None else lang.phrase_lines.get(self.ident, 1)
                    problems.append(Problem(lang.file, line, f"{self._where(name)}: someone published a change to this field "
                                            "after you opened the page; expected you to start from theirs: the field now "
                                            "shows their wording, and yours is below it to copy from"))
        if self.kind == "topic" and not any(p.severity == "error" for p in problems):
            problems.extend(review_problems(content, store, outcomes))
        return content, problems

    def _where(self, name: str) -> str:
        return f"phrase '{self.ident}'" if self.kind == "phrase" else f"{self.kind} '{self.ident}': {name}"

    def columns(self, content: Content, problems: list[Problem], form: bool) -> tuple[list[LanguageColumn], list[Elsewhere]]:
        """Each language's fields with their values (the form's, when it was sent), problems and counters; and the
        problems that belong to no field of this place."""
        placed: set[Problem] = set()
        out = []
        reviews = _editing().reviews() if self.kind == "topic" else {}
        behind = self.behind() if self.kind == "topic" else {}
        first = self.content.default_language
        changes = (_editing().changes_of("topic", self.ident, first, ANSWER_FIELDS)
                   if any(topic == self.ident for topic, _ in behind) else [])
        for lang in self.languages:
            live_lang = content.languages.get(lang.code, lang)
            target = _place(content, lang.code, self.kind, self.ident) or _place(self.content, lang.code, self.kind, self.ident)
            if target is None:
                continue
            prefix = self.prefix(lang)
            fields = []
            for name in _fields(self.kind, target):
                key = f"{prefix}{name}"
                value = _text(_value(target, live_lang, self.kind, name))
                if form and name not in ("reviewed", "sources") and key in request.form:
                    value = gsm.plain_typography(request.form[key].replace("\r", ""))  # as the notice says: replaced
                widget = ("lines" if name in ("phrases", "examples") else "sources" if name == "sources" else
                          "date" if name == "reviewed" else "textarea" if name in ("spoken", "text", "value", "intro") else "input")
                if name == "sources" and form:
                    value = "\n".join(request.form.getlist(key))
                served_target = _place(self.content, lang.code, self.kind, self.ident)
                served = _value(served_target, lang, self.kind, name) if served_target is not None else ""
                shown, yours = fingerprint(served), ""
                if form and (lang.code, name) in self.clashes:
                    yours, value = value, _text(served)  # theirs in the field, this admin's below it to copy from
                elif form:
                    shown = request.form.get(f"was-{key}", shown)
                if name == "examples" and not form and not prefix and self.added:
                    value = "\n".join([value, *self.added] if value else self.added)
                mine = self._problems_of(live_lang, target, name, problems)
                placed.update(mine)
                # An optional phrase says when callers or texters meet it (a required one's name says as much).
                told = OPTIONAL_PHRASES.get(self.ident, "") if self.kind == "phrase" and self.ident in lang.phrases else ""
                view = FieldView(key, name, LABELS.get(name, name), value, widget, told or HELP.get(name, ""), mine)
                view.counters = self._counters(live_lang, name, value)
                view.shown, view.yours, view.served = shown, yours, _text(served)
                fields.append(view)
            column = LanguageColumn(lang, prefix, fields, room=first_text_room(live_lang) if "sms_welcome" in live_lang.phrases else 0,
                                    closing=_closing(live_lang))
            if self.kind == "phrase" and self.ident not in lang.phrases:
                column.absent = f"{lang.name} does not have this optional phrase yet. {OPTIONAL_PHRASES[self.ident]}"
            if self.kind == "topic":
                review = reviews.get(self.ident)
                column.review = (f"Medically reviewed by {review.who} on {review.on}" if review is not None else
                                 f"Medically reviewed on {target.reviewed}" if target.reviewed else "Not yet medically reviewed")
                column.stale = any(is_review_problem(p, self.ident) and p.file == lang.file for p in problems)
                column.behind = (self.ident, lang.code) in behind
                if column.behind:
                    self._behind(column, lang.code, behind[(self.ident, lang.code)], changes)
            out.append(column)
        # A review due is said once, in words, at the top and beside each language's review line (not as the check's
        # warning, one a language with its file and line).
        elsewhere = [Elsewhere.of(p, content) for p in problems if p not in placed and p.severity == "error"]
        return out, elsewhere

    def _behind(self, column: LanguageColumn, code: str, mark: Any, changes: list[Revision]) -> None:
        """What a translator is told of a language's answers that do not follow the first language's: the changes
        to those since this language's were last marked, their words before and now."""
        first = self.content.default_language
        since = [r for r in changes if mark is None or r.at > mark.at]
        # Said to be the cause only when they came after the last mark (else a deploy or an undo brought the two apart).
        column.behind_since = since[0] if since else None
        target = _place(self.content, first, "topic", self.ident)
        for name in ANSWER_FIELDS:
            before = next((c.before for r in reversed(since) for c in r.changes if (c.lang, c.field) == (first, name)), None)
            now = getattr(target, name, "") if target is not None else ""
            if before is not None and plain(before) != plain(now):
                column.behind_diff.append((LABELS.get(name, name), word_diff(before, now)))
        column.pair = f"{answer_hash(self.content, self.ident, first)}:{answer_hash(self.content, self.ident, code)}"

    def _problems_of(self, lang: Language, target: Target, name: str, problems: list[Problem]) -> list[Problem]:
        """The problems the check found on this field: every problem names the file and line of the field it is about."""
        lines = {target.lines.get(name)} | (set(target.example_lines) if name == "examples" else set())
        lines.discard(None)
        return [p for p in problems if p.file == lang.file and p.line in lines and not is_review_problem(p)]

    def _counters(self, lang: Language, name: str, value: str) -> Counters | None:
        if name not in ("spoken", "text", "intro", "value"):
            return None
        counters = Counters()
        words = value.split()
        counters.words = word_count(value)  # as the check counts: "9 1 1" is one word
        counters.seconds = round(counters.words * 60 / WORDS_PER_MINUTE)
        if name == "spoken" and self.kind == "topic":
            counters.max_words = MAX_SPOKEN_WORDS
        if name == "text" or (name == "value" and self.ident.startswith("sms_")):
            sent = gsm.fold(" ".join(words))
            counters.unicode = [gsm.describe(c) for c in gsm.non_gsm(sent)]
            whole = gsm.fold(f"{sent}\n{_closing(lang)}") if name == "text" else sent
            counters.characters = gsm.septets(sent)
            counters.segments = gsm.segments(whole)
            if name == "text" and "sms_welcome" in lang.phrases:
                counters.room = first_text_room(lang)
        if len(words) >= 10 and name in ("spoken", "text"):
            formula, bound, limit = lang.readability
            score = readability_scores(lang, [" ".join(words)])[0]
            counters.score = round(score, 1)
            counters.formula = FORMULA_NAMES.get(formula, formula)
            counters.target = (f"at most {limit:g}: lower is easier" if bound == "max" else f"at least {limit:g}: higher is easier")
            counters.too_hard = too_hard(lang, score)
        return counters


def _said_here(kind: str, ident: str, message: str, field: str) -> str:
    """A problem as its field on this page shows it: without the place and field it names first, which the page
    already says ("topic 'contagious': text: ..." beside the text answer of that topic)."""
    for prefix in (f"{kind} '{ident}': ", f"phrase '{ident}': "):
        if message.startswith(prefix):
            message = message.removeprefix(prefix)
            return message.removeprefix(f"{field}: ")
    return message


def _page(session: Session, content: Content, problems: list[Problem], form: bool, status: int = 200,
          notice: str = "", listen: dict[str, str] | None = None, published: int | None = None) -> tuple[str, int]:
    columns, elsewhere = session.columns(content, problems, form)
    for column in columns:
        column.listen = (listen or {}).get(column.lang.code, "")
    store = _editing()
    sources = sorted(content.sources.values(), key=lambda s: s.title.lower())
    replaced = [f"{code}: {', '.join(names)}" for code, names in session.replaced.items() if names]
    learnt = store.get_state("learnt")
    job = store.job(published) if published is not None else None
    here = functools.partial(_said_here, session.kind, session.ident)
    return render_template("admin/editor.html", session=session, columns=columns, elsewhere=elsewhere, notice=notice, posted=form,
                           here=here,
                           sources=sources, replaced=replaced, errors=[p for p in problems if p.severity == "error"],
                           job=job, learning=_live().learning, learnt=learnt if learnt and learnt[0] == _live().learnt else None,
                           kind=session.kind,
                           title=_named(session.content, session.primary, session.kind, session.ident)), status


def _follow_translations(session: Session, before: Content, after: Content) -> None:
    """After a publish of a topic's answers: another language's answers written in it follow the first language's
    as they now are, when they were written beside those words (the page showed the first language's answers as they
    now are, or this publish changed them) and every first-language answer this publish changed was changed in that
    language too; and the first time, the pair before is marked as following (when it was), so that what this
    language follows stays known whatever later deploys or undos bring."""
    ident, first = session.ident, after.default_language
    changed = {(c.lang, c.field) for c in session.changes if c.field in ANSWER_FIELDS}
    written = {code for code, _ in changed}
    if not written:
        return
    answers = _place(after, first, "topic", ident)
    # A colleague's change to the first language's answers since the page was opened is not what this one was written to.
    prefix = session.prefix(after.languages[first])
    seen = all((first, name) in changed or request.form.get(f"was-{prefix}{name}")
               in (None, fingerprint(getattr(answers, name, "") if answers is not None else ""))
               for name in ANSWER_FIELDS)
    store = _editing()
    marks = store.translations()
    outcomes = _live().outcomes
    for code, lang in after.languages.items():
        if code == first or ("topic", ident) not in lang.targets or not written & {first, code}:
            continue
        if (ident, code) not in marks:
            source, target = answer_hash(before, ident, first), answer_hash(before, ident, code)
            # As the files had them, or with this language's edited too: the two followed each other, by nobody's mark
            # (an undo that brings them back leaves nothing to check).
            if source == filed_hash(after, outcomes, ident, first) or target != filed_hash(after, outcomes, ident, code):
                store.translated(ident, code, "", source, target)
        follows = all((code, name) in changed for lang_code, name in changed if lang_code == first)
        if code in written and seen and follows:
            store.translated(ident, code, g.admin, answer_hash(after, ident, first), answer_hash(after, ident, code))


def _translations_to_check(session: Session, published: int) -> str:
    """After a change to the first language's answer: which languages' answers are now marked to check against it."""
    first = session.content.default_language
    found = _editing().revision(published)
    if found is None or not any(c.lang == first and c.field in ANSWER_FIELDS for c in found.changes):
        return ""
    behind = session.behind()
    names = [lang.name for code, lang in session.content.languages.items() if (session.ident, code) in behind]
    if not names:
        return ""
    return (f" The {' and '.join(names)} answer{'s are' if len(names) > 1 else ' is'} marked on this page and on the "
            f"Content page for {'their translators' if len(names) > 1 else 'its translator'} to check against the new wording.")


def _published_here(session: Session) -> int | None:
    """The change just published from this page (?published=), if that change is to this page's topic, menu or phrase."""
    revision = _number(request.args.get("published", ""), 2_147_483_647)
    found = _editing().revision(revision) if revision is not None else None
    return revision if found is not None and (found.kind, found.ident) == (session.kind, session.ident) else None


def content_errors(edits: list[Edit]) -> list[Problem]:
    """The errors of the whole content with these edits over the deployed files (what the line would refuse)."""
    root = Path(current_app.config["PROMPTS_DIR"])
    texts, _ = live_texts(root, edits)
    return [p for p in read(root, reading=True, texts=texts).problems if p.severity == "error"]


def _number(text: str, most: int) -> int | None:
    """A whole number from an address (1 to most), or None: "²" and 10**30 are not page numbers."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 and 1 <= int(text) <= most else None


def _named(content: Content, lang_code: str, kind: str, ident: str) -> str:
    """A place as the Content page names it: "Topic: whether it is contagious", "Phrase: notice"."""
    if kind == "phrase":
        return f"Phrase: {ident}"
    target = _place(content, lang_code, kind, ident)
    return f"{'Menu' if kind == 'menu' else 'Topic'}: {target.title if target else ident}"


def _fresh_session(lang: str, kind: str, ident: str, clashes: list[tuple[str, str]]) -> Session:
    """The form read again over the newest published content (a colleague's change may not have reached this worker
    yet), with these fields shown as clashes: theirs in the field, the admin's below it."""
    _live().refresh()
    session = Session(lang, kind, ident)
    session.read_form()
    session.clashes += [clash for clash in clashes if clash not in session.clashes]
    return session


def _editor(lang: str, kind: str, ident: str) -> BaseResponse | tuple[str, int]:
    # What another worker published a moment ago is shown and edited from, not this worker's copy of 2 s ago.
    _live().refresh()
    session = Session(lang, kind, ident)
    if request.method == "GET":
        problems = list(session.content.problems)
        if kind == "topic":
            problems += review_problems(session.content, _editing(), _live().outcomes)
        # Only for a change to this page: a reload, Back or a bookmark with another change's number says nothing (an
        # exploratory admin's "?published=2" on another topic said "Published." and that change's audio).
        published = _published_here(session)
        notice = "Published." if published is not None else ""
        if published is not None and kind == "topic":
            notice += _translations_to_check(session, published)
        target = _place(session.content, session.primary, kind, ident)
        have = {normalize(e) for e in (target.examples if target is not None else ())}
        session.added = [q for q in session.add_examples if normalize(q) not in have]
        if session.added:
            quoted = "; ".join(f'"{q}"' for q in session.added)
            notice = (f"{quoted} {'is' if len(session.added) == 1 else 'are'} added at the end of the examples below, not "
                      "yet published: check, then press Publish. The line learns them within a minute or two.")
        elif session.add_examples:
            notice = "Those questions are among this topic's examples already: nothing to add."
        return _page(session, session.content, problems, form=False, notice=notice, published=published)
    action = request.form.get("action", "publish")
    if action not in ("check", "publish") and not (action.startswith("listen-") and action[7:] in session.content.languages):
        abort(400)
    session.read_form()
    if session.clashes:
        # Changed since the page was opened: what is served now is looked for once more (the first look may have come
        # a moment before a colleague's publish on another worker), so the page shows theirs to start from.
        session = _fresh_session(lang, kind, ident, session.clashes)
    content, problems = session.checked()
    errors = [p for p in problems if p.severity == "error"]
    if action.startswith("listen-"):
        return _page(session, content, problems, form=True, listen=_listen(action.removeprefix("listen-"), session))
    if action == "check":
        return _page(session, content, problems, form=True, status=422 if errors else 200,
                     notice="" if errors else "The check found no errors: ready to publish.")
    if errors:
        _log("publish refused: the check found errors", place=f"{kind}:{ident}", errors=len(errors))
        return _page(session, content, problems, form=True, status=422)
    if not session.changes:
        return _page(session, content, problems, form=True, notice="Nothing changed: nothing to publish.")
    store = _editing()
    old = _line()
    try:
        # Checked again while no other publish can happen: a colleague's publish meanwhile is part of the check.
        # (While the line serves other content than the edits, the page showed that: nothing to compare it with.)
        revision = store.publish(session.changes, g.admin, check=content_errors,
                                 expect=None if _live().behind else session.expect)
    except Stale as stale:
        now = {e.key: e.value for e in store.edits()}
        # What is live for each field: its edit, or (none left: set back to the files' words) the files' value.
        live: dict[tuple[str, str, str, str], Value | None] = {c.key: now.get(c.key, c.was) for c in session.changes}
        if all(c.key in stale.fields and _same(live[c.key], c.value) for c in session.changes):
            # The same words, published meanwhile: this form sent twice (Publish pressed again before the page came
            # back, without the page's script), or a colleague's identical change. Published, not "changed meanwhile".
            _log("publish already done", place=f"{kind}:{ident}")
            # This page's newest change (the newest of all may be a colleague's on another page, which says nothing here).
            mine = next((r.id for r in store.revisions(50) if (r.kind, r.ident) == (kind, ident)), store.stamp()[0])
            return redirect(url_for(request.endpoint or "admin.content", lang=lang, ident=ident,
                                    published=mine) + "#notice", code=303)
        # A colleague published one of these fields meanwhile, on another worker: this page shows theirs, and the
        # admin's own wording to copy from, as when this worker had already seen it.
        session = _fresh_session(lang, kind, ident, [(code, name) for code, _, _, name in stale.fields])
        content, problems = session.checked()
        _log("publish refused: changed meanwhile", place=f"{kind}:{ident}")
        return _page(session, content, problems, form=True, status=422)
    except PublishRefused as refused:
        _log("publish refused: the check found errors", place=f"{kind}:{ident}", errors=len(refused.problems))
        content, problems = session.checked()
        if not any(p.severity == "error" for p in problems):
            problems = [*problems, *refused.problems]
        return _page(session, content, problems, form=True, status=422)
    if not revision:
        return _page(session, content, problems, form=True, notice="Nothing changed: nothing to publish.")
    _log("published", revision=revision, place=f"{kind}:{ident}",
         fields=sorted({f"{c.lang}.{c.field}" for c in session.changes}))
    _live().refresh()
    start_audio(revision, old.content, _line())
    if kind == "topic":
        try:
            _follow_translations(session, old.content, _line().content)
        except SQLAlchemyError:
            # Published all the same: at worst a translation is marked to check that need not be.
            log.warning("admin: the translation marks of topic %s could not be written", ident)
    # To the notice: without a fragment of its own, the browser keeps the one the form was posted from (after Listen,
    # #field-spoken), which scrolled "Published." out of sight.
    return redirect(url_for(request.endpoint or "admin.content", lang=lang, ident=ident, published=revision) + "#notice", code=303)


@bp.route("/content/<lang>/<ident>", methods=["GET", "POST"])
def topic_editor(lang: str, ident: str) -> BaseResponse | tuple[str, int]:
    """A topic's editor (every language side by side): check, listen, publish."""
    return _editor(lang, "topic", ident)


@bp.route("/content/<lang>/menus/<ident>", methods=["GET", "POST"])
def menu_editor(lang: str, ident: str) -> BaseResponse | tuple[str, int]:
    """A menu's title, introduction, keyword, phrases and examples, in every language."""
    return _editor(lang, "menu", ident)


@bp.route("/content/<lang>/phrases/<ident>", methods=["GET", "POST"])
def phrase_editor(lang: str, ident: str) -> BaseResponse | tuple[str, int]:
    """One fixed phrase (the greeting, a notice, the footer...), in every language."""
    return _editor(lang, "phrase", ident)


# -- hearing it --

def speak(text: str, lang: Language) -> bytes:
    """A text in the configured engine's voice; espeak-ng's when that one cannot be reached (Listen is a preview)."""
    from ..audio.build import EngineUnavailable, SynthesisError, espeak_binary, synthesizer_for

    engine = current_app.config.get("AUDIO_ENGINE", "gtts")
    stand_in = current_app.config.get("AUDIO_SYNTHESIZER")
    engines = [engine] + (["espeak"] if engine != "espeak" and espeak_binary() else [])
    for name in engines:
        try:
            return synthesizer_for(name, stand_in)(text, lang)
        except (SynthesisError, EngineUnavailable, OSError) as exc:
            log.warning("listen: %s could not speak (%s)", name, exc)
    raise RuntimeError("no voice can be made on this server just now")


def _listen(code: str, session: Session) -> dict[str, str]:
    lang = session.content.languages.get(code)
    if lang is None:
        return {}
    name = "value" if session.kind == "phrase" else "intro" if session.kind == "menu" else "spoken"
    text = " ".join(gsm.plain_typography(request.form.get(f"{session.prefix(lang)}{name}", "")).split())
    if not text:
        return {code: "error:There is nothing to listen to."}
    if session.kind == "phrase":
        # As callers hear it: the keys by their spoken names ("press star", not "press repeat"), and a phrase said
        # with a topic ("Did you mean {title}? Press {key}.") with the main menu's first.
        first = next(iter(session.content.menus["main"].options), None) if "main" in session.content.menus else None
        sample = lang.targets.get((first.kind, first.target)) if first is not None else None
        text = fill(heard_phrase(session.content, lang, session.ident, text),
                    {"key": lang.key_name(first.key if first is not None else "1"), "title": sample.title if sample is not None else "",
                     "number": SAMPLE_NUMBER})
    if len(text.split()) > MAX_SPOKEN_WORDS or _CONTROL.search(text):
        return {code: f"error:Listen plays at most {MAX_SPOKEN_WORDS} words of plain text (callers hear no more): shorten it first."}
    key = hashlib.sha256(f"{code}\0{text}".encode()).hexdigest()[:40]
    store = _editing()
    if store.preview(key) is None:
        try:
            store.put_preview(key, speak(text, lang))
        except RuntimeError as exc:
            return {code: f"error:{exc}."}
    return {code: url_for("admin.listen", key=key)}


@bp.get("/listen/<key>.mp3")
def listen(key: str) -> Response:
    """A "Listen" recording of an edited text."""
    data = _editing().preview(key)
    if data is None:
        abort(404)
    response = Response(data, content_type="audio/mpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def start_audio(revision: int, before: Content, line: Line) -> None:
    """Build, in the background, the audio of the prompts a publish changed; callers hear Twilio's voice reading them
    until each is ready (a new text has no audio file yet: never silence, never the old words)."""
    from ..audio.build import synthesize, synthesizer_for
    from ..audio.library import file_name

    old = {(p.lang, p.id): p.text_sha for p in before.prompts()}
    changed = [p for p in line.content.prompts() if old.get((p.lang, p.id)) != p.text_sha and line.audio.file_for(p) is None]
    store = _editing()
    store.start_job(revision, len(changed))
    if not changed:
        return
    engine = current_app.config.get("AUDIO_ENGINE", "gtts")
    speak_with = synthesizer_for(engine, current_app.config.get("AUDIO_SYNTHESIZER"))
    content = line.content

    def work() -> None:
        from ..audio.build import voice_of

        done = failed = 0
        note = ""
        for prompt in changed:
            lang = content.languages[prompt.lang]
            try:
                data, record = synthesize(prompt, lang, engine, speak_with)
                store.put_audio(file_name(prompt, engine, voice_of(engine, lang)), record, data)
                done += 1
            except Exception as exc:  # noqa: BLE001 - the prompt stays read by Twilio's voice; the deploy builds it
                failed += 1
                note = f"{engine} could not make the audio ({type(exc).__name__}): Twilio's voice reads these prompts until the next deploy builds them"
            store.job_progress(revision, done, failed, finished=done + failed == len(changed), note=note)

    threading.Thread(target=work, name=f"audio-{revision}", daemon=True).start()


# -- review marks --

@bp.post("/content/<lang>/<ident>/review")
def review(lang: str, ident: str) -> BaseResponse:
    """Mark a topic medically reviewed today, by the signed-in admin, for its answers in every language as they are."""
    line = _line()
    if _place(line.content, lang, "topic", ident) is None or (("topic", ident) not in line.content.languages[lang].targets):
        abort(404)
    store = _editing()
    base = base_texts(Path(current_app.config["PROMPTS_DIR"]))
    from ..live import today

    changes = []
    for code, language in line.content.languages.items():
        if ("topic", ident) in language.targets:
            changes.append(_with_was(Edit(code, "topic", ident, "reviewed", today().isoformat()), base))
    revision = None
    if any(plain(c.value or "") != plain(str(line.content.languages[c.lang].topic(ident).reviewed or "")) for c in changes):
        revision = store.publish(changes, g.admin, action="review")
        _live().refresh()
    store.review(ident, g.admin, answers_hash(_line().content, ident), revision)
    _log("marked medically reviewed", topic=ident)
    content = _line().content
    waiting = [content.languages[code].name for topic, code in untranslated(content, store, _live().outcomes) if topic == ident]
    later = (f" The {' and '.join(waiting)} answer{'s are' if len(waiting) > 1 else ' is'} still to be checked by {'their' if len(waiting) > 1 else 'its'} "
             "translator: when it changes, it needs this review again." if waiting else "")
    flash(f"Marked medically reviewed by {g.admin} today, in every language.{later}", "notice")
    return redirect(url_for("admin.topic_editor", lang=lang, ident=ident) + "#review", code=303)


@bp.post("/content/<lang>/<ident>/translated")
def translated(lang: str, ident: str) -> BaseResponse:
    """A translator's mark: this language's answer still says what the first language's answer now says."""
    _live().refresh()  # what another worker published a moment ago is what the page showed
    line = _line()
    if lang == line.content.default_language or lang not in line.content.languages or (
            ("topic", ident) not in line.content.languages[lang].targets):
        abort(404)
    first = line.content.default_language
    pair = (answer_hash(line.content, ident, first), answer_hash(line.content, ident, lang))
    names = (line.content.languages[first].name, line.content.languages[lang].name)
    back = url_for("admin.topic_editor", lang=lang, ident=ident) + f"#translation-{lang}"
    if request.form.get(f"pair-{lang}") != ":".join(pair):
        # The page was of other words (a colleague published since): what was read is not what would be marked.
        flash(f"Not marked: the {names[0]} or {names[1]} answer changed since you opened the page. Read them again "
              "below, then say so again if they still say the same.", "error")
        return redirect(back, code=303)
    _editing().translated(ident, lang, g.admin, *pair, listed=True)
    _log("marked as still translated", topic=ident, lang=lang)
    flash(f"Marked by {g.admin}: the {names[1]} answer says what the {names[0]} one says now.", "notice")
    return redirect(back, code=303)


# -- history --

def word_diff(before: Value | None, after: Value | None) -> Markup:
    """The words taken out and put in, marked for the page."""
    old = _text(before or "").split() if not isinstance(before, tuple) else list(before)
    new = _text(after or "").split() if not isinstance(after, tuple) else list(after)
    joiner = " " if not isinstance(before, tuple) and not isinstance(after, tuple) else " · "
    out: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            words = old[a1:a2]
            shown = words if len(words) <= 12 else [*words[:5], "…", *words[-5:]]
            out.append(str(escape(joiner.join(shown))))
            continue
        if a2 > a1:
            out.append(f"<del>{escape(joiner.join(old[a1:a2]))}</del>")
        if b2 > b1:
            out.append(f"<ins>{escape(joiner.join(new[b1:b2]))}</ins>")
    return Markup(joiner.join(out))


@bp.get("/history")
def history() -> str:
    """Every publish, revert, review mark and resolved conflict, newest first, each with who, when, where and what."""
    store = _editing()
    page = request.args.get("page", "1")
    number = _number(page, 10_000) or 1
    found = store.revisions(51, (number - 1) * 50)
    conflicts = _live().conflicts()
    content = _line().content
    return render_template("admin/history.html", revisions=found[:50], page=number, older=len(found) > 50,
                           undone=store.undone([r.id for r in found[:50]]),
                           diff=word_diff, conflicts=conflicts, fingerprint=fingerprint,
                           named=functools.partial(_named, content, content.default_language), at=_at(),
                           lang_names={code: lang.name for code, lang in content.languages.items()}, labels=LABELS)


@bp.post("/history/<int(max=2147483647):revision_id>/revert")
def revert(revision_id: int) -> BaseResponse:
    """Put back the values a revision replaced (the revert is itself a revision)."""
    store = _editing()
    found = store.revision(revision_id)
    if found is not None and found.action == "translated":
        return _revert_translated(found)
    if found is None or not found.changes:
        abort(404)
    base = base_texts(Path(current_app.config["PROMPTS_DIR"]))
    changes = []
    expect: dict[tuple[str, str, str, str], tuple[str, ...]] = {}
    for change in found.changes:
        # Back to the value before (None: the field was not in the files, so the edit is taken away), unless the
        # field was changed again since (on any worker: checked again under the publish lock).
        edit = _with_was(Edit(change.lang, found.kind, found.ident, change.field, change.before), base)
        changes.append(edit)
        expect[edit.key] = (fingerprint(change.after), fingerprint(change.before))
    old = _line()
    try:
        revision = store.publish(changes, g.admin, action="revert", reverts=revision_id, check=content_errors, expect=expect)
    except Stale as stale:
        fields = ", ".join(f"{lang} {name}" for lang, _, _, name in stale.fields)
        flash(f"Change #{revision_id} was not reverted: {fields} of {found.kind} '{found.ident}' has been changed again "
              "since. Revert the later change first, or edit it on its page.", "error")
        return redirect(url_for("admin.history", at=revision_id) + f"#revision-{revision_id}", code=303)
    except PublishRefused as refused:
        flash(f"Change #{revision_id} was not reverted: the content would then have {len(refused.problems)} error(s), "
              f"first: {refused.problems[0].message}.", "error")
        return redirect(url_for("admin.history", at=revision_id) + f"#revision-{revision_id}", code=303)
    if found.action == "review" and revision:
        store.unreview(found.ident, revision_id)
    if not revision:
        flash(f"Change #{revision_id} is already undone: nothing to revert.", "error")
        return redirect(url_for("admin.history", at=revision_id) + f"#revision-{revision_id}", code=303)
    _log("reverted", revision=revision, reverts=revision_id, place=f"{found.kind}:{found.ident}")
    _live().refresh()
    start_audio(revision, old.content, _line())
    flash(f"Change #{revision_id} reverted: the words before it are back, for callers and texters now (change #{revision}).",
          "notice")
    return redirect(url_for("admin.history", at=revision) + f"#revision-{revision}", code=303)


def _revert_translated(found: Revision) -> BaseResponse:
    """Take back someone's "says the same": the answer is to check again (unless it was written to the new words since)."""
    revision = _editing().untranslated(found.id, g.admin)
    if revision is None:
        flash(f"Change #{found.id} is already undone: nothing to revert.", "error")
        return redirect(url_for("admin.history", at=found.id) + f"#revision-{found.id}", code=303)
    _log("reverted", revision=revision, reverts=found.id, place=f"topic:{found.ident}")
    content = _line().content
    again = [code for code in found.langs if (found.ident, code) in untranslated(content, _editing(), _live().outcomes)]
    # Another mark of the same two answers (said from two tabs) may still stand: said as it is.
    state = "is marked to check again" if again else "still counts as checked (another mark says the same)"
    flash(f"Change #{found.id} reverted (change #{revision}): that translation {state}.", "notice")
    return redirect(url_for("admin.history", at=revision) + f"#revision-{revision}", code=303)


@bp.post("/history/conflicts/<lang>/<kind>/<ident>/<name>")
def resolve(lang: str, kind: str, ident: str, name: str) -> BaseResponse:
    """A field both a deploy and an admin changed: keep the web's value, or take the files'."""
    store = _editing()
    conflict = next((o for o in _live().conflicts() if o.edit.key == (lang, kind, ident, name)), None)
    if conflict is None or conflict.file_value is None:
        abort(404)
    # The edit's value as the page showed it: this worker's copy may already hold a colleague's newer words.
    shown = request.form.get("shown", "")[:64] or fingerprint(conflict.edit.value)
    files = request.form.get("keep") == "files"
    whose = "files'" if files else "web's"
    try:
        if files:
            store.publish([Edit(lang, kind, ident, name, conflict.file_value, conflict.file_value)], g.admin, action="publish",
                          check=content_errors, expect={conflict.edit.key: (shown,)})
        else:
            store.keep(conflict.edit, conflict.file_value, g.admin, shown)
    except Stale:
        flash(f"The {whose} wording was not {'taken' if files else 'kept'}: someone changed this field on the admin "
              "pages meanwhile; compare again below.", "error")
        _live().refresh()
        return redirect(url_for("admin.history") + "#conflicts", code=303)
    except PublishRefused as refused:
        flash(f"The files' wording was not taken: the content would then have {len(refused.problems)} error(s), "
              f"first: {refused.problems[0].message}.", "error")
        return redirect(url_for("admin.history") + "#conflicts", code=303)
    _log(f"conflict resolved: the {whose} value", place=f"{kind}:{ident}", field=f"{lang}.{name}")
    _live().refresh()
    return redirect(url_for("admin.history"), code=303)


@bp.get("/content/prompts.zip")
def download() -> Response:
    """The prompt files as the line serves them (the deployed files with the published edits), to commit."""
    root = Path(current_app.config["PROMPTS_DIR"])
    texts, _ = live_texts(root, _editing().edits())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(texts.items()):
            archive.writestr(f"prompts/{name}", text)
    _log("downloaded the prompt files")
    response = Response(buffer.getvalue(), content_type="application/zip")
    response.headers["Content-Disposition"] = "attachment; filename=prompts.zip"
    return response


@bp.post("/measure")
def measure() -> Response:
    """The reading score of a text in a language, for the editor's counters as one types (the check's own formula)."""
    line = _line()
    lang = line.content.languages.get(request.form.get("lang", ""))
    text = " ".join(request.form.get("text", "")[:5000].split())
    if lang is None:
        abort(404)
    score = readability_scores(lang, [text])[0] if len(text.split()) >= 10 else None
    return Response(json.dumps({"score": None if score is None else round(score, 1),
                                "too_hard": score is not None and too_hard(lang, score)}), content_type="application/json")


