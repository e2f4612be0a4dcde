"""Content checks beyond structure: text message limits, reading level, length of speech."""

from __future__ import annotations

import re

from . import gsm
from .model import CRISIS_NUMBER, EMERGENCY_NUMBER, FORMULA_NAMES, OPTIONAL_PHRASES, PHRASES, Content, Language, Target, normalize
from .listening import word_count
from .replies import LONGEST_CHOICES, TEXT_CHOICES, first_answer, first_text_room, longest_titled, sms_texts
from .yamlsource import Problem

MAX_SPOKEN_WORDS = 150
# Markup typed into an answer ("<b>", "<script>"): a text message shows it as typed, and a voice reads it out.
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
# Phone numbers, web addresses and letters spoken one by one are not words a reader struggles with.
_NOT_PROSE = re.compile(r"\b[\w.-]+\.(org|gov|com|uk)\b|\b\d[\d-]{5,}\d\b")


def readability_scores(lang: Language, texts: list[str]) -> list[float]:
    """Scores for many texts of one language (textstat loads a hyphenation dictionary on each set_lang)."""
    import textstat  # its word lists and pkg_resources cost 0.2 s: only the checks that score reading load it

    formula, _, _ = lang.readability
    # set_lang is process-wide: every scoring call here sets it first, so it is never reset (each set costs ~0.1 s).
    textstat.set_lang(lang.code)
    score = getattr(textstat, formula)
    return [float(score(_NOT_PROSE.sub("it", text))) for text in texts]


def check_quality(content: Content, reading: bool = True) -> list[Problem]:
    """Every text-message limit, reading level and speech length problem in the content (reading=False: all but the
    reading levels, which are warnings only and cost a hyphenation dictionary's load at start)."""
    problems: list[Problem] = []
    for lang in content.languages.values():
        if any(name not in lang.phrases for name in PHRASES if name not in OPTIONAL_PHRASES):
            continue  # a missing phrase is already reported; the texts cannot be put together without it
        targets = {f"topic '{t.id}'": t for t in lang.targets.values() if t.kind != "menu"}
        failed: set[str] = set()
        for name, text in sms_texts(content, lang).items():
            owner = next((prefix for prefix in targets if name.startswith(prefix + " ")), name)
            if owner in failed:
                continue  # one report per text: the longer variants fail for the same reason
            line = targets[owner].line_of("text") if owner in targets else lang.phrase_lines.get(name.split("'")[1], 1) if name.startswith("phrase") else 1
            titled = longest_titled(lang, TEXT_CHOICES) if name == LONGEST_CHOICES else []
            if titled:
                line = titled[0].line_of("title")  # the longest title: the one to shorten
            found = _check_text(name, text, f"{owner} text" if owner in targets else name)
            if found:
                failed.add(owner)
                problems.extend(Problem(lang.file, line, problem) for problem in found)
        for name in ("sms_courtesy", "sms_goodbye"):
            short = gsm.fold(lang.phrases.get(name, ""))
            if not gsm.non_gsm(short) and gsm.segments(short) > 1:
                problems.append(Problem(lang.file, lang.phrase_lines.get(name, 1), f"phrase '{name}' has "
                                        f"{gsm.septets(short)} characters; expected one text segment ({gsm.SINGLE_SEGMENT} "
                                        "characters): a thank-you or a goodbye gets a short reply"))
        answers = [t for t in lang.targets.values() if t.kind != "menu"]
        if reading:
            problems.extend(reading_problems(lang))
        spoken = [(f"phrase '{n}'", lang.phrase_lines.get(n, 1), t) for n, t in lang.phrases.items() if PHRASES[n][0] == "voice"]
        spoken += [(f"topic '{t.id}': spoken answer", t.line_of("spoken"), t.spoken) for t in answers if t.spoken]
        for where, line, words in spoken:
            for number in (EMERGENCY_NUMBER, CRISIS_NUMBER):
                if re.search(rf"(?<![\d-]){number}(?![\d-]?\d)", words):
                    # Voices read "911" as "nine hundred eleven" (espeak-ng, some of Twilio's): the digits, one by one.
                    problems.append(Problem(lang.file, line, f"{where} says {number} as a whole number; expected "
                                            f"{' '.join(number)}, which every voice reads digit by digit", "warning"))
        for target in answers:
            problems.extend(_check_length(lang, target))
            markup = _MARKUP.search(target.spoken or "")
            if markup:
                problems.append(Problem(lang.file, target.line_of("spoken"), f"topic '{target.id}': spoken answer has markup, "
                                        f"{markup.group(0)[:40]}; expected plain words (a voice would read it out)"))
            if target.text and target.id not in failed_texts(failed) and first_answer(lang, target)[1]:
                room = first_text_room(lang)
                problems.append(Problem(lang.file, target.line_of("text"), f"topic '{target.id}': text answer has "
                                        f"{gsm.septets(gsm.fold(target.text))} characters; a first-time texter gets it in one "
                                        f"message with the line's notice and the footer, where at most {room} fit: shorten it "
                                        f"by {gsm.septets(gsm.fold(target.text)) - room}"))
    problems.extend(number_problems(content))
    return problems


def failed_texts(failed: set[str]) -> set[str]:
    """The topic ids among the texts already reported (their first-text length is the same problem again)."""
    return {name.split("'")[1] for name in failed if name.startswith("topic '")}


_NUMBER = re.compile(r"\d(?:[\d,.-]*\d)?")
# Digits written one by one for a voice to read ("1, 8 0 0, 9 9 9, 6 6 7 3", "9 1 1"): one number, in its order (as a
# set of single digits, a swapped pair in a phone number went unnoticed).
_SPOKEN_DIGITS = re.compile(r"\b\d(?:,? \d\b)+")
# Words for numbers that are numbers whenever they are said ("one" and "uno" are as often "a" or "someone").
_NUMBER_WORDS_FROM = 2


