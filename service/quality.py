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
        where = {f"topic '{t.id}'": t for t in lang.targets.values() if t.kind != "menu"}
        for name, text in sms_texts(content, lang).items():
            target = next((t for prefix, t in where.items() if name.startswith(prefix + " ")), None)
            line = target.line if target else 1
            bad = gsm.non_gsm(text)
            if bad:
                listed = ", ".join(gsm.describe(c) for c in bad)
                problems.append(Problem(lang.file, line, f"text message {name}: {listed} is not a GSM-7 character; expected plain characters (straight quotes ' and \", a hyphen -, three dots ...) so the text is not billed at the UCS-2 rate"))
                continue
            count = gsm.segments(text)
            if count > gsm.MAX_SEGMENTS:
                problems.append(Problem(lang.file, line, f"text message {name} is {count} segments ({gsm.septets(text)} characters); expected at most {gsm.MAX_SEGMENTS} segments ({gsm.MAX_GSM_CHARS} characters): shorten it by {gsm.septets(text) - gsm.MAX_GSM_CHARS}"))
        for target in lang.targets.values():
            if target.kind == "menu":
                continue
            problems.extend(_check_answer(lang, target))
    return problems


def _check_answer(lang: "Language", target: "Target") -> list[Problem]:
    problems: list[Problem] = []
    formula, bound, limit = lang.readability
    for part, text in (("spoken", target.spoken), ("text", target.text)):
        if not text or len(text.split()) < 10:
            continue
        score = readability(lang, text)
        too_hard = score > limit if bound == "max" else score < limit
        if too_hard:
            problems.append(Problem(lang.file, target.line, f"topic '{target.id}': {part} answer scores {score:.1f} on {formula.replace('_', ' ')}; expected {'at most' if bound == 'max' else 'at least'} {limit:g}: use shorter sentences and plainer words"))
    words = len(target.spoken.split())
    if words > MAX_SPOKEN_WORDS:
        problems.append(Problem(lang.file, target.line, f"topic '{target.id}': spoken answer has {words} words; expected at most {MAX_SPOKEN_WORDS} (about 60 seconds)"))
    return problems
