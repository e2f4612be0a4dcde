"""Text me this, leave a message, and the admin report over usage records in SQLite."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from service.records import NO_CALLBACK
from service.line import Line
from service.gateway.outgoing import Messenger
from service.simulator import PhoneCall, TextThread, Turn, TwilioClient, audio_texts
from service.records import Store, engine_url
from tests.conftest import LINE_FIXTURE, TOKEN, make_app

LINE_NUMBER = "+15555550100"
CALLER = "+15555550123"


class FakeTwilioHttp(HttpClient):
    """Stands in for Twilio's REST API: records each request, answers as configured, no network."""

    def __init__(self, status: int = 201, raise_error: Exception | None = None) -> None:
        super().__init__(logging.getLogger("fake"), False, None)
        self.status = status
        self.raise_error = raise_error
        self.requests: list[dict[str, Any]] = []

    def request(self, method: str, url: str, params: Any = None, data: Any = None, headers: Any = None,
                auth: Any = None, timeout: Any = None, allow_redirects: bool = False) -> Response:
        self.requests.append({"method": method, "url": url, "data": dict(data or {}), "auth": auth})
        if self.raise_error is not None:
            raise self.raise_error
        body = {"sid": "SM" + "1" * 32, "status": "queued"} if self.status < 400 else {"code": 21211, "message": "Invalid 'To' number", "status": self.status}
        return Response(self.status, json.dumps(body))


def _with_messenger(line: Line, http: FakeTwilioHttp, sid: str = "AC" + "a" * 32) -> None:
    line.messenger = Messenger(sid, TOKEN, http_client=http)


def test_text_me_this_sends_the_topics_text_answer_from_the_line_to_the_caller(call: PhoneCall, line: Line) -> None:
    http = FakeTwilioHttp()
    _with_messenger(line, http)
    call.start()
    call.press("2")
    call.press("5")
    turn = call.press("7")
    assert turn.heard[0].text == "We have sent this answer to your phone by text message."
    assert turn.gather is not None and not turn.hung_up
    assert "press 7" not in turn.text  # just sent: not offered again in the same breath
    [sent] = http.requests
    assert sent["method"] == "POST" and sent["url"].endswith("/Accounts/AC" + "a" * 32 + "/Messages.json")
    assert sent["data"]["To"] == CALLER and sent["data"]["From"] == LINE_NUMBER
    assert sent["data"]["Body"].startswith("S is skin changes.") and sent["data"]["Body"].endswith("Reply MENU for more topics, or ask another question.")


@pytest.mark.parametrize("said", ["text it to me please", "send me a text"])
def test_saying_text_me_at_an_answer_sends_it_as_key_7_does(said: str, call: PhoneCall, line: Line) -> None:
    http = FakeTwilioHttp()
    _with_messenger(line, http)
    call.start()
    call.press("2")
    call.press("5")
    assert call.say(said).heard[0].text == "We have sent this answer to your phone by text message."
    assert len(http.requests) == 1 and http.requests[0]["data"]["Body"].startswith("S is skin changes.")


def test_text_me_this_in_spanish_sends_the_spanish_answer(call: PhoneCall, line: Line) -> None:
    http = FakeTwilioHttp()
    _with_messenger(line, http)
    call.start()
    call.press("6")
    call.press("4")
    call.press("3")
    assert call.press("7").heard[0].text.startswith("Le enviamos esta respuesta")
    assert "no es una infeccion" in http.requests[0]["data"]["Body"]


@pytest.mark.parametrize("http", [FakeTwilioHttp(status=400), FakeTwilioHttp(raise_error=OSError("timed out"))])
def test_text_me_this_failing_apologises_and_the_call_goes_on(http: FakeTwilioHttp, call: PhoneCall, line: Line) -> None:
    _with_messenger(line, http)
    call.start()
    call.press("1")
    turn = call.press("7")
    assert turn.heard[0].text.startswith("Sorry, we could not send a text message just now.")
    assert "text your question to this number" in turn.heard[0].text
    assert "rare blood disorder" in call.press("*").text


