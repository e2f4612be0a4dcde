"""The phone line as a caller meets it: signed calls, TwiML followed key by key, word by word."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path

import pytest

from service.content import Content
from service.line import Line
from service.simulator import PhoneCall, Turn, TwilioClient, audio_texts
from tests.conftest import LINE_FIXTURE, TOKEN, make_app

# Every topic the phone line promises, by the list, with words its answer must contain.
PROMISED = {
    "what_is": "rare blood disorder",
    "polyneuropathy": "polyneuropathy",
    "organomegaly": "organomegaly",
    "endocrinopathy": "endocrinopathy",
    "monoclonal": "monoclonal plasma cell disorder",
    "skin": "skin changes",
    "causes": "exact cause of POEMS is not known",
    "inherited": "not known to be passed down in families",
    "contagious": "not an infection",
    "outlook": "live many years",
    "diagnosis": "hard to diagnose",
    "treatment": "Treatment aims at the abnormal plasma cells",
    "natural_treatments": "no evidence",
    "how_common": "POEMS is rare",
    "support": "NORD",
    "famous_people": "We do not know of any famous person",
}


def key_path(content: Content, topic: str) -> list[str]:
    """The shortest keys from the main menu to a topic."""
    queue = deque([("main", [])])
    seen = {"main"}
    while queue:
        menu_id, keys = queue.popleft()
        for option in content.menus[menu_id].options:
            if option.kind != "menu" and option.target == topic:
                return keys + [option.key]
            if option.kind == "menu" and option.target not in seen:
                seen.add(option.target)
                queue.append((option.target, keys + [option.key]))
    raise AssertionError(f"{topic} is not reachable")


def menu_path(content: Content, menu: str) -> list[str]:
    queue = deque([("main", [])])
    while queue:
        menu_id, keys = queue.popleft()
        if menu_id == menu:
            return keys
        for option in content.menus[menu_id].options:
            if option.kind == "menu":
                queue.append((option.target, keys + [option.key]))
    raise AssertionError(menu)


def spoken(line: Line, prompt_id: str, lang: str = "en") -> str:
    return line.content.languages[lang].prompts[prompt_id].text


def test_greeting_names_the_line_disclaims_and_sits_inside_the_first_gather(call: PhoneCall, line: Line) -> None:
    turn = call.start()
    assert turn.gather is not None
    greeting = turn.heard[0].text
    assert "POEMS syndrome information line" in greeting
    assert "not medical advice" in greeting
    assert "hang up and call 911" in greeting
    inside = [child.tag for child in turn.gather]
    assert inside and all(tag in ("Play", "Say") for tag in inside)
    # The line's name, the Spanish offer (in Spanish, first), the short notices, then the options, all interruptible.
    texts = [h.text for h in turn.heard]
    assert texts[1] == "Para español, oprima 6."
    assert texts[2] == spoken(line, "phrase.notice")
    assert texts[3] == spoken(line, "menu.main") and texts[3].startswith("For what POEMS is, press 1.")
    assert turn.heard[1].audio is None or turn.heard[1].audio.startswith("es-")


def test_every_gather_takes_keys_and_speech_with_hints_and_waits_long_enough(call: PhoneCall) -> None:
    turn = call.start()
    gather = turn.gather
    assert gather.get("input") == "dtmf speech"
    assert int(gather.get("timeout")) >= 10
    assert gather.get("language") == "en-US"
    hints = gather.get("hints").split(", ")
    assert "contagious" in hints and "treatment" in hints and "symptoms the five features P O E M S" in hints
    # Twilio's rules: at most 500 entries of at most 100 characters, words separated by spaces, no other punctuation.
    assert len(hints) <= 500 and all(0 < len(h) <= 100 and re.fullmatch(r"[\w' ]+", h) for h in hints), hints
    assert gather.get("actionOnEmptyResult") == "false"
    assert gather.get("finishOnKey") == ""


@pytest.mark.parametrize("topic", sorted(PROMISED))
def test_every_promised_topic_is_reachable_in_two_presses(topic: str, call: PhoneCall, line: Line) -> None:
    keys = key_path(line.content, topic)
    assert len(keys) <= 2
    turn = call.start()
    for key in keys:
        turn = call.press(key)
    assert PROMISED[topic] in turn.text
    assert spoken(line, f"topic.{topic}") in turn.text
    assert not turn.hung_up and turn.gather is not None


def test_leave_a_message_is_reachable_in_two_presses(line: Line) -> None:
    assert len(key_path(line.content, "leave_message")) <= 2


def test_menus_have_at_most_five_options_phrased_goal_first_key_last(line: Line) -> None:
    for menu in line.content.menus.values():
        assert 1 <= len(menu.options) <= 5
        assert [o.key for o in menu.options] == [str(i) for i in range(1, len(menu.options) + 1)]
        text = spoken(line, f"menu.{menu.id}")
        options = re.findall(r"For ([^.]+?), press (\d)\.", text)
        assert [k for _, k in options][: len(menu.options)] == [o.key for o in menu.options], text


def test_answers_play_pre_built_audio_when_it_matches_the_text(call: PhoneCall) -> None:
    turn = call.start()
    turn = call.press("2")
    turn = call.press("5")
    assert all(h.audio for h in turn.heard), [h for h in turn.heard if not h.audio]
    assert turn.heard[0].audio.startswith("en-topic-skin-")
    assert "S stands for skin changes" in turn.heard[0].text


def test_with_no_audio_every_prompt_is_spoken_with_say(tmp_path: Path) -> None:
    empty = tmp_path / "no-audio"
    empty.mkdir()
    app = make_app(tmp_path, AUDIO_DIR=str(empty))
    call = PhoneCall(TwilioClient(app.test_client(), "test-auth-token-0123456789abcdef"))
    turn = call.start()
    assert turn.heard and all(h.audio is None and h.text for h in turn.heard)
    assert turn.heard[1].language == "es-US" and turn.heard[0].language == "en-US"
    turn = call.press("1")
    assert "rare blood disorder" in turn.text and all(h.audio is None for h in turn.heard)


def _go_to_menu(call: PhoneCall, content: Content, menu: str) -> Turn:
    turn = call.start()
    for key in menu_path(content, menu):
        turn = call.press(key)
    return turn


@pytest.mark.parametrize("menu", ["main", "features", "care", "risk", "support"])
def test_star_repeats_nine_goes_to_main_menu_zero_goes_back_in_every_menu(menu: str, call: PhoneCall, line: Line) -> None:
    content = line.content
    text = spoken(line, f"menu.{menu}")
    _go_to_menu(call, content, menu)
    assert text in call.press("*").text
    assert spoken(line, "menu.main") in call.press("9").text
    _go_to_menu(call, content, menu)
    parent = content.menus[menu].parent or "main"
    assert spoken(line, f"menu.{parent}") in call.press("0").text
    # The keys that work everywhere are read in full once a call (at the greeting), then again after a silence.
    assert "press star" not in text
    _go_to_menu(call, content, menu)
    again = call.wait()
    footer = spoken(line, "phrase.main_menu_footer" if menu == "main" else "phrase.menu_footer")
    assert text in again.text and footer in again.text and ("press star" in footer or "star repeats" in footer)


def test_the_keys_that_work_everywhere_are_read_once_a_call_at_the_greeting(call: PhoneCall, line: Line) -> None:
    first = call.start()
    footer = spoken(line, "phrase.main_menu_footer")
    assert first.heard[-1].text == footer
    assert footer not in call.press("2").text
    assert footer not in call.press("9").text


@pytest.mark.parametrize("menu", ["main", "features", "care", "risk", "support"])
def test_a_wrong_key_is_not_an_option_and_the_menu_again(menu: str, call: PhoneCall, line: Line) -> None:
    _go_to_menu(call, line.content, menu)
    for key in ("7", "#"):
        turn = call.press(key)
        assert turn.heard[0].text == "Sorry, that is not an option."
        assert spoken(line, f"menu.{menu}") in turn.text
        assert not turn.hung_up and turn.gather is not None


def test_after_an_answer_repeat_text_back_and_main_menu_are_offered_and_work(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("4")
    turn = call.press("3")
    footer = spoken(line, "phrase.answer_footer")
    assert turn.heard[-1].text == footer
    for words in ("press star", "go back, press 0", "main menu, press 9"):
        assert words in footer
    # Texts cannot be sent without a Twilio account: "press 7 to get it by text" is not offered.
    assert "press 7" not in turn.text
    assert "not an infection" in call.press("*").text
    assert spoken(line, "menu.risk") in call.press("0").text
    call.press("3")
    assert spoken(line, "menu.main") in call.press("9").text
    call.press("1")
    wrong = call.press("4")
    assert wrong.heard[0].text == "Sorry, that is not an option." and wrong.heard[-1].text == footer


def test_help_key_explains_the_line_and_stays_in_the_menu(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("3")
    turn = call.press("8")
    assert "general information" in turn.heard[0].text and "911" in turn.heard[0].text
    assert spoken(line, "menu.care") in turn.text
    assert "lenalidomide" in call.press("1").text


def test_silence_prompts_more_helpfully_then_says_goodbye_with_the_text_line_then_hangs_up(call: PhoneCall) -> None:
    call.start()
    first = call.wait()
    assert "I did not hear anything" in first.heard[0].text and "say what you want" in first.heard[0].text
    assert int(first.gather.get("timeout")) > 10
    second = call.wait()
    assert "Are you still there?" in second.heard[0].text
    last = call.wait()
    assert last.hung_up and last.gather is None
    assert "text your question to this same number" in last.text and "Goodbye" in last.text


def test_silence_after_an_answer_repeats_the_choices_not_the_answer_then_goodbye(call: PhoneCall) -> None:
    call.start()
    call.press("1")
    turn = call.wait()
    assert "rare blood disorder" not in turn.text and "To hear this again" in turn.text
    call.wait()
    assert call.wait().hung_up


def test_silence_counter_resets_after_input(call: PhoneCall) -> None:
    call.start()
    call.wait()
    call.wait()
    call.press("2")
    turn = call.wait()
    assert not turn.hung_up and "I did not hear anything" in turn.text


@pytest.mark.parametrize("said, expected", [
    ("is it contagious", "not an infection"),
    ("my feet are numb", "polyneuropathy"),
    ("how long will I live", "live many years"),
    ("tell me about the skin", "S stands for skin changes"),
    ("what causes it", "exact cause"),
    ("can my kids inherit it", "not known to be passed down"),
    ("are there any famous people with it", "famous person"),
    ("what is POEMS", "rare blood disorder"),
])
def test_speech_at_any_menu_goes_straight_to_the_answer(said: str, expected: str, call: PhoneCall, line: Line) -> None:
    call.start()
    assert expected in call.say(said).text
    _go_to_menu(call, line.content, "support")
    turn = call.say(said)
    assert expected in turn.text and turn.gather is not None


def test_back_after_a_spoken_question_goes_to_the_menu_that_holds_the_topic(call: PhoneCall, line: Line) -> None:
    call.start()
    call.say("is it contagious")
    assert spoken(line, "menu.risk") in call.press("0").text


def test_speech_that_matches_nothing_says_so_and_offers_the_nearest_topics_and_the_menu(call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.say("zorp blik wuggle")
    assert [h.text for h in turn.heard[:2]] == ["Sorry, I did not catch that.", "Here are the closest topics."]
    assert re.search(r"Did you mean .+\? Press 1\. .+\? Press 2\. .+\? Press 3\.", turn.text)
    assert "For the main menu, press 9" in turn.text and turn.gather is not None
    assert spoken(line, "menu.main") in call.press("9").text


@pytest.mark.parametrize("said, expected_menu", [("main menu", "main"), ("go back", "features"), ("repeat", "polyneuropathy")])
def test_control_words_work_by_voice(said: str, expected_menu: str, call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("2")
    call.press("1")
    turn = call.say(said)
    expected = spoken(line, f"menu.{expected_menu}") if expected_menu != "polyneuropathy" else spoken(line, "topic.polyneuropathy")
    assert expected in turn.text


def test_a_spoken_number_is_a_key(call: PhoneCall, line: Line) -> None:
    call.start()
    assert spoken(line, "menu.features") in call.say("two").text
    assert "organomegaly" in call.say("2").text


def test_emergency_words_are_answered_with_911_first(call: PhoneCall) -> None:
    call.start()
    turn = call.say("I have chest pain")
    assert turn.heard[0].text == "If this is an emergency, hang up now and call 911."
    assert turn.gather is not None


def test_an_error_inside_a_handler_apologises_in_twiml_and_returns_to_the_main_menu(
        call: PhoneCall, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.voice import call as flow

    call.start()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(flow.Call, "topic", broken)
    turn = call.press("1")
    assert call.statuses[-1] == 200
    assert "something went wrong" in turn.heard[0].text
    monkeypatch.undo()
    # The apology redirects to the main menu, which still works.
    assert spoken(line, "menu.main") in turn.text


def test_unknown_menu_or_topic_in_a_url_is_an_apology_and_the_main_menu(call: PhoneCall, line: Line) -> None:
    for url in ("/voice/menu/nowhere?lang=en", "/voice/topic/nothing?lang=en", "/voice/answer/menu/nowhere?lang=en", "/voice/answer/bogus/x"):
        turn = call.open(url, {"Digits": "1"})
        assert turn.heard[0].text == spoken(line, "phrase.error")
        assert spoken(line, "menu.main") in turn.text and turn.gather is not None


def test_unknown_language_in_a_url_falls_back_to_english(twilio: TwilioClient, line: Line) -> None:
    response = twilio.post("/voice/menu/main?lang=xx", {"CallSid": "CA1"})
    assert response.status_code == 200 and 'language="en-US"' in response.get_data(as_text=True)


def test_a_number_pointed_at_voice_with_a_language_greets_in_that_language(call: PhoneCall, line: Line) -> None:
    # A second Twilio number configured with /voice?lang=es answers in Spanish from its first word.
    turn = call.open("/voice?lang=es", {})
    assert turn.heard[0].text == line.content.languages["es"].prompts["phrase.greeting"].text
    assert turn.gather is not None and "lang=es" in turn.gather.get("action", "")


def test_fallback_url_serves_a_static_apology(app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    for method in (client.get, client.post):
        response = method("/voice/fallback")
        assert response.status_code == 200 and response.mimetype == "text/xml"
        body = response.get_data(as_text=True)
        assert "<Say" in body and "text your question" in body and "911" in body and "<Hangup" in body


def test_every_voice_response_is_xml_with_the_twiml_content_type(twilio: TwilioClient) -> None:
    response = twilio.post("/voice", {"CallSid": "CA1", "From": "+15555550123"})
    assert response.mimetype == "text/xml"
    assert response.get_data(as_text=True).startswith("<?xml")


def test_key_six_switches_to_spanish_and_back(call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.press("6")
    assert spoken(line, "menu.main", "es") in turn.text
    assert turn.gather.get("language") == "es-US"
    assert "For English, press 6." in turn.text
    assert spoken(line, "menu.main") in call.press("6").text


def test_audio_texts_cover_every_shipped_file(line: Line) -> None:
    texts = audio_texts(line)
    assert texts and not any(t.startswith("[audio") for t in texts.values())


def test_thank_you_after_an_answer_gets_a_word_in_kind_and_the_caller_stays(call: PhoneCall, line: Line) -> None:
    call.start()
    for key in key_path(line.content, "contagious"):
        call.press(key)
    turn = call.say("thank you so much")
    assert turn.heard[0].text == spoken(line, "phrase.courtesy")
    assert spoken(line, "topic.contagious") not in turn.text and spoken(line, "phrase.answer_footer") in turn.text
    assert "answer/topic/contagious" in turn.gather.get("action")


@pytest.mark.parametrize("said", ["option three", "press three", "number 3"])
def test_a_key_said_with_words_beside_it_is_that_key(said: str, call: PhoneCall, line: Line) -> None:
    call.start()
    assert spoken(line, "menu.care") in call.say(said).text


def test_a_wrong_key_in_a_menu_is_followed_by_the_keys_that_work_everywhere(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("2")
    turn = call.press("7")
    texts = [h.text for h in turn.heard]
    assert texts[0] == "Sorry, that is not an option." and spoken(line, "menu.features") in texts
    assert spoken(line, "phrase.menu_footer") in texts, texts


@pytest.mark.parametrize("said", ["goodbye", "that's all thank you", "bye"])
def test_a_caller_who_says_goodbye_hears_a_word_in_kind_and_the_call_ends(said: str, call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("1")
    turn = call.say(said)  # it said "You are welcome", then asked "are you still there?" for most of a minute
    assert turn.heard[-1].text == line.content.languages["en"].phrases["courtesy"] and turn.hung_up and turn.gather is None


def test_a_goodbye_gets_the_farewell_phrase_where_a_language_has_one(tmp_path: Path) -> None:
    # An exploratory caller's: "goodbye", "adiós" were met with "You are welcome" (nobody had said thank you).
    import shutil

    shutil.copytree(LINE_FIXTURE, tmp_path / "line")
    path = tmp_path / "line" / "en.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  courtesy: You are welcome. Take care.\n" in text
    path.write_text(text.replace("  courtesy: You are welcome. Take care.\n",
                                 "  courtesy: You are welcome. Take care.\n  farewell: Goodbye, and take care.\n"), encoding="utf-8")
    app = make_app(tmp_path, PROMPTS_DIR=str(tmp_path / "line"))
    line: Line = app.extensions["line"]
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    call.start()
    turn = call.say("goodbye")
    assert turn.heard[-1].text == "Goodbye, and take care." and turn.hung_up


@pytest.mark.parametrize("said", ["that's all wrong", "that's all?", "no that's all wrong", "yes bye the way", "bye please help me"])
def test_words_that_only_contain_a_goodbye_never_end_the_call(said: str, call: PhoneCall) -> None:
    call.start()
    call.press("1")
    turn = call.say(said)
    assert not turn.hung_up and turn.gather is not None, said


@pytest.mark.parametrize("said", ["hold on", "hold on please", "one moment", "give me a second"])
def test_a_caller_who_asks_the_line_to_wait_is_told_it_will_then_given_longer_not_a_guess(said: str, call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("2")
    turn = call.say(said)  # it offered "did you mean living with nerve damage?"
    wait = line.content.languages["en"].phrases["wait"]
    assert [h.text for h in turn.heard] == [wait] and turn.gather is not None
    assert int(turn.gather.get("timeout")) == line.content.timeouts["later_seconds"]
    # A key after the wait is a key of the menu the caller was in.
    assert "/answer/menu/features" in turn.gather.get("action", "")
    # Silence after it: the same menu again, with no "are you still there?" (the wait was asked for), and the count of
    # silences starts over.
    again = call.wait()
    assert "Are you still there" not in again.text and "I did not hear" not in again.text
    assert again.gather is not None and "/answer/menu/features" in again.gather.get("action", "")
    assert not call.wait().hung_up and not call.wait().hung_up


def test_un_momento_in_a_spanish_call_is_a_wait_too(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("6")
    turn = call.say("un momento, por favor")
    assert [h.text for h in turn.heard] == [line.content.languages["es"].phrases["wait"]]


def test_slower_please_says_the_answer_again_more_slowly_in_the_languages_voice(call: PhoneCall, line: Line) -> None:
    call.start()
    answer = call.press("1")
    turn = call.say("slower please")
    en = line.content.languages["en"]
    # The answer again, then its footer, each spoken by Say at a slower rate (the audio files have one speed).
    assert turn.heard[0].text == " ".join(en.prompts["topic.what_is"].text.split())
    assert all(h.rate == "80%" and h.audio is None and h.language == en.voice.say_language for h in turn.heard)
    assert turn.gather is not None and "/answer/topic/what_is" in turn.gather.get("action", "")
    # And the rest of the call: the next menu, a silence, the answer again by key.
    back = call.press("0")
    assert back.heard and all(h.rate == "80%" for h in back.heard) and "slow=1" in back.gather.get("action", "")
    assert all(h.rate == "80%" for h in call.wait().heard)
    assert all(h.rate is None for h in answer.heard)  # before it was asked for: the usual audio
    # "Normal speed": the usual audio again, from then on.
    usual = call.say("normal speed")
    assert usual.heard and all(h.rate is None for h in usual.heard) and "slow=1" not in usual.gather.get("action", "")


def test_mas_despacio_in_a_spanish_call_repeats_the_menu_slowly_in_spanish(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("6")
    turn = call.say("más despacio")
    es = line.content.languages["es"]
    assert turn.heard and all(h.rate == "80%" for h in turn.heard) and turn.heard[0].language == es.voice.say_language
    assert es.prompts["menu.main"].text.split()[0] in turn.text


@pytest.mark.parametrize("kind", ["answer", "ask", "none", "alone"])
def test_words_of_not_going_on_with_a_question_are_met_with_988_then_the_answer_and_alone_with_the_crisis_message(
        kind: str, call: PhoneCall, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    es = line.content.languages["es"]
    target = es.targets[("topic", "skin")]
    call.start()
    call.press("6")
    decision = Decision("answer" if kind == "alone" else kind, (target,), ())
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: decision)
    turn = call.say("ay señorita ya no puedo mas" if kind == "alone" else "camino una cuadra y ya no puedo mas")
    heard = [h.text for h in turn.heard]
    if kind == "answer":
        assert heard[:2] == [es.prompts["phrase.distress"].text, es.prompts["topic.skin"].text]
    elif kind == "ask":
        assert heard[0] == es.prompts["phrase.distress"].text and any(target.title in h for h in heard[1:])
    else:
        assert heard[0] == es.prompts["phrase.crisis"].text


@pytest.mark.parametrize("said", ["no me quiero morir", "no me kiero morir", "ay ya no puedo mas"])
def test_spanish_words_of_not_going_on_alone_at_the_english_greeting_get_the_spanish_crisis_message(
        said: str, call: PhoneCall, line: Line) -> None:
    # A second read's: said negated (or as words of not going on) in Spanish at the English greeting, the crisis message
    # came in English, without the switch a crisis phrase gets.
    es = line.content.languages["es"]
    call.start()
    heard = [h.text for h in call.say(said).heard]
    assert heard[0] == es.prompts["phrase.crisis"].text and es.prompts["menu.main"].text in heard


def test_after_a_choice_of_a_did_you_mean_its_other_choices_stay_on_their_keys(call: PhoneCall, line: Line,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory caller's: after 1 of a "did you mean" was not it, 2 said "that is not an option".
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    a, b, c = (en.targets[("topic", t)] for t in ("contagious", "inherited", "outlook"))
    call.start()
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", (a, b, c), ()))
    call.say("can my family get it")
    monkeypatch.undo()
    first = call.press("1")
    heard = [h.text for h in first.heard]
    assert heard[0] == en.prompts["topic.contagious"].text
    assert f"If you meant {b.title}, press 2." in heard and f"{c.title}? Press 3." in heard
    # Its own key again, or "the first one": this answer again, the others still offered (it was "not an option").
    for again in (call.press("1"), call.say("the first one")):
        assert again.heard[0].text == en.prompts["topic.contagious"].text and f"If you meant {b.title}, press 2." in [h.text for h in again.heard]
    third = call.press("3")
    assert third.heard[0].text == en.prompts["topic.outlook"].text
    assert f"If you meant {b.title}, press 2." in [h.text for h in third.heard]
    assert call.press("2").heard[0].text == en.prompts["topic.inherited"].text
    # "Yes" takes the first, and the others stay offered too.
    call.start()
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", (a, b, c), ()))
    call.say("can my family get it")
    monkeypatch.undo()
    assert f"If you meant {b.title}, press 2." in [h.text for h in call.say("yes").heard]


@pytest.mark.parametrize("said", ["one and three", "1 and 3", "both", "both of them", "one and seven"])
def test_several_choices_said_at_a_did_you_mean_take_the_first_and_keep_the_others_on_their_keys(
        said: str, call: PhoneCall, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    # A tester's: "one and two" at a "did you mean" was heard as a question, and the caller got other guesses.
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    a, b, c = (en.targets[("topic", t)] for t in ("contagious", "inherited", "outlook"))
    both = said.startswith("both")
    call.start()
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", (a, c) if both else (a, b, c), ()))
    call.say("can my family get it")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: pytest.fail("the numbers were heard as a question"))
    turn = call.say(said)
    heard = [h.text for h in turn.heard]
    if said == "one and seven":
        assert heard[0] == en.phrases["not_option"] and any(c.title in h for h in heard)
        return
    assert heard[0] == en.prompts["topic.contagious"].text
    assert f"If you meant {c.title}, press {'2' if both else '3'}." in heard and not any(b.title in h for h in heard)
    assert call.press("2" if both else "3").heard[0].text == en.prompts["topic.outlook"].text


def test_both_after_an_answer_that_offers_nothing_and_no_english_said_mid_call(call: PhoneCall, line: Line,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory caller's: "both" after a plain answer became guesses; "no hablo inglés, por favor" at an English
    # answer was heard as a question, where it switches at the greeting.
    en, es = line.content.languages["en"], line.content.languages["es"]
    call.start()
    call.press("2")
    call.press("1")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: pytest.fail("heard as a question"))
    assert en.prompts["menu.features"].text in [h.text for h in call.say("both").heard]
    call.press("1")
    heard = [h.text for h in call.say("no hablo ingles por favor").heard]
    assert any(h == es.prompts["topic.polyneuropathy"].text for h in heard), heard


def test_a_thank_you_at_a_did_you_mean_is_answered_in_kind_then_the_choices(call: PhoneCall, line: Line,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory caller's: "gracias" to "¿Quiso decir...?" got the choices alone.
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    a, b = (en.targets[("topic", t)] for t in ("contagious", "inherited"))
    call.start()
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", (a, b), ()))
    asked = call.say("can my family get it")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: pytest.fail("'thank you' was heard as a question"))
    heard = [h.text for h in call.say("thank you").heard]
    assert heard[0] == en.phrases["courtesy"] and heard[-3:] == [h.text for h in asked.heard][-3:]
    assert call.press("2").heard[0].text == en.prompts["topic.inherited"].text


@pytest.mark.parametrize("said", ["okay", "both"])
def test_okay_or_both_said_at_a_did_you_mean_of_three_gets_the_choices_again(said: str, call: PhoneCall, line: Line,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory caller's: "okay" to "¿Quiso decir...?" got "De nada"; "both" of three is still to be said which.
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    a, b, c = (en.targets[("topic", t)] for t in ("contagious", "inherited", "outlook"))
    call.start()
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", (a, b, c), ()))
    asked = call.say("can my family get it")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: pytest.fail(f"'{said}' was heard as a question"))
    again = [h.text for h in call.say(said).heard]
    assert en.phrases["courtesy"] not in again and again[-4:] == [h.text for h in asked.heard][-4:]
    assert call.press("3").heard[0].text == en.prompts["topic.outlook"].text


def test_numbers_said_together_at_a_menu_and_tell_me_more_by_phone(call: PhoneCall, line: Line,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # An independent read's: "one and two" at the greeting became a guess; an exploratory tester's: "tell me more"
    # after an answer went to guesses led by "leaving a message". At a menu it says the menu again, never goes up.
    content = line.content
    en = content.languages["en"]
    call.start()
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: pytest.fail("the words were heard as a question"))
    pressed = [h.text for h in call.press("1").heard]
    call.start()
    assert [h.text for h in call.say("one and two").heard] == pressed
    call.start()
    call.press("2")
    at_menu = [h.text for h in call.turn.heard]
    assert [h.text for h in call.say("tell me more").heard][-len(at_menu[-2:]):] == at_menu[-2:]
    option = content.menus["features"].option("1")
    assert option is not None and option.kind == "topic"
    call.press("1")
    after = [h.text for h in call.say("tell me more").heard]
    assert en.prompts["menu.features"].text in after
    # After an answer that offers nothing: as "one" alone, "that is not an option" (it was a guess).
    call.press("1")
    assert call.say("one and two").heard[0].text == en.phrases["not_option"]


@pytest.mark.parametrize("also", ["%2B", "contagious%2B", "%2B%2Bcontagious%2Boutlook", "%2B%2B%2Bcontagious",
                                  "inherited%2Binherited", "main", "%2Bmain"])
def test_a_forged_list_of_offers_offers_nothing(also: str, call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.open(f"/voice/topic/outlook?lang=en&also={also}")
    assert "also=" not in turn.gather.get("action", "") and "If you meant" not in turn.text


def test_an_offer_whose_first_slot_is_empty_is_on_key_2(call: PhoneCall, line: Line) -> None:
    en = line.content.languages["en"]
    call.start()
    turn = call.open("/voice/topic/outlook?lang=en&also=%2Bcontagious")
    assert f"If you meant {en.topic('contagious').title}, press 2." in [h.text for h in turn.heard]
    assert call.press("2").heard[0].text == en.prompts["topic.contagious"].text


@pytest.mark.parametrize("lang, said", [("en", "the last one"), ("es", "la última")])
def test_the_last_one_said_at_a_did_you_mean_is_its_last_choice(lang: str, said: str, call: PhoneCall, line: Line,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    language = line.content.languages[lang]
    offered = tuple(language.targets[("topic", t)] for t in ("contagious", "inherited", "outlook"))
    call.start()
    if lang == "es":
        call.press("6")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("ask", offered, ()))
    asked = call.say("can my family get it" if lang == "en" else "¿mi familia lo puede tener?")
    monkeypatch.undo()
    assert "/answer/choose/" in asked.gather.get("action", "")
    turn = call.say(said)
    assert turn.heard[0].text == language.prompts["topic.outlook"].text
    # Said to choices heard in the other language, the choice is taken there, with no switch (a switch would owe the
    # caller the notice and keys first).
    other = line.content.languages["es" if lang == "en" else "en"]
    call.start()
    if lang == "en":
        call.press("6")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision(
        "ask", tuple(other.targets[("topic", t)] for t in ("contagious", "inherited", "outlook")), ()))
    call.say("¿mi familia lo puede tener?" if lang == "en" else "can my family get it")
    monkeypatch.undo()
    assert call.say(said).heard[0].text == other.prompts["topic.outlook"].text


@pytest.mark.parametrize("lang, said", [("en", "english please"), ("en", "english"), ("es", "español por favor")])
def test_asking_for_the_language_the_call_is_in_keeps_the_caller_where_they_were(lang: str, said: str, call: PhoneCall,
                                                                                line: Line) -> None:
    call.start()
    if lang == "es":
        call.press("6")
    menu = call.press("2")
    turn = call.say(said)  # it made a "did you mean" of the words
    assert turn.gather.get("action") == menu.gather.get("action") and "/answer/menu/" in turn.gather.get("action", "")
    assert line.content.languages[lang].prompts["menu.features"].text in turn.text



def test_un_momento_in_an_english_call_switches_to_spanish_and_waits(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("2")
    turn = call.say("un momento")  # it made a Spanish "did you mean" of the words
    es = line.content.languages["es"]
    assert turn.heard[0].text == es.phrases["notice"] and turn.heard[-1].text == es.phrases["wait"]
    assert "lang=es" in turn.gather.get("action", "") and "/answer/menu/features" in turn.gather.get("action", "")


def test_a_few_words_right_after_an_answer_are_not_understood_never_about_something_else(call: PhoneCall, line: Line,
                                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding.matcher import Decision

    en = line.content.languages["en"]
    nearest = (en.targets[("topic", "contagious")], en.targets[("topic", "inherited")])
    call.start()
    call.say("contagious")
    monkeypatch.setattr(line, "decide", lambda *args, **kwargs: Decision("none", nearest, (), elsewhere=True))
    texts = [h.text for h in call.say("he has it").heard]
    assert en.phrases["off_topic"] not in texts and texts[:2] == [en.phrases["no_match"], en.phrases["nearest"]]


@pytest.mark.parametrize(("lang", "said"), [("en", "who won the game last night"), ("es", "qué tiempo va a hacer mañana")])
def test_a_caller_who_asks_about_something_else_hears_what_the_line_is_for_then_the_menu_again(lang: str, said: str, call: PhoneCall, line: Line) -> None:
    call.start()
    if lang == "es":
        call.press("6")
    call.press("2")
    turn = call.say(said)
    prompts = line.content.languages[lang].prompts
    texts = [h.text for h in turn.heard]
    assert texts[0] == prompts["phrase.off_topic"].text
    # Back where the caller was, with its keys (never a "did you mean" of guesses): the same menu, in the same language.
    assert prompts["menu.features"].text in turn.text and "menu/features" in turn.gather.get("action")
    assert prompts["phrase.nearest"].text not in turn.text
