"""Words as the matcher sees them: normalized, stop words dropped, stemmed per language, typos corrected."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..content import Language, Target, normalize

# Snowball's algorithm for each language code the content may use.
STEMMERS = {"en": "english", "es": "spanish", "fr": "french", "de": "german", "pt": "portuguese", "it": "italian"}
# Shorter words are too easily confused with each other to correct ("skin"/"sign").
MIN_TYPO_LENGTH = 5
MAX_TYPO_EDITS = 2


class Analyzer:
    """How one language's words are turned into terms: the same for the bank and for what people send."""

    def __init__(self, lang: Language) -> None:
        self.code = lang.code
        self.stop = frozenset(normalize(w) for w in lang.words.get("ignore", ()))
        name = STEMMERS.get(lang.code.split("-")[0])
        self._stemmer = snowballstemmer.stemmer(name) if name else None
        self.vocabulary: tuple[str, ...] = ()
        self._known: frozenset[str] = frozenset()
        self.stem = lru_cache(maxsize=16384)(self._stem)
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def _stem(self, word: str) -> str:
        return self._stemmer.stemWord(word) if self._stemmer else word

    def words(self, text: str) -> list[str]:
        """The meaningful words of a text, normalized, in order."""
        return [w for w in normalize(text[:2000]).split() if w not in self.stop]

    def terms(self, text: str) -> list[str]:
        """The stems of a text's meaningful words (for building the index: no typo correction)."""
        return [self.stem(w) for w in self.words(text)]

    def learn(self, texts: list[str]) -> None:
        """Remember the words of the bank, which typos are corrected towards."""
        known = {w for text in texts for w in self.words(text)}
        self.vocabulary = tuple(sorted(known))
        self._known = frozenset(known)

    def knows_none(self, text: str) -> bool:
        """True when a message has words that matter and not one of them is in the bank, even with a typo fixed
        ("xqz vlorp"): its meaning cannot be guessed from words the line has never seen."""
        tokens = normalize(text[:2000]).split()
        words = [w for w in tokens if w not in self.stop]  # self.words(text), the text normalized once
        if len(words) < len(tokens):
            # A lone letter beside the common words is texting shorthand ("k es el sindrome", "q es"): it says nothing
            # either way, and the common words leave the meaning to decide, as "what is POEMS" does.
            words = [w for w in words if len(w) > 1]
        return bool(words) and all(w not in self._known and self.correct(w) not in self._known for w in words)

    def query_terms(self, text: str) -> tuple[list[str], bool]:
        """The stems of a message's words, with unknown long words corrected to the bank's; and whether any was."""
        out: list[str] = []
        corrected = False
        for word in self.words(text):
            fixed = word if word in self._known else self.correct(word)
            corrected |= fixed != word
            out.append(self.stem(fixed))
        return out, corrected

    def _correct(self, word: str) -> str:
        if len(word) < MIN_TYPO_LENGTH or not self.vocabulary or word.isdigit():
            return word
        found = process.extractOne(word, self.vocabulary, scorer=Levenshtein.distance,
                                   score_cutoff=1 if len(word) < 8 else MAX_TYPO_EDITS)
        return found[0] if found else word


# At most this many words beside a name that ask for it ("I would like to speak with").
ASKING_WORDS = 6


def names_place(target: Target, said: str, lang: Language) -> bool:
    """Whether the words are the place's own name (its keyword, title or one of its phrases), alone or with only words
    that ask for it beside it ("I want to leave a message", "quiero dejar un mensaje"; not "how do I leave a message"
    or "I would rather not leave a message")."""
    return asks_for(lang, said, (target.keyword, target.title, *target.phrases))


def asks_for(lang: Language, said: str, names: Sequence[str], shortest: int = 2, also: Sequence[str] = ()) -> bool:
    """Whether the words are one of these names, alone or with only the language's asking words (and `also`) beside
    it (names of fewer than `shortest` words only alone): "I want to talk to a person", "quiero hablar con alguien"."""
    words = normalize(said)
    wanted = {normalize(n) for n in names} - {""}
    if words in wanted:
        return True
    asking = {w for phrase in (*lang.words.get("asking", ()), *also) for w in normalize(phrase).split()}
    for name in wanted:
        if len(name.split()) >= shortest and f" {name} " in f" {words} ":
            rest = f" {words} ".replace(f" {name} ", " ", 1).split()
            if len(rest) <= ASKING_WORDS and all(w in asking for w in rest):
                return True
    return False