def test_saying_text_me_where_no_text_can_be_sent_gets_the_help(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("1")
    turn = call.say("text me")
    assert turn.heard[0].text == line.content.languages["en"].prompts["phrase.help"].text and turn.record is None


def test_text_me_this_is_not_offered_without_an_account_sid_and_7_is_not_an_option(call: PhoneCall) -> None:
    call.start()
    assert "text message" not in call.press("1").text
    assert call.press("7").heard[0].text == "Sorry, that is not an option."


def test_text_me_this_that_fails_to_send_apologises(tmp_path: Path) -> None:
    app = make_app(tmp_path, TWILIO_ACCOUNT_SID="AC" + "1" * 32)
    line = app.extensions["line"]
    line.messenger.send = lambda *args: False  # the REST call failed (logged, never raised)
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    call.start()
    assert "To get it by text message, press 7." in call.press("1").text
    assert call.press("7").heard[0].text.startswith("Sorry, we could not send a text message")


def test_the_rest_client_has_a_timeout() -> None:
    messenger = Messenger("AC" + "a" * 32, TOKEN, timeout=4.0)
    assert messenger._http.timeout == 4.0


def _callback_of_the_message(line: Line) -> str:
    """What the one message left today keeps as its callback, as the team's report reads it."""
    line.store.flush()
    [message] = line.store.report(dt.date.today(), dt.date.today()).messages
    return str(message["callback"])


def _to_message_menu(call: PhoneCall, line: Line, start: bool = True) -> Turn:
    from tests.test_voice import key_path

    if start:
        call.start()
    for key in key_path(line.content, "leave_message"):
        turn = call.press(key)
    return turn


def test_leave_a_message_warns_records_with_a_beep_and_stores_the_details(call: PhoneCall, line: Line) -> None:
    turn = _to_message_menu(call, line)
    assert "not checked for emergencies" in turn.text and "call 911" in turn.text
    assert "private medical details" in turn.text
    record = turn.record
    assert record is not None
    assert record.get("maxLength") == "120" and record.get("playBeep") == "true" and record.get("finishOnKey") == "#"
    confirm = call.leave_recording(seconds=42, url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1")
    # The message is said to be kept at once, before the question (a caller may hang up or press 9 at it).
    assert confirm.heard[0].text == line.content.languages["en"].phrases["record_thanks"]
    assert confirm.heard[1].text.startswith("Should we call you back at the number you are calling from? Press 1 for yes.")
    assert confirm.gather is not None and confirm.gather.get("finishOnKey") == "#" and "speech" in confirm.gather.get("input")
    thanks = call.press("1")
    assert thanks.heard[0].text == "Thank you. Our team will call you back at that number."
    assert "Main menu." in thanks.text and thanks.gather is not None
    line.store.flush()
    today = dt.date.today()
    [message] = line.store.report(today, today).messages
    assert message["duration"] == 42 and message["recording_url"].endswith("/RE1")
    # The masked caller, and the number to call back in full (for the admins, never in a log line).
    assert message["caller"] == "*********23" and message["callback"] == CALLER


@pytest.mark.parametrize("answer, number", [({"Digits": "5555550199"}, "+15555550199"),
                                            ({"SpeechResult": "five five five, five five five, zero one nine nine"}, "+15555550199"),
                                            # "oh" for zero, as Americans say phone numbers; not the "oh" before it
                                            ({"SpeechResult": "five five five five five five oh one nine nine"}, "+15555550199"),
                                            ({"SpeechResult": "oh, it's five five five, five five five, oh one nine nine"}, "+15555550199")])
def test_a_caller_can_give_another_number_to_call_back(answer: dict[str, str], number: str, call: PhoneCall, line: Line,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE5")
    turn = call._answer(answer)
    assert turn.heard[0].text == "Thank you. Our team will call you back at 5 5 5, 5 5 5, 0 1 9 9."  # read back
    assert _callback_of_the_message(line) == number
    assert number not in capsys.readouterr().err and CALLER not in capsys.readouterr().err


@pytest.mark.parametrize("digits", ["05555550199", "1055550199", "5550550199", "555"])
def test_a_number_that_cannot_be_dialled_is_refused(digits: str) -> None:
    from service.voice.call import phone_number

    assert phone_number(digits) is None and phone_number("5555550199") == "+15555550199"


@pytest.mark.parametrize("said, kind, lang", [("I want to kill myself", "crisis", "en"), ("he can't breathe", "emergency", "en"),
                                               # words of not going on: nothing beside them to answer there
                                               ("I can't anymore", "crisis", "en"),
                                               # an exploratory caller's: Spanish words in an English call got English
                                               ("quiero matarme", "crisis", "es")])
def test_crisis_or_emergency_words_at_the_callback_question_get_988_or_911_first(said: str, kind: str, lang: str,
                                                                                 call: PhoneCall, line: Line) -> None:
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE8")
    turn = call._answer({"SpeechResult": said})
    language = line.content.languages[lang]
    assert turn.heard[0].text == language.prompts[f"phrase.{kind}"].text
    assert language.prompts["menu.main"].text.split()[0] in turn.text


@pytest.mark.parametrize("said, saved", [("okay", True), ("thank you", True), ("repeat", False), ("what?", False),
                                         ("no", False), ("no, that's not it", False),
                                         # a second independent read's: words with no number were "not complete"
                                         ("my granddaughter's phone", False)])
def test_ordinary_answers_at_the_callback_question(said: str, saved: bool, call: PhoneCall, line: Line) -> None:
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE9")
    turn = call._answer({"SpeechResult": said})
    invalid = line.content.languages["en"].prompts["phrase.callback_invalid"].text
    assert invalid not in turn.text
    assert (turn.heard[0].text == "Thank you. Our team will call you back at that number.") is saved
    # "No": which other number, or "no thanks"; not heard, or no number in the words: the question again.
    again = "phrase.callback_other" if said.startswith("no") else "phrase.callback_confirm"
    assert saved or turn.heard[0].text == line.content.languages["en"].prompts[again].text


@pytest.mark.parametrize("caller", ["Anonymous", "+7378742833", "+86282452253"])  # Twilio's stand-ins for a hidden number
def test_without_caller_id_the_line_asks_for_a_number_instead_of_promising_a_callback(caller: str, tmp_path: Path) -> None:
    app = make_app(tmp_path)
    line: Line = app.extensions["line"]
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line), caller=caller)
    _to_message_menu(call, line)
    asked = call.leave_recording(url="https://api.twilio.com/recordings/RE10")
    en = line.content.languages["en"]
    assert asked.heard[0].text == en.phrases["record_thanks"]  # kept, whatever comes of the question
    assert asked.heard[1].text.startswith("We cannot see the number you are calling from")
    assert "number you are calling from? Press 1" not in asked.text
    turn = call.press("1")
    assert turn.heard[0].text.startswith("We cannot see the number") and "call you back at that number" not in turn.text
    saved = call._answer({"Digits": "5555550199"})
    # The number read back, digit by digit in its groups, so a digit mistyped can be heard (an exploratory caller's).
    assert saved.heard[0].text == "Thank you. Our team will call you back at 5 5 5, 5 5 5, 0 1 9 9."
    assert saved.heard[0].audio is None  # said, never a recording of someone's number


def test_a_number_too_short_to_call_back_is_asked_for_again(call: PhoneCall, line: Line) -> None:
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE6")
    again = call._answer({"Digits": "555"})
    assert again.heard[0].text == line.content.languages["en"].prompts["phrase.callback_invalid"].text
    assert again.heard[1].text.startswith("Should we call you back")
    assert call.wait().heard[0].text.startswith("Should we call you back")  # a second silence ends it, as at first
    assert call.wait().heard[0].text == line.content.languages["en"].phrases["callback_kept"]


@pytest.mark.parametrize("said", ["no thanks", "No thanks, bye.", "don't call me please", "no need"])
def test_a_caller_who_does_not_want_a_call_back_hears_so_and_the_message_says_so(said: str, call: PhoneCall, line: Line) -> None:
    _to_message_menu(call, line)
    asked = call.leave_recording(url="https://api.twilio.com/recordings/RE11")
    en = line.content.languages["en"]
    assert asked.heard[-1].text.startswith("Should we call you back")
    turn = call._answer({"SpeechResult": said})
    # It asked the same question again: the caller did not know how to say no, and the team would have called.
    assert turn.heard[0].text == en.phrases["callback_declined"] and "Main menu." in turn.text
    assert _callback_of_the_message(line) == NO_CALLBACK


def test_no_gracias_at_the_callback_question_in_spanish(call: PhoneCall, line: Line) -> None:
    call.start()
    call.press("6")
    _to_message_menu(call, line, start=False)
    call.leave_recording(url="https://api.twilio.com/recordings/RE12")
    turn = call._answer({"SpeechResult": "no gracias"})
    assert turn.heard[0].text == line.content.languages["es"].phrases["callback_declined"]


def test_no_to_the_callback_number_asks_again_how_to_give_another_and_keeps_nothing_wrong(call: PhoneCall, line: Line) -> None:
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE7")
    again = call._answer({"SpeechResult": "no"})
    # Which other number, or "no thanks" (not "that number was not complete", nor the same question again).
    assert again.heard[0].text == line.content.languages["en"].prompts["phrase.callback_other"].text
    thanks = call._answer({"SpeechResult": "five five five five five five oh one nine nine"})
    assert thanks.heard[0].text == "Thank you. Our team will call you back at 5 5 5, 5 5 5, 0 1 9 9."
    assert _callback_of_the_message(line) == "+15555550199"


def test_text_me_after_switching_language_sends_the_answer_in_the_new_language(call: PhoneCall, line: Line) -> None:
    http = FakeTwilioHttp()
    _with_messenger(line, http)
    call.start()
    for key in ("4", "3", "7"):
        call.press(key)
    assert "no es una infección" in call.press("6").text  # the same answer, in Spanish
    assert call.press("7").heard[0].text.startswith("Le enviamos esta respuesta")
    assert len(http.requests) == 2 and "no es una infeccion" in http.requests[1]["data"]["Body"]


@pytest.mark.parametrize("said", ["text me", "send me a text"])
def test_asking_for_a_text_at_a_menu_gets_the_help_never_a_recording(said: str, call: PhoneCall, line: Line) -> None:
    call.start()
    turn = call.say(said)
    assert turn.record is None and "not checked for emergencies" not in turn.text
    assert turn.heard[0].text == line.content.languages["en"].prompts["phrase.help"].text and turn.gather is not None


def test_without_a_transfer_number_nothing_about_a_person_is_heard(call: PhoneCall, line: Line) -> None:
    turn = _to_message_menu(call, line)
    assert "person" not in turn.text and turn.record is not None


def test_with_a_transfer_number_a_caller_is_put_through_and_offered_a_message_when_nobody_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSFER_NUMBER", "+15555550777")
    monkeypatch.setenv("TRANSFER_NUMBER_ES", "+15555550778")
    app = make_app(tmp_path)
    line: Line = app.extensions["line"]
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    offer = _to_message_menu(call, line)
    assert offer.heard[-1].text.startswith("To talk with a person now, press 1.") and offer.gather is not None
    ringing = call.press("1")
    assert ringing.dial is not None and (ringing.dial.text or "").strip() == "+15555550777"
    assert int(ringing.dial.get("timeout")) >= 15
    missed = call.dial_ends("no-answer")
    assert missed.heard[0].text.startswith("Sorry, nobody could answer just now.") and missed.record is not None
    # Staying silent at the offer goes straight to the message.
    call2 = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    _to_message_menu(call2, line)
    assert call2.wait().record is not None
    # In Spanish, the Spanish line's person.
    call3 = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    call3.start()
    call3.press("6")
    from tests.test_voice import key_path
    for key in key_path(line.content, "leave_message"):
        call3.press(key)
    assert (call3.press("1").dial.text or "").strip() == "+15555550778"
    # Key 6 at the offer: the same offer in Spanish, and 1 the Spanish line's person.
    call5 = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    _to_message_menu(call5, line)
    offer_es = call5.press("6")
    assert offer_es.heard[-1].text == line.content.languages["es"].prompts["phrase.transfer_offer"].text
    assert (call5.press("1").dial.text or "").strip() == "+15555550778"
    # Asked for in words, a person is a person (it started a recording): "a person", "una persona".
    # So is one asked for in a few more words, or in the other language's (an exploratory caller was recorded).
    for said, number in (("a person please", "+15555550777"), ("operator", "+15555550777"),
                         ("I want to talk to a person", "+15555550777"), ("una persona", "+15555550777"),
                         ("I would like to speak with a person", "+15555550777"), ("yes I would like to talk to a person", "+15555550777"),
                         ("sí", "+15555550777")):
        call4 = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
        _to_message_menu(call4, line)
        turn = call4.say(said)
        assert turn.record is None and (turn.dial.text or "").strip() == number, said


def test_with_a_transfer_number_a_person_asked_for_at_any_menu_is_put_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory caller said "I want to speak to someone" at the main menu and heard "Did you mean leaving a
    # message? Press 1.": no menu says a person is there, and callers who want one hang up.
    monkeypatch.setenv("TRANSFER_NUMBER", "+15555550777")
    monkeypatch.setenv("TRANSFER_NUMBER_ES", "+15555550778")
    app = make_app(tmp_path)
    line: Line = app.extensions["line"]
    for said, spanish, number in (("I want to talk to a person", False, "+15555550777"), ("operator", False, "+15555550777"),
                                  ("una persona", True, "+15555550778")):
        call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
        call.start()
        if spanish:
            call.press("6")
        turn = call.say(said)
        assert turn.dial is not None and (turn.dial.text or "").strip() == number, (said, turn.text)
    # A question that names someone is still a question.
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    call.start()
    assert call.say("can someone tell me what poems is").dial is None


def test_without_a_transfer_number_a_person_asked_for_is_offered_a_message_alone(tmp_path: Path) -> None:
    # An exploratory caller's: "I want a real person", with nobody to put through, got "Did you mean leaving a message?
    # Or famous people? Or what POEMS is?". Now what the line can do instead, and that one offer; key 1 records.
    import shutil

    shutil.copytree(LINE_FIXTURE, tmp_path / "line")
    path = tmp_path / "line" / "en.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  courtesy: You are welcome. Take care.\n" in text
    app = make_app(tmp_path, PROMPTS_DIR=str(tmp_path / "line"))
    line: Line = app.extensions["line"]
    message = line.content.languages["en"].targets[("action", "leave_message")]
    for said in ("I want to talk to a person", "operator"):
        call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
        call.start()
        turn = call.say(said)
        assert turn.dial is None and turn.record is None and turn.gather is not None, said
        # As a menu offers it (nobody said "leaving a message", so not "did you mean"; a native Spanish reader's).
        offer = line.content.languages["en"].phrases["option"].format(title=message.title, key="1")
        assert offer in turn.text and "Did you mean" not in turn.text and "Press 2" not in turn.text, (said, turn.text)
        assert call.press("1").record is not None
    # With the optional phrase, it is said first.
    path.write_text(text.replace("  courtesy: You are welcome. Take care.\n", "  courtesy: You are welcome. Take care.\n"
                                 "  no_person: There is no one to talk to here, but you can leave a message.\n"), encoding="utf-8")
    app = make_app(tmp_path, PROMPTS_DIR=str(tmp_path / "line"))
    line = app.extensions["line"]
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    call.start()
    turn = call.say("I want to talk to a person")
    assert turn.heard[0].text == "There is no one to talk to here, but you can leave a message."
    assert turn.heard[1].text == line.content.languages["en"].phrases["option"].format(title=message.title, key="1")
    # A question that names someone is still a question.
    assert "no one to talk to" not in call.say("can someone tell me what poems is").text


def test_a_transfer_number_that_is_not_a_phone_number_stops_the_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.settings import StartupError

    monkeypatch.setenv("TRANSFER_NUMBER", "call Maria")
    with pytest.raises(StartupError, match="TRANSFER_NUMBER is not a phone number"):
        make_app(tmp_path)


def test_leave_a_message_in_silence_says_nothing_was_recorded_and_goes_back(call: PhoneCall, line: Line) -> None:
    _to_message_menu(call, line)
    turn = call.wait()
    assert turn.heard[0].text == "We did not get a message."
    assert "Support, and messages for our team." in turn.text


def test_the_admin_gets_a_text_about_a_new_message(tmp_path: Path) -> None:
    app = make_app(tmp_path, ADMIN_PHONE_NUMBER="+15555550999")
    line: Line = app.extensions["line"]
    http = FakeTwilioHttp()
    _with_messenger(line, http)
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    _to_message_menu(call, line)
    call.leave_recording(seconds=15)
    [sent] = http.requests
    assert sent["data"]["To"] == "+15555550999" and sent["data"]["From"] == LINE_NUMBER
    assert "15 s" in sent["data"]["Body"] and "waiting" in sent["data"]["Body"] and CALLER not in sent["data"]["Body"]
    assert CALLER[-4:] not in sent["data"]["Body"]


def test_usage_and_unmatched_words_are_recorded_without_numbers(call: PhoneCall, texter: TextThread, line: Line) -> None:
    call.start()
    call.press("4")
    call.press("3")
    call.say("zorp blik wuggle")
    texter.send("hi")
    texter.send("is it contagious")
    texter.send("zorp blik wuggle")
    texter.send("tell me about wombats")
    line.store.flush()
    today = dt.date.today()
    report = line.store.report(today, today)
    assert ("contagious", "sms", "en", 1) in report.topics and ("contagious", "voice", "en", 1) in report.topics
    # Split by channel and language: once by phone, once by text.
    assert {u for u in report.unmatched if u[0] == "zorp blik wuggle"} == {("zorp blik wuggle", "voice", "en", 1), ("zorp blik wuggle", "sms", "en", 1)}
    assert any(u[0] == "tell me about wombats" and u[3] == 1 for u in report.unmatched)
    with line.store.engine.connect() as conn:
        dump = " ".join(str(row) for table in ("usage", "unmatched", "messages") for row in conn.exec_driver_sql(f"select * from {table}"))
    assert "5555550123" not in dump


def test_the_report_command_shows_topics_unmatched_phrases_and_messages(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    line: Line = app.extensions["line"]
    line.store.record_usage("voice", "en", "treatment")
    line.store.record_usage("sms", "en", "treatment")
    line.store.record_usage("sms", "es", "skin")
    line.store.record_unmatched("sms", "en", "wombats")
    line.store.record_unmatched("sms", "en", "asdfghjkl")
    line.store.record_message("CA1", "*********23", "https://api.twilio.com/rec/RE9", 33)
    result = app.test_cli_runner().invoke(args=["report", "--days", "7"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "treatment" in out and "skin" in out and "RE9" in out and "33 s" in out
    assert re.search(r"1  sms +en +wombats", out) and "asdfghjkl" not in out and "1  random characters or very long texts" in out
    assert out.index("Most asked topics") < out.index("Not understood") < out.index("Messages left")
    old = app.test_cli_runner().invoke(args=["report", "--since", "2020-01-01", "--until", "2020-01-31"])
    assert old.exit_code == 0 and old.output.count("none") == 3


def test_the_report_period_is_inclusive(tmp_path: Path) -> None:
    store = Store(engine_url("", str(tmp_path / "r.sqlite")))
    store.record_usage("voice", "en", "outlook")
    store.flush()
    today = dt.date.today()
    assert store.report(today, today).topics == [("outlook", "voice", "en", 1)]
    assert store.report(today - dt.timedelta(days=9), today - dt.timedelta(days=1)).topics == []


def test_database_urls_from_heroku_use_psycopg() -> None:
    assert engine_url("postgres://u:p@h:5432/d", "x") == "postgresql+psycopg://u:p@h:5432/d"
    assert engine_url("postgresql://u:p@h/d", "x") == "postgresql+psycopg://u:p@h/d"
    assert engine_url("", "/tmp/a.sqlite") == "sqlite:////tmp/a.sqlite"


def test_a_database_outage_does_not_stop_the_line(call: PhoneCall, line: Line, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database is down")

    monkeypatch.setattr(line.store.engine, "begin", broken)
    call.start()
    call.press("1")
    line.store.flush()
    assert "rare blood disorder" in call.press("*").text


@pytest.mark.xdist_group("postgres")
@pytest.mark.skipif(not __import__("os").environ.get("TEST_DATABASE_URL"), reason="set TEST_DATABASE_URL to a PostgreSQL database to run")
def test_the_same_data_layer_on_postgresql() -> None:
    import os

    store = Store(engine_url(os.environ["TEST_DATABASE_URL"], "unused"))
    marker = "wombats-" + __import__("uuid").uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))  # no digit runs: those are taken for phone numbers
    store.record_usage("voice", "es", "skin")
    store.record_unmatched("sms", "en", marker)
    store.record_message("CA9", "*********23", "https://api.twilio.com/rec/RE7", 12)
    today = dt.date.today()
    report = store.report(today, today, limit=10000)
    assert any(t[0] == "skin" and t[1] == "voice" for t in report.topics)
    assert any(u[0] == marker and u[3] == 1 for u in report.unmatched)
    assert any(m["recording_url"].endswith("RE7") for m in report.messages)


def test_the_report_refuses_a_bad_range_and_exports_json_and_csv(app, line: Line) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["report", "--days", "-5"])
    assert bad.exit_code != 0 and "expected a number of days of at least 1" in bad.output
    inverted = runner.invoke(args=["report", "--since", "2026-11-20", "--until", "2026-11-10"])
    assert inverted.exit_code != 0 and "is after" in inverted.output
    line.store.record_usage("sms", "en", "skin")
    line.store.record_message("CA3", "***23", "https://api.twilio.com/rec/RE3", 7, recording_sid="RE3", callback=CALLER)
    exported = json.loads(runner.invoke(args=["report", "--json"]).output)
    assert {"kind": "topic", "topic": "skin", "channel": "sms", "lang": "en", "count": 1} in exported["rows"]
    assert any(r["kind"] == "message" and r["callback"] == CALLER for r in exported["rows"])
    csv_text = runner.invoke(args=["report", "--csv"]).output
    assert csv_text.startswith("kind,topic,channel,lang,words,count,created,duration,callback,recording_url") and "skin" in csv_text


def _answer_then_7(call: PhoneCall, line: Line, topic: str, presses: int = 1) -> list[str]:
    from tests.test_voice import key_path

    heard = []
    call.start()
    for key in key_path(line.content, topic):
        call.press(key)
    for _ in range(presses):
        heard.append(call.press("7").heard[0].text)
    return heard


def test_text_me_sends_one_text_per_topic_per_call_however_often_7_is_pressed(call: PhoneCall, line: Line) -> None:
    http = FakeTwilioHttp()
    _with_messenger(line, http)
    heard = _answer_then_7(call, line, "skin", presses=20)
    assert len(http.requests) == 1
    assert set(heard) == {"We have sent this answer to your phone by text message."}


def test_a_number_gets_at_most_the_days_cap_of_texts_across_calls_and_workers(tmp_path: Path) -> None:
    # Two apps on one database: two workers (or two instances) of the same line.
    workers = [make_app(tmp_path, TWILIO_ACCOUNT_SID="AC" + "1" * 32, TEXTS_PER_NUMBER_PER_DAY=3) for _ in range(2)]
    http = FakeTwilioHttp()
    outcomes = []
    for n, topic in enumerate(["skin", "contagious", "inherited", "outlook", "causes"]):
        app = workers[n % 2]
        line = app.extensions["line"]
        _with_messenger(line, http)
        outcomes += _answer_then_7(PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line)), line, topic)
    assert len(http.requests) == 3
    assert outcomes[3].startswith("Sorry, we could not send a text message") and outcomes[4] == outcomes[3]


