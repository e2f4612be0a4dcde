"""GSM-7 text messages: which characters fit, how many segments a reply costs."""

from __future__ import annotations

import math
import unicodedata

# GSM 03.38 basic character set.
BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
BASIC.discard("\x1b")
# Extension table: each costs two septets (escape + character).
EXTENDED = set("^{}\\[~]|€\f")

SINGLE_SEGMENT = 160
PER_SEGMENT = 153
UCS2_SINGLE = 70
UCS2_PER_SEGMENT = 67
MAX_SEGMENTS = 3
MAX_GSM_CHARS = MAX_SEGMENTS * PER_SEGMENT  # 459

# Accented vowels that GSM-7 lacks (Spanish á í ó ú) become plain vowels in texts,
# as Twilio's Smart Encoding would do: one such letter would turn a whole reply
# into UCS-2 and more than double its cost. é is GSM-7 but goes plain too: a
# native reader found "médico" beside "informacion" in one reply odd. ñ, ü, ¿
# and ¡ are GSM-7 and stay.
FOLD = str.maketrans({
    "á": "a", "í": "i", "ó": "o", "ú": "u", "Á": "A", "Í": "I", "Ó": "O", "Ú": "U", "é": "e", "É": "E",
    "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "ë": "e", "ï": "i", "ç": "c",
})


# What word processors type, and the plain characters a text message should carry instead.
TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
                            "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u2026": "..."})


def plain_typography(text: str) -> str:
    """Curly quotes, long dashes and the ellipsis character made plain (each would make a text twice as costly)."""
    return text.translate(TYPOGRAPHY)


def fold(text: str) -> str:
    """Replace accented letters that GSM-7 lacks with their plain letter."""
    return text.translate(FOLD)


def is_gsm(char: str) -> bool:
    """True when the character fits GSM-7 (basic or extension table)."""
    return char in BASIC or char in EXTENDED


def non_gsm(text: str) -> list[str]:
    """The characters of text outside GSM-7, each once, in order of appearance."""
    seen: list[str] = []
    for char in text:
        if not is_gsm(char) and char not in seen:
            seen.append(char)
    return seen


def describe(char: str) -> str:
    """Name a character so an admin can find it: the character and its Unicode name."""
    name = unicodedata.name(char, f"U+{ord(char):04X}")
    shown = char if char.isprintable() else repr(char)
    return f"'{shown}' ({name.lower()})"


def septets(text: str) -> int:
    """Length of GSM-7 text in septets (extension characters count twice)."""
    return sum(2 if c in EXTENDED else 1 for c in text)


def segments(text: str) -> int:
    """How many SMS segments Twilio would bill for this text."""
    if not text:
        return 1
    if not non_gsm(text):
        size = septets(text)
        return 1 if size <= SINGLE_SEGMENT else math.ceil(size / PER_SEGMENT)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= UCS2_SINGLE else math.ceil(units / UCS2_PER_SEGMENT)


def clip(text: str, limit: int = MAX_GSM_CHARS) -> str:
    """Cut GSM-7 text to at most limit septets, at a word boundary."""
    if septets(text) <= limit:
        return text
    out = ""
    for word in text.split(" "):
        candidate = f"{out} {word}" if out else word
        if septets(candidate) > limit - 3:
            break
        out = candidate
    return out.rstrip(" ,.;:") + "..."
