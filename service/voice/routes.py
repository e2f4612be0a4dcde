"""The phone line's webhooks: each reads the caller's place from the URL and hands it to the call flow."""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import Blueprint, Request, Response, request, url_for
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from ..content import normalize
from ..gateway import TWIML_TYPE
from ..gateway.signatures import require_signature
from ..line import current_line
from ..logs import note, notes
from ..understanding.matcher import MAX_CHOICES, MAX_OFFERED
from ..understanding.words import asks_for
from .call import BROKEN, CHOICE_JOIN, CONTROL_WORDS, LANGUAGE_MENU, REFUSED, Call, Place, callback, press, record, speak, stay_silent

bp = Blueprint("voice", __name__, url_prefix="/voice")
bp.before_request(require_signature)
log = logging.getLogger("service.voice")
KEYPAD = "0123456789*#"
URGENT_PHRASES = ("crisis", "emergency")


@bp.after_request
def keep_step(response: Response) -> Response:
    """Record where this step left the caller (the admin page's calls, decisions and where calls end)."""
    current_line().record_step("voice", request.form.get("CallSid", ""), notes(request.environ))
    return response


def twiml(response: VoiceResponse) -> Response:
    """A TwiML document with the content type Twilio expects."""
    return Response(str(response), content_type=TWIML_TYPE)


def call_for_request(step: str) -> Call:
    """The Call for this request's language (from the URL; unknown codes fall back to the default), at a step."""
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    line = current_line()
    fields = notes(req.environ)
    fields["step"] = step
    form = req.form
    # slow=1: a caller who asked for it more slowly, at any step since.
    return Call(line, line.language(req.args.get("lang")), fields, form.get("From", ""), form.get("To", ""),
                req.args.get("slow") == "1")


def _silence() -> int:
    try:
        return max(0, min(int(request.args.get("s", "0")), 99))
    except ValueError:
        return 0


def _place(call: Call, kind: str, ident: str) -> Place | None:
    """The caller's place from the URL, or None when the URL names no menu or topic of this line."""
    urgent = request.args.get("urgent", "")
    urgent = urgent if urgent in URGENT_PHRASES else ""
    if kind == "menu" and (ident in call.content.menus or ident == LANGUAGE_MENU):
        return Place("menu", ident, silence=_silence(), urgent=urgent)
    if kind == "choose":
        ids = ident.split(CHOICE_JOIN)
        if 1 <= len(ids) <= MAX_CHOICES and all(call.key_of(i) in call.lang.targets for i in ids):
            return Place("choose", ident, silence=_silence(), urgent=urgent)
        return None
    if kind == "topic" and (call.content.kind_of(ident), ident) in call.lang.targets:
        came_from = request.args.get("came_from", "")
        if came_from not in call.content.menus:
            came_from = call.content.home_of(ident)
        also = request.args.get("also", "")
        slots = also.split(CHOICE_JOIN)
        offered = [i for i in slots if i]
        # As the line offers them: one or two other topics (or actions), or a "did you mean"'s other choices, each once,
        # never a menu or this answer itself (a slot left empty, "+b": the first was taken, the others keep their keys).
        fine = (bool(offered) and slots[-1] != "" and len(set(offered)) == len(offered) and len(slots) <= max(MAX_OFFERED, MAX_CHOICES)
                and ident not in offered
                and all(call.key_of(i) in call.lang.targets and call.key_of(i)[0] != "menu" for i in offered))
        also = also if also and fine else ""
        return Place("topic", ident, came_from, _silence(), also, urgent)
    return None


def _lost(call: Call) -> Response:
    return twiml(call.menu("main", [call.phrase("error")]))


@bp.post("")
def incoming() -> Response:
    """An incoming call: the greeting inside the first Gather, then the main menu (in ?lang= when given)."""
    call = call_for_request("incoming")
    return twiml(call.menu("main", greeting=True))


@bp.post("/menu/<ident>", endpoint="menu", defaults={"kind": "menu"})
@bp.post("/topic/<ident>", endpoint="topic", defaults={"kind": "topic"})
@bp.post("/choose/<ident>", endpoint="choose", defaults={"kind": "choose"})
def again(kind: str, ident: str) -> Response:
    """The Gather's Redirect after a silence: the same menu, answer footer or "did you mean" (s counts silences)."""
    call = call_for_request(f"{kind}:{ident}")
    place = _place(call, kind, ident)
    return twiml(stay_silent(call, place)) if place else _lost(call)


@bp.post("/answer/<kind>/<ident>")
def answer(kind: str, ident: str) -> Response:
    """The Gather's action: a key or speech at a menu or after an answer."""
    call = call_for_request(f"answer:{kind}:{ident}")
    place = _place(call, kind, ident)
    if place is None:
        return _lost(call)
    place = replace(place, silence=0)
    digits = request.form.get("Digits", "").strip()
    said = request.form.get("SpeechResult", "").strip()
    if digits:
        # One key of the keypad; anything else ("²", "12") is not an option, never an error.
        return twiml(press(call, place, digits if len(digits) == 1 and digits in KEYPAD else ""))
    if said:
        return twiml(speak(call, place, said))
    return twiml(call.here(place, [call.phrase("no_match")]))


@bp.post("/recorded")
def recorded() -> Response:
    """The Record's action: keep the message's details, thank the caller, back to the main menu."""
    call = call_for_request("recorded")
    return twiml(record(call, request.form))


