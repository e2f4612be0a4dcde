"""BM25 over word stems: how well a message's words match each place's bank of examples and phrases."""

from __future__ import annotations

import math
from collections import Counter

K1 = 1.2
B = 0.75


class BM25:
    """One document per place (its examples, phrases, title and keyword); scores scaled to 0..1 per message."""

    def __init__(self, documents: list[list[list[str]]]) -> None:
        # documents[place] is a list of texts, each a list of terms; kept apart so one text can be left out.
        self.texts = documents
        self.tf = [Counter(t for text in doc for t in text) for doc in documents]
        self.length = [sum(len(text) for text in doc) for doc in documents]
        self.average = max(1.0, sum(self.length) / max(1, len(documents)))
        df = Counter(t for counts in self.tf for t in counts)
        n = len(documents)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, terms: list[str], leave_out: tuple[int, int] | None = None) -> list[float]:
        """Each place's score for these terms, as a share of the best a place could score (0..1).

        leave_out=(place, text) scores as if that one text were not in the bank (to test the bank on itself)."""
        query = Counter(terms)
        ceiling = sum(self.idf.get(t, 0.0) * (K1 + 1) for t in query)
        if ceiling <= 0:
            return [0.0] * len(self.tf)
        out = []
        for place, counts in enumerate(self.tf):
            length = self.length[place]
            if leave_out is not None and leave_out[0] == place:
                removed = Counter(self.texts[place][leave_out[1]])
                counts = counts - removed
                length -= sum(removed.values())
            norm = K1 * (1 - B + B * length / self.average)
            score = 0.0
            for term in query:
                f = counts.get(term, 0)
                if f:
                    score += self.idf[term] * f * (K1 + 1) / (f + norm)
            out.append(score / ceiling)
        return out
