"""The phone line: greeting, menus, answers, keys and speech, silence and errors, as TwiML."""

from __future__ import annotations

import logging
import re
from typing import Any, TypeAlias

from flask import Blueprint, Flask, Request, Response, request, url_for
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from .content import Content, Language, Prompt
from .line import Line, current_line
from .logs import note, notes
from .matcher import normalize
from .security import require_signature

bp = Blueprint("voice", __name__, url_prefix="/voice")
bp.before_request(require_signature)
log = logging.getLogger("service.voice")

LANGUAGE_MENU = "_languages"
TWIML_TYPE = "text/xml; charset=utf-8"

Reply: TypeAlias = VoiceResponse | str


def twiml(response: Reply) -> Response:
    """A TwiML document with the content type Twilio expects."""
    return Response(str(response), content_type=TWIML_TYPE)


class Call:
    """One step of a call: where the caller is, in which language, and how to answer them."""

    def __init__(self, line: Line, lang: Language, req: Request) -> None:
        self.line = line
        self.content = line.content
        self.lang = lang
        self.keys = line.content.keys
        # The request itself, taken once: each use of Flask's request proxy costs a context look-up.
        self.request = req
        self.notes = notes(req.environ)

    def to(self, lang: Language) -> Call:
        """The same call, in another language."""
        return Call(self.line, lang, self.request)

    def prompt(self, name: str) -> Prompt:
        """A spoken prompt of this language by id (menu.main, topic.skin...)."""
        return self.lang.prompts[name]

    def phrase(self, name: str) -> Prompt:
        """A fixed spoken phrase of this language."""
        return self.lang.prompts[f"phrase.{name}"]

    def gathered(self, prompts: list[Prompt], kind: str, ident: str, silence: int, came_from: str = "") -> str:
        """The line's usual reply at a menu or after an answer: prompts inside a Gather whose keys and speech go to
        the answer route, then a Redirect back to this place for when the caller stays silent (s counts silences).

        Built once per place, language and audio files present; the same request then costs a dictionary look-up.
        """
        audio = tuple(self.line.audio.file_for(p) for p in prompts)
        req = self.request
        key = (req.scheme, req.host, self.lang.code, kind, ident, came_from, silence, tuple(prompts), audio)
        cached = self.line.replies.get(key)
        if cached is not None:
            return cached
        code = self.lang.code
        place: dict[str, Any] = {"came_from": came_from} if kind == "topic" else {}
        response = VoiceResponse()
        timeout = self.content.timeouts["first_seconds" if silence == 0 else "later_seconds"]
        gather = response.gather(
            action=url_for("voice.answer", kind=kind, ident=ident, lang=code, **place), method="POST", input="dtmf speech",
            num_digits=1, timeout=timeout, speech_timeout="auto", language=self.lang.voice.speech_language,
            hints=self.line.hints[code], action_on_empty_result=False, finish_on_key="",
        )
        for prompt, name in zip(prompts, audio):
            self.line.play_or_say(gather, prompt, name)
        response.redirect(url_for(f"voice.{kind}", ident=ident, lang=code, **place, s=silence + 1), method="POST")
        return self.line.remember(key, str(response))

    def goodbye(self) -> VoiceResponse:
        """The last words after too long a silence, then hang up."""
        response = VoiceResponse()
        self.line.speak(response, self.phrase("goodbye"))
        response.hangup()
        return response

    def silence_prompts(self, silence: int) -> list[Prompt]:
        """What to say after the nth silence: nothing, then more and more help."""
        if silence <= 0:
            return []
        return [self.phrase("silence_1" if silence == 1 else "silence_2")]

    def menu(self, menu_id: str, before: list[Prompt] | None = None, silence: int = 0, greeting: bool = False) -> Reply:
        """A menu inside a Gather; after the Gather, silence leads back here, counted, to a goodbye."""
        if silence >= self.content.timeouts["silences_before_goodbye"]:
            return self.goodbye()
        prompts = [*(before or []), *self.silence_prompts(silence)]
        offers = [other.prompts["phrase.language_offer"] for other in self.content.other_languages(self.lang.code)] if menu_id == "main" else []
        if greeting:
            prompts += [self.phrase("greeting"), *offers, self.prompt(f"menu.{menu_id}")]
        else:
            prompts += [self.prompt(f"menu.{menu_id}"), *offers]
        return self.gathered(prompts, "menu", menu_id, silence)

    def topic(self, topic_id: str, came_from: str, before: list[Prompt] | None = None, silence: int = 0, replay: bool = True) -> Reply:
        """An answer followed by its footer (repeat, text me, back, main menu), inside a Gather."""
        if self.content.kind_of(topic_id) == "action":
            return self.leave_message(before)
        if silence >= self.content.timeouts["silences_before_goodbye"]:
            return self.goodbye()
        prompts = [*(before or []), *self.silence_prompts(silence)]
        if replay and silence == 0:
            prompts.append(self.prompt(f"topic.{topic_id}"))
        prompts.append(self.phrase("answer_footer"))
        return self.gathered(prompts, "topic", topic_id, silence, came_from)

    def leave_message(self, before: list[Prompt] | None = None) -> VoiceResponse:
        """The notice, a beep and a recording; finishing with a key or by hanging up."""
        response = VoiceResponse()
        for prompt in before or []:
            self.line.speak(response, prompt)
        self.line.speak(response, self.prompt("topic.leave_message"))
        response.record(action=url_for("voice.recorded", lang=self.lang.code), method="POST",
                        max_length=self.content.recording_seconds, play_beep=True, finish_on_key="#",
                        timeout=10, trim="trim-silence")
        # Reached only when nothing was recorded.
        self.line.speak(response, self.phrase("record_none"))
        response.redirect(url_for("voice.menu", ident=self.home_of("leave_message"), lang=self.lang.code), method="POST")
        return response

    def language_menu(self, silence: int = 0) -> Reply:
        """Each language offered in its own voice, on keys 1, 2, 3..."""
        if silence >= self.content.timeouts["silences_before_goodbye"]:
            return self.goodbye()
        prompts = [lang.prompts["phrase.language_choice"] for lang in self.content.languages.values()]
        return self.gathered(prompts, "menu", LANGUAGE_MENU, silence)

    def home_of(self, topic_id: str) -> str:
        """The first menu that offers a topic: where back leads when the caller came by speech."""
        for menu in self.content.menus.values():
            if menu.offers(topic_id):
                return menu.id
        return "main"

    def switch_language(self) -> Reply:
        """Key 6 (or a language's name): the other language, or a choice when there are several."""
        others = self.content.other_languages(self.lang.code)
        if len(others) == 1:
            return self.to(others[0]).menu("main")
        return self.language_menu()

    def here(self, kind: str, ident: str, came_from: str, before: list[Prompt] | None = None) -> Reply:
        """Say something, then put the caller back where they were (the footer only, after an answer)."""
        if kind == "topic":
            return self.topic(ident, came_from, before, replay=False)
        if ident == LANGUAGE_MENU:
            return self.language_menu()
        return self.menu(ident, before)

    def key(self, key: str, kind: str, ident: str, came_from: str) -> Reply:
        """What a key press does, the same in every menu."""
        self.notes["step_key"] = key
        keys = self.keys
        if ident == LANGUAGE_MENU and kind == "menu":
            codes = list(self.content.languages)
            if key.isdigit() and 1 <= int(key) <= len(codes):
                return self.to(self.content.languages[codes[int(key) - 1]]).menu("main")
            if key == keys["main_menu"] or key == keys["back"]:
                return self.menu("main")
            return self.language_menu() if key == keys["repeat"] else self._not_option(kind, ident, came_from)
        if key == keys["repeat"]:
            return self.topic(ident, came_from) if kind == "topic" else self.menu(ident)
        if key == keys["main_menu"]:
            return self.menu("main")
        if key == keys["back"]:
            if kind == "topic":
                return self.menu(came_from)
            return self.menu(self.content.menus[ident].parent or "main")
        if key == keys["help"]:
            return self.here(kind, ident, came_from, [self.phrase("help")])
        if key == keys["language"] and len(self.content.languages) > 1:
            return self.switch_language()
        if key == keys["text_me"] and kind == "topic":
            return self.text_me(ident, came_from)
        if kind == "menu":
            option = self.content.menus[ident].option(key)
            if option is not None:
                return self.go(option.kind, option.target, ident)
        return self._not_option(kind, ident, came_from)

    def _not_option(self, kind: str, ident: str, came_from: str) -> Reply:
        self.notes["step_key"] = "invalid"
        return self.here(kind, ident, came_from, [self.phrase("not_option")])

    def go(self, kind: str, target: str, came_from: str, before: list[Prompt] | None = None) -> Reply:
        """Open a menu, play an answer, or start an action."""
        if kind == "menu":
            return self.menu(target, before)
        self.notes["topic"] = target
        record_usage(self.line, "voice", self.lang.code, target)
        return self.topic(target, came_from, before)

    def speech(self, said: str, kind: str, ident: str, came_from: str) -> Reply:
        """What the caller said: a control word, a spoken key, or a topic by its phrases."""
        index = self.line.matcher.indexes[self.lang.code]
        before: list[Prompt] = []
        if index.is_emergency(said):
            before.append(self.phrase("emergency"))
        spoken_key = self._spoken_key(said)
        if spoken_key is not None and not before:
            return self.key(spoken_key, kind, ident, came_from)
        for name, key in (("repeat", "repeat"), ("back", "back"), ("menu", "main_menu"), ("help", "help")):
            if index.is_word(said, name) and not before:
                return self.key(self.keys[key], kind, ident, came_from)
        other = self.line.matcher.word_language(said, "language", self.lang.code)
        if other is not None and other != self.lang.code:
            return self.to(self.content.languages[other]).menu("main")
        match = index.match(said)
        if match is None:
            record_unmatched(self.line, "voice", self.lang.code, said)
            return self.here(kind, ident, came_from, [*before, self.phrase("no_match")] if not before else before)
        target = match.target
        if target.kind == "menu":
            return self.menu(target.id, before)
        here_menu = self.content.menus.get(ident) if kind == "menu" else None
        source = ident if here_menu is not None and here_menu.offers(target.id) else self.home_of(target.id)
        return self.go(target.kind, target.id, source, before)

    def _spoken_key(self, said: str) -> str | None:
        words = normalize(said)
        if len(words) == 1 and (words.isdigit() or words in "*#"):
            return words
        numbers = self.lang.words.get("numbers", ())
        if words in numbers:
            return str(numbers.index(words))
        if words in ("star", "asterisk", self.lang.key_name("*").lower()):
            return "*"
        return None

    def text_me(self, topic_id: str, came_from: str) -> Reply:
        """Send this answer by SMS to the caller; the call goes on either way."""
        from .messaging import send_answer

        form = self.request.form
        sent = send_answer(self.line, self.lang, topic_id, form.get("From", ""), form.get("To", ""))
        self.notes["step_key"] = "text_me_sent" if sent else "text_me_failed"
        return self.topic(topic_id, came_from, [self.phrase("text_sent" if sent else "text_failed")], replay=False)


