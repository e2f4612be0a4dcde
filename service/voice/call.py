"""The call flow: where the caller is, and one small function for each thing a caller can do."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from flask import request, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from ..content import Language, Prompt, Target, normalize
from ..content.model import ref_of
from ..content.replies import ALSO_KEY, fill
from ..line import Line
from ..records import NO_CALLBACK
from ..settings import dialable
from ..understanding.matcher import Decision, LanguageIndex
from ..understanding.speech import repair
from ..understanding.words import asks_for, names_place
from .messages import send_answer, store_recording

LANGUAGE_MENU = "_languages"
CHOICE_JOIN = "+"
# What a caller said the last time the callback question was asked: "no" to their own number, or a number not whole.
REFUSED, BROKEN = "refused", "broken"
ASCII_DIGITS = "0123456789"
TRANSFER_SECONDS = 25  # rings before the caller is offered to leave a message instead
SLOW_RATE = "80%"  # "more slowly": Amazon Polly's speaking rate in SSML (its neural voices take 20% to 200%)


@dataclass(frozen=True)
class Place:
    """Where a caller is: a menu, or after a topic's answer (with the menu it was reached from); and how many
    silences in a row they have let pass there."""

    kind: str  # "menu", "topic", or "choose" (a "did you mean" whose ident is the choices' ids joined by +)
    ident: str
    came_from: str = ""
    silence: int = 0
    # After an answer that was likely, not certain: the next one or two, keys 1 and 2 (ids joined by +; one taken
    # leaves its slot empty, "+b", so the other keeps the key it was first offered on); after a choice of a "did you
    # mean", its other choices on their keys ("+b+c").
    also: str = ""
    urgent: str = ""  # just after the crisis or emergency message: its phrase, which the repeat key plays again


class Call:
    """One step of a call: the line, the caller's language and what was noted for the log; builds the TwiML."""

    def __init__(self, line: Line, lang: Language, notes: dict[str, object], caller: str = "", called: str = "",
                 slow: bool = False) -> None:
        self.line = line
        self.content = line.content
        self.lang = lang
        self.keys = line.content.keys
        self.notes = notes
        self.caller = caller
        self.called = called
        # False while a reply is built to be put after something else (urgently): its verbs are needed, not its text.
        self.reuse = True
        self.urgent = ""  # the crisis or emergency phrase this step plays first, for the repeat key to play again
        self.slow = slow  # spoken more slowly, by the language's Say voice (a caller asked: the audio files have one speed)

    def kept(self) -> dict[str, Any]:
        """What the next step's address carries of this call besides its place: "more slowly", once asked for."""
        return {"slow": "1"} if self.slow else {}

    def to(self, lang: Language) -> Call:
        """The same call, in another language (as slowly)."""
        return Call(self.line, lang, self.notes, self.caller, self.called, self.slow)

    def at(self, place: str) -> None:
        """Note where this step leaves the caller, and in which language (kept as the call's step record)."""
        self.notes["place"] = place
        self.notes["lang"] = self.lang.code

    def phrase(self, name: str) -> Prompt:
        """A fixed spoken phrase of this language."""
        return self.lang.prompts[f"phrase.{name}"]

    def speak(self, verb: VoiceResponse | Gather, prompt: Prompt) -> None:
        """Play one prompt, or say it in its own language's voice (offers of another language are in that one)."""
        voice = self.content.languages[prompt.lang].voice
        if self.slow:
            verb.say(language=voice.say_language, voice=voice.say_voice or None).prosody(prompt.text, rate=SLOW_RATE)
            return
        self.line.audio.speak(verb, prompt, voice.say_language, voice.say_voice)

    def listen(self, place: Place, prompts: list[Prompt]) -> VoiceResponse:
        """Prompts inside a Gather (keys and speech interrupt them) whose answer comes back to this place; after it,
        a Redirect back here for when the caller stays silent."""
        self.at("choose" if place.kind == "choose" else f"{place.kind}:{place.ident}")
        if self.urgent:
            place = replace(place, urgent=self.urgent)
        if not self.reuse or self.slow:
            # Its verbs are needed (put after a message), or it is spoken more slowly: built for this step alone, never
            # kept as the place's document.
            return self.build_gather(place, prompts)
        # The same place, prompts and audio files give the same document: built once, then reused (building it is
        # a third of a menu step's cost; bench/README.md).
        # The documents' audio addresses start with the public address (or, in development mode, the request's).
        key = (self.line.audio.public_base_url or request.url_root, self.lang.code, place, tuple((p.lang, p.id, p.text_sha) for p in prompts),
               tuple(self.line.audio.file_for(p) for p in prompts))
        built = self.line.replies.get(key)
        if built is None:
            built = self.line.remember(key, str(self.build_gather(place, prompts)))
        return Built(built)

    def build_gather(self, place: Place, prompts: list[Prompt]) -> VoiceResponse:
        """The Gather document of listen(), built."""
        code = self.lang.code
        args = {"came_from": place.came_from} if place.kind == "topic" else {}
        if place.also:
            args["also"] = place.also
        if place.urgent:
            args["urgent"] = place.urgent
        args.update(self.kept())  # "more slowly", once asked for: for the rest of the call
        response = VoiceResponse()
        timeout = self.content.timeouts["first_seconds" if place.silence == 0 else "later_seconds"]
        gather = response.gather(
            action=url_for("voice.answer", kind=place.kind, ident=place.ident, lang=code, **args), method="POST",
            input="dtmf speech", num_digits=1, timeout=timeout, speech_timeout="auto",
            language=self.lang.voice.speech_language, hints=self.line.hints[code], action_on_empty_result=False,
            finish_on_key="")
        for prompt in prompts:
            self.speak(gather, prompt)
        response.redirect(url_for(f"voice.{place.kind}", ident=place.ident, lang=code, **args, s=place.silence + 1),
                          method="POST")
        return response

    def caller_reachable(self) -> bool:
        """Whether the number the call comes from can be called back (not withheld, not "Anonymous", none of
        Twilio's stand-ins for a hidden number)."""
        return dialable(self.caller) and phone_number("".join(c for c in self.caller if c in ASCII_DIGITS)) is not None

    def can_text(self) -> bool:
        """Whether this call can be sent an answer by text: only then is it offered (with an account to send from,
        records to count texts in, and a caller's number in a country texts may go to)."""
        line = self.line
        if line.messenger is None or not line.messenger.configured or line.store is None or not (self.caller and self.called):
            return False
        return line.may_text(self.caller, self.called)

    def hold(self, place: Place, before: list[Prompt] | None = None) -> VoiceResponse:
        """A caller asked the line to wait ("hold on", "un momento"): a word that it will, then the longer wait, not
        counted as a silence; after it, the same place again (a menu's options, an answer's footer)."""
        return self.listen(replace(place, silence=-1), [*(before or []), self.phrase("wait")])

    def goodbye(self, phrase: str = "goodbye", step: str = "goodbye") -> VoiceResponse:
        """The last words (after too long a silence; or in kind, to a caller's own goodbye), then hang up."""
        self.at(step)
        response = VoiceResponse()
        self.speak(response, self.phrase(phrase))
        response.hangup()
        return response

    def too_quiet(self, place: Place) -> bool:
        """True once the caller has been silent as often as the line waits."""
        return place.silence >= self.content.timeouts["silences_before_goodbye"]

    def nudges(self, place: Place) -> list[Prompt]:
        """What to say after the nth silence: nothing, then more and more help."""
        if place.silence <= 0:
            return []
        return [self.phrase("silence_1" if place.silence == 1 else "silence_2")]

    def arrive(self) -> VoiceResponse:
        """The main menu of a language the caller has just switched to, after its notice and keys."""
        return self.menu("main", self.arrival())

    def arrival(self) -> list[Prompt]:
        """What a caller hears first in a language they have just switched to: its notice (not medical advice; in an
        emergency, hang up and call 911) and the keys that work everywhere, with the reminder that speech works too."""
        return [self.phrase("notice"), self.phrase("main_menu_footer")]

    def menu(self, menu_id: str, before: list[Prompt] | None = None, silence: int = 0, greeting: bool = False) -> VoiceResponse:
        """A menu inside a Gather; after the Gather, silence leads back here, counted, to a goodbye."""
        place = Place("menu", menu_id, silence=silence)
        if self.too_quiet(place):
            return self.goodbye()
        prompts = [*(before or []), *self.nudges(place)]
        offers = [other.prompts["phrase.language_offer"] for other in self.content.other_languages(self.lang.code)] if menu_id == "main" else []
        footer = self.phrase("main_menu_footer" if menu_id == "main" else "menu_footer")
        if greeting:
            # The line's name, at once the other languages' offers (each in its own language), the short notices,
            # the options; the keys that work everywhere are read in full once a call, here.
            prompts += [self.phrase("greeting"), *offers, self.phrase("notice"), self.lang.prompts[f"menu.{menu_id}"], footer]
        else:
            intro = self.lang.prompts.get(f"intro.{menu_id}")
            prompts += [*([intro] if intro else []), self.lang.prompts[f"menu.{menu_id}"], *offers]
            # The keys again after a silence, on help, and after a wrong key: a caller whose fingers missed, or who is
            # lost, hears how to go back, reach the main menu or get help, not the bare options again and again.
            if silence or (before and (self.phrase("help") in before or self.phrase("not_option") in before)):
                prompts.append(footer)
        return self.listen(place, prompts)

    def topic(self, topic_id: str, came_from: str, before: list[Prompt] | None = None, silence: int = 0,
              replay: bool = True, also: str = "", offer_text: bool = True) -> VoiceResponse:
        """An answer followed by its footer (repeat, text me, back, main menu), inside a Gather; with also, other
        places offered on their keys right after it (the next one or two of a likely match on 1 and 2, or a "did you
        mean"'s other choices on theirs)."""
        if self.content.kind_of(topic_id) == "action":
            return self.leave_message(before)
        place = Place("topic", topic_id, came_from, silence, also)
        if self.too_quiet(place):
            return self.goodbye()
        prompts = [*(before or []), *self.nudges(place)]
        if replay and silence == 0:
            prompts.append(self.lang.prompts[f"topic.{topic_id}"])
        for heard, (number, other) in enumerate(self.offered_keys(place)):
            # Said again after a wrong key or a silence too: their keys still take them, and a caller must hear why.
            # The second as a "did you mean"'s further choice ("Support groups? Press 2."): a second shorter to hear.
            template = self.lang.phrases["also" if heard == 0 else "choice"]
            prompts.append(Prompt(self.lang.code, f"also.{ref_of(other)}.{number}", fill(template, {
                "title": other.title, "key": self.lang.key_name(str(number))}), self.lang.file))
        if offer_text and self.can_text():
            prompts.append(self.phrase("text_offer"))
        prompts.append(self.phrase("answer_footer"))
        return self.listen(place, prompts)

    def leave_message(self, before: list[Prompt] | None = None) -> VoiceResponse:
        """With a person to talk to: the offer first (press 1), else straight to recording a message."""
        if not self.line.transfer_number(self.lang.code):
            return self.record_message(before)
        self.at("transfer_offer")
        response = VoiceResponse()
        gather = response.gather(action=url_for("voice.transfer", lang=self.lang.code, **self.kept()), method="POST", input="dtmf speech",
                                 num_digits=1, timeout=self.content.timeouts["first_seconds"], speech_timeout="auto",
                                 language=self.lang.voice.speech_language, action_on_empty_result=False)
        for prompt in [*(before or []), self.phrase("transfer_offer")]:
            self.speak(gather, prompt)
        response.redirect(url_for("voice.record_now", lang=self.lang.code, **self.kept()), method="POST")
        return response

    def put_through(self) -> VoiceResponse:
        """Dial the line's person; whatever happens, the caller comes back to the line (dialed)."""
        self.at("person")
        response = VoiceResponse()
        response.dial(self.line.transfer_number(self.lang.code), action=url_for("voice.dialed", lang=self.lang.code, **self.kept()),
                      method="POST", timeout=TRANSFER_SECONDS)
        return response

    def record_message(self, before: list[Prompt] | None = None) -> VoiceResponse:
        """The notice, a beep and a recording; finishing with a key or by hanging up."""
        self.at("message")
        response = VoiceResponse()
        for prompt in before or []:
            self.speak(response, prompt)
        self.speak(response, self.lang.prompts["topic.leave_message"])
        response.record(action=url_for("voice.recorded", lang=self.lang.code, **self.kept()), method="POST",
                        max_length=self.content.recording_seconds, play_beep=True, finish_on_key="#",
                        timeout=10, trim="trim-silence")
        # Reached only when nothing was recorded.
        self.speak(response, self.phrase("record_none"))
        response.redirect(url_for("voice.menu", ident=self.content.home_of("leave_message"), lang=self.lang.code, **self.kept()), method="POST")
        return response

    def confirm_callback(self, recording_sid: str, silence: int = 0, before: list[Prompt] | None = None,
                         answered: str = "") -> VoiceResponse:
        """Ask whether to call back the number the caller is calling from (1 or yes), or which other number (answered:
        REFUSED when the caller said "no" to theirs, BROKEN when they keyed a number that was not whole)."""
        if silence >= 2:
            # No answer twice: what becomes of the callback is said as the question ends (better than a bare "Main
            # menu"). After a "no" to their own number: nobody calls. Else the number they called from stays the one
            # to call back, and they hear so, or, hidden, that nobody can call.
            if answered == REFUSED:
                return self.declined(recording_sid)
            # (Its being kept was said as the recording ended: not twice, an exploratory admin's call.)
            then = "callback_kept" if self.caller_reachable() else "callback_none"
            return self.menu("main", [self.phrase(then if then in self.lang.phrases else "record_thanks")])
        self.at("callback")
        extra: dict[str, Any] = {"answered": answered} if answered else {}
        response = VoiceResponse()
        gather = response.gather(action=url_for("voice.callback_number", lang=self.lang.code, rec=recording_sid, **extra, **self.kept()), method="POST",
                                 input="dtmf speech", finish_on_key="#", timeout=self.content.timeouts["later_seconds"],
                                 speech_timeout="auto", language=self.lang.voice.speech_language, action_on_empty_result=False)
        # Without caller ID there is no "number you are calling from" to offer: ask for one. After a "no" to theirs:
        # which other number, or "no thanks" (the same question again sounded as if the "no" was not heard).
        question = "callback_confirm" if self.caller_reachable() else "callback_hidden"
        if answered == REFUSED and "callback_other" in self.lang.phrases:
            question = "callback_other"
        for prompt in [*(before or []), self.phrase(question)]:
            self.speak(gather, prompt)
        response.redirect(url_for("voice.callback_number", lang=self.lang.code, rec=recording_sid, s=silence + 1, **extra, **self.kept()),
                          method="POST")
        return response

    def number_saved(self, number: str) -> Prompt:
        """ "Our team will call you back at 3 1 2, 5 5 5, 0 1 9 9.": another number read back (said, not played: it is
        the caller's own), so a digit misheard or mistyped can be put right; without callback_number, callback_saved."""
        template = self.lang.phrases.get("callback_number")
        if not template:
            return self.phrase("callback_saved")
        return Prompt(self.lang.code, "callback.number", fill(template, {"number": said_number(number)}), self.lang.file)

    def declined(self, recording_sid: str) -> VoiceResponse:
        """Nobody is to call back, kept with the message and said to the caller, then the main menu."""
        self.decline_callback(recording_sid)
        return self.menu("main", [self.phrase("callback_declined")])

    def decline_callback(self, recording_sid: str, noted: bool = True) -> None:
        """Keep with the message that nobody is to call back (noted: as this step's outcome in the log)."""
        if self.line.store is not None and recording_sid:
            self.line.store.record_callback(recording_sid, NO_CALLBACK)
        if noted:
            self.notes["step_key"] = "callback_declined"

    def language_menu(self, silence: int = 0, before: list[Prompt] | None = None) -> VoiceResponse:
        """Each language offered in its own voice, on keys 1, 2, 3... (only with three languages or more)."""
        place = Place("menu", LANGUAGE_MENU, silence=silence)
        if self.too_quiet(place):
            return self.goodbye()
        if len(self.content.languages) < 3:
            return self.menu("main", before)
        return self.listen(place, [*(before or []), *(lang.prompts["phrase.language_choice"] for lang in self.content.languages.values())])

    def choices(self, ids: list[str], before: list[Prompt] | None = None, silence: int = 0,
                template: str = "did_you_mean") -> VoiceResponse:
        """ "Did you mean nerve damage? Press 1. Hormone problems? Press 2.", keys and speech answering it (template: the
        first choice's phrase; "option" offers it as a menu would, "leaving a message, press 1")."""
        place = Place("choose", CHOICE_JOIN.join(ids), silence=silence)
        if self.too_quiet(place):
            return self.goodbye()
        prompts = [*(before or []), *self.nudges(place)]
        for number, target in enumerate(self.targets(place), start=1):
            phrase = self.lang.phrases[template if number == 1 else "choice"]
            text = fill(phrase, {"title": target.title, "key": self.lang.key_name(str(number))})
            prompts.append(Prompt(self.lang.code, f"choice.{target.id}.{number}" if template == "did_you_mean" else f"option.{target.id}.{number}",
                                  text, self.lang.file))
        prompts.append(self.phrase("menu_footer"))
        return self.listen(place, prompts)

    def offered_keys(self, place: Place) -> list[tuple[int, Target]]:
        """The topics offered after a likely answer, each with its key (1, then 2)."""
        refs = place.also.split(CHOICE_JOIN) if place.also else []
        return [(n, self.lang.targets[self.key_of(i)]) for n, i in enumerate(refs, start=int(ALSO_KEY)) if i]

    def offered(self, place: Place) -> list[Target]:
        """The topics offered after a likely answer, in the order of their keys."""
        return [target for _, target in self.offered_keys(place)]

    def targets(self, place: Place) -> list[Target]:
        """The places offered at a "did you mean"."""
        return [self.lang.targets[self.key_of(i)] for i in place.ident.split(CHOICE_JOIN)]

    def key_of(self, ref: str) -> tuple[str, str]:
        """How a place named in a URL is found among the call's language's targets."""
        return self.content.key_of(ref, self.lang)

    def here(self, place: Place, before: list[Prompt] | None = None) -> VoiceResponse:
        """Say something, then put the caller back where they were (the footer only, after an answer)."""
        if place.kind == "topic":
            return self.topic(place.ident, place.came_from, before, replay=False, also=place.also)
        if place.kind == "choose":
            return self.choices(place.ident.split(CHOICE_JOIN), before)
        if place.ident == LANGUAGE_MENU:
            return self.language_menu(before=before)
        return self.menu(place.ident, before)

    def go(self, kind: str, target: str, came_from: str, before: list[Prompt] | None = None, also: str = "") -> VoiceResponse:
        """Open a menu, play an answer (offering another after it), or start an action."""
        if kind == "menu":
            return self.menu(target, before)
        self.notes["topic"] = target
        self.line.record_usage("voice", self.lang.code, target)
        return self.topic(target, came_from, before, also=also)

    def switch_language(self, place: Place | None = None, code: str = "") -> VoiceResponse:
        """Key 6, or a language asked for by name: that language (its notice and keys, then the menu or answer the
        caller was at: a caller who switches in the middle wants the same thing in words they understand); with key 6
        and several languages, a choice."""
        others = self.content.other_languages(self.lang.code)
        if not code and len(others) != 1:
            return self.language_menu()
        switched = self.to(self.content.languages[code] if code else others[0])
        if place is not None and place.urgent:
            # After the crisis or emergency message: that message in the new language (988's own Spanish line), first.
            switched.reuse, switched.urgent = False, place.urgent
            return urgently(switched, switched.phrase(place.urgent), switched.menu("main", switched.arrival()))
        if place is None or place.kind == "choose" or place.ident == LANGUAGE_MENU:
            return switched.arrive()  # choices were guesses at words in the other language
        if place.kind == "topic":
            if self.content.kind_of(place.ident) != "topic":
                return switched.arrive()  # never a recording started again by a language key
            return switched.topic(place.ident, place.came_from, switched.arrival(), also=place.also)
        return switched.menu(place.ident, switched.arrival())

    def not_an_option(self, place: Place) -> VoiceResponse:
        """A key that means nothing here: say so, and the same menu again."""
        self.notes["step_key"] = "invalid"
        return self.here(place, [self.phrase("not_option")])


