"""Keyboard mash and random strings ("asdkjh qwe zzz", "jjjjj", "dfgdfg"): told apart from questions, so that they get
the short help, not a list of topics, and are folded away in the admin pages and the report."""

from __future__ import annotations

import re

from ..content import normalize

LONG = 160  # characters: a story, not a question a bank example can teach
_VOWELS = "aeiouyáéíóúü"
_WORD = re.compile(r"[^\W\d_]+")
_CONSONANT_RUN = re.compile(f"[^{_VOWELS}]{{4,}}")
_REPEATED = re.compile(r"(.)\1\1")
_ECHO = re.compile(r"^(.{2,4})\1+$")  # "dfgdfg", "asas", "lolol"
# Letters typed in a run along one row of a keyboard ("qwe", "asdf", "jkl"), either way.
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_RUNS = tuple(row for r in _KEY_ROWS for row in (r, r[::-1]))


def _mashed(token: str) -> bool:
    """A word no language has: no vowel, four consonants in a row, one letter three times, a short run typed over
    again, or a run of keys along one row."""
    if len(token) < 3:
        return False
    if not any(v in token for v in _VOWELS) or _CONSONANT_RUN.search(token) or _REPEATED.search(token) or _ECHO.match(token):
        return True
    return _key_run(token)


def _key_run(token: str) -> bool:
    return any(token in row for row in _KEY_RUNS)


def _skeleton(word: str) -> str:
    """A word's consonants, in order."""
    return "".join(c for c in word if c not in _VOWELS)


class Junk:
    """Tells keyboard mash from words, knowing every word the line's content uses in any language (its answers,
    titles, phrases and question bank), so that "ask" and "sad" are words however they are typed."""

    def __init__(self, known: frozenset[str] = frozenset()) -> None:
        self.known = known
        # The same words typed without their vowels ("treatmnt", "skn", "nrvs": numb hands drop letters, texters
        # drop vowels): words, not mash. Three consonants at least, so that a short run of keys is not taken for one.
        self.skeletons = frozenset(k for k in map(_skeleton, known) if len(k) >= 3)

    def is_mash(self, text: str) -> bool:
        """Random characters typed instead of words: letters, yet no word the line knows and half or more of them
        nothing a language would spell (a pronounceable unknown word, "zorp blik", is not mash)."""
        tokens = _WORD.findall(normalize(text[:2000]))
        if not tokens or any(t in self.known for t in tokens):
            return False
        return sum(_mashed(t) and (_key_run(t) or _skeleton(t) not in self.skeletons) for t in tokens) * 2 >= len(tokens)

    def is_junk(self, text: str) -> bool:
        """Nothing an example can be made of: mash, mostly digits and symbols, or a long story."""
        text = text.strip()
        visible = sum(not c.isspace() for c in text)
        letters = sum(c.isalpha() for c in text)
        if len(text) > LONG or visible == 0 or letters / visible < 0.5:
            return True
        return self.is_mash(text)