def record_usage(line: Line, channel: str, lang: str, topic: str) -> None:
    """Count a topic reached, when a store is configured."""
    if line.store is not None:
        line.store.record_usage(channel, lang, topic)


def record_unmatched(line: Line, channel: str, lang: str, words: str) -> None:
    """Keep words that matched nothing (never who sent them), so admins can add phrases."""
    note(unmatched=True)
    if line.store is not None:
        line.store.record_unmatched(channel, lang, words)


def call_for_request(step: str) -> Call:
    """The Call for this request's language (from the URL; unknown codes fall back to the default), at a step."""
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    line = current_line()
    call = Call(line, line.language(req.args.get("lang")), req)
    call.notes["step"] = step
    return call


def _silence(call: Call) -> int:
    try:
        return max(0, min(int(call.request.args.get("s", "0")), 99))
    except ValueError:
        return 0


def _came_from(call: Call, topic_id: str) -> str:
    came_from = call.request.args.get("came_from", "")
    return came_from if came_from in call.content.menus else call.home_of(topic_id)


@bp.post("")
def incoming() -> Response:
    """An incoming call: the greeting inside the first Gather, then the main menu (in ?lang= when given)."""
    call = call_for_request("incoming")
    return twiml(call.menu("main", greeting=True))


@bp.post("/menu/<ident>")
def menu(ident: str) -> Response:
    """A menu again, after silence (s counts the silences)."""
    call = call_for_request(f"menu:{ident}")
    if ident == LANGUAGE_MENU:
        return twiml(call.language_menu(_silence(call)))
    if ident not in call.content.menus:
        return twiml(call.menu("main", [call.phrase("error")]))
    return twiml(call.menu(ident, silence=_silence(call)))