# What a caller can do at any place: press a key, speak, stay silent, or leave a recording.

def press(call: Call, place: Place, key: str) -> VoiceResponse:
    """A key press: the same keys mean the same in every menu; 1 to 5 pick the menu's options."""
    call.notes["step_key"] = key
    keys = call.keys
    if place.ident == LANGUAGE_MENU and place.kind == "menu":
        return _press_language(call, place, key)
    if place.kind == "choose" and key.isdigit() and 1 <= int(key) <= len(place.ident.split(CHOICE_JOIN)):
        call.notes["decision"] = "chosen"
        chosen = call.targets(place)[int(key) - 1]
        # The other choices stay on their keys after the answer ("If you meant B, press 2"), as by text: the caller
        # was not sure, and 2 after 1 was not it said "not an option".
        return pick(call, chosen, also=_kept(place.ident, chosen, call))
    offered = dict(call.offered_keys(place)) if place.kind == "topic" else {}
    if (place.kind == "topic" and key.isdigit() and int(key) not in offered and place.also
            and 1 <= int(key) <= len(place.also.split(CHOICE_JOIN))):
        # The key of the choice just taken ("1", "the first one" after 1 of a "did you mean"): this answer again,
        # with the others still offered (an exploratory caller's got "Sorry, that is not an option").
        return call.topic(place.ident, place.came_from, also=place.also)
    if key.isdigit() and int(key) in offered:
        # One of the topics offered after a likely answer: taken, and the other topic still offered on the key it
        # was first offered on ("If you meant Y, press 2"), as after "both" and by text.
        call.notes["decision"] = "chosen"
        chosen = offered[int(key)]
        return pick(call, chosen, also=_kept(place.also, chosen, call))
    if key == keys["repeat"]:
        if place.urgent:
            # The crisis or emergency message again (a frightened caller may not have caught the number), then here:
            # the warning signs again too, when they followed the emergency message.
            call.reuse, call.urgent = False, place.urgent
            replay = place.kind == "topic" and place.urgent == "emergency" and place.ident == call.content.emergency_topic
            then = call.topic(place.ident, place.came_from, also=place.also) if replay else call.here(place)
            return urgently(call, call.phrase(place.urgent), then)
        if place.kind == "topic":
            return call.topic(place.ident, place.came_from, also=place.also)
        return call.here(place)
    if key == keys["main_menu"]:
        return call.menu("main")
    if key == keys["back"]:
        if place.kind == "topic":
            return call.menu(place.came_from)
        if place.kind == "choose":
            return call.menu("main")
        return call.menu(call.content.menus[place.ident].parent or "main")
    if key == keys["help"]:
        return call.here(place, [call.phrase("help")])
    if key == keys["language"] and len(call.content.languages) > 1:
        return call.switch_language(place)
    if key == keys["text_me"] and place.kind == "topic" and call.can_text():
        return text_me(call, place)
    if place.kind == "menu":
        option = call.content.menus[place.ident].option(key)
        if option is not None:
            return call.go(option.kind, option.target, place.ident)
    return call.not_an_option(place)