def test_texts_go_only_to_the_allowed_countries(tmp_path: Path) -> None:
    abroad = "+447700900123"
    for countries, offered in (("", False), ("1,44", True)):
        app = make_app(tmp_path, TWILIO_ACCOUNT_SID="AC" + "1" * 32, TEXT_COUNTRIES=frozenset(filter(None, countries.split(","))))
        line = app.extensions["line"]
        http = FakeTwilioHttp()
        _with_messenger(line, http)
        call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line), caller=abroad)
        call.start()
        answer = call.press("1")
        assert ("press 7" in answer.text) is offered
        turn = call.press("7")
        assert len(http.requests) == (1 if offered else 0)
        if not offered:
            assert turn.heard[0].text == "Sorry, that is not an option."


def test_a_retried_text_me_request_sends_nothing_more(call: PhoneCall, line: Line) -> None:
    http = FakeTwilioHttp()
    _with_messenger(line, http)
    call.start()
    call.press("1")
    action = call.turn.gather.get("action")
    first = call.press("7")
    # Twilio retries the same request (same URL, same form): the same reply, no second text.
    again = call.open(action, {"Digits": "7"})
    assert len(http.requests) == 1 and again.heard[0].text == first.heard[0].text


def test_a_failed_text_can_be_tried_again(call: PhoneCall, line: Line) -> None:
    http = FakeTwilioHttp(status=500)
    _with_messenger(line, http)
    heard = _answer_then_7(call, line, "skin", presses=2)
    assert all(h.startswith("Sorry, we could not send") for h in heard) and len(http.requests) == 2