@bp.post("/topic/<ident>")
def topic(ident: str) -> Response:
    """An answer's footer again, after silence."""
    call = call_for_request(f"topic:{ident}")
    if (call.content.kind_of(ident), ident) not in call.lang.targets:
        return twiml(call.menu("main", [call.phrase("error")]))
    return twiml(call.topic(ident, _came_from(call, ident), silence=_silence(call), replay=False))


@bp.post("/answer/<kind>/<ident>")
def answer(kind: str, ident: str) -> Response:
    """The Gather's action: a key or speech at a menu or after an answer."""
    call = call_for_request(f"answer:{kind}:{ident}")
    valid = (kind == "menu" and (ident in call.content.menus or ident == LANGUAGE_MENU)) or (
        kind == "topic" and (call.content.kind_of(ident), ident) in call.lang.targets)
    if not valid:
        return twiml(call.menu("main", [call.phrase("error")]))
    came_from = _came_from(call, ident) if kind == "topic" else ident
    form = call.request.form
    digits = form.get("Digits", "").strip()
    said = form.get("SpeechResult", "").strip()
    if digits:
        key = digits if len(digits) == 1 else ""
        return twiml(call.key(key, kind, ident, came_from))
    if said:
        return twiml(call.speech(said, kind, ident, came_from))
    return twiml(call.here(kind, ident, came_from, [call.phrase("no_match")]))