def _press_language(call: Call, place: Place, key: str) -> VoiceResponse:
    codes = list(call.content.languages)
    if key.isdigit() and 1 <= int(key) <= len(codes):
        return call.to(call.content.languages[codes[int(key) - 1]]).arrive()
    if key in (call.keys["main_menu"], call.keys["back"]):
        return call.menu("main")
    return call.language_menu() if key == call.keys["repeat"] else call.not_an_option(place)


def speak(call: Call, place: Place, said: str, gently: bool = True) -> VoiceResponse:
    """Speech: a crisis or an emergency first; then a spoken key, a control word, yes or no to a "did you mean", a
    language's name; then what it is about: answered, asked about, or offered the nearest topics."""
    line = call.line
    # A question in another language (a Spanish speaker at the English greeting): that language from now on, its
    # notice and keys first, then what was asked; the call's Gathers then listen for that language's speech.
    code = line.languages.language(said, call.lang.code)
    index = line.matcher.indexes[call.lang.code]
    if code != call.lang.code and any(index.is_word(said, name) for name in (*CONTROL_WORDS, "courtesy", "yes", "no")):
        code = call.lang.code  # "okay" in a Spanish call: a word of its own lists, not a switch to English
    understood = False
    others = [ix for c, ix in line.matcher.indexes.items() if c != call.lang.code]
    waiting = _choice_words(place)
    choosing = place.kind == "choose" or place.kind == "topic" and bool(place.also)  # choices wait for an answer
    own_word = _a_word_of(index, said, waiting, choosing)
    if call.lang.code != call.content.default_language and not own_word:
        # "Thank you", "yes", "the second one" in a Spanish call: understood as said, answered in the call's language,
        # never a switch (callers mix a few English words into Spanish; an English caller hardly says "ayuda").
        heard_in = next((ix for ix in others if _a_word_of(ix, said, waiting, choosing)), None)
        if heard_in is not None:
            index, code, understood = heard_in, call.lang.code, True
    elif not own_word and (code == call.lang.code or choosing):
        # "Sí" or "uno" to an English "did you mean", "la última" or "sí, el dos" to the topics it offered: a choice
        # word of another language, without a switch (a question in it switches, with the notice and keys).
        normalized = normalize(said)
        for elsewhere in others:
            if (any(elsewhere.is_word(said, name) for name in waiting)
                    or elsewhere.number_in(normalized, choosing) is not None or choosing and elsewhere.numbers_in(normalized)):
                index, code, understood = elsewhere, call.lang.code, True
                break
    if code == call.lang.code and not understood:
        code = _named_elsewhere(call, said) or code
    # Looked for once: the safety phrases of every language are matched whatever the call's language.
    alarmed = "crisis" if line.safety.is_crisis(said) else "emergency" if line.safety.is_emergency(said) else ""
    if not alarmed and gently and line.safety.is_distress(said):
        # "Camino una cuadra y ya no puedo más, ¿es la neuropatía?": where help is, then the reply (an answer, or "did
        # you mean"); with nothing beside them ("ya no puedo más, señorita"), or nothing understood, the crisis message.
        decision = line.decide(repair(said, code), code).for_a_call()
        if decision.kind == "none" or not line.safety.says_more(said, line.matcher.indexes[code].analyzer.words):
            alarmed = "crisis"
        elif "distress" in call.content.languages[code].phrases:
            call.notes["safety"] = "distress"
            call.reuse = False  # its verbs go after the words of help
            return urgently(call, call.content.languages[code].prompts["phrase.distress"], speak(call, place, said, gently=False))
    if alarmed:
        code = _told_in(call, said, alarmed, code)
    arrival: list[Prompt] = []
    if code != call.lang.code:
        call = call.to(call.content.languages[code])
        arrival = call.arrival()
        index = line.matcher.indexes[code]  # from here on, the words of the language switched to
    if alarmed == "crisis":
        alarm(call, "crisis")
        return urgently(call, call.phrase("crisis"), call.here(place, arrival or None))
    if alarmed == "emergency":
        # Never routed on to a topic because of one of its words ("me duele el pecho" is not about hormones): 911
        # first, then the warning signs (what needs 911 and what needs the doctor now), in whatever words and
        # language the emergency was told, as by text; else where the caller was.
        alarm(call, "emergency")
        warning = call.content.emergency_topic
        if warning and ("topic", warning) in call.lang.targets:
            # "Back" from them goes where the caller was, not to a menu they never heard.
            was_in = place.ident if place.kind == "menu" and place.ident in call.content.menus else (
                place.came_from if place.kind == "topic" and place.came_from in call.content.menus else call.content.home_of(warning))
            return urgently(call, call.phrase("emergency"), call.go("topic", warning, was_in, arrival))
        return urgently(call, call.phrase("emergency"), call.here(place, arrival or None))
    if place.urgent and not arrival and _unsure_after_alarm(call, place, index, said, code):
        # Right after the crisis or emergency message, "yes", "what do I do", "help", or words the line is not sure of
        # (an exploratory caller's "yes" got "you are welcome", "sí" "no le entendí"): that message again, then where
        # the caller was; once (a caller the words met by mistake is not held there), as by text.
        call.notes["safety"] = f"{place.urgent}_again"
        call.reuse = False
        return urgently(call, call.phrase(place.urgent), call.here(replace(place, urgent="")))
    if place.kind == "choose" and index.is_word(said, "last"):
        return press(call, place, str(len(call.targets(place))))  # "the last one", "la última": the last choice heard
    if place.kind == "topic" and place.also and index.is_word(said, "last"):
        # "The last one" after "If you meant X, press 1. Y? Press 2.": Y, as by text.
        return press(call, place, str(call.offered_keys(place)[-1][0]))
    if choosing:
        # "One and two", "uno y tres"; "both" to a "did you mean" of two: the first named now, the others still offered
        # on their keys; "both" of three: the choices again. Never a guess made of the numbers' words.
        named = index.numbers_in(normalize(said))
        if (not named and place.kind == "choose" and index.is_word(said, "both")
                and index.number_in(normalize(said), choosing) is None):  # "las dos" is the second, as by text
            if len(call.targets(place)) != 2:
                return call.here(place, arrival or None)
            named = [1, 2]
        if named:
            return _several(call, place, named, arrival)
    elif named := index.numbers_in(normalize(said)):
        # "One and two" at a menu: its first (after an answer, as "one" alone); never a guess made of the numbers.
        return press(call, place, str(named[0]))
    if place.kind == "topic" and not place.also and index.is_word(said, "both"):
        # "Both" after an answer that offered nothing: the topics beside it (as by text), never guesses made of it.
        return call.menu(place.came_from, arrival or None)
    # "Both", "las dos" after two topics offered: the first topic now (below), never key 2.
    both = place.kind == "topic" and bool(place.also) and index.is_word(said, "both")
    spoken_key = None if both else _spoken_key(call, said, index, choosing)
    if spoken_key is not None:
        return press(call, place, spoken_key)
    if index.is_word(said, "text_me"):
        if place.kind == "topic" and call.can_text():
            return press(call, place, call.keys["text_me"])  # "text it to me": as key 7
        # Nothing to send yet, or no texts from this line: the help, which says a question can be texted to this
        # number (never the recording that "leave a message" would start, nor "not an option").
        return call.here(place, [*arrival, call.phrase("help")])
    if both and len(call.offered(place)) > 1:
        # "Both" after two topics offered: the first topic now, and the other topic still offered on its key ("If
        # you meant Y, press 2"); never a recording started by it (an action offered is not kept).
        first = min(call.offered(place), key=lambda t: t.kind != "topic")
        call.notes["decision"] = "chosen"
        return pick(call, first, before=arrival, also=_kept(place.also, first, call))
    if place.kind == "topic" and place.also and (both or index.is_word(said, "not_it")):
        # "That's not it" (or "both") after "If you meant X, press 1": X; after two offered, which of them.
        keyed = call.offered_keys(place)
        return press(call, place, str(keyed[0][0])) if len(keyed) == 1 else call.choices([ref_of(t) for _, t in keyed], arrival or None)
    slower = index.is_word(said, "slower")
    if slower or call.slow and index.is_word(said, "faster"):
        # "More slowly, please": the same again, and the rest of the call, in the language's Say voice at a slower rate
        # (the voice-line guide: slow, clear speech is heard better by older listeners); "normal speed": the usual again.
        call.slow = slower
        return call.arrive() if arrival else press(call, place, call.keys["repeat"])
    if index.is_word(said, "wait"):
        # "Un segundo" in an English call: Spanish from now on (its notice and keys), and the wait asked for.
        return call.hold(place, arrival)
    if index.is_word(said, "more"):
        # "Tell me more": after an answer, the topics beside it (back, as key 0); elsewhere, the same again (as star).
        return call.arrive() if arrival else press(call, place, call.keys["back" if place.kind == "topic" else "repeat"])
    for name, key in CONTROL_KEYS.items():
        if index.is_word(said, name):
            # Said in another language than the call's: that language's main menu, with its notice and keys; after a
            # "hello?" ("aló", "¿quién habla?"), with the line's name in that language first.
            if arrival and name == "menu":
                return call.menu("main", [call.phrase("greeting"), *arrival])
            return call.arrive() if arrival else press(call, place, call.keys[key])
    if place.kind == "choose" and index.is_word(said, "yes"):
        call.notes["decision"] = "chosen"
        first = call.targets(place)[0]
        return pick(call, first, before=arrival, also=_kept(place.ident, first, call))
    if place.kind == "topic" and place.also and index.is_word(said, "yes"):
        offered = call.offered(place)
        if len(offered) > 1:
            # "Yes" after two offers (the second said as a question: "Support groups? Press 2."): which one, as by text.
            return call.choices([ref_of(t) for t in offered], arrival or None)
        call.notes["decision"] = "chosen"  # "yes" to "If you meant X, press 1": X
        return pick(call, offered[0], before=arrival)
    if place.kind in ("choose", "topic") and (index.is_word(said, "not_it") or index.is_word(said, "no")):
        # "That's not it" to a "did you mean": none of them, as "no"; after an answer that offered nothing else, every
        # topic too (never a "did you mean" made of its words, whose first choice was the answer turned down).
        return call.menu("main", arrival or None)  # none of the choices, or not the answer: every topic
    yes = index.is_word(said, "yes")
    if yes or index.is_word(said, "no"):
        # "Sí, por favor" after a plain answer: it was the one; a yes or no at a menu: no option. Never a guess made
        # of them (whose first choice was once "leave a message", on key 1).
        return call.here(place, [*arrival, call.phrase("courtesy" if yes and place.kind == "topic" else "no_match")])
    if index.is_word(said, "goodbye"):
        # "Goodbye", "eso es todo gracias": a word in kind, then the call ends (not a minute of "are you still there?");
        # no notice or keys of a language switched to, just before hanging up.
        return call.goodbye("farewell" if "farewell" in call.lang.phrases else "courtesy", "said_goodbye")
    if index.is_word(said, "courtesy"):
        # "Thank you", "okay": a word in kind, and the caller stays where they were. Said at a menu in another language
        # than the call's ("¿bueno?", a Mexican "hello?" on the phone, at the English greeting): the line's name in that
        # language, its notice and keys, then the menu, never "you are welcome" for nothing.
        if place.kind == "choose":
            # "Okay" to a "did you mean": which one is still to say, as by text; a thank-you is answered in kind first.
            return call.here(place, [*arrival, *([call.phrase("courtesy")] if line.matcher.says_thanks(said) else [])] or None)
        return call.here(place, [call.phrase("greeting"), *arrival] if arrival and place.kind == "menu" else [*arrival, call.phrase("courtesy")])
    other = line.matcher.word_language(said, "language", call.lang.code)
    if other is not None and (other != call.lang.code or arrival):
        # A language asked for by name ("en español, por favor"): its notice and keys, then where the caller was.
        return call.switch_language(place, other)
    if other is not None:
        # The call's own language asked for ("English please", "I don't speak Spanish" in an English call): it is
        # already; where the caller was, never a "did you mean" made of the words.
        return call.here(place)
    person = asks_for(call.lang, said, call.lang.words.get("person", ()))
    if person and line.transfer_number(call.lang.code):
        # "I want to speak to someone", "operator": put through, as key 1 at the offer of a person. A "did you mean
        # leaving a message?" first (its nearest place) cost a key, and callers who want a person hang up.
        call.notes["step_key"] = "transfer"
        return call.put_through()
    message = call.lang.targets.get(("action", "leave_message"))
    if message is not None and person:
        # "I want a real person" with nobody to put through: a message to the team, which calls back, offered alone.
        # Its nearest places were a "did you mean" of leaving a message, famous people and what POEMS is.
        # Offered as a menu's option ("leaving a message, press 1"), not "did you mean": nobody said those words.
        return call.choices([ref_of(message)], [*arrival, *([call.phrase("no_person")] if "no_person" in call.lang.phrases else [])],
                            template="option")
    decision = line.decide(repair(said, call.lang.code), call.lang.code).for_a_call()
    if decision.kind in ("answer", "offer") and decision.target.kind == "action" and not names_place(decision.target, said, call.lang):
        # A recording starts only when asked for in so many words (or by key): "alright, thank you" once began one.
        decision = Decision("ask", decision.choices, decision.ranking)
    ids = [ref_of(t) for t in decision.choices]
    call.notes["decision"] = decision.kind
    if decision.kind == "answer":
        return pick(call, decision.target, place, arrival)
    if decision.kind == "offer":
        return pick(call, decision.target, place, arrival, also=CHOICE_JOIN.join(ref_of(t) for t in decision.choices[1:]))
    sid = str(call.notes.get("sid", ""))
    if decision.kind == "ask":
        line.record_unmatched("voice", call.lang.code, said, "ask", sid)
        if arrival and _names_a_language(call, said):
            # Switched by words that ask for the language and little else ("necesito información en español"): its
            # main menu, its notice and keys first, rather than guesses made of "información". A question in it is
            # asked about ("¿qué pruebas y qué tratamiento hay?").
            return call.arrive()
        return call.choices(ids, arrival or None)
    line.record_unmatched("voice", call.lang.code, said, thread=sid)
    if arrival:
        # Words in another language that ask for nothing the line knows ("en español, por favor"): that language's
        # main menu, with its notice and keys, rather than a list of guesses.
        return call.arrive()
    if decision.elsewhere and not (place.kind == "topic" and line.matcher.indexes[call.lang.code].goes_on(said)):
        # About something else ("who won the game last night"): what the line is for, then where the caller was (its
        # menu or its choices again), never three guesses made of the words. Never a few words right after an answer,
        # which go on from it ("he has it"): those are not understood, with the nearest topics.
        return call.here(place, [call.phrase("off_topic" if "off_topic" in call.lang.phrases else "no_match")])
    return call.choices(ids, [call.phrase("no_match"), call.phrase("nearest")])