def test_at_the_offer_of_a_person_crisis_words_get_the_crisis_message_and_the_keys_still_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSFER_NUMBER", "+15555550777")
    app = make_app(tmp_path)
    line: Line = app.extensions["line"]
    en = line.content.languages["en"].prompts
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    _to_message_menu(call, line)
    turn = call.say("I want to die")
    assert turn.heard[0].text == en["phrase.crisis"].text and turn.record is None and turn.gather is not None
    _to_message_menu(call, line)
    turn = call.press("9")
    assert en["menu.main"].text in turn.text and turn.record is None
    # Staying on the line, saying "leave a message", or starting to say the message, still records one.
    _to_message_menu(call, line)
    assert call.say("leave a message").record is not None
    _to_message_menu(call, line)
    assert call.say("hi this is Ana, my husband has numbness in his feet, please call me back").record is not None
    # A "one" inside a sentence dials nobody, and crisis words with one in them get 988 before anything.
    _to_message_menu(call, line)
    turn = call.say("one more thing about my mother")
    assert turn.dial is None and turn.record is not None
    _to_message_menu(call, line)
    turn = call.say("no one can help me, I want to die")
    assert turn.heard[0].text == en["phrase.crisis"].text and turn.dial is None
    # Words of not going on too (a final read's: they started a recording), never the start of a message.
    _to_message_menu(call, line)
    turn = call.say("I can't anymore")
    assert turn.heard[0].text == en["phrase.crisis"].text and turn.dial is None and turn.record is None
    # A goodbye there ends the call as anywhere (it started a recording).
    for bye in ("goodbye", "adiós"):  # in the other language too
        _to_message_menu(call, line)
        turn = call.say(bye)
        assert turn.hung_up and turn.record is None, bye


