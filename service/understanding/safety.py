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


# A message's clauses: "No. Me quiero morir" answers a question, then says something else.
_CLAUSES = re.compile(r"[.,;:!?¡¿\n]+")


class Safety:
    """The emergency and crisis phrases of all the line's languages."""

    def __init__(self, content: Content) -> None:
        def gather(name: str) -> list[str]:
            return [w for lang in content.languages.values() for w in lang.words.get(name, ())]

        self.emergency = _pattern(gather("emergency"))
        # Crisis phrases per language, each with the words that, just before a phrase, say its opposite ("I don't want
        # to die from this", "no me quiero morir"): one language's "no" never cancels another's phrase.
        self.crisis_by_language = [(pattern, frozenset(normalize(w) for w in lang.words.get("negation", ())))
                                   for lang in content.languages.values()
                                   if (pattern := _pattern(list(lang.words.get("crisis", ())))) is not None]

    def is_emergency(self, text: str) -> bool:
        """A medical emergency described: chest pain, cannot breathe, stroke signs... (never cancelled by a "not":
        a false alarm costs a line, a missed one a life)."""
        return bool(self.emergency and self.emergency.search(normalize(text[:2000])))

    def is_crisis(self, text: str) -> bool:
        """Thoughts of suicide or self-harm, in any clause of the message, unless that clause says the opposite."""
        for clause in _CLAUSES.split(text[:2000]):
            words = normalize(clause)
            for pattern, negations in self.crisis_by_language:
                if any(not _negated(words, match, negations) for match in pattern.finditer(words)):
                    return True
        return False


def _negated(words: str, match: re.Match[str], negations: frozenset[str]) -> bool:
    """Whether a phrase found in a clause comes right after a negation of its language (and does not itself start
    with one: "no quiero vivir" is the phrase, "no, no quiero vivir" emphasis)."""
    if match.group(0).split()[0] in negations:
        return False
    before = words[: match.start()].split()
    return bool(before) and (before[-1] in negations or " ".join(before[-2:]) in negations)
