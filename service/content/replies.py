"""The text line's replies composed from the content: menus as numbered lists, answers with their footer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import gsm
from .model import Content, Language, Target

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def fill(template: str, values: dict[str, str]) -> str:
    """Replace {name} placeholders whose name is in values; leave the others as they are."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def sms_menu(content: Content, lang: Language, menu_id: str) -> str:
    """The numbered list a texter sees for a menu."""
    menu = content.menus[menu_id]
    lines = [lang.phrases["sms_menu_header"]]
    for option in menu.options:
        target = lang.targets.get(("menu", option.target) if option.kind == "menu" else (option.kind, option.target))
        if target is not None:
            lines.append(fill(lang.phrases["sms_option"], {"key": option.key, "title": target.title, "keyword": target.keyword.upper()}))
    lines.append(lang.phrases["sms_menu_footer"])
    return gsm.fold("\n".join(lines))


# A texter reads a fourth choice where a caller hears three (each a title and a key to hold in mind): on the bank
# (5-fold) the right topic is among four 0.4 points more often than among three, in each language; the check keeps
# the longest such list within three segments, with the notice.
TEXT_CHOICES = 4
# The reply, or the key on a call, that takes the first other topic offered after a likely answer (the next number,
# the second; after an answer, keys 1 to 5 pick nothing else).
ALSO_KEY = "1"


def closing(lang: Language, also: Sequence[Target] = ()) -> str:
    """An answer's last line: what to do next, or, after a likely-but-not-certain answer, the other topics offered
    (reply 1 for the first, 2 for the second)."""
    if not also:
        return lang.phrases["sms_answer_footer"]
    if len(also) == 2 and "sms_also_two" in lang.phrases:
        # Both in one sentence: shorter than two, so a first text has room for the second offer more often.
        first, second = also
        return fill(lang.phrases["sms_also_two"], {"title1": first.title, "key1": ALSO_KEY,
                                                   "title2": second.title, "key2": str(int(ALSO_KEY) + 1)})
    return " ".join(fill(lang.phrases["sms_also"], {"title": t.title, "key": str(n)})
                    for n, t in enumerate(also, start=int(ALSO_KEY)))


def offers_that_fit(lang: Language, target: Target, also: Sequence[Target], notice: str = "") -> list[Target]:
    """The topics offered after an answer that fit in its three segments, with the notice in front when given: the
    first always (the room an answer may fill is counted with it), the next only when it fits as well."""
    offered = list(also)
    head = f"{notice}\n" if notice else ""
    while len(offered) > 1 and gsm.septets(gsm.fold(f"{head}{target.text}\n{closing(lang, offered)}")) > gsm.MAX_GSM_CHARS:
        offered.pop()
    return offered


def sms_answer(lang: Language, target: Target, also: Sequence[Target] = ()) -> str:
    """A topic's text answer with its closing line, as sent (a second topic offered only where it fits)."""
    return gsm.fold(f"{target.text}\n{closing(lang, offers_that_fit(lang, target, also))}")


def longest_closing(lang: Language) -> str:
    """The longest closing line an answer can have: the footer, or the offer of the topic with the longest title (only
    topics are offered after an answer, never a menu)."""
    # Worked out once per loaded language (content is never changed once loaded: an edit builds a new one); the
    # check and every first text ask for it.
    known = lang.__dict__.get("_longest_closing")
    if known is None:
        offers = [closing(lang, [t]) for t in lang.targets.values() if t.kind != "menu" and "sms_also" in lang.phrases]
        known = lang.__dict__["_longest_closing"] = max([lang.phrases["sms_answer_footer"], *offers],
                                                        key=lambda line: gsm.septets(gsm.fold(line)))
    return known


def first_text_room(lang: Language) -> int:
    """How many characters a topic's text answer may have: what three segments leave beside the line's notice and the
    longest closing line, as a first-time texter gets them in one message."""
    return gsm.MAX_GSM_CHARS - gsm.septets(gsm.fold(f"{lang.phrases['sms_welcome']}\n\n{longest_closing(lang)}"))