def test_a_caller_silent_after_the_crisis_message_hears_it_again_before_the_line_hangs_up(call: PhoneCall,
                                                                                          line: Line) -> None:
    crisis = line.content.languages["en"].prompts["phrase.crisis"].text
    call.start()
    call.say("I want to kill myself")
    for _ in range(10):
        turn = call.wait()
        if turn.hung_up:
            break
        assert "urgent=crisis" in turn.gather.get("action")  # '*' still plays it, silence after silence
    texts = [h.text for h in turn.heard]
    assert turn.hung_up and crisis in texts and texts.index(crisis) < len(texts) - 1, texts


def test_after_the_crisis_message_the_repeat_key_plays_it_again(call: PhoneCall, line: Line) -> None:
    crisis = line.content.languages["en"].prompts["phrase.crisis"].text
    call.start()
    assert call.say("I want to die").heard[0].text == crisis
    for _ in range(2):
        again = call.press("*")
        assert again.heard[0].text == crisis and again.gather is not None
    # Once the caller moves on, the repeat key repeats where they are.
    call.press("2")
    assert crisis not in call.press("*").text


def test_slower_at_the_callback_question_asks_it_again_slowly(call: PhoneCall, line: Line) -> None:
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE13")
    turn = call._answer({"SpeechResult": "slower please"})  # it answered "that number was not complete"
    assert turn.heard[0].text.startswith("Should we call you back") and all(h.rate == "80%" for h in turn.heard)


