"""Questions the line did not understand, grouped by meaning, each group with the matcher's three nearest places and
a line ready to paste under one of them in the prompt files."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np

from ..content import Target
from ..understanding import Matcher
from ..understanding.junk import Junk

if TYPE_CHECKING:
    from ..records.summary import Unmatched

# Cosine of two questions' sentence embeddings above which they ask the same thing; between the two, they must also
# come nearest to the same place ("can i drink alcohol" and "is it ok to have a beer": 0.56; "can i drink alcohol"
# and "can my dog catch it": 0.45, nearest to different topics).
SAME_QUESTION = 0.55
SAME_IF_SAME_PLACE = 0.42


# A group's wordings brought at once to a topic's examples from "Not understood".
MAX_ADDED = 10


@dataclass(frozen=True)
class Nearest:
    """One of the places a group's question comes nearest to, and where its examples end in the prompt file."""

    target: Target
    score: float
    file: str
    line: int


@dataclass
class Group:
    """Questions that ask the same thing, in one language."""

    lang: str
    items: list[Unmatched] = field(default_factory=list)
    nearest: list[Nearest] = field(default_factory=list)
    added: Target | None = None  # the place whose examples now hold one of its wordings: dealt with

    @property
    def words(self) -> str:
        """The group's most frequent wording."""
        return self.items[0].words

    @property
    def count(self) -> int:
        """How many times the group's questions came."""
        return sum(i.count for i in self.items)

    @property
    def channels(self) -> dict[str, int]:
        """How many came by voice and by text."""
        out: dict[str, int] = {}
        for item in self.items:
            for channel, n in item.channels.items():
                out[channel] = out.get(channel, 0) + n
        return out

    @property
    def yaml_line(self) -> str:
        """The line to paste under a topic's examples: in the files' own indentation and double quotes."""
        return f"      - {json.dumps(self.words, ensure_ascii=False)}"


def group(items: list[Unmatched], matcher: Matcher, junk_filter: Junk, limit: int = 100) -> tuple[list[Group], list[Unmatched]]:
    """Groups of questions by meaning, the most frequent first (at most limit), and the junk folded apart."""
    junk = [i for i in items if junk_filter.is_junk(i.words)]
    kept = [i for i in items if not junk_filter.is_junk(i.words)]
    groups: list[Group] = []
    for code in sorted({i.lang for i in kept}):
        mine = [i for i in kept if i.lang == code]
        if code not in matcher.indexes:
            groups.extend(Group(code, [i]) for i in mine)
            continue
        index = matcher.indexes[code]
        vectors = matcher.embedder.encode([i.words for i in mine])
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        heads: list[np.ndarray] = []
        found: list[Group] = []
        for item, vector in zip(mine, vectors):  # most frequent first: a group's commonest wording leads it
            # Ranked only when needed (a group's first question, or a borderline likeness): 3 ms each.
            ranking = functools.cache(lambda item=item, vector=vector: index.rank(item.words, vector)[:3])
            joined = _same_as(heads, found, vector, lambda: ranking()[0].target)
            if joined is not None:
                joined.items.append(item)
                continue
            heads.append(vector)
            found.append(Group(code, [item], [Nearest(s.target, s.score, s.target.file, (s.target.example_lines or (s.target.line,))[-1])
                                              for s in ranking()]))
        groups.extend(found)
    groups.sort(key=lambda g: (-g.count, g.words))
    return groups[:limit], junk


def _same_as(heads: list[np.ndarray], groups: list[Group], vector: np.ndarray, nearest: Callable[[], Target]) -> Group | None:
    """The group a question joins: the most similar one that asks the same thing, if any."""
    if not heads:
        return None
    similarity = np.stack(heads) @ vector
    for best in np.argsort(-similarity)[:3]:
        if similarity[best] >= SAME_QUESTION or (similarity[best] >= SAME_IF_SAME_PLACE and groups[best].nearest[0].target == nearest()):
            return groups[best]
    return None
