"""The text line as a texter meets it: signed texts in, short GSM-7 answers out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.content import gsm, normalize
from service.content import sms_menu, sms_texts
from service.line import Line
from service.simulator import TextThread, TwilioClient
from tests.conftest import TOKEN, make_app
from tests.test_voice import PROMISED, spoken

# The text answers carry the spoken answers' key words, except where the shorter text words them differently.
TEXT_FACTS = {
    **PROMISED,
    "polyneuropathy": "nerve damage",
    "endocrinopathy": "hormone problems",
    "diagnosis": "a year or more to diagnose",
    "support": "1-800-999-6673",
    "famous_people": "famous person",
    "leave_message": "voice message",
}
FOOTER = "Reply MENU for more topics, or ask another question."

BY_KEYWORD = {
    "P": "polyneuropathy", "NERVES": "polyneuropathy", "neuropathy": "polyneuropathy", "O": "organomegaly",
    "E": "endocrinopathy", "M": "monoclonal", "S": "skin", "SKIN": "skin", "CAUSE": "causes", "INHERIT": "inherited",
    "CONTAGIOUS": "contagious", "OUTLOOK": "outlook", "TESTS": "diagnosis", "TREATMENT": "treatment",
    "NATURAL": "natural_treatments", "COMMON": "how_common", "SUPPORT": "support", "FAMOUS": "famous_people",
    "POEMS": "what_is", "MESSAGE": "leave_message",
}
BY_QUESTION = {
    "is it contagious?": "contagious",
    "is POEMS contagious?": "contagious",
    "why are my feet numb": "polyneuropathy",
    "can my kids inherit it": "inherited",
    "how long can you live with it": "outlook",
    "support groups": "support",
    "what causes POEMS?": "causes",
    "how is it diagnosed": "diagnosis",
    "are herbal remedies any good": "natural_treatments",
    "how rare is it": "how_common",
    "what is the treatment for poems": "treatment",
    "what is POEMS": "what_is",
}
TYPOS = {"contagous": "contagious", "nueropathy": "polyneuropathy", "tretment": "treatment", "hereditery": "inherited",
         "endocrinopaty": "endocrinopathy", "prognosys": "outlook"}


def answer_of(replies: list[str]) -> str:
    assert replies, "no reply"
    return replies[-1]


def test_every_topic_the_phone_gives_a_text_gives(line: Line) -> None:
    for lang in line.content.languages.values():
        for topic in list(PROMISED) + ["leave_message"]:
            assert lang.topic(topic).text


@pytest.mark.parametrize("word, topic", sorted(BY_KEYWORD.items()))
def test_every_topic_by_keyword(word: str, topic: str, texter: TextThread) -> None:
    texter.send("MENU")
    reply = answer_of(texter.send(word))
    assert TEXT_FACTS[topic] in reply and reply.endswith(FOOTER if topic != "leave_message" else FOOTER)


@pytest.mark.parametrize("question, topic", sorted(BY_QUESTION.items()))
def test_every_common_question_in_plain_words(question: str, topic: str, texter: TextThread) -> None:
    texter.send("hi")
    assert TEXT_FACTS[topic] in answer_of(texter.send(question))


@pytest.mark.parametrize("typo, topic", sorted(TYPOS.items()))
def test_typos_still_find_the_topic(typo: str, topic: str, texter: TextThread) -> None:
    texter.send("hi")
    assert TEXT_FACTS[topic] in answer_of(texter.send(typo))


def test_every_topic_by_number_from_the_menus(texter: TextThread, line: Line) -> None:
    content = line.content
    reached = set()
    for menu_key, option in [(o.key, o) for o in content.menus["main"].options]:
        texter.send("MENU")
        reply = answer_of(texter.send(menu_key))
        if option.kind == "menu":
            for sub in content.menus[option.target].options:
                texter.send("MENU")
                texter.send(menu_key)
                answer = answer_of(texter.send(sub.key))
                assert TEXT_FACTS[sub.target] in answer
                reached.add(sub.target)
        else:
            assert TEXT_FACTS[option.target] in reply
            reached.add(option.target)
    assert reached == set(TEXT_FACTS)


def test_welcome_names_the_line_disclaims_and_lists_numbered_and_by_keyword(texter: TextThread) -> None:
    for word in ("MENU", "HI", "Hello", "options"):
        reply = answer_of(texter.send(word))
        assert reply.startswith("POEMS syndrome info line. General information, not medical advice.")
        assert "1 what POEMS is (POEMS)" in reply and "5 support, or to leave a message (CONTACTS)" in reply


def test_a_first_message_that_asks_something_gets_the_notice_and_the_answer_in_one_text(texter: TextThread, line: Line) -> None:
    [reply] = texter.send("is POEMS contagious?")
    assert reply.startswith(line.content.languages["en"].phrases["sms_welcome"]) and "not an infection" in reply
    assert reply.endswith(FOOTER) and gsm.segments(reply) <= 3
    # Only the first message gets the notice.
    [second] = texter.send("is it inherited")
    assert "not medical advice" not in second


def test_a_text_answer_too_long_for_a_first_reply_is_an_error_naming_its_line_and_limit(small_prompts: Path) -> None:
    from service.content import read
    from tests.test_content import edit

    edit(small_prompts, "en.yaml", "    text: >-\n      No. POEMS", "    text: >-\n      No." + " It is rare." * 22 + " POEMS")
    errors = [p for p in read(small_prompts).problems if "first-time texter" in p.message]
    assert len(errors) == 1 and errors[0].severity == "error"
    assert str(errors[0]).startswith("prompts/en.yaml:") and "topic 'contagious'" in str(errors[0])
    assert "at most 312 fit" in errors[0].message and "shorten it by" in errors[0].message


def test_conversation_menu_number_menu_number(texter: TextThread) -> None:
    assert "1 nerve problems, the P (NERVES)" in answer_of(texter.send("MENU") and texter.send("2"))
    assert "nerve damage" in answer_of(texter.send("1"))
    # A number after an answer picks from the same menu again.
    assert "skin changes" in answer_of(texter.send("5"))
    texter.send("MENU")
    assert "1 what causes it (CAUSE)" in answer_of(texter.send("4"))
    assert "not an infection" in answer_of(texter.send("3"))


def test_a_number_when_the_memory_is_gone_picks_from_the_main_menu(twilio: TwilioClient) -> None:
    first = TextThread(twilio)
    first.send("MENU")
    first.send("2")
    twilio.client.delete_cookie("session", domain="line.example.org")
    twilio.client._cookies.clear()  # Twilio forgets after 4 hours
    fresh = TextThread(twilio)
    reply = fresh.send("1")
    assert "rare blood disorder" in reply[-1]


def test_a_tampered_session_cookie_is_ignored(twilio: TwilioClient) -> None:
    twilio.client.set_cookie("session", "not-a-signed-value", domain="line.example.org")
    reply = TextThread(twilio).send("3")
    assert reply and "Reply with a number" in reply[-1]


def test_a_number_that_is_not_an_option_says_so_and_lists_the_menu(texter: TextThread) -> None:
    texter.send("MENU")
    reply = answer_of(texter.send("8"))
    assert reply.startswith("Sorry, that is not an option.") and "1 what POEMS is" in reply


@pytest.mark.parametrize("body, phrase", [("???", "sms_help"), ("?!", "sms_help"), ("¿?", "sms_help"), ("…", "sms_help"),
                                          ("\U0001F622", "sms_no_text"), ("", "sms_no_text")])
def test_only_question_marks_get_the_help_and_a_picture_or_an_emoji_says_words_are_read(body: str, phrase: str,
                                                                                       texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send(body)
    assert reply.startswith(gsm.fold(line.content.languages["en"].phrases[phrase])), reply


def test_help_says_what_the_line_is_how_to_use_it_how_to_stop_and_where_to_get_help(texter: TextThread) -> None:
    for word in ("how does this work", "information"):
        reply = answer_of(texter.send(word))
        assert "not medical advice" in reply and "MENU" in reply and "STOP" in reply and "NORD" in reply and "911" in reply


@pytest.mark.parametrize("word", ["HELP", "info", "START", "yes", "UNSTOP"])
def test_words_twilio_answers_itself_get_no_second_reply(word: str, texter: TextThread) -> None:
    assert texter.send(word) == []


def test_yes_after_the_crisis_words_or_to_choices_waiting_is_answered_by_the_line_too(texter: TextThread, twilio: TwilioClient, line: Line,
                                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory texter's: "yes" after the crisis text got no reply from the line (only the carrier's "you are
    # subscribed"); "yes" to "Which did you mean?" likewise.
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    assert texter.send("I want to kill myself") == [gsm.fold(en.phrases["sms_crisis"])]
    assert texter.send("yes") == [gsm.fold(en.phrases["sms_crisis"])]
    # Once: another YES gets the carrier's reply alone (an independent read's: each got the crisis words again).
    assert texter.send("yes") == []
    # A "sí" is no carrier word: it keeps the one repeat still to come for words the line is not sure of (a last read's).
    spanish = TextThread(twilio, texter="+15555550192")
    es = line.content.languages["es"]
    spanish.send("me quiero morir")
    assert spanish.send("sí") == [gsm.fold(es.phrases["sms_crisis"])]
    assert spanish.send("zorp blik wuggle") == [gsm.fold(es.phrases["sms_crisis"])]
    skin, inherited = en.targets[("topic", "skin")], en.targets[("topic", "inherited")]
    texter = TextThread(twilio, texter="+15555550193")
    texter.send("hi")
    decided(texter, line, monkeypatch, Decision("ask", (skin, inherited), ()), "my skin and my kids")
    assert gsm.fold(skin.text) in texter.send("yes")[0]
    # Nothing waiting: Twilio's own answer alone, as before.
    assert texter.send("yes") == []
    assert texter.send("yes", extra={"OptOutType": "HELP"}) == []


def test_a_plea_right_after_call_911_gets_call_911_again_once(texter: TextThread, line: Line) -> None:
    # An exploratory texter's: "what do i do" after "my husband took 30 of his pills" got "not understood" and topics.
    en = line.content.languages["en"]
    first = texter.send("my husband cannot breathe")
    assert first[0].startswith(gsm.fold(en.phrases["sms_emergency"]))
    assert texter.send("what do i do") == [gsm.fold(en.phrases["sms_emergency"])]
    # A plea, each time (a last read's: after a YES it got topics); words the line is not sure of, once.
    assert texter.send("what do i do") == [gsm.fold(en.phrases["sms_emergency"])]
    assert texter.send("zorp blik wuggle") != [gsm.fold(en.phrases["sms_emergency"])]


def test_advanced_opt_out_type_is_honoured(texter: TextThread) -> None:
    assert texter.send("please stop sending these", extra={"OptOutType": "STOP"}) == []
    assert texter.send("ok", extra={"OptOutType": "HELP"}) == []


@pytest.mark.parametrize("word", ["STOP", "stop", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "OPTOUT", "REVOKE", " Stop "])
def test_opt_out_words_get_no_reply(word: str, texter: TextThread) -> None:
    assert texter.send(word) == []


def test_start_after_stop_gets_twilios_confirmation_only_and_then_a_welcome(texter: TextThread) -> None:
    texter.send("STOP")
    assert texter.send("START") == []
    assert "not medical advice" in answer_of(texter.send("hi"))


@pytest.mark.parametrize("body", ["chest pain", "I can't breathe", "he can't catch his breath", "EMERGENCY", "call 911",
                                  "chest pain, is it contagious?", "my chest hurts", "I need to call 9 1 1"])
def test_emergency_words_start_the_reply_with_call_911(body: str, texter: TextThread) -> None:
    replies = texter.send(body)
    assert replies[0].startswith("If this is an emergency, call 911 now.")


def test_an_emergency_is_never_routed_on_to_a_topic_by_one_of_its_words(texter: TextThread) -> None:
    texter.send("hi")
    [reply] = texter.send("chest pain, is it contagious?")
    assert reply.startswith("If this is an emergency") and "not an infection" not in reply and "Reply with a number" in reply
    [reply] = texter.send("me duele el pecho")
    assert reply.startswith("Si es una emergencia, llame al 911 ahora.") and "testosterona" not in reply.lower()


def test_an_emergency_told_in_any_words_gets_911_then_the_warning_signs_in_the_texters_language(
        tmp_path: Path, prompts_copy: Path) -> None:
    with (prompts_copy / "line.yaml").open("a", encoding="utf-8") as f:
        f.write("emergency_topic: outlook\n")  # the fixture's stand-in for the warning signs
    app = make_app(tmp_path, PROMPTS_DIR=str(prompts_copy))
    content = app.extensions["line"].content
    texter = TextThread(TwilioClient(app.test_client(), TOKEN), texter="+15555550191")
    [reply] = texter.send("mi esposo no puede respirar y le duele el pecho")
    warning = gsm.fold(content.languages["es"].topic("outlook").text)
    assert reply.startswith("Si es una emergencia, llame al 911 ahora.") and warning.split(".")[0] in reply
    [reply] = TextThread(TwilioClient(app.test_client(), TOKEN), texter="+15555550192").send("chest pain, is it contagious?")
    assert reply.startswith("If this is an emergency") and "not an infection" not in reply
    assert content.languages["en"].topic("outlook").text.split(".")[0] in reply


def test_a_spanish_emergency_spoken_gets_911_then_the_warning_signs_in_spanish_as_by_text(
        tmp_path: Path, prompts_copy: Path) -> None:
    from service.simulator import PhoneCall, audio_texts

    with (prompts_copy / "line.yaml").open("a", encoding="utf-8") as f:
        f.write("emergency_topic: outlook\n")  # the fixture's stand-in for the warning signs
    app = make_app(tmp_path, PROMPTS_DIR=str(prompts_copy))
    line = app.extensions["line"]
    spanish = line.content.languages["es"]
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    call.start()
    call.press("6")
    # Words that ask about no topic: by text they got the warning signs, by phone only the main menu.
    call.press("2")  # in a menu, a caller says it
    turn = call.say("auxilio, tengo dolor de pecho")
    assert turn.heard[0].text == spanish.phrases["emergency"]
    warning = spanish.prompts["topic.outlook"].text
    assert any(h.text == warning for h in turn.heard[1:])
    assert turn.gather is not None and turn.gather.get("language", "").startswith("es")
    # '*' plays both again (the footer says "to hear this again"); '0' goes back where the caller was.
    again = call.press("*")
    assert again.heard[0].text == spanish.phrases["emergency"] and any(h.text == warning for h in again.heard[1:])
    menu = line.content.menus["main"].option("2")
    assert menu is not None and spoken(line, f"menu.{menu.target}", "es") in call.press("0").text


def test_a_first_text_or_words_at_the_greeting_misspelled_get_988_in_the_language_they_are_in(
        twilio: TwilioClient, line: Line) -> None:
    # "kiero suisidarme": no language guess places it, but it is the Spanish "suicidarme" as it sounds.
    [reply] = TextThread(twilio, texter="+15555550193").send("kiero suisidarme")
    assert reply.startswith("No esta solo") and "988" in reply
    # The same words heard at the English greeting: the Spanish message (988's own Spanish line), and Spanish after it.
    from service.simulator import PhoneCall, audio_texts

    spanish = line.content.languages["es"]
    call = PhoneCall(twilio, audio_texts(line))
    call.start()
    turn = call.say("kiero suisidarme")
    assert turn.heard[0].text == spanish.phrases["crisis"]
    assert turn.gather is not None and turn.gather.get("language", "").startswith("es")
    # With one word of Spanish's own beside them, too few for the guess to switch a call, still Spanish.
    call.start()
    assert call.say("ya no kiero bibir, me kiero suisidar").heard[0].text == spanish.phrases["crisis"]
    # Words a language guess places keep it, whatever language the crisis word is in ("suicide" in a Spanish text).
    [spanish_text] = TextThread(twilio, texter="+15555550196").send("mi hija habla de suicide, que hago?")
    assert spanish_text.startswith("No esta solo")
    # A conversation already in English keeps its language.
    english = TextThread(twilio, texter="+15555550194")
    english.send("hello")
    assert english.send("suicide")[0].startswith("You are not alone")


@pytest.mark.parametrize("body, expected", [
    ("some days i just want to die", "You are not alone"),
    ("I don't want to go on anymore", "You are not alone"),
    ("thinking about suicide", "You are not alone"),
    ("estoy pensando en quitarme la vida", "No esta solo"),
    ("ya no quiero vivir", "No esta solo"),
])
def test_thoughts_of_suicide_get_988_and_911_kindly_before_anything_else(body: str, expected: str, texter: TextThread) -> None:
    [reply] = texter.send(body)
    assert reply.startswith(expected) and "988" in reply and "911" in reply
    assert gsm.segments(reply) <= 3


@pytest.mark.parametrize("body, media", [("", 0), ("   ", 0), ("😀😀😀", 0), ("", 1), ("🙂", 1)])
def test_empty_emoji_and_picture_only_messages_get_a_sensible_reply(body: str, media: int, texter: TextThread) -> None:
    texter.send("hi")
    reply = answer_of(texter.send(body, media=media))
    assert reply.startswith("Sorry, I can only read words") and "1 what POEMS is" in reply


def test_very_long_messages_get_a_sensible_reply(texter: TextThread) -> None:
    reply = texter.send("blah " * 320)
    assert reply and gsm.segments(reply[-1]) <= 3
    long_question = "I was wondering " + "really " * 200 + "is it contagious?"
    assert any("not an infection" in r for r in texter.send(long_question[:1600]))


def test_anything_not_understood_is_said_briefly_with_the_menu(texter: TextThread) -> None:
    texter.send("hi")
    reply = answer_of(texter.send("zorp blik wuggle"))
    assert reply.startswith("Sorry, I did not understand that. These topics are the closest:")
    assert re.search(r"\n1 .+\n2 .+\n3 .+\n4 .+\nReply with the number, or MENU", reply)


def test_every_reply_the_line_can_send_fits_three_gsm7_segments(line: Line) -> None:
    for lang in line.content.languages.values():
        texts = sms_texts(line.content, lang)
        assert len(texts) > 30
        for name, text in texts.items():
            assert not gsm.non_gsm(text), (lang.code, name, gsm.non_gsm(text))
            assert gsm.segments(text) <= 3, (lang.code, name, gsm.septets(text))


def test_replies_seen_in_a_conversation_are_gsm7_and_at_most_three_segments(texter: TextThread) -> None:
    bodies = ["hi", "1", "2", "5", "HELP", "chest pain", "nonsense words", "", "😀", "ESPANOL", "tratamiento", "AYUDA", "ENGLISH", "P"]
    for body in bodies:
        for reply in texter.send(body):
            assert not gsm.non_gsm(reply) and gsm.segments(reply) <= 3, (body, reply)


def test_synonyms_come_from_the_prompt_files(prompts_copy, tmp_path) -> None:  # type: ignore[no-untyped-def]

    path = prompts_copy / "en.yaml"
    path.write_text(path.read_text().replace("phrases: [catching, catch,", "phrases: [cooties, catching, catch,"))
    app = make_app(tmp_path, PROMPTS_DIR=str(prompts_copy))
    texter = TextThread(TwilioClient(app.test_client(), TOKEN))
    texter.send("hi")
    assert "not an infection" in texter.send("cooties")[-1]


def test_gsm_segment_arithmetic() -> None:
    assert gsm.segments("a" * 160) == 1 and gsm.segments("a" * 161) == 2
    assert gsm.segments("a" * 459) == 3 and gsm.segments("a" * 460) == 4
    assert gsm.segments("€" * 80) == 1 and gsm.segments("€" * 81) == 2  # extension characters count twice
    assert gsm.segments("’" + "a" * 69) == 1 and gsm.segments("’" + "a" * 70) == 2  # one curly quote: UCS-2
    assert gsm.non_gsm("¿Qué tal? ñ é ü") == []
    # Every accent but ñ and ü goes: a native reader found "médico" beside "informacion" in one reply odd.
    assert gsm.fold("información médica, pingüino, año") == "informacion medica, pingüino, año"


@pytest.mark.parametrize("first", ["symptoms", "2", "zorp blik wuggle"])
def test_every_first_reply_carries_the_lines_notice(first: str, texter: TextThread, line: Line) -> None:
    [reply] = texter.send(first)
    assert reply.startswith(line.content.languages["en"].phrases["sms_welcome"]) and gsm.segments(reply) <= 3
    [later] = texter.send(first)
    assert "not medical advice" not in later


@pytest.mark.parametrize("body", ["thanks", "Thank you!", "ok", "OK thanks", "bye", "gracias", "muchas gracias", "adiós"])
def test_thanks_ok_and_bye_get_a_short_courtesy_reply_not_a_list_not_counted_as_not_understood(body: str, texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send(body)
    courtesy = {gsm.fold(lang.phrases["sms_courtesy"]) for lang in line.content.languages.values()}
    assert reply in courtesy and gsm.segments(reply) == 1 and "1 " not in reply
    line.store.flush()
    assert line.store.report(*[__import__("datetime").date.today()] * 2).unmatched == []


@pytest.mark.parametrize("body", ["asdkjh qwe zzz", "jjjjjjj", "dfgdfg sdf"])
def test_keyboard_mash_gets_the_short_help_not_a_list_of_topics(body: str, texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send(body)
    en = line.content.languages["en"].phrases
    assert reply == f"{en['sms_not_understood']} {en['sms_menu_footer']}" and gsm.segments(reply) == 1
    line.store.flush()
    [(words, channel, _, _)] = line.store.report(*[__import__("datetime").date.today()] * 2).unmatched
    assert words == body and channel == "sms" and line.junk.is_junk(words)


def test_a_courtesy_reply_longer_than_one_segment_is_an_error(small_prompts: Path) -> None:
    from service.content import read
    from tests.test_content import edit

    edit(small_prompts, "en.yaml", "\"You're welcome. Text a question any time, or MENU for topics.\"",
         "\"You're welcome." + " Thank you for writing to us." * 6 + "\"")
    [problem] = [p for p in read(small_prompts).problems if "sms_courtesy" in p.message]
    assert problem.severity == "error" and str(problem).startswith("prompts/en.yaml:") and "one text segment" in problem.message


def test_bye_gets_the_goodbye_phrase_where_a_language_has_one_and_thanks_the_courtesy(prompts_copy: Path, tmp_path: Path) -> None:
    from tests.test_content import edit

    courtesy = "  sms_courtesy: \"You're welcome. Text a question any time, or MENU for topics.\"\n"
    edit(prompts_copy, "en.yaml", courtesy, courtesy + "  sms_goodbye: \"Goodbye, and take care.\"\n")
    app = make_app(tmp_path, PROMPTS_DIR=str(prompts_copy))
    texter = TextThread(TwilioClient(app.test_client(), TOKEN))
    texter.send("hi")
    texter.send("contagious")
    assert texter.send("bye") == ["Goodbye, and take care."]  # not "you're welcome" for a goodbye
    assert texter.send("thanks") == ["You're welcome. Text a question any time, or MENU for topics."]
    # Without the phrase (it is optional), a goodbye gets the courtesy reply, as before.
    (tmp_path / "plain").mkdir()
    plain = TextThread(TwilioClient(make_app(tmp_path / "plain").test_client(), TOKEN))
    plain.send("hi")
    assert plain.send("bye") == ["You're welcome. Text a question any time, or MENU for topics."]


def test_a_goodbye_reply_longer_than_one_segment_is_an_error(prompts_copy: Path) -> None:
    from service.content import read
    from tests.test_content import edit

    courtesy = "  sms_courtesy: \"You're welcome. Text a question any time, or MENU for topics.\"\n"
    edit(prompts_copy, "en.yaml", courtesy, courtesy + "  sms_goodbye: \"Goodbye." + " Thank you for writing to us." * 6 + "\"\n")
    [problem] = [p for p in read(prompts_copy).problems if "sms_goodbye" in p.message]
    assert problem.severity == "error" and "one text segment" in problem.message


@pytest.mark.parametrize("body", ["thank you for the info", "thanks, bye", "no gracias", "muchas gracias por la información"])
def test_thanks_with_a_few_words_that_ask_nothing_is_still_a_courtesy(body: str, texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send(body)
    courtesy = {gsm.fold(lang.phrases["sms_courtesy"]) for lang in line.content.languages.values()}
    assert reply in courtesy


def test_thanks_with_a_question_gets_the_answer_not_the_courtesy(texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send("thanks, and is it contagious?")
    assert gsm.fold(line.content.languages["en"].targets[("topic", "contagious")].text) in reply


@pytest.mark.parametrize("reply", ["option 2", "two", "number 2", "the second one", "2nd"])
def test_a_choice_written_in_words_picks_it(reply: str, texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    targets = line.content.languages["en"].targets
    menu, topic = targets[("menu", "support")], targets[("topic", "support")]
    # A "did you mean" offering a menu and a topic that share an id: the topic, second, is the one picked.
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", (menu, topic), ()))
    texter.send("hi")
    texter.send("where do i find others")
    monkeypatch.undo()
    [answer] = texter.send(reply)
    assert gsm.fold(topic.text) in answer


def test_a_number_the_offer_does_not_have_is_not_an_option_with_the_offer_again(
        texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    best, also = en.targets[("topic", "skin")], en.targets[("topic", "inherited")]
    texter.send("hi")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("offer", (best, also), ()))
    texter.send("what is it and is it cancer")
    monkeypatch.undo()
    [reply] = texter.send("2")  # the offer was "For whether it is inherited, reply 1."
    assert reply.startswith(en.phrases["not_option"]) and f"1 {also.title}" in reply
    assert en.phrases["sms_not_understood"] not in reply  # a number plainly typed was understood
    assert gsm.fold(also.text) in texter.send("1")[-1]


@pytest.mark.parametrize("body, kind", [("\U0001F44D", True), ("\U0001F64F\U0001F3FD", True), ("\u2764\ufe0f", True),
                                        ("\U0001F494", False), ("\U0001F621", False), ("\U0001F44D \U0001F914", False),
                                        ("\U0001F608", False), ("\U0001FAC0", False)])
def test_a_thumbs_up_or_a_heart_after_an_answer_is_thanks_other_emoji_are_not(body: str, kind: bool, texter: TextThread,
                                                                               line: Line) -> None:
    en = line.content.languages["en"].phrases
    texter.send("is it contagious")
    [reply] = texter.send(body)
    assert (reply == gsm.fold(en["sms_courtesy"])) is kind
    if not kind:
        assert reply.startswith(gsm.fold(en["sms_no_text"]))


def test_a_thumbs_up_to_a_did_you_mean_gets_the_choices_again(texter: TextThread, line: Line,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    choices = (en.targets[("topic", "skin")], en.targets[("topic", "inherited")])
    texter.send("hi")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", choices, ()))
    texter.send("what about the tests and the money")
    monkeypatch.undo()
    [reply] = texter.send("\U0001F44D")
    assert f"1 {choices[0].title}" in reply and gsm.fold(en.phrases["sms_courtesy"]) not in reply


@pytest.mark.parametrize("body, thanked", [("ok", False), ("thx", True), ("ok thanks", True), ("thank you", True)])
def test_a_thank_you_at_a_did_you_mean_gets_you_are_welcome_and_the_choices_still_wait(
        body: str, thanked: bool, texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory texter's: "thx", "ok thanks", "thank you" to "Which did you mean?" got the same list again.
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    choices = (en.targets[("topic", "skin")], en.targets[("topic", "inherited")])
    texter.send("hi")
    decided(texter, line, monkeypatch, Decision("ask", choices, ()), "what about the tests and the money")
    [reply] = texter.send(body)
    if thanked:
        assert reply == gsm.fold(en.phrases["sms_courtesy"])
    else:
        assert f"1 {choices[0].title}" in reply and gsm.fold(en.phrases["sms_courtesy"]) not in reply
    # Either way, a number still takes its choice.
    assert gsm.fold(choices[1].text) in texter.send("2")[0]


@pytest.mark.parametrize("body, lang", [("ok", "en"), ("thanks", "en"), ("gracias", "es")])
def test_thanks_or_ok_as_a_first_text_gets_the_welcome_and_the_topics(body: str, lang: str, twilio: TwilioClient,
                                                                      line: Line) -> None:
    [reply] = TextThread(twilio, texter="+15555550195").send(body)
    language = line.content.languages[lang]
    assert reply.startswith(gsm.fold(language.phrases["sms_welcome"])) and "1 " in reply
    assert gsm.fold(language.phrases["sms_courtesy"]) not in reply


def test_yes_to_a_did_you_mean_takes_its_first_choice_and_to_or_was_it_the_topic_offered(
        texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    targets = line.content.languages["en"].targets
    first, other = targets[("topic", "skin")], targets[("topic", "inherited")]
    texter.send("hi")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", (other, first), ()))
    texter.send("my skin is darker, is that from my parents")
    monkeypatch.undo()
    [answer] = texter.send("yeah")  # "YES" itself is a keyword the carrier answers (opt-in)
    assert gsm.fold(other.text) in answer
    # After an answer that asks "Or was it ...? Reply 1", "yeah" takes that other topic.
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("offer", (first, other), ()))
    assert "Reply 1" in texter.send("my skin is darker, is that from my parents")[-1]
    monkeypatch.undo()
    assert gsm.fold(other.text) in texter.send("yeah")[0]
    # After a plain answer: "yes" says it was the one (you are welcome), "no" lists every topic; neither is a guess.
    texter.send("contagious")
    assert texter.send("yeah") == [gsm.fold(line.content.languages["en"].phrases["sms_courtesy"])]
    texter.send("contagious")
    assert texter.send("no")[0].startswith(gsm.fold(line.content.languages["en"].phrases["sms_menu_header"]))
    # "No" after the crisis line's words: every topic too, never a guess; "no thanks" is a courtesy.
    texter.send("I want to kill myself")
    assert texter.send("no")[0].startswith(gsm.fold(line.content.languages["en"].phrases["sms_menu_header"]))
    texter.send("contagious")
    assert texter.send("no thanks") == [gsm.fold(line.content.languages["en"].phrases["sms_courtesy"])]


def decided(texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch, decision: object,
            body: str = "my skin and my kids") -> list[str]:
    """The replies to a message the matcher decides as given (a "did you mean", an answer with offers)."""
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: decision)
    try:
        return texter.send(body)
    finally:
        monkeypatch.undo()


def test_a_did_you_mean_keeps_its_numbers_after_one_choice_was_taken(texter: TextThread, line: Line,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory texter's: after 1 of a "did you mean" was not it, "2" took the main menu's 2.
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    a, b, c = en.targets[("topic", "skin")], en.targets[("topic", "inherited")], en.targets[("topic", "contagious")]
    texter.send("hi")
    decided(texter, line, monkeypatch, Decision("ask", (a, b, c), ()))
    assert gsm.fold(a.text) in texter.send("1")[0]
    assert gsm.fold(c.text) in texter.send("3")[0]
    assert gsm.fold(c.text) in texter.send("again")[0]  # sent again, the numbers still stand (an independent read's)
    assert gsm.fold(b.text) in texter.send("2")[0]
    # A thank-you keeps them; "yeah" after the answer says it was the one, never choice 1 again.
    assert texter.send("thanks") == [gsm.fold(en.phrases["sms_courtesy"])]
    assert texter.send("yeah") == [gsm.fold(en.phrases["sms_courtesy"])]
    # "That's not it": the other choices, as a "did you mean" again.
    [again] = texter.send("that's not it")
    assert again.startswith(gsm.fold(en.phrases["sms_did_you_mean"]))
    assert f"1 {a.title}" in again and f"2 {c.title}" in again and b.title not in again
    # "Ok" to a "did you mean": its choices again, whose numbers still take them; "yeah" takes the first, and "no"
    # then offers the others (a second exploratory tester's: "ok" dropped the list, "no" sent every topic).
    decided(texter, line, monkeypatch, Decision("ask", (a, b, c), ()))
    [listed] = texter.send("ok")
    assert listed.startswith(gsm.fold(en.phrases["sms_did_you_mean"])) and f"2 {b.title}" in listed
    assert gsm.fold(b.text) in texter.send("2")[0]
    decided(texter, line, monkeypatch, Decision("ask", (a, b, c), ()))
    assert gsm.fold(a.text) in texter.send("yeah")[0]
    [others] = texter.send("no")
    assert others.startswith(gsm.fold(en.phrases["sms_did_you_mean"])) and f"1 {b.title}" in others and a.title not in others


@pytest.mark.parametrize("then, expected", [("both", "first"), ("that's not it", "which"), ("2", "second"), ("again", "which")])
def test_after_yes_to_two_offers_which_one_still_takes_both_the_other_one_or_a_number(
        then: str, expected: str, texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory texter's: to "which did you mean?" after "yes" to two offers, "both" became a new question and
    # "that's not it" ("the other one" in the shipped words) played the main menu.
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    best, first, second = en.targets[("topic", "skin")], en.targets[("topic", "inherited")], en.targets[("topic", "contagious")]
    texter.send("hi")
    decided(texter, line, monkeypatch, Decision("offer", (best, first, second), ()))
    [which] = texter.send("yeah")
    assert which.startswith(gsm.fold(en.phrases["sms_did_you_mean"])) and f"2 {second.title}" in which
    [reply] = texter.send(then)
    if expected == "first":
        assert gsm.fold(first.text) in reply and second.title in reply  # the other still offered
        assert gsm.fold(second.text) in texter.send("2")[0]  # on the 2 first read, as after "1"
    elif expected == "which":
        assert reply == which
        assert gsm.fold(second.text) in texter.send("2")[0] and first.title in texter.send("again")[0]
    else:
        assert gsm.fold(second.text) in reply and first.title in reply


@pytest.mark.parametrize("kind", ["answer", "ask", "none", "alone"])
def test_words_of_not_going_on_with_a_question_get_988_then_the_answer_and_alone_the_crisis_words(
        kind: str, twilio: TwilioClient, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    # An independent read's: "camino una cuadra y ya no puedo más, ¿es por la neuropatía?" got only the crisis text,
    # and the question was never answered.
    from service.understanding.matcher import Decision

    es = line.content.languages["es"]
    target = es.targets[("topic", "skin")]
    texter = TextThread(twilio, texter="+15555550198")
    texter.send("hola")
    decision = Decision("answer" if kind == "alone" else kind, (target,), ())
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: decision)
    replies = texter.send("gracias, ya no puedo mas, señorita" if kind == "alone" else "camino una cuadra y ya no puedo mas, ¿es normal?")
    if kind == "answer":
        assert replies[0] == gsm.fold(es.phrases["sms_distress"]) and gsm.fold(target.text) in replies[-1]
    elif kind == "ask":
        # A "did you mean" of its question, and where help is (an exploratory tester's: it was the crisis text alone).
        assert replies[0] == gsm.fold(es.phrases["sms_distress"]) and target.title in replies[-1]
    else:
        # Nothing beside the words (however the rest would be decided), or nothing understood: the crisis message.
        assert replies == [gsm.fold(es.phrases["sms_crisis"])]


@pytest.mark.parametrize("said, lang", [("1 and 2", "en"), ("1,3", "en"), ("I want 1 and 3", "en"), ("uno y dos", "es"),
                                        ("1 y 3", "es"), ("both", "en"), ("ambos", "es"), ("1 and 7", "en"),
                                        ("the first and the third", "en"), ("la primera y la tercera", "es"),
                                        ("the first one and the second one please", "en"), ("all of them", "en"), ("todos", "es")])
def test_several_numbers_or_both_to_a_did_you_mean_answer_the_first_and_offer_the_others(
        said: str, lang: str, twilio: TwilioClient, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    # A tester's: "1 and 2" to a "did you mean" became a new question with other topics ("1 clinical trials ..."),
    # and "ambas" got "not understood"; a last tester's: "all of them" to a Spanish "did you mean" was an English question.
    from service.understanding.matcher import Decision

    language = line.content.languages[lang]
    a, b, c = (language.targets[("topic", t)] for t in ("skin", "inherited", "contagious"))
    texter = TextThread(twilio, texter="+15555550195")
    texter.send("hi" if lang == "en" else "hola")
    both = said in ("both", "ambos", "all of them", "todos")
    decided(texter, line, monkeypatch, Decision("ask", (a, b) if both and lang == "en" else (a, b, c), ()),
            "my skin and my kids" if lang == "en" else "mi piel y mis hijos")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: pytest.fail("the numbers were read as a question"))
    [reply] = texter.send(said)
    if said in ("ambos", "todos"):
        # "Both" (or "all", "todos") of three: which ones is still to say; the same choices.
        assert reply.startswith(gsm.fold(language.phrases["sms_did_you_mean"])) and f"3 {c.title}" in reply
        return
    if said == "1 and 7":
        assert reply.startswith(gsm.fold(language.phrases["not_option"])) and f"3 {c.title}" in reply
        return
    other = b if "2" in said or "dos" in said or "second" in said or both else c
    assert gsm.fold(a.text) in reply and other.title in reply
    # The other is one reply away, on the number it was offered on now and on the number first read.
    assert gsm.fold(other.text) in texter.send("2" if other is b else "3")[0]


@pytest.mark.parametrize("kind", ["ask", "none", "action", "topic"])
def test_right_after_the_crisis_words_a_message_not_understood_gets_them_again_never_topics(
        kind: str, twilio: TwilioClient, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory tester's: after the crisis text, "ya llamé al 988 gracias" got a list of topics, and "no quiero
    # hablar con nadie" how to leave a voice message.
    from service.understanding.matcher import Decision

    es = line.content.languages["es"]
    topic, action = es.targets[("topic", "skin")], next(t for t in es.targets.values() if t.kind == "action")
    texter = TextThread(twilio, texter="+15555550194")
    assert texter.send("me quiero morir") == [gsm.fold(es.phrases["sms_crisis"])]
    decision = {"ask": Decision("ask", (topic, action), ()), "none": Decision("none", (topic,), ()),
                "action": Decision("answer", (action,), ()), "topic": Decision("answer", (topic,), ())}[kind]
    decided_reply = decided(texter, line, monkeypatch, decision, "no quiero hablar con nadie")
    if kind == "topic":
        assert gsm.fold(topic.text) in decided_reply[0]  # a question the line is sure of is answered
    else:
        assert decided_reply == [gsm.fold(es.phrases["sms_crisis"])]
        # Once: a texter the words met by mistake is not held there (an independent read's), and "sí" still gets them.
        assert decided(texter, line, monkeypatch, decision, "no, me referia a la enfermedad") != [gsm.fold(es.phrases["sms_crisis"])]
        texter.send("me quiero morir")
        decided(texter, line, monkeypatch, decision, "no quiero hablar con nadie")
        assert texter.send("sí") == [gsm.fold(es.phrases["sms_crisis"])]


def test_repeated_numbers_numbers_of_the_other_language_and_numbers_at_a_list(texter: TextThread, line: Line,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # An independent read's: "1 1", "uno y dos" to English choices and "1 and 2" at a list were read as questions.
    from service.understanding.matcher import Decision

    content = line.content
    en = content.languages["en"]
    a, b = en.targets[("topic", "skin")], en.targets[("topic", "inherited")]
    texter.send("hi")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: pytest.fail("the numbers were read as a question"))
    first = content.menus["main"].option("1")
    assert first is not None
    [listed] = texter.send("1 and 2")  # at the main list: its first
    assert listed == (sms_menu(content, en, first.target) if first.kind == "menu" else listed)
    monkeypatch.undo()
    decided(texter, line, monkeypatch, Decision("ask", (a, b), ()))
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: pytest.fail("the numbers were read as a question"))
    assert gsm.fold(a.text) in texter.send("1 1")[0]
    monkeypatch.undo()
    decided(texter, line, monkeypatch, Decision("ask", (a, b), ()))
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: pytest.fail("the numbers were read as a question"))
    [reply] = texter.send("uno y dos")
    assert gsm.fold(a.text) in reply and b.title in reply


def test_tell_me_more_after_an_answer_lists_the_topics_beside_it_and_at_a_list_the_same_again(
        texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory tester's: "tell me more", "dígame más" after an answer got guesses led by "leaving a message"; an
    # independent read's: said at a list, it must not go up a level.
    from service.understanding.matcher import Decision

    content = line.content
    en = content.languages["en"]
    topic = next(t for t in en.targets.values() if t.kind == "topic" and content.home_of(t.id) != "main")
    texter.send("hi")
    decided(texter, line, monkeypatch, Decision("answer", (topic,), ()), "something about it")
    home = sms_menu(content, en, content.home_of(topic.id))
    assert texter.send("tell me more") == [home]
    assert texter.send("tell me more") == [home]


def test_back_after_an_answer_a_question_reached_lists_the_topics_beside_it(texter: TextThread, line: Line,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory tester's: "tell me more" after an answer got guesses led by "leaving a message"; by phone, back
    # from such an answer already led to the topic's own menu, by text to the main menu.
    from service.understanding.matcher import Decision

    content = line.content
    en = content.languages["en"]
    topic = next(t for t in en.targets.values() if t.kind == "topic" and content.home_of(t.id) != "main")
    texter.send("hi")
    decided(texter, line, monkeypatch, Decision("answer", (topic,), ()), "something about it")
    [listed] = texter.send("back")
    assert listed == sms_menu(content, en, content.home_of(topic.id))


def test_a_keyword_of_the_other_language_switches_to_it_its_other_words_do_not(texter: TextThread, line: Line) -> None:
    # An exploratory tester's: "PIEL" after English answers (the Spanish help offers such words) got "Sorry, I did not
    # understand" in English; by phone such a word already switched. An independent read's: not every word the other
    # language knows ("insurance", "chemo", texted in Spanish).
    content = line.content
    es, en = content.languages["es"], content.languages["en"]
    target = next(t for t in es.targets.values() if t.kind == "topic" and t.keyword
                  and normalize(t.keyword) not in line.matcher.indexes["en"].exact)
    texter.send("hi")
    [reply] = texter.send(target.keyword.upper())
    assert gsm.fold(target.text) in reply
    english = {normalize(t.keyword) for t in en.targets.values() if t.keyword}
    word = next(w for w in sorted(line.matcher.indexes["en"].exact)
                if " " not in w and w not in english and w not in line.matcher.indexes["es"].exact)
    texter.send(word)
    assert sms_menu(content, es, "main") in texter.send("menu")[0]


def test_both_with_nothing_offered_gets_the_list_not_a_guess(texter: TextThread, line: Line) -> None:
    # An exploratory texter's: "both" after a plain answer became a new question ("1 how POEMS differs 2 ...").
    en = line.content.languages["en"]
    texter.send("contagious")
    assert texter.send("both")[0].startswith(gsm.fold(en.phrases["sms_menu_header"]))


def test_a_bare_yes_with_nothing_asked_gets_the_topics_and_after_the_crisis_words_those_words(twilio: TwilioClient,
                                                                                              line: Line) -> None:
    # An exploratory texter's: a first "sí" (or one after the list) got "not understood" and topics made of its letters.
    es = line.content.languages["es"]
    first = TextThread(twilio, texter="+15555550196")
    [reply] = first.send("sí")
    assert reply.startswith(gsm.fold(es.phrases["sms_welcome"])) and gsm.fold(es.phrases["sms_not_understood"]) not in reply
    assert gsm.fold(es.phrases["sms_menu_header"]) in reply
    [again] = first.send("si")
    assert again.startswith(gsm.fold(es.phrases["sms_menu_header"]))
    # "Sí" to the crisis words' "¿En peligro ahora?": those words again (911 among them), not a list of topics.
    after_crisis = TextThread(twilio, texter="+15555550197")
    after_crisis.send("quiero morir")
    assert after_crisis.send("sí") == [gsm.fold(es.phrases["sms_crisis"])]


@pytest.mark.parametrize("first", ["¿qué?", "que"])
def test_what_as_a_first_text_is_answered_in_its_language_and_what_is_is_a_question(first: str, texter: TextThread,
                                                                                      line: Line) -> None:
    es = line.content.languages["es"]
    [reply] = texter.send(first)
    assert gsm.fold(es.phrases["sms_menu_header"]) in reply, reply
    answer = texter.send("contagioso")[-1]
    assert texter.send("¿qué?") == [answer]
    # "qué es" is a question, not "what?" with a word beside it ("es" is part of the yes "así es", not a yes).
    assert texter.send("qué es") != [answer]


@pytest.mark.parametrize("body, phrase", [("help me please", "sms_help"), ("ayuda por favor", "sms_help"), ("hello, the menu please", "sms_welcome")])
def test_a_control_word_with_words_that_ask_nothing_still_works(body: str, phrase: str, texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send(body)
    assert any(gsm.fold(lang.phrases[phrase]) in reply for lang in line.content.languages.values()), reply


def test_a_control_word_in_a_question_is_the_question(texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send("help, is it contagious")
    assert gsm.fold(line.content.languages["en"].targets[("topic", "contagious")].text) in reply


def test_asking_to_stop_in_other_words_gets_the_help_that_says_to_reply_stop(texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send("please stop texting me")
    assert reply == gsm.fold(line.content.languages["en"].phrases["sms_help"]) and "STOP" in reply
    [answer] = texter.send("can I stop my medicine")
    assert "STOP" not in answer


@pytest.mark.parametrize("first, marker", [("AYUDA", "no consejo medico"), ("how does this work", "not medical advice")])
def test_a_first_help_carries_the_notice_once(first: str, marker: str, texter: TextThread) -> None:
    [reply] = texter.send(first)
    assert gsm.fold(reply).lower().count(marker) == 1 and "911" in reply


def test_a_short_question_with_a_number_after_a_did_you_mean_is_a_question(texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    targets = line.content.languages["en"].targets
    choices = (targets[("topic", "skin")], targets[("topic", "contagious")])
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", choices, ()))
    texter.send("hi")
    texter.send("pills")
    monkeypatch.undo()
    [reply] = texter.send("type 2 diabetes")
    assert gsm.fold(targets[("topic", "contagious")].text) not in reply


@pytest.mark.parametrize("body", ["what are my options", "is it back", "should I start"])
def test_a_question_made_of_common_words_and_a_control_word_is_a_question(body: str, texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send(body)
    assert gsm.fold(line.content.languages["en"].phrases["sms_menu_header"]) not in reply


@pytest.mark.parametrize("body, crisis", [("I don't want to die from this, what treatment is best?", False),
                                          ("no me quiero morir, que tratamiento hay", False),
                                          ("some days I just want to die", True), ("me quiero morir", True),
                                          # "No" answering a question, then a crisis; emphasis; another language's "no"
                                          ("No. Me quiero morir.", True), ("No, no quiero vivir", True),
                                          ("no, I want to die", True), ("there is no reason to live", True)])
def test_a_crisis_phrase_right_after_a_negation_is_not_a_crisis(body: str, crisis: bool, texter: TextThread, line: Line) -> None:
    replies = texter.send(body)
    sms_crisis = {gsm.fold(lang.phrases["sms_crisis"]) for lang in line.content.languages.values()}
    assert (replies[0] in sms_crisis) is crisis, replies
    if not crisis:
        # The question answered, and where help is beside it: a negation may be sincere or not (an independent read's:
        # "I'm not going to kill myself tonight but maybe tomorrow").
        assert any(gsm.fold(lang.phrases["sms_distress"]) in replies[0] for lang in line.content.languages.values()) and len(replies) == 2


@pytest.mark.parametrize("body, kind", [("I keep thinking about suiside", "sms_crisis"), ("me kiero morir", "sms_crisis"),
                                        ("kiero morirme", "sms_crisis"), ("chest pian since this morning", "sms_emergency"),
                                        ("i kant catch my breath", "sms_emergency"),  # "*" kept in the sounds
                                        ("he is having a hart attack", "sms_emergency"),  # heart or hurt: both tried
                                        # Each such typo read each way, however many come before it.
                                        ("i want to hert myself so bad hert hert hert", "sms_crisis"),
                                        ("no me kiero morir, que tratamiento hay", None),
                                        # Another word or another form of one is no typo of a safety word.
                                        ("la quimio acaba con mi vida social", None),
                                        ("I would be better off deaf than hear this ringing", None)])
def test_safety_words_are_caught_misspelled_as_people_write_them(body: str, kind: str | None, texter: TextThread,
                                                                 line: Line) -> None:
    reply = texter.send(body)[0]
    phrases = {gsm.fold(lang.phrases[k]) for lang in line.content.languages.values() for k in ("sms_crisis", "sms_emergency")}
    if kind is None:
        assert not any(reply.startswith(p) for p in phrases), reply
    else:
        assert any(reply.startswith(gsm.fold(lang.phrases[kind])) for lang in line.content.languages.values()), reply


def test_again_after_a_did_you_mean_is_not_the_answer_before_it(texter: TextThread, line: Line,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    targets = line.content.languages["en"].targets
    texter.send("hi")
    answer = texter.send("contagious")[-1]
    assert texter.send("again")[-1] == answer
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", (targets[("topic", "skin")], targets[("topic", "inherited")]), ()))
    texter.send("my skin and my family")
    monkeypatch.undo()
    [choices] = texter.send("again")
    assert choices != answer and "1 skin changes" in choices and "2 " in choices
    # "What?" (a repeat word) is the same: the choices again, and a number still picks from them.
    assert texter.send("what?") == [choices]
    assert gsm.fold(targets[("topic", "skin")].text) in texter.send("1")[-1]


@pytest.mark.parametrize("code, question, no", [("en", "my skin and my family", "no"),
                                                 ("en", "my skin and my family", "none of them"),
                                                 ("es", "mi piel y mi familia", "ninguno")])
def test_no_to_a_did_you_mean_or_to_the_topic_offered_after_an_answer_lists_every_topic(
        code: str, question: str, no: str, texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    lang = line.content.languages[code]
    choices = (lang.targets[("topic", "skin")], lang.targets[("topic", "inherited")])
    texter.send(lang.words["language"][0])
    for kind in ("ask", "offer"):
        monkeypatch.setattr(line, "decide", lambda *args, kind=kind, **kwargs: Decision(kind, choices, ()))
        texter.send(question)
        monkeypatch.undo()
        [reply] = texter.send(no)
        # Every topic (never a guess made of "no"), and a number now picks from that list.
        assert reply.startswith(gsm.fold(lang.phrases["sms_menu_header"])), (kind, reply)
    assert gsm.fold(lang.targets[("topic", "what_is")].text) in texter.send("1")[-1]


def test_again_after_the_crisis_or_the_emergency_message_sends_it_again(texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [crisis] = texter.send("I want to kill myself")
    assert texter.send("again") == [crisis]
    [emergency] = texter.send("my chest hurts")
    assert texter.send("repeat that") == [emergency] and emergency.startswith("If this is an emergency")


def test_a_fever_after_a_transplant_gets_the_warning_signs_at_once_never_a_guess_by_text_and_by_phone(
        tmp_path: Path, prompts_copy: Path) -> None:
    from service.simulator import PhoneCall, audio_texts

    with (prompts_copy / "line.yaml").open("a", encoding="utf-8") as f:
        f.write("emergency_topic: outlook\n")  # the fixture's stand-in for the warning signs
    for name, entry in (("en.yaml", "fever/chills/temp + transplant/chemo/stem cells"), ("es.yaml", "fiebre/escalofrios + trasplante/quimio")):
        path = prompts_copy / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\n  slower:", f"\n  urgent: [\"{entry}\"]\n  slower:", 1), encoding="utf-8")
    app = make_app(tmp_path, PROMPTS_DIR=str(prompts_copy))
    line = app.extensions["line"]
    english, spanish = line.content.languages["en"], line.content.languages["es"]
    # Any order, any of a piece's forms, a form of two words; without one of the pieces, matched as usual.
    index = line.matcher.indexes["en"]
    assert index.is_urgent("temp 101 and chills 10 days after my stem cells went back in")
    assert not index.is_urgent("what is a stem cell transplant") and not index.is_urgent("can poems cause a fever")
    [reply] = TextThread(TwilioClient(app.test_client(), TOKEN), texter="+15555550193").send(
        "my mom has a fever of 101 ten days after her transplant, what do we do")
    assert gsm.fold(english.topic("outlook").text).split(".")[0] in reply and "Reply with a number" not in reply
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    call.start()
    call.press("6")
    turn = call.say("tengo fiebre después del trasplante")
    assert turn.heard[0].text == spanish.prompts["topic.outlook"].text


@pytest.mark.parametrize("reply", ["the last one", "The last one please"])
def test_the_last_one_picks_the_last_choice_offered(reply: str, texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    targets = line.content.languages["en"].targets
    offered = (targets[("topic", "contagious")], targets[("topic", "inherited")], targets[("topic", "outlook")])
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", offered, ()))
    texter.send("hi")
    texter.send("can my family get it")
    monkeypatch.undo()
    [answer] = texter.send(reply)
    assert gsm.fold(offered[-1].text) in answer


@pytest.mark.parametrize("body", ["who won the game last night", "tell me a joke", "cuál es la capital de Francia"])
def test_a_text_about_something_else_is_told_what_the_line_is_for_not_offered_guesses(body: str, texter: TextThread, line: Line) -> None:
    texter.send("hi")
    [reply] = texter.send(body)
    said = {gsm.fold(lang.phrases["sms_off_topic"]) for lang in line.content.languages.values()}
    assert reply in said and "1 " not in reply and gsm.segments(reply) <= 2
    # Kept with the questions not understood, word for word, for the admins to read.
    line.store.flush()
    [(words, channel, _, _)] = line.store.report(*[__import__("datetime").date.today()] * 2).unmatched
    assert words == body.lower() and channel == "sms"
    # The way on still works.
    assert "1 " in texter.send("MENU")[0]


def test_a_few_words_right_after_an_answer_are_never_turned_away_as_something_else(texter: TextThread, line: Line,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory texter's: "can i get poems from my husband", then "he has it": "it only answers questions about
    # POEMS". They go on from the answer: not understood, with the nearest topics. Longer, or first, they are told.
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    nearest = (en.targets[("topic", "contagious")], en.targets[("topic", "inherited")])
    off = gsm.fold(en.phrases["sms_off_topic"])
    texter.send("contagious")
    [reply] = decided(texter, line, monkeypatch, Decision("none", nearest, (), elsewhere=True), "he has it")
    assert reply != off and reply.startswith(gsm.fold(en.phrases["sms_not_understood"])) and f"1 {nearest[0].title}" in reply
    # Words of their own, however few, are still told what the line is for (an independent read's "tell me a joke").
    for other in ("who won the game last night", "tell me a joke"):
        texter.send("contagious")
        assert decided(texter, line, monkeypatch, Decision("none", nearest, (), elsewhere=True), other) == [off], other


def test_a_question_with_the_lines_own_words_is_never_turned_away_as_something_else(texter: TextThread, line: Line) -> None:
    # Words the sentence encoder does not know ("vegf") but the bank does: a question about the line's subject.
    texter.send("hi")
    off = {gsm.fold(lang.phrases["sms_off_topic"]) for lang in line.content.languages.values()}
    for body in ("vegf q es", "que es el vegf"):
        assert texter.send(body)[0] not in off, body


@pytest.mark.parametrize("body", ["my phone number changed", "i changed my number", "are you a real person or a bot",
                                  "cambié de número"])
def test_asking_for_the_lines_own_services_is_never_turned_away_as_something_else(body: str, texter: TextThread, line: Line) -> None:
    # Found by an independent read: a new number to be called back on, or a person wanted, were told "this line only
    # answers questions about POEMS".
    texter.send("hi")
    off = {gsm.fold(lang.phrases["sms_off_topic"]) for lang in line.content.languages.values()}
    assert texter.send(body)[0] not in off


def test_without_the_off_topic_phrase_a_text_about_something_else_gets_the_short_help(prompts_copy: Path, tmp_path: Path) -> None:
    # Whatever the shipped files say: the phrase's line taken out, the reply made of the phrases left.
    path = prompts_copy / "en.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(x for x in lines if not x.startswith("  sms_off_topic:")), encoding="utf-8")
    app = make_app(tmp_path, PROMPTS_DIR=str(prompts_copy))
    en = app.extensions["line"].content.languages["en"]
    assert "sms_off_topic" not in en.phrases
    texter = TextThread(TwilioClient(app.test_client(), TOKEN))
    texter.send("hi")
    assert texter.send("who won the game last night") == [gsm.fold(f"{en.phrases['sms_not_understood']} {en.phrases['sms_menu_footer']}")]


def test_the_topic_first_offered_as_2_still_takes_2_once_the_other_was_taken(
        texter: TextThread, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    best, first, second = en.targets[("topic", "skin")], en.targets[("topic", "inherited")], en.targets[("topic", "contagious")]
    texter.send("hi")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("offer", (best, first, second), ()))
    [offered] = texter.send("what is it and can my kids get it")
    monkeypatch.undo()
    assert "1" in offered and "2" in offered and second.title in offered
    [taken] = texter.send("1")
    assert gsm.fold(first.text) in taken and second.title in taken  # offered again, now as 1
    # The texter replies 2, as first read: that topic, not "that is not an option".
    [reply] = texter.send("2")
    assert gsm.fold(second.text) in reply and en.phrases["not_option"] not in reply
