"""A text conversation: where this texter is (a signed cookie Twilio keeps) and what to send back."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Sequence

from flask import request, session

from ..content import Language, Target, normalize, sms_answer, sms_menu
from ..content.model import ref_of
from ..content.replies import TEXT_CHOICES, first_answer, offers_that_fit, sms_choices
from ..line import Line
from ..logs import note
from ..understanding import Decision

CRISIS = "!crisis"  # the last reply was the crisis message (no topic has this id)
CRISIS_AGAIN = "!crisis-again"  # the same, sent again to a message the line was not sure of
EMERGENCY = "!emergency"  # the last reply was "call 911" and what followed it
EMERGENCY_AGAIN = "!emergency-again"  # "call 911" sent again to a message the line was not sure of


class Conversation:
    """One incoming text and the memory of where this texter is: language, last menu, a "did you mean" pending."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.content = line.content
        code = session.get("lang")
        self.first = code not in self.content.languages
        self.lang = line.language(code)
        menu = session.get("menu")
        self.menu = menu if menu in self.content.menus else "main"
        self.asked: list[str] = [c for c in session.get("choices", []) if isinstance(c, str)]
        # Whether those choices were one topic offered after an answer ("also"), a "did you mean" ("ask"), or a "did
        # you mean" one of whose choices was taken ("picked": its other numbers still take theirs).
        self.asked_kind = session.get("choices_kind") if session.get("choices_kind") in ("also", "ask", "picked") else "ask"
        self.choices_kind = "ask"
        # The conversation's own random id (its cookie carries it): what ties a "did you mean" to the choice taken.
        thread = session.get("thread")
        self.thread = thread if isinstance(thread, str) and len(thread) == 16 else secrets.token_hex(8)
        self.choices: list[str] = []
        # The two topics offered after an answer, as first numbered, once one of them was taken: the other, offered
        # again as 1, still takes the 2 the texter read first.
        self.was = [c for c in session.get("was", []) if isinstance(c, str)]
        self.next_was: list[str] = []
        last = session.get("last")  # the topic answered last, for "again"
        self.last = last if isinstance(last, str) else ""
        # Whether a reply already carries the line's notice: a flag, never a search of the reply's words (a reply
        # is folded for GSM-7, the phrase is not, and a Spanish notice searched for in its own reply was missed).
        self.noticed = False

    def set_language(self, code: str) -> None:
        """Answer in this language from now on."""
        self.lang = self.content.languages[code]

    def save(self) -> None:
        """Remember language, menu and any choices offered in the signed session cookie."""
        session["lang"] = self.lang.code
        session["menu"] = self.menu
        session["choices"] = self.choices
        session["choices_kind"] = self.choices_kind
        # Kept while the same offer stands (a thank-you, a number it does not have), forgotten with any other reply.
        kept = self.choices_kind == "also" and self.choices == self.asked
        session["was"] = self.next_was or (self.was if kept else [])
        session["thread"] = self.thread
        session["last"] = self.last
        session.permanent = True

    def phrase(self, name: str) -> str:
        """A fixed phrase in the texter's language."""
        return self.lang.phrases[name]

    def listing(self, menu_id: str) -> str:
        """A menu's numbered list; numbers now pick from it."""
        self.menu = menu_id
        self.last = ""
        return sms_menu(self.content, self.lang, menu_id)

    def welcome(self) -> str:
        """The welcome and the main menu."""
        self.menu = "main"
        self.noticed = True
        return f"{self.phrase('sms_welcome')}\n{self.listing('main')}"

    def answer_for(self, target_id: str, also: Sequence[Target] = (), again: bool = False) -> str:
        """A topic's text answer, counted in the usage records; a first-time texter's carries the notice in front
        (one message, not two: carriers do not keep two texts in order, and each is billed), as does the same answer
        again in another language (again: not counted twice, as by phone). With also, the answer closes with those
        other topics to reply 1 and 2 for (the second only where it fits), and 1 and 2 now mean them."""
        note(topic=target_id)
        self.last = target_id
        if not again:
            self.line.record_usage("sms", self.lang.code, target_id)
        target = self.lang.topic(target_id)
        first = (self.first or again) and not self.noticed
        offered = offers_that_fit(self.lang, target, also, self.phrase("sms_welcome") if first else "")
        if offered:
            self.choices = [ref_of(t) for t in offered]
            self.choices_kind = "also"
        if first:
            self.noticed = True
            return first_answer(self.lang, target, offered)[0]
        return sms_answer(self.lang, target, offered)

    def reach(self, target: Target, also: Sequence[Target] = ()) -> str:
        """A topic's answer (with one or two other topics offered after it), or a menu's list."""
        return self.listing(target.id) if target.kind == "menu" else self.answer_for(target.id, also)

    def which(self, targets: Sequence[Target], kind: str = "ask") -> str:
        """ "Which did you mean?" and these numbered choices; kind: what they stay (the two topics offered after an
        answer stay "also": "both" and "the other one" still work on them)."""
        reply = self.offer(self.phrase("sms_did_you_mean"), tuple(targets))
        self.choices_kind = kind
        return reply

    def offer(self, header: str, targets: tuple[Target, ...]) -> str:
        """Numbered choices; the next number picks from them, not from a menu."""
        self.choices = [ref_of(t) for t in targets]
        self.last = ""  # "again" now means these choices' menu, not an answer before them
        return sms_choices(self.lang, header, targets)

    def respond(self, body: str) -> list[str]:
        """The texts to send back; a first-time texter's reply always carries the line's notice (in one message)."""
        messages = self.reply_to(body)
        if self.first and messages and not self.noticed:
            messages[0] = f"{self.phrase('sms_welcome')}\n{messages[0]}"
        return messages

    def reply_to(self, body: str) -> list[str]:
        """The texts for one message, first one first: a crisis or an emergency before anything else."""
        safety = self.line.safety
        if safety.is_crisis(body):
            return [self.crisis_reply(body)]
        if safety.is_emergency(body):
            # Never routed on to a topic because of one of its words: 911 first, then the warning signs (which say
            # what needs 911 and what needs the doctor now, whatever words the emergency was told in), else the menu.
            note(safety="emergency")
            self.switch_if_clear(body, "emergency")
            self.line.record_safety("sms", self.lang.code, "emergency", body, request.form.get("To", ""))
            self.noticed = True  # "call 911" comes first, and is the notice's own warning
            return [self.emergency_reply()]
        if safety.is_distress(body):
            # "Camino una cuadra y ya no puedo más, ¿es la neuropatía?": where help is, then the reply (an answer, or
            # "did you mean"; an exploratory texter's "I'm tired of fighting this, how long do people live" read three
            # segments of survival figures before 988, as a caller hears 988 first); with nothing beside them ("ya no
            # puedo más, señorita"), or nothing the line understands, the crisis line's words.
            self.switch_if_clear(body)
            decision = self.line.decide(body, self.lang.code, TEXT_CHOICES)
            if decision.kind == "none" or not safety.says_more(body, self.line.matcher.indexes[self.lang.code].analyzer.words):
                return [self.crisis_reply(body)]
            note(safety="distress")
            help_line = [self.phrase("sms_distress")] if "sms_distress" in self.lang.phrases else []
            return [*help_line, *self.answer(decision, body)]
        words = normalize(body)
        matcher = self.line.matcher
        if not words:
            if body.strip() and all(c.isspace() or unicodedata.category(c).startswith("P") for c in body):
                # "???", "?!": someone lost, not a picture or an emoji: what the line is and how to use it.
                self.noticed = True
                return [self.phrase("sms_help")]
            if not self.first and _kind_symbols(body) and request.form.get("NumMedia", "0") in ("", "0"):
                if self.asked and self.asked_kind == "ask":
                    # A thumbs up to "did you mean": which one is still to say; the choices again.
                    return [self.which(self.offered())]
                # A thumbs up or a heart after an answer (with no picture, which the line cannot read): thanks, in kind.
                return [self.courtesy()]
            return [f"{self.phrase('sms_no_text')}\n{self.listing(self.menu)}"]
        # "That's not it", or "both" ("las dos" is then no number 2), after an answer that offered other topics.
        offers = self.asked if self.asked_kind == "also" else []
        both = bool(offers) and matcher.word_language(body, "both", self.lang.code) is not None
        not_it = both or bool(offers) and matcher.word_language(body, "not_it", self.lang.code) is not None
        chosen = None if not_it else matcher.indexes[self.lang.code].number_in(words, bool(self.asked))
        if chosen is None and self.asked and not not_it:
            # "Sí, el dos" to English choices, "the second one" to Spanish ones: a choice in the other language's words
            # takes it, without a switch (a question in it switches).
            chosen = next((n for code, ix in matcher.indexes.items()
                           if code != self.lang.code and (n := ix.number_in(words, True)) is not None), None)
        if chosen is None and self.asked and matcher.word_language(body, "last", self.lang.code):
            chosen = len(self.offered())  # "the last one", "la última": the last of the choices
        # A yes in the conversation's language; while choices wait, in either ("sí" to English choices).
        yes_in = matcher.word_language(body, "yes", self.lang.code)
        yes = yes_in == self.lang.code or bool(self.asked) and yes_in is not None
        if chosen is None and len(offers) > 1 and both:
            # "Both", "las dos": the first topic now, and the other still offered ("For Y, reply 1"); an action
            # offered (leave a message) comes second.
            return [self.several(self.offered())]
        if chosen is None and self.asked and not not_it:
            # "1 and 2", "1,2", "uno y dos" to a "did you mean" or offers; "both" to a "did you mean" of two: the first
            # named now, the others offered after it. Never a guess made of the numbers' words.
            offered = self.offered()
            named = self.numbers_named(words)
            if not named and matcher.word_language(body, "both", self.lang.code) is not None:
                if len(offered) != 2:
                    return [self.which(offered)]  # "both" of four: which ones is still to say
                named = [1, 2]
            if named:
                if all(1 <= n <= len(offered) for n in named):
                    return [self.several([offered[n - 1] for n in named])]
                return [self.pick_choice(max(named))]  # a number the choices do not have: said so, and the choices
        if chosen is None and len(offers) > 1 and (yes or not_it):
            # "That's not it", "both" or "yes" (to which of the two?), after two topics were offered: which one (first),
            # as a "did you mean" (after one, "yes" or "not it" is that one, below). Someone who meant the answer was
            # right can leave the choices be.
            return [self.which(self.offered(), "also")]  # still those two: "both", "the other one" work on
        if (chosen is None and self.asked_kind == "picked" and self.asked
                and (matcher.word_language(body, "not_it", self.lang.code) or matcher.word_language(body, "no", self.lang.code))):
            # "That's not it" or "no" after a choice of a "did you mean": the other choices, as a "did you mean" again.
            others = tuple(t for t in self.offered() if t.id != self.last)
            if others:
                return [self.which(others)]
            return [self.listing("main")]
        if chosen is None and not_it:
            chosen = 1  # "that's not it" after "For X, reply 1": that other topic
        if chosen is None and self.asked_kind == "ask" and self.asked and matcher.word_language(body, "not_it", self.lang.code):
            return [self.listing("main")]  # "that's not it" to a "did you mean": none of them, as "no"; every topic
        if (chosen is None and not self.asked and ("topic", self.last) in self.lang.targets
                and matcher.word_language(body, "not_it", self.lang.code)):
            # "That's not it" after an answer that offered nothing else: every topic, never a "did you mean" made of
            # its words, which offered the answer just turned down first.
            return [self.listing("main")]
        if chosen is None and self.asked and self.asked_kind != "picked" and yes:
            # "Yes" / "sí" to a "did you mean": its first choice, as by phone; after an answer that offered "For X,
            # reply 1", that other topic.
            chosen = 1
        if chosen is not None:
            # A number, in digits or words ("2", "dos", "option 2"): a "did you mean"'s choice, else the menu's option.
            return [self.pick_choice(chosen) if self.asked else self.pick(str(chosen))]
        if not self.asked and (named := self.numbers_named(words)):
            return [self.pick(str(named[0]))]  # "1 and 2" at a list: its first, never a guess made of the numbers
        if matcher.word_language(body, "no", self.lang.code) == self.lang.code:
            # "No", "none of them", "ninguno" to the choices offered, after an answer, after the crisis line's words, or
            # first: all the topics, never a guess made of "no".
            return [self.welcome() if self.first else self.listing("main")]
        if yes and ("topic", self.last) in self.lang.targets:
            return [self.courtesy()]  # "yes", "sí" after a plain answer: it was the one
        if yes_in is not None and not self.asked:
            if self.last in (CRISIS, CRISIS_AGAIN):
                # "Sí" after the crisis line's words (yes to danger, or to help): those words again, 911 among them. A
                # YES, the carrier's word, only once (waits_for_yes): each got them again, beside the carrier's reply.
                self.set_language(yes_in)
                if words == "yes":
                    self.last = CRISIS_AGAIN  # the carrier's word: once (a "sí" keeps the one repeat still to come)
                return [self.phrase("sms_crisis")]
            if self.last in (EMERGENCY, EMERGENCY_AGAIN):
                if words == "yes":
                    self.last = EMERGENCY_AGAIN  # "call 911" again, alone and once
                    return [self.phrase("sms_emergency")]
                return [self.emergency_reply()]
            # A bare "sí" with nothing asked (a first text, or after a list): the topics, in the language it was said
            # in, not "not understood" with topics made of its two letters.
            if self.first:
                self.set_language(yes_in)
                return [self.welcome()]
            return [self.listing(self.menu)]
        more = matcher.word_language(body, "more", self.lang.code) is not None
        if more and ("topic", self.last) in self.lang.targets:
            # "Tell me more" after an answer: the topics beside it (its menu), never guesses made of the words.
            return [self.listing(self.content.home_of(self.last))]
        code = matcher.word_language(body, "repeat", self.lang.code)
        if code is None and more:
            code = self.lang.code  # elsewhere: what was sent last, again
        if code is not None:
            if self.first:
                self.set_language(code)  # "¿qué?" as a first text: the line's words in the texter's language
            # "Again", "what?", "¿cómo?": the last answer once more (never the topic of its words: "volver" is not a
            # relapse); after a "did you mean", its choices.
            if self.asked and (self.asked_kind == "ask" or self.asked_kind == "also" and not self.last):
                # (Also "which did you mean?" of the topics offered after an answer: they stay those two.)
                return [self.which(self.offered(), self.asked_kind)]
            if self.last in (CRISIS, CRISIS_AGAIN):
                return [self.phrase("sms_crisis")]
            if self.last in (EMERGENCY, EMERGENCY_AGAIN):
                return [self.emergency_reply()]
            last = self.last if ("topic", self.last) in self.lang.targets else ""
            # With the topics it offered, which 1 and 2 still take.
            offered = self.offered() if self.asked_kind == "also" else ()
            reply = self.answer_for(last, offered) if last else self.listing(self.menu)
            self.keep_picked()
            return [reply]
        if not self.asked and matcher.word_language(body, "both", self.lang.code):
            # "Both" with nothing offered: the list it may have meant, never a "did you mean" made of the word.
            return [self.listing(self.menu)]
        if matcher.word_language(body, "back", self.lang.code):
            # "Back", "volver": from an answer or a "did you mean", the menu it was in; from a menu's own list, the
            # menu above it (as 0 by phone).
            if ("topic", self.last) in self.lang.targets and not self.content.menus[self.menu].offers(self.last):
                # After an answer a question reached: the topics beside it, as by phone.
                return [self.listing(self.content.home_of(self.last))]
            if self.last or self.asked:
                return [self.listing(self.menu)]
            return [self.listing(self.content.menus[self.menu].parent or "main")]
        for name in ("language", "help", "stop_texts", "menu"):
            code = matcher.word_language(body, name, self.lang.code)
            if code is not None:
                # Asking to stop in other words than the one STOP the carrier acts on: the help, which says how.
                switched = code != self.lang.code
                self.set_language(code)
                if name == "language" and switched and self.last in (CRISIS, CRISIS_AGAIN, EMERGENCY, EMERGENCY_AGAIN):
                    # The crisis line's words, or "call 911" and the warning signs, again in the language asked for
                    # (as a call plays them), never the list of topics in their place.
                    self.noticed = True
                    return [self.phrase("sms_crisis") if self.last in (CRISIS, CRISIS_AGAIN) else self.emergency_reply(again=True)]
                if name == "language" and switched and ("topic", self.last) in self.lang.targets:
                    # "In Spanish please", "en español" after an answer: that answer again in the language asked for,
                    # with its notice (as a call plays it), and the topics it offered, not the list of every topic.
                    offered = self.offered() if self.asked_kind == "also" else ()
                    reply = self.answer_for(self.last, offered, again=True)
                    self.keep_picked()
                    return [reply]
                if name in ("language", "menu"):
                    return [self.welcome()]
                self.noticed = True  # the help says what the line is and that an emergency is for 911
                self.last = ""
                return [self.phrase("sms_help")]
        code = matcher.word_language(body, "courtesy", self.lang.code)
        if code is not None:
            # "thanks", "ok", "bye": a short reply in kind, no list of topics, and not a question not understood; in
            # the conversation's language ("thank you" in a Spanish conversation is a courtesy, not a switch).
            if self.first:
                # "ok", "thanks" as a first text: what the line is and its topics, not "you're welcome" for nothing.
                self.set_language(code)
                return [self.welcome()]
            if "sms_goodbye" in self.lang.phrases and matcher.word_language(body, "goodbye", self.lang.code) is not None:
                return [self.courtesy("sms_goodbye")]  # "bye", "adiós": not "you're welcome"
            if self.asked and self.asked_kind == "ask" and not self.line.matcher.says_thanks(body):
                # "Ok" to a "did you mean": which one is still to say; the choices again (as a thumbs up gets). A
                # thank-you there is a thank-you (an exploratory texter's "thx" got the list again): the choices
                # still wait for a number.
                return [self.which(self.offered())]
            return [self.courtesy()]
        if self.line.junk.is_mash(body):
            # Keys mashed, not words: the short help; kept with the questions not understood, where it is folded away.
            note(decision="junk")
            self.line.record_unmatched("sms", self.lang.code, body[:200], thread=self.thread)
            return [f"{self.phrase('sms_not_understood')} {self.phrase('sms_menu_footer')}"]
        self.switch_if_clear(body)
        decision = self.line.decide(body, self.lang.code, TEXT_CHOICES)
        unsure = decision.kind not in ("answer", "offer") or decision.target.kind != "topic"
        if self.last == CRISIS and unsure:
            # Right after the crisis line's words, a message the line is not sure of ("ya llamé al 988", "no quiero
            # hablar con nadie"): those words again, never a list of topics made of it; once (a texter the words met
            # by mistake is not held there: the next message is read as any other).
            note(decision=decision.kind, safety="after_crisis")
            self.last = CRISIS_AGAIN
            return [self.phrase("sms_crisis")]
        if self.last == EMERGENCY and unsure or self.last in (EMERGENCY, EMERGENCY_AGAIN) and self.line.safety.is_plea(body):
            # Right after "call 911" and the warning signs, "what do I do", "qué hago" or words the line is not sure
            # of (an exploratory texter's got "not understood" and a list led by "what causes it"): "call 911" again,
            # alone; a plea each time, other words once, as after the crisis line's words.
            note(decision=decision.kind, safety="after_emergency")
            self.last = EMERGENCY_AGAIN
            return [self.phrase("sms_emergency")]
        return self.answer(decision, body)

    def waits_for_yes(self) -> bool:
        """Whether a "yes" now answers the line: right after the crisis line's words or "call 911", or with choices
        waiting ("Which did you mean?", "For X, reply 1")."""
        return self.last in (CRISIS, EMERGENCY) or bool(self.asked) and self.asked_kind != "picked"

    def crisis_reply(self, body: str) -> str:
        """The crisis line's words (988, then 911 if in danger), in the language they were said in, recorded."""
        note(safety="crisis")
        self.switch_if_clear(body, "crisis")
        self.line.record_safety("sms", self.lang.code, "crisis", body, request.form.get("To", ""))
        self.noticed = True  # nothing goes before the crisis line's words
        self.last = CRISIS  # "again", "otra vez": these words once more
        return self.phrase("sms_crisis")

    def emergency_reply(self, again: bool = False) -> str:
        """Call 911, then the warning signs (which say what needs 911 and what needs the doctor now), else the menu;
        again: the same once more in another language (its warning signs counted once)."""
        warning = self.content.emergency_topic
        if warning and ("topic", warning) in self.lang.targets:
            reply = f"{self.phrase('sms_emergency')}\n{self.answer_for(warning, again=again)}"
        else:
            reply = f"{self.phrase('sms_emergency')}\n{self.listing('main')}"
        self.last = EMERGENCY  # "again", "what was that number": all of it once more
        return reply

    def switch_if_clear(self, body: str, alarm: str = "") -> None:
        """Keep the conversation's language unless this message is clearly in another (or is the first); a first
        message of crisis or emergency words of another language only, whose other words do not lean to the guessed
        one ("no kiero bivir"): the language those words are in."""
        self.set_language(self.line.languages.language(body, None if self.first else self.lang.code))
        words = normalize(body)
        if words not in self.line.matcher.indexes[self.lang.code].exact:
            # A keyword of another language only ("PIEL" after English answers, as the Spanish help offers them): that
            # language; one word is too few for the guesser. Only its keywords: an English word a Spanish speaker
            # texts ("insurance", "chemo") is no switch.
            self.set_language(next((code for code, lang in self.content.languages.items() if words in keywords(lang)),
                                   self.lang.code))
        if alarm and self.first:
            other = self.line.safety.language_of(body, alarm, self.lang.code)
            if self.line.languages.leans_to(body, other, self.lang.code):
                self.set_language(other)

    def answer(self, decision: Decision, body: str) -> list[str]:
        """Answer when sure, ask when two to four are close, else say so and offer the nearest."""
        note(decision=decision.kind)
        if decision.kind == "answer":
            return [self.reach(decision.target)]
        if decision.kind == "offer":
            # Answer, then offer: the likeliest answer now, the next two one reply away.
            return [self.reach(decision.target, decision.choices[1:])]
        if decision.kind == "ask":
            self.line.record_unmatched("sms", self.lang.code, body[:200], "ask", self.thread)
            return [self.which(decision.choices)]
        self.line.record_unmatched("sms", self.lang.code, body[:200], thread=self.thread)
        if decision.elsewhere and not self.follows_an_answer(body):
            # About something else ("tell me a joke", "who won the game"): what the line is for, and the way to
            # its topics, never a list of guesses made of its words. Topics offered after the last answer stay offered.
            if self.asked_kind == "also":
                self.choices, self.choices_kind = self.asked, "also"
            return [self.lang.phrases.get("sms_off_topic") or f"{self.phrase('sms_not_understood')} {self.phrase('sms_menu_footer')}"]
        return [self.offer(f"{self.phrase('sms_not_understood')} {self.phrase('sms_nearest')}", decision.choices)]

    def courtesy(self, phrase: str = "sms_courtesy") -> str:
        """A thank-you (or a goodbye) in kind; the topics offered after the last answer still a reply away ("thanks",
        then "2")."""
        if self.asked_kind in ("also", "picked", "ask"):
            self.choices, self.choices_kind = self.asked, self.asked_kind
        return self.phrase(phrase)

    def follows_an_answer(self, body: str) -> bool:
        """Whether a message is a few words right after an answer ("he has it" after whether POEMS is contagious): it
        goes on from the answer, which the meaning model cannot see; never "this line only answers questions about
        POEMS" (an exploratory texter's), but "not understood" with the nearest topics."""
        return ("topic", self.last) in self.lang.targets and self.line.matcher.indexes[self.lang.code].goes_on(body)

    def keep_picked(self) -> None:
        """After a choice of a "did you mean" was sent again ("again", "en español"), its numbers still take theirs."""
        if self.asked_kind == "picked" and not self.choices:
            self.choices, self.choices_kind = list(self.asked), "picked"

    def offered(self) -> tuple[Target, ...]:
        """The choices the texter was last offered, as this language has them."""
        targets = [self.lang.targets.get(self.content.key_of(i, self.lang)) for i in self.asked]
        return tuple(t for t in targets if t is not None)

    def pick_choice(self, number: int) -> str:
        """A number after a "did you mean": that choice (another number: the choices again)."""
        offered = self.offered()
        if self.asked_kind == "also" and number > len(offered) and number <= len(self.was) and self.was[number - 1] in self.asked:
            # "2" for the topic first offered as 2, offered again as 1 after the other was taken.
            number = self.asked.index(self.was[number - 1]) + 1
        if 1 <= number <= len(offered):
            note(decision="chosen")
            chosen = offered[number - 1]
            # One of two topics offered after an answer: the other is still offered ("For Y, reply 1"), as after
            # "both"; it was lost, and "2", "the other one" then picked from the menu.
            rest = [t for t in offered if t is not chosen] if self.asked_kind == "also" else []
            reply = self.reach(chosen, rest)
            if rest and self.choices_kind == "also":
                self.next_was = list(self.asked)
            if self.asked_kind in ("ask", "picked") and chosen.kind != "menu" and not self.choices:
                # The "did you mean" stays the list its numbers name: "2" after "1" was not it is its 2, not the menu's.
                self.choices, self.choices_kind = list(self.asked), "picked"
            return reply
        # A number the choices do not have ("2" after "For X, reply 1"): said so, as by phone, and the same choices;
        # never "I did not understand", which a number plainly typed is not. A topic offered after an answer stays
        # one ("the other one", "yes" still take it), not a "did you mean".
        last = self.last
        reply = self.offer(self.phrase("not_option"), offered)
        if self.asked_kind == "also":
            # Still after that answer: "again" or "en español" is still about it.
            self.choices_kind, self.last = "also", last
        return reply

    def numbers_named(self, words: str) -> list[int]:
        """The several numbers a message names, in the conversation's language or the other's ("uno y dos" to English
        choices, as "dos" alone)."""
        indexes = self.line.matcher.indexes
        for index in (indexes[self.lang.code], *(ix for code, ix in indexes.items() if code != self.lang.code)):
            if named := index.numbers_in(words):
                return named
        return []

    def several(self, targets: Sequence[Target]) -> str:
        """Several choices taken at once ("both", "1 and 2"): the first topic's answer, the others offered after it
        (an action offered, such as leaving a message, after the topics); the numbers first read still take theirs."""
        note(decision="chosen")
        first, *rest = sorted(targets, key=lambda t: t.kind != "topic")
        reply = self.reach(first, rest)
        if rest and self.choices_kind == "also":
            self.next_was = list(self.asked)  # "2" still takes the other, as after "1"
        return reply

    def pick(self, number: str) -> str:
        """A number picks an option of the menu the texter last saw (the main menu when that is forgotten)."""
        option = self.content.menus[self.menu].option(number.lstrip("0") or "0")
        if option is None:
            # A number the list does not have: said so, as by phone, and the same list.
            return f"{self.phrase('not_option')}\n{self.listing(self.menu)}"
        if option.kind == "menu":
            return self.listing(option.target)
        return self.answer_for(option.target)


