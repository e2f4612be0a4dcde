"""The text line's webhook: one incoming text, answered in short GSM-7 texts."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request, session
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import HTTPException

from ..content import gsm, normalize
from ..content.model import CARRIER_WORDS, OPT_OUT_WORDS
from ..gateway import TWIML_TYPE
from ..gateway.signatures import require_signature
from ..line import current_line
from ..logs import note, notes
from .conversation import Conversation

bp = Blueprint("text", __name__, url_prefix="/sms")
bp.before_request(require_signature)
log = logging.getLogger("service.text")

MAX_BODY = 1600


def reply(*messages: str) -> Response:
    """TwiML with one Message per text, each folded to GSM-7 and held to three segments."""
    response = MessagingResponse()
    for text in messages:
        if text:
            response.message(gsm.clip(gsm.fold(text)))
    return Response(str(response), content_type=TWIML_TYPE)


@bp.post("")
def incoming() -> Response:
    """An incoming text message."""
    note(step="sms")
    body = request.form.get("Body", "")[:MAX_BODY]
    words = normalize(body)
    opt_out_type = request.form.get("OptOutType", "").strip().upper()
    # Twilio answers the carrier's words itself on long codes (Advanced Opt-Out): opting out, back in, and asking for
    # help. A reply of ours would be a second, unwanted text. The line's own help answers AYUDA, MENU and the like.
    line = current_line()
    conversation = Conversation(line)
    if words in CARRIER_WORDS or opt_out_type:
        opting_in = words == "yes" and opt_out_type in ("", "START")
        if not (opting_in and conversation.waits_for_yes()):
            # Twilio has answered (or, with Advanced Opt-Out, told us in OptOutType that it has): no second text.
            if words in OPT_OUT_WORDS or opt_out_type == "STOP":
                session.clear()
            note(step=f"twilio_keyword:{(opt_out_type or words).lower()}")
            return reply()
        # "Yes" right after the crisis line's words or "call 911", or to choices waiting: the carrier's "you are
        # subscribed" alone was all an exploratory texter in crisis got. The line answers too (a second text).
        note(step="twilio_keyword:yes_answered")
    messages = conversation.respond(body)
    conversation.save()
    fields = notes(request.environ)
    fields["lang"] = conversation.lang.code
    fields["place"] = f"topic:{fields['topic']}" if fields.get("topic") else "reply"
    line.record_step("sms", request.form.get("MessageSid", ""), fields, conversation.thread)
    return reply(*messages)


@bp.errorhandler(Exception)
def apologise(error: Exception) -> Response | HTTPException:
    """Any failure while answering a text: a short apology and the menu word, never a 500."""
    if isinstance(error, HTTPException):
        return error
    log.exception("sms handler failed", extra={"sid": request.form.get("MessageSid", "")})
    note(error=type(error).__name__)
    return reply("Sorry, something went wrong. Please try again, or reply MENU. In an emergency, call 911.")
