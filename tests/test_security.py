"""Signatures, start-up rules, hostile and broken input, and private logs."""

from __future__ import annotations

import functools
import json
import logging
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from service import create_app
from service.logs import mask
from service.gateway.forms import parse_form
from service.settings import StartupError
from service.simulator import PhoneCall, TextThread, TwilioClient
from tests.conftest import TOKEN, make_app
from tests.servers import free_port, gunicorn

URL = "https://line.example.org/voice"
PARAMS = {"CallSid": "CA1", "From": "+15555550123", "To": "+15555550100"}


def signed_post(client, url: str, params: dict[str, str], token: str = TOKEN, sign_url: str | None = None,
                sign_params: dict[str, str] | None = None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    signature = RequestValidator(token).compute_signature(sign_url or url, sign_params if sign_params is not None else params)
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return client.post(path, data=params, base_url=f"{parts.scheme}://{parts.netloc}",
                       headers={"X-Twilio-Signature": signature, **(headers or {})})


@pytest.mark.parametrize("path", ["/voice", "/sms", "/voice/menu/main?lang=en", "/voice/answer/menu/main?lang=en", "/voice/recorded?lang=en"])
def test_a_missing_signature_is_403_on_every_webhook(path: str, app) -> None:  # type: ignore[no-untyped-def]
    response = app.test_client().post(path, data=PARAMS, base_url="https://line.example.org")
    assert response.status_code == 403 and b"Traceback" not in response.data


@pytest.mark.parametrize("case", ["wrong", "other token", "changed parameter", "other url", "added parameter", "empty"])
def test_bad_signatures_are_403(case: str, app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    if case == "wrong":
        response = client.post("/voice", data=PARAMS, base_url="https://line.example.org", headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    elif case == "other token":
        response = signed_post(client, URL, PARAMS, token="someone-elses-token")
    elif case == "changed parameter":
        response = signed_post(client, URL, {**PARAMS, "From": "+15555550999"}, sign_params=PARAMS)
    elif case == "other url":  # a request replayed to another URL of the line
        response = signed_post(client, "https://line.example.org/voice/menu/main?lang=en", PARAMS, sign_url=URL)
    elif case == "added parameter":
        response = signed_post(client, URL, {**PARAMS, "Digits": "1"}, sign_params=PARAMS)
    else:
        response = client.post("/voice", data=PARAMS, base_url="https://line.example.org", headers={"X-Twilio-Signature": ""})
    assert response.status_code == 403


def test_a_correct_signature_is_200(app) -> None:  # type: ignore[no-untyped-def]
    assert signed_post(app.test_client(), URL, PARAMS).status_code == 200
    assert signed_post(app.test_client(), "https://line.example.org/sms", {**PARAMS, "Body": "hi"}).status_code == 200


def test_hooks_of_every_kind_still_run_once_the_app_remembers_which_are_async(app) -> None:  # type: ignore[no-untyped-def]
    # The app asks once per function whether it is async; a callable object that cannot be hashed is asked each time
    # (a cache would raise TypeError on it: a 500 on every request).
    from dataclasses import dataclass

    seen: list[str] = []

    @dataclass
    class Hook:  # __eq__ without __hash__: unhashable
        name: str

        def __call__(self) -> None:
            seen.append(self.name)

    app.before_request(Hook("unhashable"))
    app.before_request(functools.partial(seen.append, "partial"))
    for _ in range(2):
        assert signed_post(app.test_client(), URL, PARAMS).status_code == 200
    assert seen == ["unhashable", "partial"] * 2


def test_behind_a_tls_proxy_signatures_are_checked_against_the_public_address_whatever_the_headers(tmp_path: Path) -> None:
    # Heroku's router: Twilio signed https://..., the app sees http:// plus X-Forwarded-Proto: https.
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Port": "443", "X-Forwarded-For": "54.172.60.1"}
    for trust in (False, True):
        client = make_app(tmp_path, TRUST_PROXY=trust).test_client()
        assert signed_post(client, "http://line.example.org/voice", PARAMS, sign_url=URL, headers=forwarded).status_code == 200
        # A client that chooses the Host header (and signs for that host with a stolen token's signature of another
        # request) gains nothing: the signed address is the configured one.
        forged = signed_post(client, "https://evil.example.net/voice", PARAMS, headers={"X-Forwarded-Host": "evil.example.net"})
        assert forged.status_code == 403


def test_the_line_will_not_start_without_its_public_address_outside_development_mode(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="PUBLIC_BASE_URL is not set: set it to the address Twilio calls"):
        make_app(tmp_path, PUBLIC_BASE_URL="")
    with pytest.raises(StartupError, match="expected an address starting with https://"):
        make_app(tmp_path, PUBLIC_BASE_URL="line.example.org")
    assert make_app(tmp_path, PUBLIC_BASE_URL="", DEV_MODE=True)


def test_a_public_base_url_is_what_signatures_are_checked_against(tmp_path: Path) -> None:
    app = make_app(tmp_path, PUBLIC_BASE_URL="https://poems.example.org")
    client = app.test_client()
    ok = signed_post(client, "http://10.0.0.5:8000/voice/menu/main?lang=en", PARAMS,
                     sign_url="https://poems.example.org/voice/menu/main?lang=en")
    assert ok.status_code == 200
    assert signed_post(client, "http://10.0.0.5:8000/voice", PARAMS).status_code == 403


SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


def _shared_key_post(client, key_id: str, secret: str, algorithm: str, signed_as: str | None = None):  # type: ignore[no-untyped-def]
    signature = RequestValidator(secret).compute_signature(URL, PARAMS, signed_as or algorithm)
    return client.post("/voice", data=PARAMS, base_url="https://line.example.org",
                       headers={"X-Twilio-Signature": signature, SETTINGS_HEADER: f"key={key_id},algorithm={algorithm}"})


@pytest.mark.parametrize("algorithm", ["HMAC_SHA256", "HMAC_SHA1"])
def test_webhooks_signed_with_a_shared_key_are_checked_with_the_key_they_name(tmp_path: Path, algorithm: str) -> None:
    # Two keys, as while rotating from WK_old to WK_new.
    app = make_app(tmp_path, TWILIO_WEBHOOK_KEYS="WK_old=old-secret-123, WK_new=new-secret+456/=")
    client = app.test_client()
    assert _shared_key_post(client, "WK_new", "new-secret+456/=", algorithm).status_code == 200
    assert _shared_key_post(client, "WK_old", "old-secret-123", algorithm).status_code == 200
    assert _shared_key_post(client, "WK_new", "old-secret-123", algorithm).status_code == 403
    assert _shared_key_post(client, "WK_unknown", "new-secret+456/=", algorithm).status_code == 403
    assert _shared_key_post(client, "WK_new", TOKEN, algorithm).status_code == 403


def test_a_shared_key_signature_must_use_the_algorithm_its_header_names(tmp_path: Path) -> None:
    client = make_app(tmp_path, TWILIO_WEBHOOK_KEYS="WK1=secret-1").test_client()
    assert _shared_key_post(client, "WK1", "secret-1", "HMAC_SHA256", signed_as="HMAC_SHA1").status_code == 403
    assert _shared_key_post(client, "WK1", "secret-1", "HMAC_SHA512", signed_as="HMAC_SHA256").status_code == 403


def test_the_shared_key_header_cannot_switch_off_the_token_check(app) -> None:  # type: ignore[no-untyped-def]
    # No keys configured: a request naming one is refused, even when the auth token signed it.
    assert _shared_key_post(app.test_client(), "WK1", TOKEN, "HMAC_SHA1").status_code == 403


def test_a_malformed_shared_key_setting_stops_the_start_without_showing_the_secret(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="TWILIO_WEBHOOK_KEYS: entry 2 is not of the form") as refused:
        make_app(tmp_path, TWILIO_WEBHOOK_KEYS="WK1=secret-1, a-secret-pasted-alone")
    assert "a-secret-pasted-alone" not in str(refused.value)


def test_production_refuses_to_start_without_a_token(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="TWILIO_AUTH_TOKEN is not set"):
        make_app(tmp_path, TWILIO_AUTH_TOKEN="")


def test_development_mode_accepts_unsigned_requests_and_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(tmp_path, TWILIO_AUTH_TOKEN="", DEV_MODE=True)
    assert "unsigned requests are accepted" in capsys.readouterr().err
    assert app.test_client().post("/voice", data=PARAMS).status_code == 200
    assert app.test_client().post("/sms", data={"Body": "SKIN"}).status_code == 200


def test_a_signed_request_with_a_bad_signature_is_refused_even_in_development_mode(tmp_path: Path) -> None:
    app = make_app(tmp_path, DEV_MODE=True)
    assert app.test_client().post("/voice", data=PARAMS, headers={"X-Twilio-Signature": "bad"}).status_code == 403


def test_oversized_bodies_are_413_unknown_paths_404_wrong_methods_405(app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    big = {"Body": "x" * (300 * 1024)}
    assert signed_post(client, "https://line.example.org/sms", big).status_code == 413
    for response, code in ((client.get("/nowhere"), 404), (client.get("/voice"), 405), (client.get("/sms"), 405),
                           (client.put("/voice"), 405), (client.post("/audio/x.mp3"), 405)):
        assert response.status_code == code
        assert b"Traceback" not in response.data and b"File \"" not in response.data


voice_text = st.one_of(st.text(max_size=50), st.text(alphabet=st.characters(codec="utf-8"), max_size=5000),
                       st.sampled_from(["", "<Say>hi</Say>", "]]>", "&amp;", "\x00\x01\x1b", "1" * 5000, "🙂" * 200, "*", "#", "10", "٣"]))
digits = st.one_of(st.text(max_size=12), st.sampled_from(["", "1", "5", "9", "0", "*", "#", "12", "١", "\n"]))
places = st.sampled_from(["/voice", "/voice/answer/menu/main?lang=en", "/voice/answer/menu/features?lang=es",
                          "/voice/answer/topic/skin?lang=en&came_from=features", "/voice/answer/topic/leave_message?lang=en",
                          "/voice/answer/menu/_languages?lang=en", "/voice/menu/risk?lang=es&s=2", "/voice/topic/outlook?lang=en&s=x",
                          "/voice/recorded?lang=en", "/voice/answer/menu/main?lang=%00"])


def _assert_sensible_twiml(body: str) -> None:
    root = ET.fromstring(body)
    assert root.tag == "Response"
    verbs = [child.tag for child in root]
    assert verbs and set(verbs) <= {"Gather", "Say", "Play", "Redirect", "Hangup", "Record"}
    # A caller always hears something or is sent somewhere that speaks.
    assert any(tag in ("Gather", "Say", "Play", "Redirect") for tag in verbs)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(place=places, digit=digits, speech=voice_text, confidence=voice_text, duplicate=st.booleans(), drop=st.booleans())
def test_any_voice_input_gets_valid_twiml_or_a_4xx(app, place: str, digit: str, speech: str, confidence: str,  # type: ignore[no-untyped-def]
                                                   duplicate: bool, drop: bool) -> None:
    params: dict[str, object] = {"CallSid": "CA1", "From": "+15555550123", "To": "+15555550100"}
    if not drop:
        params.update({"Digits": digit, "SpeechResult": speech, "Confidence": confidence})
    if duplicate:
        params["Digits"] = [digit, "3"]
    full = "https://line.example.org" + place
    signature = RequestValidator(TOKEN).compute_signature(full, _multidict(params))
    response = app.test_client().post(place, data=params, base_url="https://line.example.org", headers={"X-Twilio-Signature": signature})
    assert response.status_code < 500
    if response.status_code == 200:
        _assert_sensible_twiml(response.get_data(as_text=True))


def _multidict(params: dict[str, object]):  # type: ignore[no-untyped-def]
    from werkzeug.datastructures import MultiDict

    items = []
    for key, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            items.append((key, v))
    return MultiDict(items)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=voice_text, media=st.sampled_from(["0", "1", "", "x", "-3"]), duplicate=st.booleans(), drop=st.booleans())
def test_any_text_gets_a_gsm7_reply_of_at_most_three_segments_or_none(app, body: str, media: str, duplicate: bool, drop: bool) -> None:  # type: ignore[no-untyped-def]
    from service.content import gsm

    params: dict[str, object] = {"MessageSid": "SM1", "From": "+15555550123", "To": "+15555550100", "NumMedia": media}
    if not drop:
        params["Body"] = [body, "MENU"] if duplicate else body
    signature = RequestValidator(TOKEN).compute_signature("https://line.example.org/sms", _multidict(params))
    response = app.test_client().post("/sms", data=params, base_url="https://line.example.org", headers={"X-Twilio-Signature": signature})
    assert response.status_code < 500
    root = ET.fromstring(response.get_data(as_text=True))
    messages = [m.text or "" for m in root.findall("Message")]
    from service.content import normalize
    from service.content.model import CARRIER_WORDS

    # The carrier's own words (STOP, START, HELP...) are answered by Twilio: a reply of ours would be a second text.
    if normalize(body) not in CARRIER_WORDS or drop:
        assert messages, body
    for text in messages:
        assert text.strip() and not gsm.non_gsm(text) and gsm.segments(text) <= 3


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=20)), max_size=8), raw=st.text(alphabet="ab=&%+2BF0x ", max_size=40))
def test_the_form_parser_reads_what_urllib_reads(pairs: list[tuple[str, str]], raw: str) -> None:
    # Twilio's bodies, and any other string: parse_form must agree with parse_qsl(keep_blank_values=True).
    assert parse_form(urllib.parse.urlencode(pairs)) == MultiDict(pairs)
    assert parse_form(raw) == MultiDict(urllib.parse.parse_qsl(raw, keep_blank_values=True))