def test_slower_at_the_offer_of_a_person_offers_it_again_slowly_never_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSFER_NUMBER", "+15555550777")
    app = make_app(tmp_path)
    line: Line = app.extensions["line"]
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    _to_message_menu(call, line)
    turn = call.say("slower please")  # it started the recording, at the usual speed
    assert turn.record is None and turn.gather is not None and "slow=1" in turn.gather.get("action", "")
    assert turn.heard[0].text == line.content.languages["en"].phrases["transfer_offer"] and turn.heard[0].rate == "80%"


@pytest.mark.parametrize("caller, told", [(CALLER, "callback_kept"), ("Anonymous", "callback_none")])
def test_a_caller_silent_at_the_callback_question_hears_whether_and_where_they_will_be_called_back(
        caller: str, told: str, twilio: TwilioClient, line: Line) -> None:
    # Their own number, or (hidden) that nobody can call back: never a bare "Main menu".
    call = PhoneCall(twilio, audio_texts(line), caller=caller)
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE6")
    call.wait()
    turn = call.wait()
    phrases = line.content.languages["en"].prompts
    # Its being kept was said as the recording ended: not again (an exploratory admin's call heard it twice).
    assert turn.heard[0].text == phrases[f"phrase.{told}"].text and phrases["phrase.record_thanks"].text not in turn.text
    assert "Main menu." in turn.text and turn.gather is not None
    if caller == CALLER:
        assert _callback_of_the_message(line) == CALLER