def first_answer(lang: Language, target: Target, also: Sequence[Target] = ()) -> tuple[str, bool]:
    """A first-time texter's answer in one message: the line's notice, the answer, its closing line, within three
    segments; the answer is cut at a word (with ...) when all three do not fit (the check refuses such an answer,
    so only a line started without its check can send one), and the second value says so."""
    notice = lang.phrases["sms_welcome"]
    footer = closing(lang, offers_that_fit(lang, target, also, notice))
    text = gsm.fold(target.text)
    cut = gsm.clip(text, first_text_room(lang))
    return gsm.fold(f"{notice}\n{cut}\n{footer}"), cut != text


def sms_choices(lang: Language, header: str, targets: tuple[Target, ...] | list[Target]) -> str:
    """Numbered places to choose from ("did you mean", or the nearest topics), under a header, as sent."""
    lines = [header, *(f"{n} {t.title}" for n, t in enumerate(targets, start=1)), lang.phrases["sms_choose"]]
    return gsm.fold("\n".join(lines))


def longest_titled(lang: Language, count: int) -> list[Target]:
    """The count places with the longest titles, longest first."""
    return sorted(lang.targets.values(), key=lambda t: gsm.septets(gsm.fold(t.title)), reverse=True)[:count]


LONGEST_CHOICES = "the longest list of topics to choose from, as a first text with the line's notice,"


def longest_choices(lang: Language, count: int) -> str:
    """The longest list of choices a first-time texter can get: the line's notice, "not understood, the nearest
    topics", and the count places with the longest titles."""
    header = f"{lang.phrases.get('sms_not_understood', '')} {lang.phrases.get('sms_nearest', '')}"
    places = longest_titled(lang, count)
    return gsm.fold(f"{lang.phrases.get('sms_welcome', '')}\n{sms_choices(lang, header, places)}")


def sms_texts(content: Content, lang: Language) -> dict[str, str]:
    """Every reply the text line can send in a language, by a name for reports."""
    out: dict[str, str] = {}
    welcome = lang.phrases.get("sms_welcome", "")
    for menu_id in content.menus:
        if ("menu", menu_id) in lang.targets and "sms_menu_header" in lang.phrases:
            listing = sms_menu(content, lang, menu_id)
            out[f"menu '{menu_id}'"] = listing
            if menu_id == "main":
                out["welcome with the main menu"] = gsm.fold(f"{welcome}\n{listing}")
    for (kind, target_id), target in lang.targets.items():
        if kind != "menu" and "sms_answer_footer" in lang.phrases:
            out[f"topic '{target_id}' text, with its closing line,"] = sms_answer(lang, target)
            out[f"topic '{target_id}' text, with the emergency warning in front,"] = gsm.fold(f"{lang.phrases.get('sms_emergency', '')}\n{sms_answer(lang, target)}")
            if "sms_welcome" in lang.phrases:
                out[f"topic '{target_id}' text, as a first answer with the line's notice,"] = first_answer(lang, target)[0]
            if "sms_also" in lang.phrases:
                out[f"topic '{target_id}' text, with another topic offered,"] = gsm.fold(f"{target.text}\n{longest_closing(lang)}")
    if "sms_choose" in lang.phrases:
        out[LONGEST_CHOICES] = longest_choices(lang, TEXT_CHOICES)
    for name in ("sms_help", "sms_welcome", "sms_goodbye", "sms_off_topic"):
        if name in lang.phrases:
            out[f"phrase '{name}'"] = gsm.fold(lang.phrases[name])
    # The offer phrases on their own too, with the longest titles: a character outside GSM-7 in one of them would
    # make every answer that offers a topic cost more than twice as much, whatever else fits.
    offerable = [t for t in longest_titled(lang, len(lang.targets)) if t.kind != "menu"]
    for name, count in (("sms_also", 1), ("sms_also_two", 2)):
        if name in lang.phrases and len(offerable) >= count:
            out[f"phrase '{name}', with the longest titles,"] = gsm.fold(closing(lang, offerable[:count]))
    if "sms_not_understood" in lang.phrases and "main" in content.menus and ("menu", "main") in lang.targets:
        main = sms_menu(content, lang, "main")
        out["not understood with the main menu"] = gsm.fold(f"{lang.phrases['sms_not_understood']}\n{main}")
        out["no text with the main menu"] = gsm.fold(f"{lang.phrases.get('sms_no_text', '')}\n{main}")
        out["emergency with the main menu"] = gsm.fold(f"{lang.phrases.get('sms_emergency', '')}\n{main}")
    return out
