"""BM25 over word stems: how well a message's words match each place's bank of examples and phrases."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

K1 = 1.2
B = 0.75


class BM25:
    """One document per place (its examples, phrases, title and keyword); scores scaled to 0..1 per message."""

    def __init__(self, documents: list[list[list[str]]]) -> None:
        tf = [Counter(t for text in doc for t in text) for doc in documents]
        length = [sum(len(text) for text in doc) for doc in documents]
        average = max(1.0, sum(length) / max(1, len(documents)))
        df = Counter(t for counts in tf for t in counts)
        n = len(documents)
        self.places = n
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # Each term's BM25 share for every place, worked out once: a message's score is then a sum of rows (the same
        # floats, added in the same order, as term by term; several times faster, and the bank's check scores every
        # example).
        self.row = {t: i for i, t in enumerate(df)}
        self.weights = np.zeros((len(df), n), dtype=np.float64)
        for place, counts in enumerate(tf):
            norm = K1 * (1 - B + B * length[place] / average)
            for term, f in counts.items():
                self.weights[self.row[term], place] = self.idf[term] * f * (K1 + 1) / (f + norm)

    def scores(self, terms: list[str]) -> list[float]:
        """Each place's score for these terms, as a share of the best a place could score (0..1)."""
        query = [t for t in dict.fromkeys(terms) if t in self.row]
        ceiling = sum(self.idf[t] * (K1 + 1) for t in query)
        if ceiling <= 0:
            return [0.0] * self.places
        total = self.weights[self.row[query[0]]].copy()
        for term in query[1:]:
            total += self.weights[self.row[term]]
        return (total / ceiling).tolist()