@pytest.mark.parametrize("answers", [[{"SpeechResult": "no"}],
                                     # The question again after the "no", asked for in any way, remembers it.
                                     [{"SpeechResult": "no"}, {"SpeechResult": "say that again"}],
                                     [{"SpeechResult": "no"}, {"SpeechResult": "slower"}], [{"SpeechResult": "no"}, {"Digits": "*"}]])
def test_after_a_no_to_their_own_number_silence_leaves_nobody_to_call_and_says_so(
        answers: list[dict[str, str]], call: PhoneCall, line: Line) -> None:
    # Exploratory callers said "no", heard the same question again (as if the "no" had not been heard), stayed silent,
    # and were told the team would call the number they had just refused; then it stayed the number to call.
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE7")
    phrases = line.content.languages["en"].prompts
    turn = call._answer(answers[0])
    assert phrases["phrase.callback_other"].text in [h.text for h in turn.heard]  # which other number, or "no thanks"
    for answer in answers[1:]:
        call._answer(answer)
    turn = call.wait()
    turn = call.wait() if "Main menu." not in turn.text else turn
    heard = [h.text for h in turn.heard]
    assert "Main menu." in turn.text and phrases["phrase.callback_kept"].text not in heard
    assert phrases["phrase.callback_declined"].text in heard
    assert _callback_of_the_message(line) == NO_CALLBACK


