"""Which language a message is in: a conversation keeps its language until a message is clearly in another."""

from __future__ import annotations

from ..content import Content, Language, normalize

# A message changes the conversation's language only with this many words found in the other language alone,
# and more than twice as many as in the current one: a borrowed word or a name does not, a sentence does.
SWITCH_WORDS = 2


def vocabulary(lang: Language, with_examples: bool = True) -> frozenset[str]:
    """Every word a language's content uses: answers, titles, phrases, word lists and (with_examples) the question bank."""
    texts: list[str] = []
    for target in lang.targets.values():
        texts += [target.title, target.keyword, target.spoken, target.text, target.intro, *target.phrases,
                  *(target.examples if with_examples else ())]
    texts += list(lang.phrases.values())
    texts += [w for words in lang.words.values() for w in words]
    return frozenset(w for text in texts for w in normalize(text).split() if not w.isdigit())


class LanguageGuesser:
    """Words only one language of the line uses, counted in a message."""

    def __init__(self, content: Content) -> None:
        vocab = {code: vocabulary(lang) for code, lang in content.languages.items()}
        self.own = {code: words - frozenset().union(*(v for c, v in vocab.items() if c != code)) for code, words in vocab.items()}
        # And each language's own small words ("is", "it", "the"; "es", "el"), from its ignore list: a bank that quotes
        # people mixing languages ("stem cell transplant q es eso") holds the other language's small words too, so
        # they are counted from the lists written for each language and what it says itself, not from its bank.
        small = {code: frozenset(normalize(w) for w in lang.words.get("ignore", ())) for code, lang in content.languages.items()}
        said = {code: vocabulary(lang, with_examples=False) for code, lang in content.languages.items()}
        for code in self.own:
            others = frozenset().union(*(small[c] | said[c] for c in small if c != code))
            self.own[code] = self.own[code] | (small[code] - others)
        # Every word of every language: what the junk filter knows as words.
        self.known: frozenset[str] = frozenset().union(*vocab.values())
        self.default = content.default_language

    def counts(self, text: str) -> dict[str, int]:
        """For each language, how many of the message's words only that language uses."""
        words = normalize(text[:2000]).split()
        return {code: sum(1 for w in words if w in own) for code, own in self.own.items()}

    def leans_to(self, text: str, code: str, current: str) -> bool:
        """Whether a message has at least as many words of one language's own as of the current one's ("ya no kiero
        bibir" leans to Spanish; "mi hija habla de suicide" does not lean to English)."""
        counts = self.counts(text)
        return counts.get(code, 0) >= counts.get(current, 0)

    def language(self, text: str, current: str | None) -> str:
        """The language to answer in: current, unless the message is clearly in another (or the first one is)."""
        counts = self.counts(text)
        here = counts.get(current, 0) if current else 0
        best = max(counts, key=lambda c: (counts[c], c == current))
        if current is None:
            return best if counts[best] > counts.get(self.default, 0) else self.default
        if best != current and counts[best] >= SWITCH_WORDS and counts[best] > 2 * here:
            return best
        return current
