"""Spanish by phone and by text, switching languages, and a third language added with prompt files only."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.content import gsm, replies
from service.audio.build import build
from service.content import load, read
from service.line import Line
from service.simulator import PhoneCall, TextThread, TwilioClient, audio_texts
from tests.conftest import FIXTURES, TOKEN, make_app
from tests.test_content import edit
from tests.test_voice import PROMISED, key_path, spoken

SPANISH_FACTS = {
    "what_is": "trastorno raro de la sangre",
    "polyneuropathy": "polineuropatía",
    "organomegaly": "organomegalia",
    "endocrinopathy": "endocrinopatía",
    "monoclonal": "trastorno monoclonal de células plasmáticas",
    "skin": "cambios en la piel",
    "causes": "No se sabe la causa exacta",
    "inherited": "No se sabe de POEMS que pase de padres a hijos",
    "contagious": "no es una infección",
    "outlook": "vive muchos años",
    "diagnosis": "difícil de diagnosticar",
    "treatment": "El tratamiento va contra las células plasmáticas anormales",
    "natural_treatments": "No hay pruebas",
    "how_common": "POEMS es raro",
    "support": "NORD",
    "famous_people": "No sabemos de ninguna persona famosa",
}


def test_spanish_has_every_topic_the_english_line_has(line: Line) -> None:
    assert set(SPANISH_FACTS) == set(PROMISED)
    es = line.content.languages["es"]
    for topic, fact in SPANISH_FACTS.items():
        assert fact in es.topic(topic).spoken


@pytest.mark.parametrize("topic", sorted(SPANISH_FACTS))
def test_every_spanish_topic_is_two_presses_from_the_spanish_main_menu(topic: str, call: PhoneCall, line: Line) -> None:
    call.start()
    menu = call.press("6")
    assert spoken(line, "menu.main", "es") in menu.text
    assert menu.gather.get("language") == "es-US"
    keys = key_path(line.content, topic)
    assert len(keys) <= 2
    for key in keys:
        turn = call.press(key)
    assert spoken(line, f"topic.{topic}", "es") in turn.text
    assert turn.heard[0].audio.startswith(f"es-topic-{topic.replace('_', '-')}-")
    assert turn.gather.get("language") == "es-US"


def test_spanish_menus_use_spanish_hints_and_phrasing(call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.press("6")
    hints = turn.gather.get("hints")
    assert "contagioso" in hints and "tratamiento" in hints and "treatment" not in hints
    assert "Para los síntomas: las cinco partes, P O E M S, oprima 2." in spoken(line, "menu.main", "es")
    assert "For English, press 6." in turn.text


@pytest.mark.parametrize("said, fact", [
    ("¿es contagioso?", "no es una infección"),
    ("se me duermen los pies", "polineuropatía"),
    ("cuánto tiempo puedo vivir", "vive muchos años"),
    ("háblame de la piel", "cambios en la piel"),
    ("mis hijos lo pueden heredar", "padres a hijos"),
])
def test_spoken_spanish_questions_reach_their_topic(said: str, fact: str, call: PhoneCall) -> None:
    call.start()
    call.press("6")
    assert fact in call.say(said).text


def test_saying_espanol_at_the_english_menu_switches(call: PhoneCall, line: Line) -> None:
    call.start()
    assert spoken(line, "menu.main", "es") in call.say("español").text


def test_spanish_keys_silence_and_wrong_keys(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("6")
    call.press("2")
    wrong = call.press("7")
    assert wrong.heard[0].text == "Lo siento, esa no es una opción."
    assert spoken(line, "menu.features", "es") in call.press("*").text
    assert spoken(line, "menu.main", "es") in call.press("0").text
    assert "No oí nada" in call.wait().text
    call.wait()
    goodbye = call.wait()
    assert goodbye.hung_up and "por mensaje de texto a este mismo número" in goodbye.text


@pytest.mark.parametrize("body, fact", [
    ("¿es contagioso?", "no es una infeccion"),
    ("tratamiento", "El tratamiento va contra"),
    ("me duelen los pies", "polineuropatia"),
    ("se hereda?", "padres a hijos"),
    ("PIEL", "cambios en la piel"),
    ("heredtario", "padres a hijos"),
])
def test_spanish_texts_get_spanish_answers(body: str, fact: str, texter: TextThread) -> None:
    texter.send("hola")
    assert fact in texter.send(body)[-1]


def test_hola_and_ayuda_answer_in_spanish(texter: TextThread) -> None:
    assert texter.send("hola")[0].startswith("Linea de informacion sobre el sindrome POEMS")
    help_text = texter.send("AYUDA")[0]
    assert "no consejo medico" in help_text and "STOP" in help_text and "911" in help_text


def test_a_first_spanish_question_gets_a_spanish_welcome_and_answer(texter: TextThread) -> None:
    [reply] = texter.send("¿es contagioso?")
    assert reply.startswith("Linea de informacion") and "no es una infeccion" in reply and gsm.segments(reply) <= 3


def test_espanol_and_english_switch_and_the_choice_is_remembered(texter: TextThread) -> None:
    assert "Responda con un numero" in texter.send("ESPANOL")[0]
    assert "los sintomas" not in texter.send("2")[0] and "problemas de los nervios" in texter.send("MENU")[0] + texter.send("2")[0]
    assert "entumecimiento" in texter.send("1")[0].lower()
    # ENGLISH after an answer: that answer in English (as key 6 at an answer by phone), then English menus.
    assert "Reply MENU" in texter.send("ENGLISH")[0]
    assert "Reply with a number" in texter.send("MENU")[0]
    assert "nerve problems, the P" in texter.send("2")[0]
    assert "Reply MENU" in texter.send("1")[0]


def test_spanish_replies_fold_accents_and_fit_three_gsm7_segments(texter: TextThread) -> None:
    texter.send("hola")
    for body in ["1", "MENU", "2", "3", "tratamiento", "AYUDA", "xyz", "dolor de pecho", "¿es contagioso?"]:
        for reply in texter.send(body):
            assert not gsm.non_gsm(reply) and gsm.segments(reply) <= 3, reply
            assert not set("áíóú") & set(reply)


def test_spanish_emergency_words(texter: TextThread) -> None:
    texter.send("hola")
    assert texter.send("tengo dolor de pecho")[0].startswith("Si es una emergencia, llame al 911 ahora.")


def test_spanish_readability_uses_a_spanish_formula(prompts_copy: Path) -> None:
    hard = ("No obstante la considerable investigación epidemiológica internacional, la transmisibilidad interindividual "
            "permanece completamente indemostrada, constituyendo una anormalidad proliferativa hematológica.")
    edit(prompts_copy, "es.yaml", "      No. POEMS no es una infección. Es un trastorno de las células de la sangre.\n",
         f"      {hard}\n")
    problems = [str(p) for p in read(prompts_copy).problems if p.severity == "error"]
    assert len(problems) == 1
    assert problems[0].startswith("prompts/es.yaml:") and "topic 'contagious': spoken answer scores" in problems[0]
    assert "on the Fernández Huerta scale; expected at least 65" in problems[0]


def _three_app(tmp_path: Path):  # type: ignore[no-untyped-def]
    empty = tmp_path / "audio-three"
    empty.mkdir()
    return make_app(tmp_path, PROMPTS_DIR=str(FIXTURES / "three"), AUDIO_DIR=str(empty))


def test_a_third_language_works_by_phone_with_no_code_change(tmp_path: Path) -> None:
    app = _three_app(tmp_path)
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN))
    greeting = call.start()
    texts = [h.text for h in greeting.heard]
    assert texts[1:3] == ["Para español, oprima 6.", "Pour le français, appuyez sur 6."]
    assert greeting.heard[2].language == "fr-FR"
    choice = call.press("6")
    assert [h.text for h in choice.heard] == ["For English, press 1.", "Para español, oprima 2.", "Pour le français, appuyez sur 3."]
    french = call.press("3")
    assert "Menu principal." in french.text and french.gather.get("language") == "fr-FR"
    answer = call.press("2")
    assert "POEMS n'est pas une infection" in answer.text
    assert "n'est pas une infection" in call.say("c'est contagieux?").text
    assert "Menu principal." in call.press("9").text


def test_a_third_language_works_by_text_with_no_code_change(tmp_path: Path) -> None:
    app = _three_app(tmp_path)
    texter = TextThread(TwilioClient(app.test_client(), TOKEN))
    assert texter.send("bonjour")[0].startswith("Ligne d'information sur le syndrome POEMS")
    assert "n'est pas une infection" in texter.send("contagieux")[-1]
    assert "n'est pas une infection" in texter.send("2")[-1]
    assert texter.send("AIDE")[0].startswith("Ligne d'information")


def test_a_third_language_is_checked_and_gets_its_audio(tmp_path: Path) -> None:
    content = load(FIXTURES / "three")
    spoken_texts: list[str] = []

    def engine(text: str, lang: object) -> bytes:
        from tests.conftest import silence_mp3

        spoken_texts.append(text)
        return silence_mp3(0.2)

    report = build(content, tmp_path / "audio", engine="espeak", synthesizer=engine)
    assert not report.failed
    assert "Pour le français, appuyez sur 3." in spoken_texts
    assert any(name.startswith("fr-topic-contagious-") for name in report.made)


def test_a_phrase_missing_in_the_third_language_is_reported(tmp_path: Path) -> None:
    import shutil

    tree = tmp_path / "prompts"
    shutil.copytree(FIXTURES / "three", tree)
    edit(tree, "fr.yaml", "  record_none: Nous n'avons pas reçu de message.\n", "")
    assert [str(p) for p in read(tree).problems if "whole number" not in p.message] == [
        "prompts/fr.yaml:33: phrases: missing 'record_none'; expected it here"]


def test_audio_texts_in_spanish_are_played_not_said(call: PhoneCall, line: Line) -> None:
    texts = audio_texts(line)
    call.start()
    turn = call.press("6")
    assert all(h.audio and h.audio in texts for h in turn.heard)


def test_key_6_at_the_greeting_plays_the_spanish_notice_and_keys_before_the_spanish_menu(call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.press("6")
    texts = [h.text for h in turn.heard]
    notice, keys = spoken(line, "phrase.notice", "es"), spoken(line, "phrase.main_menu_footer", "es")
    menu = spoken(line, "menu.main", "es")
    assert texts.index(notice) < texts.index(keys) < texts.index(menu), texts
    assert turn.gather.get("language") == "es-US"
    # Once: the next Spanish menu is just the menu.
    nxt = call.press("2")
    assert notice not in nxt.text and keys not in nxt.text and nxt.gather.get("language") == "es-US"


def test_asking_for_spanish_at_an_answer_keeps_the_answer_and_after_the_crisis_message_key_6_plays_it_in_spanish(
        call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("1")
    turn = call.say("Spanish please")
    assert spoken(line, "phrase.notice", "es") in turn.text and spoken(line, "topic.what_is", "es") in turn.text
    call.start()
    call.say("I want to kill myself")
    turn = call.press("6")
    assert turn.heard[0].text == spoken(line, "phrase.crisis", "es") and turn.gather.get("language") == "es-US"


def test_okay_or_a_control_word_of_the_calls_own_language_never_switches_it(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("6")
    call.press("1")
    turn = call.say("okay")
    assert turn.gather.get("language") == "es-US" and spoken(line, "phrase.notice") not in turn.text


def test_no_or_yes_said_in_the_other_language_at_an_answer_comes_with_that_languages_notice(call: PhoneCall, line: Line) -> None:
    notice = spoken(line, "phrase.notice", "es")
    call.start()
    call.press("1")
    turn = call.say("ninguno de esos")
    assert notice in turn.text and spoken(line, "menu.main", "es") in turn.text and turn.gather.get("language") == "es-US"


def test_key_6_in_a_menu_or_at_an_answer_keeps_the_caller_there_in_the_other_language(call: PhoneCall, line: Line) -> None:
    notice, keys = spoken(line, "phrase.notice", "es"), spoken(line, "phrase.main_menu_footer", "es")
    call.start()
    call.press("4")  # causes and risks
    turn = call.press("6")
    texts = [h.text for h in turn.heard]
    assert texts.index(notice) < texts.index(keys) < texts.index(spoken(line, "menu.risk", "es")), texts
    assert turn.gather.get("language") == "es-US"
    answer = call.press("3")
    assert spoken(line, "topic.contagious", "es") in answer.text
    back = call.press("6")  # and back: the same answer, in English
    assert spoken(line, "topic.contagious") in back.text and back.gather.get("language") == "en-US"
    assert spoken(line, "menu.risk") in call.press("0").text


def test_a_spanish_question_spoken_at_the_english_greeting_is_answered_in_spanish_then_heard_in_spanish(call: PhoneCall, line: Line) -> None:
    greeting = call.start()
    assert greeting.gather.get("language") == "en-US"
    turn = call.say("mi esposa tiene poems, ¿es contagioso para los niños?")
    texts = [h.text for h in turn.heard]
    notice, keys = spoken(line, "phrase.notice", "es"), spoken(line, "phrase.main_menu_footer", "es")
    answer = spoken(line, "topic.contagious", "es")
    assert texts.index(notice) < texts.index(keys) < texts.index(answer), texts
    assert turn.gather.get("language") == "es-US" and "lang=es" in turn.gather.get("action")
    # From then on, the call is in Spanish: a key goes to the Spanish main menu.
    assert spoken(line, "menu.main", "es") in call.press("9").text


@pytest.mark.parametrize("said", ["¿bueno?", "¿Bueno?", "gracias", "hola"])
def test_a_spanish_courtesy_word_at_the_english_greeting_gets_the_spanish_menu_not_you_are_welcome(
        said: str, call: PhoneCall, line: Line) -> None:
    # An exploratory caller's "¿bueno?" (a Mexican "hello?" on the phone) was answered "De nada. Cuídese mucho."
    call.start()
    turn = call.say(said)
    texts = [h.text for h in turn.heard]
    assert spoken(line, "phrase.notice", "es") in texts and spoken(line, "menu.main", "es") in texts, texts
    assert spoken(line, "phrase.courtesy", "es") not in texts
    assert texts[0] == spoken(line, "phrase.greeting", "es")  # the line's name, in Spanish: who is speaking
    # Once the call is in Spanish, the same word is a thank-you.
    assert spoken(line, "phrase.courtesy", "es") in [h.text for h in call.say("gracias").heard]


def test_unsure_spanish_words_at_the_english_greeting_get_the_spanish_main_menu_not_guesses(
        call: PhoneCall, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    es = line.content.languages["es"]
    close = (es.targets[("topic", "contagious")], es.targets[("topic", "skin")])
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", close, ()))
    call.start()
    turn = call.say("necesito información en español por favor")
    texts = [h.text for h in turn.heard]
    assert spoken(line, "phrase.notice", "es") in texts and spoken(line, "menu.main", "es") in texts, texts
    assert not any(close[0].title in t for t in texts)  # no "¿Quiso decir...?" made of "información"
    assert turn.gather.get("language") == "es-US"
    # A question in Spanish that names no language is asked about, in Spanish, as after key 6.
    call.start()
    turn = call.say("¿qué pruebas y qué tratamiento hay para los nervios?")
    texts = [h.text for h in turn.heard]
    assert spoken(line, "phrase.notice", "es") in texts and any(close[0].title in t for t in texts), texts


def test_english_thanks_yes_or_a_choice_in_a_spanish_call_are_understood_without_a_switch(
        call: PhoneCall, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    es = line.content.languages["es"]
    call.start()
    call.press("6")
    turn = call.say("thank you")  # it switched the whole call to English
    assert turn.heard[0].text == es.phrases["courtesy"] and turn.gather.get("language") == "es-US"
    choices = (es.targets[("topic", "contagious")], es.targets[("topic", "skin")])
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", choices, ()))
    call.say("muerta de cansancio después del trasplante")
    monkeypatch.undo()
    turn = call.say("the second one")
    assert spoken(line, "topic.skin", "es") in turn.text and turn.gather.get("language") == "es-US"
    # A sentence in English is still a switch: "I don't understand" in a Spanish call is most often the language.
    call.start()
    call.press("6")
    assert call.say("I don't understand").gather.get("language") == "en-US"
    # And "sí" to an English "did you mean": its first choice, in English.
    en = line.content.languages["en"]
    call.start()
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", (en.targets[("topic", "contagious")],
                                                                                en.targets[("topic", "skin")]), ()))
    call.say("my legs are killing me")
    monkeypatch.undo()
    turn = call.say("sí")
    assert spoken(line, "topic.contagious", "en") in turn.text and turn.gather.get("language") == "en-US"


def test_the_call_switches_back_to_english_on_an_english_question(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("6")
    turn = call.say("is this disease contagious, can my children catch it")
    assert spoken(line, "phrase.notice", "en") in turn.text and spoken(line, "topic.contagious", "en") in turn.text
    assert turn.gather.get("language") == "en-US"


def test_saying_a_languages_name_plays_its_notice_and_keys_too(call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.say("español")
    assert spoken(line, "phrase.notice", "es") in turn.text and spoken(line, "menu.main", "es") in turn.text
    assert turn.gather.get("language") == "es-US"


def test_spanish_crisis_words_at_the_english_greeting_get_the_spanish_crisis_message(call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.say("ya no quiero vivir con esta enfermedad")
    assert turn.heard[0].text == spoken(line, "phrase.crisis", "es")
    assert turn.gather.get("language") == "es-US"


@pytest.mark.parametrize("asked", ["spanish", "en español por favor"])
def test_asking_for_spanish_by_text_after_an_answer_sends_that_answer_in_spanish_with_its_notice(
        asked: str, texter: TextThread, line: Line) -> None:
    en, es = line.content.languages["en"], line.content.languages["es"]
    texter.send("hi")
    [english] = texter.send("contagious")
    assert gsm.fold(en.topic("contagious").text) in english
    [spanish] = texter.send(asked)
    # The same answer in Spanish, with the Spanish notice in front: not the list of every topic, which lost it.
    assert spanish.startswith(gsm.fold(es.phrases["sms_welcome"]))
    assert gsm.fold(es.topic("contagious").text) in spanish and gsm.segments(spanish) <= 3
    # From then on, in Spanish, without the notice again.
    [again] = texter.send("contagioso")
    assert gsm.fold(es.topic("contagious").text) in again and gsm.fold(es.phrases["sms_welcome"]) not in again


@pytest.mark.parametrize("said, phrase", [("I want to kill myself", "sms_crisis"), ("chest pain", "sms_emergency")])
def test_asking_for_spanish_by_text_after_the_crisis_or_emergency_reply_sends_it_again_in_spanish(
        said: str, phrase: str, texter: TextThread, line: Line) -> None:
    es = line.content.languages["es"]
    texter.send(said)
    [spanish] = texter.send("en español por favor")
    # The words that matter most, in the language asked for (the list of topics had taken their place).
    assert spanish.startswith(gsm.fold(es.phrases[phrase])) and gsm.segments(spanish) <= 3


def test_an_answer_sent_again_in_spanish_is_counted_once(texter: TextThread, line: Line,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    counted: list[tuple[str, str]] = []
    monkeypatch.setattr(line, "record_usage", lambda channel, lang, topic: counted.append((lang, topic)))
    texter.send("hi")
    texter.send("contagious")
    texter.send("spanish")
    texter.send("english")
    assert counted == [("en", "contagious")]
    # The warning signs after "call 911" likewise (a fixture topic stands for them).
    monkeypatch.setattr(line.content, "emergency_topic", "contagious")
    counted.clear()
    texter.send("chest pain")
    assert counted == [("en", "contagious")]
    [spanish] = texter.send("spanish")
    es = line.content.languages["es"]
    assert gsm.fold(es.topic("contagious").text) in spanish and counted == [("en", "contagious")]


def test_a_first_spanish_text_has_one_notice_and_the_whole_answer(texter: TextThread, line: Line) -> None:
    es = line.content.languages["es"]
    notice = gsm.fold(es.phrases["sms_welcome"])
    [reply] = texter.send("¿el síndrome poems es contagioso?")
    assert reply.count(notice) == 1 and reply.startswith(notice)
    closing = reply.rsplit("\n", 1)[-1]
    assert gsm.fold(es.topic("contagious").text) in reply
    # The footer, or the other topics offered (one, or two in one sentence), each as the line builds it.
    topics = [t for t in es.targets.values() if t.kind == "topic"]
    offers = [[a] for a in topics] + [[a, b] for a in topics for b in topics if a is not b]
    assert closing in {gsm.fold(es.phrases["sms_answer_footer"])} | {gsm.fold(replies.closing(es, o)) for o in offers}
    assert "..." not in reply and gsm.segments(reply) <= 3


@pytest.mark.parametrize("first", ["síntomas", "¿qué es el poems?", "zorp blik wuggle en español por favor"])
def test_every_first_spanish_reply_carries_the_spanish_notice_once(first: str, texter: TextThread, line: Line) -> None:
    notice = gsm.fold(line.content.languages["es"].phrases["sms_welcome"])
    [reply] = texter.send(first)
    assert reply.count(notice) == 1 and reply.startswith(notice) and gsm.segments(reply) <= 3, reply
    [later] = texter.send(first)
    assert notice not in later


@pytest.mark.parametrize("said, place", [("tratamiento", "topic.treatment"), ("síntomas", "menu.features")])
def test_one_spanish_topic_or_menu_name_said_at_the_english_greeting_is_answered_in_spanish(said: str, place: str, call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.say(said)
    texts = [h.text for h in turn.heard]
    notice = spoken(line, "phrase.notice", "es")
    assert notice in texts and texts.index(notice) < texts.index(spoken(line, place, "es")), texts
    assert turn.gather.get("language") == "es-US"


@pytest.mark.parametrize("said", ["en español por favor", "spanish please"])
def test_asking_for_spanish_in_a_sentence_gives_the_spanish_notice_and_main_menu_not_a_guess(said: str, call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.say(said)
    assert spoken(line, "phrase.notice", "es") in turn.text and spoken(line, "menu.main", "es") in turn.text
    assert line.content.languages["es"].phrases["did_you_mean"].split("{")[0] not in turn.text
    assert turn.gather.get("language") == "es-US"


def test_a_topic_sharing_a_menus_id_can_be_chosen_at_a_did_you_mean(call: PhoneCall, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    targets = line.content.languages["en"].targets
    menu, topic = targets[("menu", "support")], targets[("topic", "support")]
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", (menu, topic), ()))
    call.start()
    call.say("where can I find support")
    assert spoken(line, "topic.support") in call.press("2").text
    call.start()
    call.say("where can I find support")
    assert spoken(line, "menu.support") in call.press("1").text


def test_english_please_in_a_spanish_text_conversation_switches_to_english(texter: TextThread, line: Line) -> None:
    texter.send("que es poems")
    [reply] = texter.send("english please")
    assert gsm.fold(line.content.languages["en"].phrases["sms_welcome"]) in reply
    [answer] = texter.send("is it contagious")
    assert gsm.fold(line.content.languages["en"].targets[("topic", "contagious")].text) in answer


def test_an_english_question_after_a_spanish_hello_is_answered_in_english_and_spanglish_stays_spanish(texter: TextThread, line: Line) -> None:
    texter.send("hola")
    [answer] = texter.send("is it contagious?")
    assert gsm.fold(line.content.languages["en"].topic("contagious").text) in answer
    texter.send("hola")
    [mixed] = texter.send("my husband tiene poems, es contagioso?")
    assert gsm.fold(line.content.languages["es"].topic("contagious").text) in mixed


def test_a_spanish_texter_writes_numbers_in_words_and_asks_again_or_back_in_their_own_words(twilio: TwilioClient) -> None:
    app = twilio.client.application
    by_digit = TextThread(TwilioClient(app.test_client(), TOKEN), texter="+15555550193")
    by_word = TextThread(TwilioClient(app.test_client(), TOKEN), texter="+15555550194")
    by_digit.send("hola")
    by_word.send("hola")
    assert by_word.send("dos") == by_digit.send("2")  # the main menu's option 2, as the digit
    assert by_word.send("el uno") == by_digit.send("1")
    answer = by_word.send("se contagia?")[-1]
    assert "infeccion" in answer.lower()
    # "Otra vez": the same answer again (not the topic of its words); "volver": the menu, not "POEMS puede volver".
    assert by_word.send("otra vez por favor")[-1] == answer
    back = by_word.send("volver")[-1]
    assert "Responda con" in back and "volver" not in back.lower()


def test_a_caller_says_again_or_back_with_words_beside_them_and_a_spanish_speaker_says_so(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("6")  # Spanish
    call.press("4")
    call.press("3")
    again = call.say("otra vez por favor")
    assert spoken(line, "topic.contagious", "es") in again.text
    assert spoken(line, "menu.risk", "es") in call.say("atrás por favor").text
    other = PhoneCall(TwilioClient(call.twilio.client.application.test_client(), TOKEN), audio_texts(line))
    other.start()
    heard = other.say("no hablo inglés")
    assert spoken(line, "menu.main", "es") in heard.text


def test_a_texter_who_says_they_speak_no_english_gets_spanish(texter: TextThread) -> None:
    texter.send("hi")
    assert "Responda con" in texter.send("no hablo ingles")[-1]


def test_thanks_in_english_in_a_spanish_conversation_is_answered_in_spanish(texter: TextThread) -> None:
    texter.send("hola")
    [reply] = texter.send("thank you")
    assert reply.startswith("Con gusto")
