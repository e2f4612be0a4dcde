"""What is taken out of people's words before they are kept: e-mail addresses and phone numbers, typed, spaced or
spelled out ("five five five, one two one two")."""

from __future__ import annotations

import re
import unicodedata

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Five or more digits, however they are spaced or punctuated: "(555) 555-0123", "5 5 5 1 2", "+1.555.555".
DIGIT_RUN = re.compile(r"\+?\(?\d(?:[\s().\-]*\d){4,}")
# Words for digits in the line's languages; the content adds its own (words: numbers) for other languages.
NUMBER_WORDS = frozenset({
    "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "double", "triple",
    "cero", "uno", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
})
SPELLED_RUN = 4  # this many number words (or digits) in a row are a number, not a sentence ("one or two" is not)
_TOKEN = re.compile(r"\S+")


def _plain(word: str) -> str:
    """A word as compared with the number words: lower case, no accents, no punctuation around it."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def scrub(text: str, number_words: frozenset[str] = frozenset()) -> str:
    """The text with e-mail addresses, phone numbers and spelled-out digit runs each replaced by #."""
    text = EMAIL.sub("#", text)
    text = DIGIT_RUN.sub("#", text)
    words = NUMBER_WORDS | number_words
    tokens = list(_TOKEN.finditer(text))
    numeric = [(plain := _plain(token.group())) in words or plain.isdigit() for token in tokens]
    out: list[str] = []
    cursor = 0
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and numeric[j]:
            j += 1
        if j - i >= SPELLED_RUN:
            out.append(text[cursor:tokens[i].start()] + "#")
            cursor = tokens[j - 1].end()
            i = j
        else:
            i += 1
    out.append(text[cursor:])
    return "".join(out)