def numbers_in(lang: Language, text: str) -> set[str]:
    """The numbers a text gives, as digits: figures (1-800-999-6673 as 18009996673, 3.5 and 3,5 alike), digits said one
    by one ("1, 8 0 0, 9 9 9, 6 6 7 3" as 18009996673 too) and the language's own words for two to nine."""
    # A run read as one number only when two of its digits stand apart with a bare space ("8 0 0", "9 1 1"): "days 1,
    # 8 and 15" or "stage 1, 2 or 3" are several numbers.
    found: set[str] = set()

    def spoken(run: re.Match[str]) -> str:
        if not re.search(r"\d \d", run.group()):
            return run.group()
        found.add(re.sub(r"[, ]", "", run.group()))
        return " "

    text = _SPOKEN_DIGITS.sub(spoken, text)
    found |= {re.sub(r"[,.-]", "", n) for n in _NUMBER.findall(text)}
    words = lang.words.get("numbers", ())
    named = {normalize(w): str(i) for i, w in enumerate(words) if i >= _NUMBER_WORDS_FROM}
    found.update(named[w] for w in normalize(text).split() if w in named)
    return found


def number_problems(content: Content) -> list[Problem]:
    """A warning where a number in one language's answer is missing from another language's answer of the same topic
    (a figure, a phone number or an age dropped in translation says a different thing)."""
    problems: list[Problem] = []
    languages = list(content.languages.values())
    for lang in languages:
        for (kind, target_id), target in lang.targets.items():
            if kind == "menu":
                continue
            for part in ("spoken", "text"):
                mine = numbers_in(lang, getattr(target, part))
                for other in languages:
                    twin = other.targets.get((kind, target_id))
                    if other is lang or twin is None or not getattr(twin, part):
                        continue
                    missing = sorted(numbers_in(other, getattr(twin, part)) - mine, key=lambda n: (len(n), n))
                    if missing:
                        problems.append(Problem(lang.file, target.line_of(part), f"topic '{target_id}': the {part} answer "
                                                f"lacks the number{'s' if len(missing) > 1 else ''} {', '.join(missing)} that "
                                                f"{other.file} gives (line {twin.line_of(part)}); expected the same facts in "
                                                "every language", "warning"))
    return problems


def reading_problems(lang: Language) -> list[Problem]:
    """An error for each answer of a language that reads harder than its readability setting allows."""
    answers = [t for t in lang.targets.values() if t.kind != "menu"]
    parts = [(t, part, text) for t in answers for part, text in (("spoken", t.spoken), ("text", t.text)) if text and len(text.split()) >= 10]
    scores = readability_scores(lang, [text for _, _, text in parts])
    return [p for (target, part, _), score in zip(parts, scores) for p in _check_reading(lang, target, part, score)]


def _check_text(name: str, text: str, written: str) -> list[str]:
    """What is wrong with a text message: characters outside GSM-7, and its length (counted as it would be sent once
    those are made plain, so that one run of the check says both); written: the name of what the admin wrote."""
    found = []
    markup = _MARKUP.search(text)
    if markup:
        found.append(f"text message {written} has markup, {markup.group(0)[:40]}; expected plain words (a text message "
                     "shows it as typed)")
    bad = gsm.non_gsm(text)
    if bad:
        listed = ", ".join(gsm.describe(c) for c in bad)
        # (GSM-7 is the plain alphabet of texts; one character outside it sends the whole text as UCS-2, 67
        # characters a segment, not 153: an admin is told what that means, not its name.)
        found.append(f"text message {written} has characters outside GSM-7, the plain text alphabet: {listed}; expected "
                     "plain characters (straight quotes ' and \", a hyphen -, three dots ...): with one of these a text "
                     "holds less than half as many characters and costs more than double")
    # Counted as it will be sent once those are gone (quotes made straight, the rest taken out), as the editor's
    # counter counts it: one figure, whatever the check found first (an exploratory admin's emoji gave two).
    text = "".join(c for c in gsm.plain_typography(text) if gsm.is_gsm(c))
    count = gsm.segments(text)
    if count > gsm.MAX_SEGMENTS:
        size, most = gsm.septets(text), gsm.MAX_GSM_CHARS
        found.append(f"text message {name} is {count} segments ({size} characters); expected at most {gsm.MAX_SEGMENTS} "
                     f"segments ({most} characters): shorten it by {size - most}")
    return found


def too_hard(lang: Language, score: float) -> bool:
    """Whether a reading score is past what the language's readability setting allows."""
    _, bound, limit = lang.readability
    return score > limit if bound == "max" else score < limit


def _check_reading(lang: Language, target: Target, part: str, score: float) -> list[Problem]:
    formula, bound, limit = lang.readability
    if not too_hard(lang, score):
        return []
    return [Problem(lang.file, target.line_of(part), f"topic '{target.id}': {part} answer scores {score:.1f} on the {FORMULA_NAMES.get(formula, formula)} scale; "
                    f"expected {'at most' if bound == 'max' else 'at least'} {limit:g}: use shorter sentences and plainer words")]


def _check_length(lang: Language, target: Target) -> list[Problem]:
    words = word_count(target.spoken)
    if words > MAX_SPOKEN_WORDS:
        return [Problem(lang.file, target.line_of("spoken"), f"topic '{target.id}': spoken answer has {words} words; expected at most {MAX_SPOKEN_WORDS} (about 60 seconds)")]
    return []
