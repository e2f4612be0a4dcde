"""Finding the topic a caller said or a texter wrote: phrases from prompts/, weighted, typo-tolerant."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from functools import lru_cache

from ..content import Content, Language, Target, normalize

# Shorter words are too easily confused with each other to correct ("skin"/"sign").
MIN_FUZZY_LENGTH = 5
FUZZY_CUTOFF = 0.8


@dataclass(frozen=True)
class Match:
    """The place a message leads to, and how sure the matcher is."""

    target: Target
    score: float
    corrected: bool


class LanguageIndex:
    """The phrases of one language, ready to match against."""

    def __init__(self, lang: Language) -> None:
        self.lang = lang
        self.ignore = frozenset(normalize(w) for w in lang.words.get("ignore", ()))
        self.entries: list[tuple[Target, frozenset[str]]] = []
        # Phrases made only of ignored words ("POEMS") are tried last, on the message's every word.
        self.bare: list[tuple[Target, frozenset[str]]] = []
        # One-letter keywords (P, O, E, M, S) count only as the whole message: "it's" holds an "s".
        self.letters: dict[str, Target] = {}
        for target in lang.targets.values():
            for phrase in (*target.phrases, target.keyword, target.title):
                words = normalize(phrase)
                if len(words) == 1:
                    self.letters[words] = target
                    continue
                tokens = frozenset(w for w in self.tokens(phrase) if len(w) > 1)
                if tokens:
                    self.entries.append((target, tokens))
                elif words:
                    self.bare.append((target, frozenset(words.split())))
        self.vocab = sorted({t for _, tokens in self.entries for t in tokens})
        # Which entries use each word: a message is compared only with entries sharing a word with it.
        self.by_word: dict[str, list[int]] = {}
        for number, (_, tokens) in enumerate(self.entries):
            for token in tokens:
                self.by_word.setdefault(token, []).append(number)
        owners: dict[str, set[str]] = {}
        for target, tokens in self.entries:
            for token in tokens:
                owners.setdefault(token, set()).add(f"{target.kind}:{target.id}")
        total = max(1, len(lang.targets))
        # Words shared by many topics ("what", "poems") count for less than words only one topic uses.
        self.weight = {t: 1.0 + math.log(total / len(o)) for t, o in owners.items()}
        self.words = {name: frozenset(normalize(w) for w in words) for name, words in lang.words.items()}
        self.emergency = tuple(normalize(w) for w in lang.words.get("emergency", ()) if normalize(w))
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)
        # People ask the same few things in the same words: remember recent answers (targets never change).
        self.match = lru_cache(maxsize=4096)(self._match)  # type: ignore[method-assign]

    def tokens(self, text: str) -> frozenset[str]:
        """The meaningful words of a text."""
        return frozenset(w for w in normalize(text).split() if w not in self.ignore)

    def _correct_uncached(self, word: str) -> str | None:
        if len(word) < MIN_FUZZY_LENGTH:
            return None
        close = difflib.get_close_matches(word, self.vocab, n=1, cutoff=FUZZY_CUTOFF)
        return close[0] if close else None

    def match(self, text: str) -> Match | None:
        """The best place for this text, or None."""
        return self._match(text)

    def _match(self, text: str) -> Match | None:
        words = normalize(text[:2000])
        if words in self.letters:
            return Match(self.letters[words], 1.0, False)
        raw = self.tokens(words)
        found = self._best(raw, self.entries) if raw else None
        if found is None:
            found = self._best(frozenset(words.split()), self.bare, fuzzy=False)
        return found

    def _best(self, raw: frozenset[str], entries: list[tuple[Target, frozenset[str]]], fuzzy: bool = True) -> Match | None:
        vocab = self.weight
        tokens = set()
        corrected = False
        for word in raw:
            if word in vocab or not fuzzy:
                tokens.add(word)
            else:
                fixed = self._correct(word)
                if fixed:
                    tokens.add(fixed)
                    corrected = True
        best: tuple[float, int, Target] | None = None
        if entries is self.entries:
            numbers = sorted({n for t in tokens for n in self.by_word.get(t, ())})
            candidates = [(n, entries[n]) for n in numbers]
        else:
            candidates = list(enumerate(entries))
        for order, (target, phrase) in candidates:
            if phrase <= tokens:
                score = sum(vocab.get(t, 1.0) for t in phrase)
                if best is None or score > best[0]:
                    best = (score, order, target)
        if best is None:
            return None
        return Match(best[2], best[0], corrected)

    def is_word(self, text: str, name: str) -> bool:
        """True when the whole message is one of the words listed under words: name."""
        return normalize(text) in self.words.get(name, frozenset())

    def is_emergency(self, text: str) -> bool:
        """True when the text contains any emergency word or phrase."""
        padded = f" {normalize(text[:2000])} "
        return any(f" {phrase} " in padded for phrase in self.emergency)


class Matcher:
    """Every language's index, and the rules for choosing between them."""

    def __init__(self, content: Content) -> None:
        self.indexes = {code: LanguageIndex(lang) for code, lang in content.languages.items()}
        self.default = content.default_language

    def match(self, text: str, lang: str) -> Match | None:
        """The best place in one language."""
        return self.indexes[lang].match(text)

    def detect(self, text: str, current: str) -> tuple[str, Match | None]:
        """The language a text is written in and its best match; the current language wins ties."""
        best_lang, best = current, self.indexes[current].match(text)
        for code, index in self.indexes.items():
            if code == current:
                continue
            other = index.match(text)
            if other is not None and (best is None or (best.corrected and not other.corrected) or (other.score > best.score and other.corrected == best.corrected)):
                best_lang, best = code, other
        return best_lang, best

    def word_language(self, text: str, name: str, current: str) -> str | None:
        """The language whose word list name holds the whole message (current first)."""
        for code in [current, *(c for c in self.indexes if c != current)]:
            if self.indexes[code].is_word(text, name):
                return code
        return None

    def is_emergency(self, text: str) -> bool:
        """True when the text holds an emergency word in any language."""
        return any(index.is_emergency(text) for index in self.indexes.values())
