"""Checks of the question bank against the matcher: examples that lead somewhere other than their own topic."""

from __future__ import annotations

import threading
import weakref

from ..content import Content, Problem, Target, normalize
from .matcher import Matcher

# The last few answers, by matcher and bank: ranking the whole bank takes seconds, and the admin pages ask again after
# every publish and every audio file built, most of which change neither (an answer's words are not its examples).
# (Weakly: a matcher retrained after an edit to the examples is let go.)
_KEPT: list[tuple[weakref.ref[Matcher], tuple[object, ...], list[tuple[str, tuple[str, str], int, str]]]] = []
_KEPT_LOCK = threading.Lock()
KEEP = 4


def example_problems(content: Content, matcher: Matcher) -> list[Problem]:
    """A warning, with file and line, for each example the matcher answers with a different place than its own."""
    # By what the ranking depends on, not by line numbers: an answer edited on the admin pages moves the lines after it.
    bank = tuple((code, t.kind, t.id, t.examples) for code, lang in content.languages.items() for t in lang.targets.values() if t.examples)
    with _KEPT_LOCK:
        found = next((kept for kept_matcher, kept_bank, kept in _KEPT if kept_matcher() is matcher and kept_bank == bank), None)
    if found is None:
        found = _findings(content, matcher)
        with _KEPT_LOCK:
            _KEPT.insert(0, (weakref.ref(matcher), bank, found))
            del _KEPT[KEEP:]
    problems = []
    for code, key, number, message in found:
        target = content.languages[code].targets[key]
        line = target.example_lines[number] if number < len(target.example_lines) else target.line
        problems.append(Problem(target.file, line, message, "warning"))
    return problems


def _findings(content: Content, matcher: Matcher) -> list[tuple[str, tuple[str, str], int, str]]:
    """Each example answered elsewhere or listed twice: its language, place, number and what is wrong."""
    findings: list[tuple[str, tuple[str, str], int, str]] = []
    for code, index in matcher.indexes.items():
        lang = content.languages[code]
        targets = [t for t in lang.targets.values() if t.examples]
        texts = [e for t in targets for e in t.examples]
        # The bank's vectors were computed (or loaded) when the index was built: reused, not embedded again.
        known = {text: row for row, text in enumerate(t for texts in index.texts for t in texts)}
        missing = [t for t in texts if t not in known]
        fresh = dict(zip(missing, index.embedder.encode(missing))) if missing else {}
        vectors = [index.semantic.vectors[known[t]] if t in known else fresh[t] for t in texts]
        owners: dict[str, list[Target]] = {}
        for target in targets:
            for example in dict.fromkeys(normalize(e) for e in target.examples):
                owners.setdefault(example, []).append(target)
        row = 0
        for target in targets:
            key = (target.kind, target.id)
            for number, example in enumerate(target.examples):
                decision = index.decide(example, vectors[row], by_example=False)
                row += 1
                if decision.kind == "answer" and decision.target.id != target.id:
                    # Exactly these words still come here (an example is matched as written); worded a little
                    # differently, they go elsewhere.
                    # Titles first, as admins know the places (the ids after them, as the files have them).
                    message = (f"{_named(target)}: the example \"{example}\" is answered with {_named(decision.target)}; "
                               f"expected it to lead here: reword it, or move it to \"{decision.target.title}\"")
                    findings.append((code, key, number, message))
                others = [t for t in owners.get(normalize(example), ()) if t is not target]
                if others:
                    message = (f"{_named(target)}: the example \"{example}\" is also listed under {_named(others[0])}; "
                               "expected each example under one place only (listed twice, it is not matched as written)")
                    findings.append((code, key, number, message))
    return findings


def _named(target: Target) -> str:
    """A place as an admin knows it, then as the files name it: "nerve damage, the P" (topic 'polyneuropathy')."""
    return f"\"{target.title}\" ({target.kind} '{target.id}')" if target.title else f"{target.kind} '{target.id}'"
