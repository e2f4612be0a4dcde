"""A text conversation: where this texter is (a signed cookie Twilio keeps) and what to send back."""

from __future__ import annotations

from flask import session

from ..content import normalize, sms_answer, sms_menu
from ..line import Line
from ..logs import note


class Conversation:
    """One incoming text and the memory of where this texter is (a signed cookie Twilio keeps)."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.content = line.content
        code = session.get("lang")
        self.first = code not in self.content.languages
        self.lang = line.language(code)
        menu = session.get("menu")
        self.menu = menu if menu in self.content.menus else "main"

    def set_language(self, code: str) -> None:
        """Answer in this language from now on."""
        self.lang = self.content.languages[code]

    def save(self) -> None:
        """Remember language and menu in the signed session cookie."""
        session["lang"] = self.lang.code
        session["menu"] = self.menu
        session.permanent = True

    def phrase(self, name: str) -> str:
        """A fixed phrase in the texter's language."""
        return self.lang.phrases[name]

    def listing(self, menu_id: str) -> str:
        """A menu's numbered list; numbers now pick from it."""
        self.menu = menu_id
        return sms_menu(self.content, self.lang, menu_id)

    def welcome(self) -> str:
        """The welcome and the main menu."""
        self.menu = "main"
        return f"{self.phrase('sms_welcome')}\n{self.listing('main')}"

    def answer_for(self, target_id: str) -> str:
        """A topic's text answer, counted in the usage records."""
        note(topic=target_id)
        self.line.record_usage("sms", self.lang.code, target_id)
        return sms_answer(self.lang, self.lang.topic(target_id))

    def respond(self, body: str, emergency: bool = False) -> list[str]:
        """The texts to send back, first one first (after an emergency warning, no "not understood")."""
        words = normalize(body)
        matcher = self.line.matcher
        if not words:
            return [f"{self.phrase('sms_no_text')}\n{self.listing(self.menu)}"]
        for name in ("language", "help", "menu"):
            code = matcher.word_language(body, name, self.lang.code)
            if code is not None:
                self.set_language(code)
                return [self.phrase("sms_help")] if name == "help" else [self.welcome()]
        if words.isdigit():
            return [self.pick(words)]
        code, match = matcher.detect(body, self.lang.code)
        if match is None:
            if emergency:
                return [self.listing("main")]
            self.line.record_unmatched("sms", self.lang.code, body[:200])
            return [f"{self.phrase('sms_not_understood')}\n{self.listing('main')}"]
        self.set_language(code)
        target = match.target
        if target.kind == "menu":
            return [self.listing(target.id)]
        text = self.answer_for(target.id)
        if self.first:
            return [self.phrase("sms_welcome"), text]
        return [text]

    def pick(self, number: str) -> str:
        """A number picks an option of the menu the texter last saw (the main menu when that is forgotten)."""
        option = self.content.menus[self.menu].option(number.lstrip("0") or "0")
        if option is None:
            return f"{self.phrase('sms_not_understood')}\n{self.listing(self.menu)}"
        if option.kind == "menu":
            return self.listing(option.target)
        return self.answer_for(option.target)