_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]+")


def add_place_routes(app: Flask, content: Content) -> None:
    """Rules without converters for each menu and topic of this content, beside the general ones above: the router
    finds a plain path by dictionary look-ups, where each <converter> costs it a regex match per request. The URLs
    are the same either way; an unknown menu or topic still reaches the general rule (and an apology)."""
    places = [("menu", ident, menu) for ident in [*content.menus, LANGUAGE_MENU]]
    places += [("topic", ident, topic) for ident in content.topic_ids()]
    for kind, ident, view in places:
        if _PLAIN_ID.fullmatch(ident):
            app.add_url_rule(f"/voice/{kind}/{ident}", f"voice.{kind}", view, methods=["POST"], defaults={"ident": ident})
            app.add_url_rule(f"/voice/answer/{kind}/{ident}", "voice.answer", answer, methods=["POST"],
                             defaults={"kind": kind, "ident": ident})


@bp.post("/recorded")
def recorded() -> Response:
    """The Record's action: keep the message's details, thank the caller, back to the main menu."""
    call = call_for_request("recorded")
    url = call.request.form.get("RecordingUrl", "")
    if not url:
        return twiml(call.menu("main", [call.phrase("record_none")]))
    from .messaging import store_recording

    store_recording(call.line, request.form)
    return twiml(call.menu("main", [call.phrase("record_thanks")]))


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
        response.say(lang.phrases["error"], language=lang.voice.say_language)
        response.redirect(url_for("voice.menu", ident="main", lang=lang.code), method="POST")
    except Exception:  # the apology itself must not fail
        response = fallback_response()
    return twiml(response)


def fallback_response() -> VoiceResponse:
    """The static apology for Twilio's Fallback URL: no state, no content files needed."""
    response = VoiceResponse()
    response.say("Sorry, the POEMS syndrome information line is having a problem. "
                 "Please call again later, or text your question to this number. "
                 "If this is an emergency, hang up and call 911.", language="en-US")
    response.say("Lo sentimos, la línea tiene un problema. Llame más tarde o envíe su pregunta por mensaje de texto. "
                 "En una emergencia, cuelgue y llame al 911.", language="es-US")
    response.hangup()
    return response


fallback_bp = Blueprint("fallback", __name__)
FALLBACK_XML = str(fallback_response())


@fallback_bp.route("/voice/fallback", methods=["GET", "POST"])
def fallback() -> Response:
    """Twilio's Fallback URL: a fixed document, served even when signatures or content are broken."""
    return Response(FALLBACK_XML, content_type=TWIML_TYPE)