@pytest.mark.parametrize("then", [[{"Digits": "555#"}, {}, {}], [{"Digits": "555#"}, {"Digits": "9"}],
                                  [{"SpeechResult": "hello are you there"}, {}, {}], [{"SpeechResult": "no"}],
                                  [{"SpeechResult": "okay"}, {}, {}], [{"Digits": "1#"}, {}, {}]])
def test_a_no_to_their_own_number_stands_whatever_follows(then: list[dict[str, str]], call: PhoneCall, line: Line) -> None:
    # An independent read's: after the "no", a number not whole, words not understood, "okay" or 1 brought the
    # refused number back (promised on silence, kept on 9).
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE4")
    call.say("no")
    phrases = line.content.languages["en"].prompts
    heard: list[str] = []
    for answer in then:
        turn = call._answer(answer) if answer else call.wait()
        heard += [h.text for h in turn.heard]
        if "Main menu." in turn.text:
            break
    assert "Main menu." in turn.text
    assert phrases["phrase.callback_kept"].text not in heard and phrases["phrase.callback_saved"].text not in heard
    assert phrases["phrase.callback_declined"].text in heard
    assert phrases["phrase.callback_confirm"].text not in heard  # asked which other number, never theirs again
    assert _callback_of_the_message(line) == NO_CALLBACK


def test_a_caller_with_a_hidden_number_who_says_no_is_not_called_and_hears_so(twilio: TwilioClient, line: Line) -> None:
    call = PhoneCall(twilio, audio_texts(line), caller="Anonymous")
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE2")
    turn = call.say("no")
    assert line.content.languages["en"].prompts["phrase.callback_declined"].text in [h.text for h in turn.heard]
    assert _callback_of_the_message(line) == NO_CALLBACK


def test_a_caller_who_says_no_then_hangs_up_is_not_called(call: PhoneCall, line: Line) -> None:
    # A second independent read's: the "no" lived only in the next question's URL; hanging up there left the number.
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE2")
    call.say("no")
    assert _callback_of_the_message(line) == NO_CALLBACK


@pytest.mark.parametrize("first", [[], [{"SpeechResult": "no"}]])
def test_no_with_a_whole_number_said_is_that_number(first: list[dict[str, str]], call: PhoneCall, line: Line) -> None:
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE1")
    for answer in first:
        call._answer(answer)
    turn = call.say("no, call my daughter at five five five two three four five six seven eight")
    assert "Thank you. Our team will call you back at 5 5 5, 2 3 4, 5 6 7 8." in [h.text for h in turn.heard]
    assert _callback_of_the_message(line) == "+15552345678"


@pytest.mark.parametrize("legacy", ["1", "no"])
def test_a_callback_answer_written_before_refusals_and_broken_numbers_were_told_apart_is_a_refusal(
        legacy: str, call: PhoneCall, line: Line) -> None:
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE3")
    turn = call.open(f"/voice/callback?lang=en&rec=RE3&s=2&answered={legacy}")
    assert line.content.languages["en"].prompts["phrase.callback_declined"].text in [h.text for h in turn.heard]
    assert _callback_of_the_message(line) == NO_CALLBACK


def test_after_a_number_that_was_not_whole_silence_keeps_their_own_number_and_says_so(call: PhoneCall, line: Line) -> None:
    # A caller who keyed part of a number wanted a call: their own number stays the one to call, and they hear it.
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE5")
    phrases = line.content.languages["en"].prompts
    assert phrases["phrase.callback_invalid"].text in [h.text for h in call.press("5550199#").heard]
    call.wait()  # asked again: two silences, as for the first question (an exploratory tester's: one ended it)
    turn = call.wait()
    assert turn.heard[0].text == phrases["phrase.callback_kept"].text and phrases["phrase.record_thanks"].text not in turn.text
    assert _callback_of_the_message(line) == CALLER


@pytest.mark.parametrize("then", [{"Digits": "9"}, {"SpeechResult": "main menu"}])
def test_after_a_no_the_main_menu_leaves_nobody_to_call_and_says_so(then: dict[str, str], call: PhoneCall, line: Line) -> None:
    _to_message_menu(call, line)
    call.leave_recording(url="https://api.twilio.com/recordings/RE9")
    call.say("no")
    turn = call._answer(then)
    assert "Main menu." in turn.text
    assert line.content.languages["en"].prompts["phrase.callback_declined"].text in [h.text for h in turn.heard]
    assert _callback_of_the_message(line) == NO_CALLBACK