def _unsure_after_alarm(call: Call, place: Place, index: LanguageIndex, said: str, code: str) -> bool:
    """Whether words said right after the crisis or emergency message call for it again: a yes, a plea ("what do I
    do", "qué hago", "help"), or words the line is not sure of; not a thank-you, a goodbye, a key's word or a question
    it can answer."""
    if index.is_word(said, "yes") or index.is_word(said, "help") or call.line.safety.is_plea(said):
        return True
    # What the line acts on is done (an independent read's: "I want to talk to a person", "hold on", "slower" and "leave
    # a message" got the message again instead): a person, a wait, a speed, a text, a choice, a key's word.
    acted_on = ["courtesy", "goodbye", "no", "language", "wait", "slower", "faster", "text_me", *CONTROL_WORDS]
    # Choice words only where there are choices; a person only where one can be put through (else "someone" after the
    # crisis words is a need, and hears 988 again, not "there is no one to talk to").
    acted_on += ["both", "last", "not_it", "more"] if place.kind == "choose" or place.also else []
    person = index.is_word(said, "person") or asks_for(call.lang, said, call.lang.words.get("person", ()))
    if (any(index.is_word(said, name) for name in acted_on) or index.number_in(normalize(said)) is not None
            or person and call.line.transfer_number(call.lang.code)):
        return False
    if person:
        return True  # nobody to put through
    decision = call.line.decide(repair(said, code), code)
    if decision.kind in ("answer", "offer") and decision.target.kind == "action":
        return not names_place(decision.target, said, call.lang)  # "leave a message" said: done
    return decision.kind not in ("answer", "offer")


