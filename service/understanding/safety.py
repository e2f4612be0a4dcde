"""Emergency and crisis words, found first in every language, whatever else a message says."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from rapidfuzz.distance import OSA

from ..content import Content, normalize
from ..content.model import amount
from .language import vocabulary

# A word this long or longer that the line's content never uses is read as the safety word one typo away, if there is
# one ("unconcious", "pian"), inside the word: a word whose first or last letter differs is another word or another
# form of one ("deaf" is not "dead", "reacciono" not "reacciona", "acaba" not "acabar").
MIN_TYPO_WORD = 4
MAX_READINGS = 8
# "kill my self", "hurt my self": one word, as the phrases write it.
_SELF = re.compile(r"\b(my|him|her|your|them|it) (self|selves)\b")


# Words people also use for "very" ("dying to know", "muerta de sueño", "me muero de hambre"): a phrase that ends in
# one is not matched when one of these comes next (and only these: "dying of this pain", "muriendo de verdad" and
# "muerta de una vez" are what they say).
FIGURATIVE = frozenset({"dying", "muriendo", "muerto", "muerta", "muero", "morir", "morirme"})
FIGURATIVE_NEXT = ("to know", "to see", "to try", "to hear", "to meet", "to find out", "to get", "to go", "to tell",
                   "of boredom", "of laughter", "of curiosity", "of embarrassment", "de sueño", "de cansancio",
                   "de hambre", "de risa", "de frio", "de calor", "de miedo", "de sed", "de aburrimiento", "de ganas",
                   "de envidia", "de verguenza", "de pena", "de curiosidad", "por saber", "por ver", "de la risa")


# Single digits said one by one, as a recognizer writes them ("9 1 1").
_SPACED_DIGITS = re.compile(r"\b\d(?: \d\b)+")


class Endings(NamedTuple):
    """What may follow a phrase that ends its clause, unpunctuated as texts and speech come: a plea (the lists
    "pleas": "hes not responding pls help"), words said to someone or a sigh ("said_to": "ya no puedo maz doctor"; after
    a crisis or distress phrase also "said_after_crisis": "no puedo más ya", while "el cáncer no responde ya" is about a
    treatment). Every language's words count after every language's phrases: callers mix them."""

    pleas: tuple[str, ...] = ()
    said_to: tuple[str, ...] = ()


NO_ENDINGS = Endings()


# "N+" in a phrase ("took 15+ pills"): a number from N to MAX_COUNT, in digits, or in words of the lists "many"
# ("twenty/20") worth N or more, with a unit after it or not ("twenty five", "treinta y cinco"). Ten pills can be an
# ordinary day for someone with POEMS, and three digits are most often milligrams ("500 tylenol", "325 aspirin").
MAX_COUNT = 99
_AT_LEAST = re.compile(r"(?<!\S)[1-9]\d?\+(?!\S)")
_WILDCARDS = re.compile(rf"(\*|{_AT_LEAST.pattern})")
# A range or a fraction typed with digits ("1-2 tylenol", "20-30 pastillas", "1/2 pill") is read as its larger part,
# never as the digits said one by one that make one number ("9 1 1"). Three or more parts ("9-1-1") are such a number.
_RANGE = re.compile(r"(?<![\d][-/–])\b(\d+) ?[-/–] ?(\d+)\b(?! ?[-/–] ?\d)")


def _larger(match: re.Match[str]) -> str:
    return max(match.group(1), match.group(2), key=int)


class Amounts(NamedTuple):
    """The words for amounts that "N+" matches: each with the number it says (the lists "many"), and the units one to
    nine that may follow one (the lists "numbers", "and" and "y" between)."""

    words: tuple[tuple[str, int], ...] = ()
    units: tuple[str, ...] = ()


NO_AMOUNTS = Amounts()


def amounts(content: Content) -> Amounts:
    """Every language's words for amounts (a message may mix languages)."""
    words = [said for lang in content.languages.values() for said in map(amount, lang.words.get("many", ())) if said is not None]
    units = tuple(normalize(w) for lang in content.languages.values() for w in lang.words.get("numbers", ())[1:10] if normalize(w))
    return Amounts(tuple(words), units)


