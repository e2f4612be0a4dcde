"""The content as an admin reviews it: every language's menu tree, and for each prompt its text, audio, reading
score, text segments, sources, review date and the check's warnings (read-only: admins edit prompts/ and deploy)."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from ..audio import AudioLibrary
from ..content import Content, Language, Problem, Prompt, Target, gsm, sms_answer
from ..content.checks import readability_scores
from ..content.model import FORMULA_NAMES, OPTIONAL_PHRASES, Source


@dataclass
class PromptView:
    """One thing the line says, as the content page shows it."""

    id: str
    label: str
    text: str
    file: str
    line: int
    audio: str | None = None
    score: float | None = None
    sms: str = ""
    sms_score: float | None = None
    segments: int = 0
    sources: list[Source] = field(default_factory=list)
    reviewed: dt.date | None = None
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class Node:
    """A menu (with its options) or a topic in the tree."""

    kind: str
    id: str
    key: str
    title: str
    prompts: list[PromptView]
    children: list["Node"] = field(default_factory=list)


@dataclass
class LanguageView:
    """One language's tree, its fixed phrases, and its warnings that belong to no one prompt."""

    code: str
    name: str
    file: str
    readability: str
    tree: Node
    phrases: list[PromptView]
    other_warnings: list[Problem]
    sms_phrases: list[str] = field(default_factory=list)
    # Optional phrases this language's file leaves out (the line does without them), each to be added from its editor.
    absent_phrases: list[str] = field(default_factory=list)


class _Places:
    """Which topic, menu or phrase a file's line belongs to, for placing a warning beside its prompt."""

    def __init__(self, lang: Language) -> None:
        starts = sorted({(t.line, ("target", t.kind, t.id)) for t in lang.targets.values()}
                        | {(line, ("phrase", "", name)) for name, line in lang.phrase_lines.items()})
        self.lines = [s for s, _ in starts]
        self.owners = [o for _, o in starts]

    def owner(self, line: int) -> tuple[str, str, str] | None:
        at = bisect.bisect_right(self.lines, line) - 1
        return self.owners[at] if at >= 0 else None


def catalogue(content: Content, audio: AudioLibrary, problems: list[Problem]) -> list[LanguageView]:
    """Every language's content, as the content page lists it."""
    return [_language(content, lang, audio, problems) for lang in content.languages.values()]


def _language(content: Content, lang: Language, audio: AudioLibrary, problems: list[Problem]) -> LanguageView:
    places = _Places(lang)
    mine: dict[tuple[str, str, str], list[Problem]] = {}
    other: list[Problem] = []
    for problem in problems:
        owner = places.owner(problem.line) if problem.file == lang.file else None
        if owner is None:
            if problem.file == lang.file or problem.file.endswith(f"/{lang.code}.yaml"):
                other.append(problem)
            continue
        mine.setdefault(owner, []).append(problem)
    answers = [t for t in lang.targets.values() if t.kind != "menu" and t.spoken]
    formula, bound, limit = lang.readability
    scores = dict(zip([(t.id, part) for t in answers for part in ("spoken", "text")],
                      readability_scores(lang, [text for t in answers for text in (t.spoken, t.text or t.spoken)])))

    def view(prompt: Prompt, label: str, target: Target | None = None, part: str = "") -> PromptView:
        name = audio.file_for(prompt)
        out = PromptView(prompt.id, label, prompt.text, prompt.file, prompt.line, audio.url(name) if name else None)
        if target is not None:
            out.score = scores.get((target.id, part)) if len(prompt.text.split()) >= 10 else None
            out.sources = [content.sources[s] for s in target.sources if s in content.sources]
            out.reviewed = target.reviewed
            out.warnings = mine.get(("target", target.kind, target.id), [])
            if target.text:
                out.sms = sms_answer(lang, target)
                out.sms_score = scores.get((target.id, "text")) if len(target.text.split()) >= 10 else None
                out.segments = gsm.segments(gsm.fold(out.sms))
        return out

    def menu_node(menu_id: str, key: str, seen: frozenset[str]) -> Node:
        target = lang.menu(menu_id)
        prompts = [view(p, label) for p, label in ((lang.prompts.get(f"intro.{menu_id}"), "Introduction"),
                                                    (lang.prompts.get(f"menu.{menu_id}"), "Menu")) if p is not None]
        if prompts:
            prompts[-1].warnings = mine.get(("target", "menu", menu_id), [])
        node = Node("menu", menu_id, key, target.title, prompts)
        for option in content.menus[menu_id].options:
            if option.kind == "menu":
                if option.target not in seen:
                    node.children.append(menu_node(option.target, option.key, seen | {option.target}))
                continue
            topic = lang.topic(option.target)
            prompt = lang.prompts.get(f"topic.{topic.id}")
            prompts = [view(prompt, "Spoken answer", topic, "spoken")] if prompt is not None else []
            node.children.append(Node(topic.kind, topic.id, option.key, topic.title, prompts))
        return node

    phrases = [view(p, p.id.removeprefix("phrase.")) for p in lang.prompts.values() if p.id.startswith("phrase.")]
    for phrase in phrases:
        phrase.warnings = mine.get(("phrase", "", phrase.label), [])
    label = (f"{FORMULA_NAMES.get(formula, formula)}: {'at most' if bound == 'max' else 'at least'} {limit:g}, "
             f"{'lower' if bound == 'max' else 'higher'} is easier")
    sms = [name for name in lang.phrases if name.startswith("sms_") or name in ("option", "did_you_mean", "choice", "also")]
    absent = [name for name in OPTIONAL_PHRASES if name not in lang.phrases]
    return LanguageView(lang.code, lang.name, lang.file, label, menu_node("main", "", frozenset({"main"})), phrases, other, sms,
                        absent)