def keywords(lang: Language) -> frozenset[str]:
    """A language's topic and menu keywords, as texted (PIEL, CARE), worked out once per loaded language."""
    known = lang.__dict__.get("_keywords")
    if known is None:
        known = lang.__dict__["_keywords"] = frozenset(normalize(t.keyword) for t in lang.targets.values() if t.keyword)
    return known


# Emoji that say thanks or okay (by their Unicode names): after an answer, a courtesy, not "I can only read words".
KIND_EMOJI = frozenset({
    "THUMBS UP SIGN", "OK HAND SIGN", "PERSON WITH FOLDED HANDS", "SLIGHTLY SMILING FACE", "SMILING FACE WITH SMILING EYES",
    "SMILING FACE WITH SMILING EYES AND THREE HEARTS", "HUGGING FACE", "WHITE HEAVY CHECK MARK", "HEAVY BLACK HEART",
    "BLACK HEART SUIT", "BLUE HEART", "PURPLE HEART", "GREEN HEART", "YELLOW HEART", "ORANGE HEART", "WHITE HEART",
    "TWO HEARTS", "SPARKLING HEART"})


def _kind_symbols(body: str) -> bool:
    """Whether a message is only emoji of thanks or okay (with their skin tones, variation selectors and joiners)."""
    marks = [c for c in body if not c.isspace() and unicodedata.category(c) not in ("Mn", "Cf", "Sk")]
    return bool(marks) and all(unicodedata.name(c, "") in KIND_EMOJI for c in marks)