def _at_least(least: int, amounts: Amounts) -> str:
    """A regular expression for a number from least to MAX_COUNT, in digits or in words (never folded as it sounds: the
    Spanish "doce" would read as the English "dose")."""
    options = [str(n) for n in range(MAX_COUNT, least - 1, -1)]
    words = sorted({w for w, value in amounts.words if least <= value}, key=len, reverse=True)
    if words:
        unit = "(?: (?:y |and )?(?:" + "|".join(map(re.escape, sorted(set(amounts.units), key=len, reverse=True))) + "))?" if amounts.units else ""
        options.append("(?:" + "|".join(map(re.escape, words)) + ")" + unit)
    return "(?:" + "|".join(options) + ")"


def _piece(piece: str, fold: Callable[[str], str], many: Amounts) -> tuple[str, bool]:
    """A piece of a phrase as a regular expression ("*": a word, "N+": a number, else its words, folded), and whether
    it is words."""
    if piece == "*":
        return r"\w+", False
    if _AT_LEAST.fullmatch(piece):
        return _at_least(int(piece[:-1]), many), False
    words = fold(normalize(piece))
    return re.escape(words), bool(words)


# A negation's words at most ("I'm not thinking of", "no estoy pensando en").
MAX_NEGATION_WORDS = 4
# A letter typed three times or more ("maaas", "ayyy", "nooo"): no word of the line's languages has one, so it is read
# once ("mas"), and a safety phrase is still found.
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")


def _pattern(phrases: list[str], fold: Callable[[str], str] = lambda words: words,
             endings: Endings = NO_ENDINGS, many: Amounts = NO_AMOUNTS) -> re.Pattern[str] | None:
    """One regular expression for phrases matched as whole words; "*" stands for any one word ("catch * breath"), "N+"
    for a number of N or more ("took 15+ pills": in digits, or words of the lists "many"), and "$" at the
    end for the end of the clause, also before a plea or words said to someone (endings); fold: how each piece is
    written (as it sounds, for the second pattern)."""
    parts = []
    figurative = "(?! (?:" + "|".join(re.escape(fold(normalize(n))) for n in FIGURATIVE_NEXT) + r")\b)"
    # Both lists folded as the phrases are: "no aguanto maz ke ago" is heard as "no aguanto mas que hago".
    pleas = [fold(normalize(w)) for w in endings.pleas if normalize(w)]
    said_to = [fold(normalize(w)) for w in endings.said_to if normalize(w)]
    end = r"\s*$"
    if pleas:
        end += r"|\s+(?:" + "|".join(map(re.escape, pleas)) + r")\b"
    end = f"(?:{end})"
    if said_to:
        end = r"(?:\s+(?:" + "|".join(map(re.escape, said_to)) + r"))*" + end
    for phrase in phrases:
        pieces = [_piece(piece, fold, many) for piece in _WILDCARDS.split(phrase)]
        if any(words for _, words in pieces):
            # "$" at the end: the phrase ends its clause ("no aguanto más $": not "no aguanto más el dolor").
            at_end = phrase.rstrip().endswith("$")
            last = normalize(phrase.replace("*", " ")).split()[-1:]
            body = " ".join(regex for regex, _ in pieces if regex)
            parts.append(r"\b" + body + r"\b" + (figurative if last and last[0] in FIGURATIVE else "") + (end if at_end else ""))
    return re.compile("|".join(parts)) if parts else None


# English's "isn't", "doesn't", "wasn't" (normalized "isn t", or typed "isnt"): an emergency phrase says "not breathing"
# or "does not wake up" once, and a message is also read with its contractions written out ("my husband isn't
# breathing" is "is not breathing").
_CONTRACTED = re.compile(r"\b(is|was|are|were|do|does|did|has|have|had|could|would|should) ?n ?t\b")


def uncontracted(words: str) -> str:
    """Normalized words with English's negative contractions written out ("isn t" -> "is not")."""
    return _CONTRACTED.sub(r"\1 not", words)