def _told_in(call: Call, said: str, kind: str, guessed: str) -> str:
    """The language a crisis or emergency message is given in: the one the words were guessed to be in; when that is
    the call's, the language of the crisis or emergency words themselves ("ya no kiero bibir" heard at the English
    greeting, too misspelled for the guess to switch: 988's own Spanish line), unless the other words lean to the
    call's ("mi hija habla de suicide" stays Spanish)."""
    if guessed != call.lang.code:
        return guessed
    other = call.line.safety.language_of(said, kind, guessed)
    return other if call.line.languages.leans_to(said, other, guessed) else guessed


def alarm(call: Call, kind: str) -> None:
    """Crisis or emergency words heard: noted and recorded, and what follows is built whole (its verbs go after the
    message) and keeps the message on '*'."""
    call.notes["safety"] = kind
    call.line.record_safety("voice", call.lang.code, kind, line_number=call.called)
    call.reuse, call.urgent = False, kind


def urgently(call: Call, prompt: Prompt, then: VoiceResponse) -> VoiceResponse:
    """A crisis or emergency message played in full before what follows: outside the Gather, so that a distressed
    caller who keeps talking does not cut it off (then is built with call.reuse False: its verbs are needed)."""
    response = VoiceResponse()
    call.speak(response, prompt)
    # A breath before what follows: the number just heard is not run into "Main menu" (an exploratory caller's).
    response.pause(length=1)
    response.verbs.extend(then.verbs)
    return response