def test_an_exception_in_a_handler_is_logged_once_with_the_sid(call: PhoneCall, monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    from service.voice import routes

    call.start()
    monkeypatch.setattr(routes, "press", lambda *a, **k: (_ for _ in ()).throw(ValueError("boom")))
    with caplog.at_level(logging.INFO):
        turn = call.press("1")
    assert "something went wrong" in turn.text.lower() or turn.heard[0].audio
    failures = [r for r in caplog.records if r.name == "service.voice"]
    assert len(failures) == 1 and failures[0].sid == call.params["CallSid"] and failures[0].exc_info


def test_an_exception_in_the_sms_handler_is_an_apology(texter: TextThread, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.text import conversation

    monkeypatch.setattr(conversation.Conversation, "respond", lambda *a, **k: 1 / 0)
    [reply] = texter.send("hi")
    assert reply.startswith("Sorry, something went wrong.") and "911" in reply


def test_one_structured_log_line_per_request_with_masked_numbers_and_no_bodies(call: PhoneCall, texter: TextThread,
                                                                                capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    call.start()
    call.press("4")
    call.press("3")
    call.say("my secret words")
    texter.send("is it contagious my name is Jane")
    texter.send("zorp blik wuggle")
    dump = capsys.readouterr().err
    lines = [json.loads(text) for text in dump.splitlines()]
    assert lines.pop()["unmatched"] is True and "zorp" not in dump
    assert len(lines) == 5
    assert [l["channel"] for l in lines] == ["voice"] * 4 + ["sms"]
    assert lines[2]["topic"] == "contagious" and lines[2]["step"] == "answer:menu:risk" and lines[2]["sid"] == call.params["CallSid"]
    assert all(l["from"] == "*********23" and isinstance(l["ms"], float) and l["status"] == 200 for l in lines)
    assert "5555550123" not in dump and "Jane" not in dump and "secret" not in dump


def test_bodies_are_logged_only_when_an_admin_turns_it_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(tmp_path, LOG_MESSAGE_BODIES=True)
    capsys.readouterr()
    TextThread(TwilioClient(app.test_client(), TOKEN)).send("hello Jane")
    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line)["said"] == "hello Jane" and "5555550123" not in line


def test_mask_keeps_only_the_last_two_digits() -> None:
    assert mask("+15555550123") == "*********23"
    assert mask("") == "" and mask("anonymous") == "***" and mask("+1 (555) 555-0199") == "*********99"


def _free_port() -> int:
    return free_port()


def _gunicorn(tmp_path: Path, port: int, **env: str) -> subprocess.Popen[str]:
    return gunicorn(tmp_path, port, **env)


def test_under_gunicorn_broken_prompts_stop_the_start_with_the_report(tmp_path: Path, small_prompts: Path) -> None:
    from tests.test_content import edit

    edit(small_prompts, "line.yaml", "    - key: 2\n", "    - key: 1\n")
    process = _gunicorn(tmp_path, _free_port(), TWILIO_AUTH_TOKEN=TOKEN, PROMPTS_DIR=str(small_prompts))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "prompts/line.yaml:18: menu 'main': two options on key 1" in err and "Traceback" not in err


def test_under_gunicorn_no_token_is_a_one_line_refusal(tmp_path: Path) -> None:
    process = _gunicorn(tmp_path, _free_port())
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.strip().splitlines()[-1].startswith("The line did not start: TWILIO_AUTH_TOKEN is not set")
    assert "Traceback" not in err


def test_under_gunicorn_the_line_answers_signed_requests_on_loopback(tmp_path: Path) -> None:
    port = _free_port()
    process = _gunicorn(tmp_path, port, TWILIO_AUTH_TOKEN=TOKEN)
    try:
        url = f"http://127.0.0.1:{port}/voice"
        data = urllib.parse.urlencode(PARAMS).encode()
        signature = RequestValidator(TOKEN).compute_signature(url, PARAMS)
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(url, data=data, headers={"X-Twilio-Signature": signature})
                # Generous: on a busy CI machine a worker's first answer can take seconds (a slow one is no failure here).
                with urllib.request.urlopen(request, timeout=30) as response:
                    body = response.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "<Gather" in body and re.search(r"<Play>http://127\.0\.0\.1:\d+/audio/en-phrase-greeting-", body)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30)
        assert refused.value.code == 403
        # A text that reaches a topic: the usage record is written by the worker, after the fork.
        sms_url = f"http://127.0.0.1:{port}/sms"
        text = {"MessageSid": "SM1", "From": "+15555550123", "To": "+15555550100", "Body": "is it contagious"}
        signed_text = urllib.request.Request(sms_url, data=urllib.parse.urlencode(text).encode(),
                                             headers={"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(sms_url, text)})
        with urllib.request.urlopen(signed_text, timeout=30) as response:
            assert "not an infection" in response.read().decode()
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    # The worker's log lines reach gunicorn's stderr whole: one JSON object per request, the number masked.
    logged = [json.loads(text) for text in err.splitlines() if text.startswith("{")]
    assert [(entry["channel"], entry["status"]) for entry in logged] == [("voice", 200), ("voice", 403), ("sms", 200)]
    assert logged[2]["topic"] == "contagious" and "5555550123" not in err


def test_create_app_is_importable_as_the_factory() -> None:
    assert callable(create_app)


def test_a_json_webhook_is_checked_against_the_body_hash_in_its_url(app) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    body = json.dumps({"MessageSid": "SM1", "Body": "is it contagious"})
    url = f"https://line.example.org/sms?bodySHA256={hashlib.sha256(body.encode()).hexdigest()}"
    signature = RequestValidator(TOKEN).compute_signature(url, {})
    client = app.test_client()
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/json"}
    sent = client.post(url.removeprefix("https://line.example.org"), data=body, headers=headers, base_url="https://line.example.org")
    assert sent.status_code == 200
    tampered = client.post(url.removeprefix("https://line.example.org"), data=body.replace("contagious", "inherited"),
                           headers=headers, base_url="https://line.example.org")
    assert tampered.status_code == 403


def test_behind_a_proxy_every_play_url_is_the_public_one(tmp_path: Path) -> None:
    app = make_app(tmp_path, PUBLIC_BASE_URL="https://poems-line.example.org")
    validator = RequestValidator(TOKEN)
    params = {"CallSid": "CA1", "From": "+15555550123", "To": "+15555550100"}
    signature = validator.compute_signature("https://poems-line.example.org/voice", params)
    # The request reaches the app as the inner host sees it: http, another name, another port.
    response = app.test_client().post("/voice", data=params, headers={"X-Twilio-Signature": signature},
                                      base_url="http://internal-app:8000")
    assert response.status_code == 200
    plays = re.findall(r"<Play>([^<]+)</Play>", response.get_data(as_text=True))
    assert plays and all(p.startswith("https://poems-line.example.org/audio/") for p in plays)
    assert "internal-app" not in response.get_data(as_text=True)


def test_behind_a_trusted_proxy_the_forwarded_host_is_used(tmp_path: Path) -> None:
    app = make_app(tmp_path, TRUST_PROXY=True)
    params = {"CallSid": "CA1", "From": "+15555550123", "To": "+15555550100"}
    signature = RequestValidator(TOKEN).compute_signature("https://line.example.org/voice", params)
    response = app.test_client().post("/voice", data=params, base_url="http://internal-app:8000", headers={
        "X-Twilio-Signature": signature, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "line.example.org", "X-Forwarded-Port": "443"})
    assert response.status_code == 200
    plays = re.findall(r"<Play>([^<]+)</Play>", response.get_data(as_text=True))
    assert plays and all(p.startswith("https://line.example.org/audio/") for p in plays)


def test_an_empty_body_hash_is_a_refusal_not_a_crash(app) -> None:  # type: ignore[no-untyped-def]
    response = app.test_client().post("/sms?bodySHA256=", data='{"Body": "hi"}', headers={
        "X-Twilio-Signature": "anything", "Content-Type": "application/json"}, base_url="https://line.example.org")
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/sms", "/voice", "/voice/answer/menu/main?lang=en"])
def test_a_form_with_a_body_hash_signed_over_the_url_alone_is_refused(path: str, app) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    empty = hashlib.sha256(b"").hexdigest()
    separator = "&" if "?" in path else "?"
    url = f"https://line.example.org{path}{separator}bodySHA256={empty}"
    signature = RequestValidator(TOKEN).compute_signature(url, {})
    form = {"MessageSid": "SM1", "CallSid": "CA1", "From": "+15555550123", "To": "+15555550100", "Body": "is it contagious", "Digits": "1"}
    response = app.test_client().post(url.removeprefix("https://line.example.org"), data=form, base_url="https://line.example.org",
                                      headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    app.extensions["line"].store.flush()
    assert app.extensions["line"].store.report(*[__import__("datetime").date.today()] * 2).topics == []
