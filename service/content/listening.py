"""How long a caller listens before each answer starts, pressing each key as early as the menus let them."""

from __future__ import annotations

import re
from collections import deque
from typing import Callable

from .model import Content, Language, Prompt
from .replies import fill

WORDS_PER_MINUTE = 150
# The length of a prompt's built audio, or None to count its words at WORDS_PER_MINUTE.
Duration = Callable[[Prompt], "float | None"]
# A number written digit by digit so that every voice reads it so ("call 9 1 1"): counted as one word, as when it was
# written whole (either way a voice says it in about the time of one long word).
_SPACED_DIGITS = re.compile(r"\b\d(?: \d)+\b")


def word_count(text: str) -> int:
    """How many words a voice reads in a text, a number read digit by digit counting once."""
    return len(_SPACED_DIGITS.sub("0", text).split())


def seconds(prompt: Prompt, words: int | None = None, duration: Duration | None = None) -> float:
    """How long a prompt plays, whole or up to its first `words` words."""
    total = word_count(prompt.text)
    length = (duration(prompt) if duration else None) or total * 60 / WORDS_PER_MINUTE
    return length if words is None else length * min(words, total) / max(1, total)


def until_key(lang: Language, prompt: Prompt, title: str, key: str, duration: Duration | None = None) -> float:
    """Seconds into a menu prompt until "<title>, press <key>" has been heard."""
    option = fill(lang.phrases["option"], {"title": title, "key": lang.key_name(key)})
    cut = prompt.text.index(option) + len(option)
    return seconds(prompt, word_count(prompt.text[:cut]), duration)


def before_options(content: Content, code: str, duration: Duration | None = None) -> float:
    """Seconds of a call before the main menu's options: the greeting, the other languages' offers, the notices."""
    lang = content.languages[code]
    start = seconds(lang.prompts["phrase.greeting"], duration=duration)
    start += sum(seconds(other.prompts["phrase.language_offer"], duration=duration) for other in content.other_languages(code))
    return start + seconds(lang.prompts["phrase.notice"], duration=duration)


def listening_times(content: Content, code: str, duration: Duration | None = None) -> dict[str, tuple[float, int]]:
    """Seconds from the start of a call (in this language) to the start of each answer, and the key presses."""
    lang = content.languages[code]
    out: dict[str, tuple[float, int]] = {}
    queue = deque([("main", before_options(content, code, duration), 0)])
    while queue:
        menu_id, before, presses = queue.popleft()
        prompt = lang.prompts[f"menu.{menu_id}"]
        if menu_id != "main" and f"intro.{menu_id}" in lang.prompts:
            before += seconds(lang.prompts[f"intro.{menu_id}"], duration=duration)
        for option in content.menus[menu_id].options:
            key = ("menu", option.target) if option.kind == "menu" else (option.kind, option.target)
            at = before + until_key(lang, prompt, lang.targets[key].title, option.key, duration)
            if option.kind == "menu":
                queue.append((option.target, at, presses + 1))
            elif option.target not in out:
                out[option.target] = (at, presses + 1)
    return out