class Built(VoiceResponse):
    """A reply document built before, for the same place, prompts and audio files."""

    def __init__(self, xml: str) -> None:
        super().__init__()
        self.xml = xml

    def to_xml(self, xml_declaration: bool = True) -> str:
        """The document as it was built."""
        return self.xml

    def __str__(self) -> str:
        return self.xml


def _kept(also: str, chosen: Target, call: Call) -> str:
    """What stays offered once one of the offers is taken: the other topics, each on the key it was offered on (the
    taken one's slot left empty), never an action. "Yes" or "the other one" to an action left offered would start a
    recording (or a transfer) that nobody asked for in so many words."""
    slots = []
    for ref in also.split(CHOICE_JOIN):
        target = call.lang.targets.get(call.key_of(ref)) if ref else None
        slots.append(ref if target is not None and target is not chosen and target.kind == "topic" else "")
    while slots and not slots[-1]:
        slots.pop()
    return CHOICE_JOIN.join(slots)


def _several(call: Call, place: Place, named: list[int], before: list[Prompt]) -> VoiceResponse:
    """Several choices said at once: the first topic named now, the other ones named still offered on their keys; a
    key the choices do not have: "not an option", and the choices again."""
    slots = (place.ident if place.kind == "choose" else place.also).split(CHOICE_JOIN)
    keyed = dict(enumerate(call.targets(place), start=1)) if place.kind == "choose" else dict(call.offered_keys(place))
    if not all(n in keyed for n in named):
        return call.not_an_option(place)
    call.notes["decision"] = "chosen"
    first = min((keyed[n] for n in named), key=lambda t: t.kind != "topic")
    kept = CHOICE_JOIN.join(ref if n in named else "" for n, ref in enumerate(slots, start=1))
    return pick(call, first, before=before, also=_kept(kept, first, call))