# A message's clauses: "No. Me quiero morir" answers a question, then says something else.
_CLAUSES = re.compile(r"[.,;:!?¡¿\n]+")
# How words sound, written the ways people spell them by ear ("kiero" for "quiero", "suisidar", "aorcar",
# "desmallada"): both a message and the phrases are folded alike, so each phrase also matches its misspellings.
_SOUNDS = ((re.compile(r"qu(?=[ei])"), "k"), (re.compile(r"c(?=[ei])"), "s"), (re.compile(r"c(?!h)"), "k"),
           (re.compile(r"z"), "s"), (re.compile(r"ll"), "y"), (re.compile(r"v"), "b"),
           (re.compile(r"(?<![cstpw])h"), ""))


def sounds(words: str) -> str:
    """Normalized words as they sound (see _SOUNDS)."""
    for pattern, replacement in _SOUNDS:
        words = pattern.sub(replacement, words)
    return words


class Safety:
    """The emergency and crisis phrases of all the line's languages."""

    def __init__(self, content: Content, known: frozenset[str] | None = None) -> None:
        """known: every word the content uses (the language guesser's, when it has them already)."""
        def gather(name: str) -> list[str]:
            return [w for lang in content.languages.values() for w in lang.words.get(name, ())]

        emergency = gather("emergency")
        many = amounts(content)
        self.pleas = frozenset(normalize(p) for p in gather("pleas")) - {""}
        endings = Endings(tuple(gather("pleas")), tuple(gather("said_to")))
        after_crisis = endings._replace(said_to=(*endings.said_to, *gather("said_after_crisis")))
        # Each language's emergency phrases, as written and as they sound: the reply is in the language they were told in.
        self.emergency_by_language: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = []
        self.emergency_endings: list[tuple[str, re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]] = []
        for code, lang in content.languages.items():
            phrases = list(lang.words.get("emergency", ()))
            written, heard = _pattern(phrases, endings=endings, many=many), _pattern(phrases, sounds, endings, many)
            if written is not None and heard is not None:
                self.emergency_by_language.append((code, written, heard))
            # The phrases that end their clause ("unresponsive $"), also looked for in each clause of a message.
            ending = [p for p in phrases if p.rstrip().endswith("$")]
            end_written, end_heard = _pattern(ending, endings=endings, many=many), _pattern(ending, sounds, endings, many)
            anywhere = [p.rstrip().removesuffix("$") for p in ending]
            written_anywhere, heard_anywhere = _pattern(anywhere, many=many), _pattern(anywhere, sounds, many=many)
            if end_written is not None and end_heard is not None and written_anywhere is not None and heard_anywhere is not None:
                self.emergency_endings.append((code, end_written, end_heard, written_anywhere, heard_anywhere))
        # Crisis phrases per language, with their negations, as written and as they sound.
        self.crisis_by_language = _phrases_by_language(content, "crisis", after_crisis, many)
        # Words that say one cannot go on, and are as often about a body worn out ("camino una cuadra y ya no puedo
        # más"): with a question the line answers, the answer and where help is; alone, the crisis message.
        self.distress_by_language = _phrases_by_language(content, "distress", after_crisis, many)
        # The words those phrases are made of, and what may be said around them: a message with other words asks
        # something besides ("camino una cuadra y ya no puedo más, ¿es normal?").
        self.distress_words = frozenset(w for p in (*gather("distress"), *gather("crisis"), *gather("negation"), *after_crisis.said_to,
                                                    *endings.pleas, *gather("beside_distress"), *(w for w, _ in many.words), *many.units)
                                        for w in normalize(p.replace("*", " ")).split())
        self.distress_sounds = frozenset(sounds(w) for w in self.distress_words)  # "no me kiero matar": nothing besides
        # The words safety phrases are made of, and every word the content uses (a word it uses is no typo).
        self.phrase_words = sorted({w for p in emergency + gather("crisis") + gather("distress") for w in normalize(p.replace("*", " ")).split()
                                    if len(w) >= MIN_TYPO_WORD})
        if known is None:
            known = frozenset().union(*(vocabulary(lang) for lang in content.languages.values()))
        self.known = known | set(self.phrase_words)
        # An unknown word's nearest safety words, once: both checks and every message ask about the same few.
        self._near = functools.lru_cache(maxsize=4096)(self._near)  # type: ignore[method-assign]
        # A message's readings, once: the crisis, emergency and distress checks each read the same clauses.
        self._readings = functools.lru_cache(maxsize=256)(self._readings)  # type: ignore[method-assign]

    def _readings(self, text: str) -> tuple[tuple[str, str], ...]:
        """A message's words with their typos read as safety words, and the same as they sound; a typo as near to
        two safety words ("hart": heart, hurt) is read each way, one word at a time (the others at their first
        reading), at most MAX_READINGS readings."""
        # Digits said one by one come back from a recognizer spaced ("call 9 1 1"): read as the number they make.
        plain = _ELONGATED.sub(r"\1", _SPACED_DIGITS.sub(lambda m: m.group().replace(" ", ""), normalize(_RANGE.sub(_larger, text))))
        choices = [self._unmistyped(w) for w in _SELF.sub(r"\1\2", plain).split()]
        first = [c[0] for c in choices]
        readings = [first]
        for index, options in enumerate(choices):
            for other in options[1:]:
                readings.append([*first[:index], other, *first[index + 1:]])
        return tuple((" ".join(r), sounds(" ".join(r))) for r in readings[:MAX_READINGS])

    def _unmistyped(self, word: str) -> tuple[str, ...]:
        if len(word) < MIN_TYPO_WORD or word in self.known or word.isdigit():
            return (word,)
        return self._near(word)

    def _near(self, word: str) -> tuple[str, ...]:
        near = tuple(v for v in self.phrase_words if v[0] == word[0] and v[-1] == word[-1] and abs(len(v) - len(word)) <= 1
                     and OSA.distance(v, word) <= 1)
        return near or (word,)

    def is_plea(self, text: str) -> bool:
        """Whether a message is only a plea ("what do I do", "qué hago", "help"), in any language."""
        return normalize(text) in self.pleas

    def is_emergency(self, text: str) -> bool:
        """A medical emergency described: chest pain, cannot breathe, stroke signs... (never cancelled by a "not":
        a false alarm costs a line, a missed one a life); also misspelled."""
        return bool(self.emergency_languages(text, first=True))

    def emergency_languages(self, text: str, first: bool = False) -> list[str]:
        """The languages whose emergency phrases a message holds (as written, or as it sounds), in the line's order
        (first: the first found is enough)."""
        text = text[:2000]
        readings = self._with_contractions(self._readings(text))
        found: list[str] = []
        for code, written, heard in self.emergency_by_language:
            if any(written.search(words) or heard.search(sound) for words, sound in readings):
                found.append(code)
                if first:
                    return found
        # A phrase that ends its clause, in a message of several clauses ("he is unresponsive, help"): looked for clause
        # by clause only when its words are somewhere in the message.
        clauses = [c for c in _CLAUSES.split(text) if c.strip()]
        endings = [(code, written, heard) for code, written, heard, written_anywhere, heard_anywhere in self.emergency_endings
                   if code not in found and any(written_anywhere.search(words) or heard_anywhere.search(sound)
                                                for words, sound in readings)]
        if endings and len(clauses) > 1:
            parts = self._with_contractions([r for clause in clauses for r in self._readings(clause)])
            for code, written, heard in endings:
                if any(written.search(words) or heard.search(sound) for words, sound in parts):
                    found.append(code)
                    if first:
                        return found
        return [code for code, _, _ in self.emergency_by_language if code in found]

    @staticmethod
    def _with_contractions(readings: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """Readings, and the same with English's negative contractions written out ("isn t" -> "is not")."""
        return [*readings, *((full, sounds(full)) for full in {uncontracted(w) for w, _ in readings} - {w for w, _ in readings})]

    def is_crisis(self, text: str) -> bool:
        """Thoughts of suicide or self-harm, in any clause of the message (also misspelled), unless that clause says
        the opposite."""
        return bool(self.crisis_languages(text, first=True))

    def crisis_languages(self, text: str, first: bool = False, kind: str = "crisis") -> list[str]:
        """The languages whose crisis phrases (or distress phrases, or crisis phrases said negated only) a message
        holds (first: the first found is enough), in the line's order."""
        found: list[str] = []
        by_language = self.distress_by_language if kind == "distress" else self.crisis_by_language
        said = _said_negated if kind == "negated" else _said
        for clause in _CLAUSES.split(text[:2000]):
            for words, heard in self._readings(clause):
                for code, (pattern, negations), (sounding, heard_negations) in by_language:
                    if code not in found and (said(pattern, words, negations) or said(sounding, heard, heard_negations)):
                        found.append(code)
                        if first:
                            return found
        return [code for code, _, _ in by_language if code in found]

    def says_more(self, text: str, meaningful: Callable[[str], list[str]]) -> bool:
        """Whether a message with words of not going on has meaningful words besides them (meaningful: a language's
        words that matter, without its common ones)."""
        return any(w not in self.distress_words and sounds(w) not in self.distress_sounds and not w.isdigit()
                   for w in meaningful(_ELONGATED.sub(r"\1", text)))

    def is_distress(self, text: str) -> bool:
        """Words that say one cannot go on ("ya no puedo más"), which may be about a body worn out (also misspelled);
        or words of suicide said negated ("I'm not suicidal but...", "no voy a suicidarme hoy"): a negation may be
        sincere or not, so the reply keeps where help is beside the answer."""
        return bool(self.crisis_languages(text, first=True, kind="distress") or self.crisis_languages(text, first=True, kind="negated"))

    def language_of(self, text: str, kind: str, current: str) -> str:
        """The language whose crisis or emergency phrases a message holds: current, if its own are among them, else
        the first other ("no kiero bivir" in an English conversation: Spanish)."""
        codes = self.crisis_languages(text) if kind == "crisis" else self.emergency_languages(text)
        if kind == "crisis" and not codes:
            # The crisis message for words of not going on, or a crisis phrase said negated, with nothing else besides.
            codes = self.crisis_languages(text, kind="distress") or self.crisis_languages(text, kind="negated")
        return current if current in codes or not codes else codes[0]


Phrases = tuple[re.Pattern[str], frozenset[str]]


def _phrases_by_language(content: Content, name: str, endings: Endings, many: Amounts = NO_AMOUNTS) -> list[tuple[str, Phrases, Phrases]]:
    """A word list's phrases per language, each with the words that, just before a phrase, say its opposite ("I don't
    want to die from this", "no me quiero morir"): one language's "no" never cancels another's phrase. Each also as it
    sounds, with its negations."""
    out = []
    for code, lang in content.languages.items():
        phrases = list(lang.words.get(name, ()))
        pattern, heard = _pattern(phrases, endings=endings, many=many), _pattern(phrases, sounds, endings, many)
        negations = frozenset(normalize(w) for w in lang.words.get("negation", ()))
        if pattern is not None and heard is not None:
            out.append((code, (pattern, negations), (heard, frozenset(sounds(w) for w in negations))))
    return out


def _said(pattern: re.Pattern[str], words: str, negations: frozenset[str]) -> bool:
    """Whether a phrase of the pattern is in the words, not right after a negation."""
    return any(not _negated(words, match, negations) for match in pattern.finditer(words))


def _said_negated(pattern: re.Pattern[str], words: str, negations: frozenset[str]) -> bool:
    """Whether a phrase of the pattern is in the words right after a negation."""
    return any(_negated(words, match, negations) for match in pattern.finditer(words))


def _negated(words: str, match: re.Match[str], negations: frozenset[str]) -> bool:
    """Whether a phrase found in a clause comes right after a negation of its language (and does not itself start
    with one: "no quiero vivir" is the phrase, "no, no quiero vivir" emphasis)."""
    if match.group(0).split()[0] in negations:
        return False
    before = words[: match.start()].split()
    return any(" ".join(before[-n:]) in negations for n in range(1, min(len(before), MAX_NEGATION_WORDS) + 1))
