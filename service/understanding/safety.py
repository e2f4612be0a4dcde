"""Emergency and crisis words, found first in every language, whatever else a message says."""

from __future__ import annotations

import re

from ..content import Content, normalize


def _pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One regular expression for phrases matched as whole words; "*" stands for any one word ("catch * breath")."""
    parts = []
    for phrase in phrases:
        pieces = [normalize(piece) for piece in phrase.split("*")]
        if any(pieces):
            parts.append(r"\b" + r" \w+ ".join(re.escape(p) for p in pieces).replace(r"  ", " ").strip() + r"\b")
    return re.compile("|".join(parts)) if parts else None


class Safety:
    """The emergency and crisis phrases of all the line's languages."""

    def __init__(self, content: Content) -> None:
        def gather(name: str) -> list[str]:
            return [w for lang in content.languages.values() for w in lang.words.get(name, ())]

        self.emergency = _pattern(gather("emergency"))
        self.crisis = _pattern(gather("crisis"))
        # "I don't want to die from this", "no me quiero morir": a phrase right after one of these says the opposite.
        self.negations = frozenset(normalize(w) for w in gather("negation"))

    def is_emergency(self, text: str) -> bool:
        """A medical emergency described: chest pain, cannot breathe, stroke signs..."""
        return self._found(self.emergency, text)

    def is_crisis(self, text: str) -> bool:
        """Thoughts of suicide or self-harm."""
        return self._found(self.crisis, text)

    def _found(self, pattern: re.Pattern[str] | None, text: str) -> bool:
        if pattern is None:
            return False
        words = normalize(text[:2000])
        for match in pattern.finditer(words):
            before = words[: match.start()].split()
            if not (before[-1:] and before[-1] in self.negations or " ".join(before[-2:]) in self.negations):
                return True
        return False