def pick(call: Call, target: Target, place: Place | None = None, before: list[Prompt] | None = None,
         also: str = "") -> VoiceResponse:
    """Go to a place the caller chose or named: back from it leads to the menu they were in when it offers it."""
    if target.kind == "menu":
        return call.menu(target.id, before or None)
    here = call.content.menus.get(place.ident) if place is not None and place.kind == "menu" else None
    source = place.ident if here is not None and place is not None and here.offers(target.id) else call.content.home_of(target.id)
    return call.go(target.kind, target.id, source, before or None, also if target.kind == "topic" else "")


# The word lists a caller may say to move about a call, and the key each stands for.
CONTROL_KEYS = {"repeat": "repeat", "back": "back", "menu": "main_menu", "help": "help"}
CONTROL_WORDS = tuple(CONTROL_KEYS)


def _names_a_language(call: Call, said: str) -> bool:
    """Whether the words hold one of the call's language's names ("en español", "espanol")."""
    words = f" {normalize(said)} "
    return any(f" {normalize(w)} " in words for w in call.lang.words.get("language", ()) if normalize(w))


def _named_elsewhere(call: Call, said: str) -> str | None:
    """The other language whose topic or menu name, or control word, the whole message is ("síntomas", "ayuda" at
    the English greeting: one word, too few to tell a language by), when the call's own language has no such word."""
    words = normalize(said)
    indexes = call.line.matcher.indexes
    own = indexes[call.lang.code]
    said_as = (*CONTROL_WORDS, "courtesy")
    if not words or words in own.exact or any(own.is_word(words, name) for name in said_as):
        return None
    for code, index in indexes.items():
        if code != call.lang.code and (words in index.exact or any(index.is_word(words, name) for name in said_as)):
            return code
    return None


def _choice_words(place: Place) -> tuple[str, ...]:
    """The word lists that answer what this place waits for: yes or no anywhere; at a "did you mean", also "the last
    one" and "that's not it"; after an answer that offered other topics, also "both"."""
    if place.kind == "topic" and place.also:
        return ("yes", "no", "last", "not_it", "both")
    return ("yes", "no", "last", "not_it") if place.kind == "choose" else ("yes", "no")


def _a_word_of(index: LanguageIndex, said: str, choice_words: tuple[str, ...] = ("yes", "no"), choosing: bool = False) -> bool:
    """Whether the words are one of a language's courtesy words or of these choice words, a number said alone (with
    the words that pick one, where choices wait), or a control word of one word ("what", "menu"): what a caller mixes
    in from another language ("I don't understand" is a sentence)."""
    return (any(index.is_word(said, name) for name in ("courtesy", *choice_words))
            or index.number_in(normalize(said), choosing) is not None or choosing and bool(index.numbers_in(normalize(said)))
            or len(normalize(said).split()) == 1 and any(index.is_word(said, name) for name in CONTROL_WORDS))


def _spoken_key(call: Call, said: str, index: LanguageIndex, choosing: bool = False) -> str | None:
    """The key a caller said ("star", "3", "tres", "the second one"; where choices wait, "I want 2"), in the words of
    the index's language."""
    words = normalize(said)
    if len(words) == 1 and words in "*#":
        return words
    if words in ("star", "asterisk", call.lang.key_name("*").lower()):
        return "*"
    # A key said alone or with words that ask for nothing beside it: "3", "tres", "el uno", "press three".
    number = index.number_in(words, choosing)
    # A key is one digit: "12" or "07" is none.
    if number is None or not 0 <= number <= 9 or any(t.isdigit() and len(t) > 1 for t in words.split()):
        return None
    return str(number)


def stay_silent(call: Call, place: Place) -> VoiceResponse:
    """The Gather timed out: the same place again, one more silence counted (an answer is not replayed)."""
    if place.urgent:
        # After the crisis or emergency message, silence keeps it one key away ('*'), and the last words before the
        # line hangs up are that message again: 988 or 911 is what a silent caller in danger must hear last.
        call.urgent = place.urgent
        if call.too_quiet(place):
            call.reuse = False
            return urgently(call, call.phrase(place.urgent), call.goodbye())
    if place.kind == "topic":
        return call.topic(place.ident, place.came_from, silence=place.silence, replay=False, also=place.also)
    if place.kind == "choose":
        return call.choices(place.ident.split(CHOICE_JOIN), silence=place.silence)
    if place.ident == LANGUAGE_MENU:
        return call.language_menu(place.silence)
    return call.menu(place.ident, silence=place.silence)


def text_me(call: Call, place: Place) -> VoiceResponse:
    """Key 7 after an answer: send it by text to the caller; the call goes on either way."""
    outcome = send_answer(call.line, call.lang, place.ident, str(call.notes.get("sid", "")), call.caller, call.called)
    call.notes["step_key"] = f"text_me_{outcome}"
    # A second press for the same answer: it was sent, once.
    said = "text_sent" if outcome in ("sent", "again") else "text_failed"
    # Not offered again at once: it was just sent, or could not be (the day's texts used, or Twilio failing).
    return call.topic(place.ident, place.came_from, [call.phrase(said)], replay=False, also=place.also, offer_text=False)