@bp.post("/transfer")
def transfer() -> Response:
    """The answer to "to talk with a person, press 1": put through, or record a message."""
    call = call_for_request("transfer")
    said = request.form.get("SpeechResult", "")
    index = call.line.matcher.indexes[call.lang.code]
    # A person asked for in a few words ("I want to talk to a person", "quiero hablar con alguien"), or in the other
    # language's ("una persona" in an English call): put through, as key 1.
    safety = call.line.safety
    here = Place("menu", call.content.home_of("leave_message"))
    if said and (safety.is_crisis(said) or safety.is_emergency(said) or safety.is_distress(said)):
        # 988 or 911 before anyone is dialled ("no one can help me, I want to die"); words of not going on too, as
        # anywhere (never the start of a recording).
        return twiml(speak(call, here, said))
    if said and index.is_word(said, "slower"):
        call.slow = True  # the offer again, and the rest of the call, more slowly
        return twiml(call.leave_message())
    indexes = call.line.matcher.indexes.values()
    # A "one" said alone ("one", "number one"), never one inside a sentence ("one more thing about my mother").
    wants = (request.form.get("Digits", "") == "1"
             or any(ix.is_word(said, "yes") or ix.is_word(said, "person") or ix.number_in(normalize(said)) == 1 for ix in indexes)
             or bool(said) and asks_for(call.lang, said, call.lang.words.get("person", ()), shortest=1,
                                        also=call.lang.words.get("yes", ())))
    if wants and call.line.transfer_number(call.lang.code):
        call.notes["step_key"] = "transfer"
        return twiml(call.put_through())
    # The keys that work everywhere work here too; crisis and emergency words, a control word or a language asked for
    # by name are heard as anywhere. Anything else said is someone starting their message: on to the recording.
    keys = call.keys
    digits = request.form.get("Digits", "")
    if digits == keys["repeat"]:
        return twiml(call.leave_message())
    others = call.content.other_languages(call.lang.code)
    if digits == keys["language"] and len(others) == 1 and call.line.transfer_number(others[0].code):
        switched = call.to(others[0])  # the same offer, after the other language's notice and keys
        return twiml(switched.leave_message(switched.arrival()))
    if digits in (keys["back"], keys["main_menu"], keys["help"], keys["language"]):
        return twiml(press(call, here, digits))
    if said and (any(index.is_word(said, name) for name in CONTROL_WORDS) or any(ix.is_word(said, "goodbye") for ix in indexes)
                 or call.line.matcher.word_language(said, "language", call.lang.code) is not None):
        return twiml(speak(call, here, said))
    return twiml(call.record_message())


@bp.post("/record")
def record_now() -> Response:
    """No answer to the offer of a person: record a message."""
    return twiml(call_for_request("record").record_message())


@bp.post("/dialed")
def dialed() -> Response:
    """After the call to a person: back to the main menu, or, when nobody answered, a message instead."""
    call = call_for_request("dialed")
    status = request.form.get("DialCallStatus", "")
    call.notes["dial"] = status
    if status == "completed":
        return twiml(call.menu("main"))
    return twiml(call.record_message([call.phrase("transfer_failed")]))


@bp.post("/callback")
def callback_number() -> Response:
    """The caller's answer about the number to call them back on."""
    call = call_for_request("callback")
    # "1" and "no" are how earlier versions wrote these answers (a call in progress across a deploy): read as a "no",
    # so that nobody calls a number that may have been refused.
    answered = {"1": REFUSED, "no": REFUSED, REFUSED: REFUSED, BROKEN: BROKEN}.get(request.args.get("answered", ""), "")
    return twiml(callback(call, request.args.get("rec", "")[:64], request.form, _silence(), answered))


@bp.errorhandler(Exception)
def apologise(error: Exception) -> Response | HTTPException:
    """Any failure inside a voice handler: valid TwiML that apologises and returns to the main menu."""
    if isinstance(error, HTTPException):
        return error
    log.exception("voice handler failed", extra={"sid": request.form.get("CallSid", "")})
    note(error=type(error).__name__)
    try:
        line = current_line()
        lang = line.language(request.args.get("lang"))
        response = VoiceResponse()
        response.say(lang.phrases["error"], language=lang.voice.say_language, voice=lang.voice.say_voice or None)
        response.redirect(url_for("voice.menu", ident="main", lang=lang.code), method="POST")
    except Exception:  # the apology itself must not fail
        response = fallback_response()
    return twiml(response)


def fallback_response() -> VoiceResponse:
    """The static apology for Twilio's Fallback URL: no state, no content files needed."""
    response = VoiceResponse()
    response.say("Sorry, the POEMS syndrome information line is having a problem. "
                 "Please call again later, or text your question to this number. "
                 "If this is an emergency, hang up and call 911.", language="en-US", voice="Polly.Joanna-Neural")
    response.say("Lo sentimos, la línea tiene un problema. Llame más tarde o envíe su pregunta por mensaje de texto. "
                 "En una emergencia, cuelgue y llame al 911.", language="es-US", voice="Polly.Lupe-Neural")
    response.hangup()
    return response


fallback_bp = Blueprint("fallback", __name__)
FALLBACK_XML = str(fallback_response())


@fallback_bp.route("/voice/fallback", methods=["GET", "POST"])
def fallback() -> Response:
    """Twilio's Fallback URL: a fixed document, served even when signatures or content are broken."""
    return Response(FALLBACK_XML, content_type=TWIML_TYPE)
