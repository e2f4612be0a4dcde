"""Content checks beyond structure: text message limits, reading level, length of speech."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import textstat

from . import gsm
from .yamlsource import Problem

if TYPE_CHECKING:
    from .content import Content, Language, Target

MAX_SPOKEN_WORDS = 150
# Phone numbers, web addresses and letters spoken one by one are not words a reader struggles with.
_NOT_PROSE = re.compile(r"\b[\w.-]+\.(org|gov|com|uk)\b|\b\d[\d-]{5,}\d\b")


def readability(lang: "Language", text: str) -> float:
    """The language's readability score for a text."""
    formula, _, _ = lang.readability
    textstat.set_lang(lang.code)
    try:
        return float(getattr(textstat, formula)(_NOT_PROSE.sub("it", text)))
    finally:
        textstat.set_lang("en")


def check_quality(content: "Content") -> list[Problem]:
    """Every text-message limit, reading level and speech length problem in the content."""
    from .content import sms_texts

    problems: list[Problem] = []
    for lang in content.languages.values():
        targets = {f"topic '{t.id}'": t for t in lang.targets.values() if t.kind != "menu"}
        failed: set[str] = set()
        for name, text in sms_texts(content, lang).items():
            owner = next((prefix for prefix in targets if name.startswith(prefix + " ")), name)
            if owner in failed:
                continue  # one report per text: the longer variants fail for the same reason
            line = targets[owner].line_of("text") if owner in targets else lang.phrase_lines.get(name.split("'")[1], 1) if name.startswith("phrase") else 1
            problem = _check_text(name, text)
            if problem:
                failed.add(owner)
                problems.append(Problem(lang.file, line, problem))
        for target in lang.targets.values():
            if target.kind != "menu":
                problems.extend(_check_answer(lang, target))
    return problems


def _check_text(name: str, text: str) -> str | None:
    bad = gsm.non_gsm(text)
    if bad:
        listed = ", ".join(gsm.describe(c) for c in bad)
        return (f"text message {name} has characters outside GSM-7: {listed}; expected plain characters "
                "(straight quotes ' and \", a hyphen -, three dots ...) so the text is not billed at the UCS-2 rate")
    count = gsm.segments(text)
    if count > gsm.MAX_SEGMENTS:
        size = gsm.septets(text)
        return (f"text message {name} is {count} segments ({size} characters); expected at most {gsm.MAX_SEGMENTS} "
                f"segments ({gsm.MAX_GSM_CHARS} characters): shorten it by {size - gsm.MAX_GSM_CHARS}")
    return None


def _check_answer(lang: "Language", target: "Target") -> list[Problem]:
    problems: list[Problem] = []
    formula, bound, limit = lang.readability
    for part, text in (("spoken", target.spoken), ("text", target.text)):
        if not text or len(text.split()) < 10:
            continue
        score = readability(lang, text)
        too_hard = score > limit if bound == "max" else score < limit
        if too_hard:
            problems.append(Problem(lang.file, target.line_of(part), f"topic '{target.id}': {part} answer scores {score:.1f} on {formula.replace('_', ' ')}; expected {'at most' if bound == 'max' else 'at least'} {limit:g}: use shorter sentences and plainer words"))
    words = len(target.spoken.split())
    if words > MAX_SPOKEN_WORDS:
        problems.append(Problem(lang.file, target.line_of("spoken"), f"topic '{target.id}': spoken answer has {words} words; expected at most {MAX_SPOKEN_WORDS} (about 60 seconds)"))
    return problems
