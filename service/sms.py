"""The text line: keywords, numbers and plain questions answered in one or two short GSM-7 texts."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request, session
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import HTTPException

from . import gsm
from .content import sms_answer, sms_menu
from .line import Line, current_line
from .logs import note
from .matcher import normalize
from .security import require_signature
from .voice import TWIML_TYPE, record_unmatched, record_usage

bp = Blueprint("sms", __name__, url_prefix="/sms")
bp.before_request(require_signature)
log = logging.getLogger("service.sms")

# Twilio answers these itself on long codes; a reply of ours would be a second, unwanted text.
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "end", "quit", "cancel", "optout", "revoke"})
MAX_BODY = 1600


def reply(*messages: str) -> Response:
    """TwiML with one Message per text, each folded to GSM-7 and held to three segments."""
    response = MessagingResponse()
    for text in messages:
        if text:
            response.message(gsm.clip(gsm.fold(text)))
    return Response(str(response), content_type=TWIML_TYPE)


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
        record_usage(self.line, "sms", self.lang.code, target_id)
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
            record_unmatched(self.line, "sms", self.lang.code, body[:200])
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


@bp.post("")
def incoming() -> Response:
    """An incoming text message."""
    note(step="sms")
    body = request.form.get("Body", "")[:MAX_BODY]
    if normalize(body) in OPT_OUT_WORDS:
        session.clear()
        note(step="opt_out")
        return reply()
    conversation = Conversation(current_line())
    emergency = conversation.line.matcher.is_emergency(body)
    messages = conversation.respond(body, emergency)
    if emergency:
        note(step="emergency")
        messages[0] = f"{conversation.phrase('sms_emergency')}\n{messages[0]}"
    conversation.save()
    return reply(*messages)


@bp.errorhandler(Exception)
def apologise(error: Exception) -> Response | HTTPException:
    """Any failure while answering a text: a short apology and the menu word, never a 500."""
    if isinstance(error, HTTPException):
        return error
    log.exception("sms handler failed", extra={"sid": request.form.get("MessageSid", "")})
    note(error=type(error).__name__)
    return reply("Sorry, something went wrong. Please try again, or reply MENU. In an emergency, call 911.")