def record(call: Call, form: Mapping[str, str]) -> VoiceResponse:
    """A recording finished: keep the message's details (calling number as the callback), then confirm that number."""
    if not form.get("RecordingUrl", ""):
        return call.menu("main", [call.phrase("record_none")])
    store_recording(call.line, form, call.lang.code)
    # Said at once, before the question about a number: a caller who then presses 9, hangs up or cannot give one
    # (a withheld number) knows the message was kept.
    return call.confirm_callback(form.get("RecordingSid", "")[:64], before=[call.phrase("record_thanks")])


def callback(call: Call, recording_sid: str, form: Mapping[str, str], silence: int, answered: str = "") -> VoiceResponse:
    """The caller's answer about the number to call back: 1 or yes keeps theirs; digits (keyed or said) replace it
    (answered: REFUSED or BROKEN, what they said the last time it was asked)."""
    if silence:
        return call.confirm_callback(recording_sid, silence, answered=answered)
    keyed = form.get("Digits", "").strip()
    if keyed in (call.keys["main_menu"], call.keys["back"]):
        return _leave_callback(call, recording_sid, answered)
    if keyed == call.keys["repeat"]:
        return call.confirm_callback(recording_sid, answered=answered)
    digits = "".join(c for c in keyed if c in ASCII_DIGITS)
    said = form.get("SpeechResult", "")
    if not digits and said:
        safety = call.line.safety
        # Words of not going on count as a crisis here: there is no question beside them to answer.
        kind = ("crisis" if safety.is_crisis(said) or safety.is_distress(said)
                else "emergency" if safety.is_emergency(said) else "")
        if kind:
            # The message is kept, and the callback as it stands: the crisis line's or 911's words first, in the
            # language they were said in ("ya no puedo más" in an English call: 988's Spanish words), as at any other
            # question.
            code = _told_in(call, said, kind, call.line.languages.language(said, call.lang.code))
            arrival: list[Prompt] = []
            if code != call.lang.code:
                call = call.to(call.content.languages[code])
                arrival = call.arrival()
            alarm(call, kind)
            return urgently(call, call.phrase(kind), call.menu("main", arrival or None))
        spoken = spoken_digits(call.lang, said)
        if phone_number(spoken) is not None:
            # A whole number said, whatever is around it ("no, call my daughter at 555 234 5678"): that number.
            said = ""
            digits = spoken
    if not digits and said:
        index = call.line.matcher.indexes[call.lang.code]
        if index.is_word(said, "slower"):
            call.slow = True  # the question again, and the rest of the call, more slowly
            return call.confirm_callback(recording_sid, answered=answered)
        if index.is_word(said, "no_callback"):
            return call.declined(recording_sid)  # "No thanks", "don't call me", "no hace falta": nobody calls
        # "No", or a reply that starts with one ("no", "no, that's not my number")
        refused = index.is_word(said, "no") or any(w in index.words.get("no", ()) for w in normalize(said).split()[:1])
        if refused and (answered == REFUSED or not call.caller_reachable()):
            return call.declined(recording_sid)  # to "which other number?", or (hidden) to "key in your number"
        if not refused and (index.is_word(said, "yes") or index.is_word(said, "courtesy")):
            if answered == REFUSED:
                # "Okay" to "which other number?" is no number, and never the one they said no to: asked again.
                return call.confirm_callback(recording_sid, answered=REFUSED)
            digits = "1"  # "yes", "okay", "that's fine", "está bien": the number they are calling from
        elif index.is_word(said, "menu"):
            return _leave_callback(call, recording_sid, answered)
        elif refused or index.is_word(said, "repeat") or index.is_word(said, "help"):
            # Not that number, or not heard: the question again (after a "no": which other number, never a promise
            # to call that one). The "no" is kept with the message at once: a caller who hangs up now is not called.
            if refused:
                call.decline_callback(recording_sid, noted=False)
            return call.confirm_callback(recording_sid, answered=REFUSED if refused else answered)
        else:
            digits = spoken_digits(call.lang, said)
            if not digits:
                # Words with no number in them ("my granddaughter's phone"): the question again, never "that number
                # was not complete".
                return call.confirm_callback(recording_sid, answered=answered)
    if digits == "1" and answered == REFUSED:
        return call.confirm_callback(recording_sid, answered=REFUSED)  # 1 for "yes" to the number they said no to
    if digits == "1":
        if not call.caller_reachable():
            # No caller ID (withheld, "Anonymous"): there is no number to keep; asked for one again.
            call.notes["step_key"] = "callback_hidden"
            return call.confirm_callback(recording_sid, silence=1)
        return call.menu("main", [call.phrase("callback_saved")])
    number = phone_number(digits)
    if number is None:
        call.notes["step_key"] = "callback_invalid"
        # Once they said no to their own number, that "no" stands: a number not whole never brings it back.
        return call.confirm_callback(recording_sid, before=[call.phrase("callback_invalid")],
                                     answered=REFUSED if answered == REFUSED else BROKEN)
    if call.line.store is not None and recording_sid:
        call.line.store.record_callback(recording_sid, number)
    return call.menu("main", [call.number_saved(number)])


def _leave_callback(call: Call, recording_sid: str, answered: str) -> VoiceResponse:
    """The main menu asked for at the callback question: after a "no" to their own number nobody calls, and the caller
    hears so; else the number they called from stays the one to call back."""
    return call.declined(recording_sid) if answered == REFUSED else call.menu("main")


# How a zero is said in a phone number in American English ("five five five, oh one two..."); no word of the line's
# other language.
SPOKEN_ZERO = frozenset({"oh"})


def spoken_digits(lang: Language, said: str) -> str:
    """Digits from speech: "five five five, one two three..." or "555 123 4567"."""
    numbers = lang.words.get("numbers", ())
    words = normalize(said).split()

    def digit(word: str) -> str:
        if word.isascii() and word.isdigit():
            return word
        return str(numbers.index(word)) if word in numbers else ""

    out = []
    for n, word in enumerate(words):
        if found := digit(word):
            out.append(found)
        elif word in SPOKEN_ZERO and any(digit(w) for w in words[max(0, n - 1):n + 2:2]):
            out.append("0")  # "oh" between or beside digits, not "oh, it's five five five..."
    return "".join(out)


def said_number(number: str) -> str:
    """A number as a voice reads it back, digit by digit in its groups: "+13125550199" is "3 1 2, 5 5 5, 0 1 9 9"."""
    digits = number.lstrip("+")
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    groups = [digits[:3], digits[3:6], digits[6:]] if len(digits) == 10 else [digits]
    return ", ".join(" ".join(group) for group in groups)


def phone_number(digits: str) -> str | None:
    """A callback number in international form: 10 digits are a US number; 11 starting with 1 too. None for one that
    cannot be dialled (a country code of 0, a US area code or exchange starting with 0 or 1)."""
    if len(digits) == 10:
        digits = "1" + digits
    if not 11 <= len(digits) <= 15 or digits[0] == "0":
        return None
    if digits[0] == "1" and (len(digits) != 11 or digits[1] in "01" or digits[4] in "01"):
        return None
    return "+" + digits
