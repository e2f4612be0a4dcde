"""Ready for a public number: the Procfile's own server against slow clients, and what replays and retries do."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from tests.conftest import TOKEN
from tests.servers import free_port, gunicorn, signed_text, stop, wait_until_up


def test_eight_slow_clients_do_not_hold_up_a_signed_text_under_the_procfiles_server(tmp_path: Path) -> None:
    port = free_port()
    process = gunicorn(tmp_path, port, workers=2, TWILIO_AUTH_TOKEN=TOKEN)
    slow: list[socket.socket] = []
    try:
        wait_until_up(process, port)
        # Headers saying 1000 bytes follow, then a few of them, then nothing: each holds whatever serves it.
        for _ in range(8):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"POST /sms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: 1000\r\nX-Twilio-Signature: x\r\n\r\nBody=hi")
            slow.append(sock)
        time.sleep(0.5)
        began = time.monotonic()
        reply = signed_text(port, "is it contagious")
        assert time.monotonic() - began < 1.0 and "<Message>" in reply
        # The slow clients are let go, not held until the worker's timeout.
        slow[0].settimeout(10)
        assert b"408" in slow[0].recv(200)
    finally:
        for sock in slow:
            sock.close()
        stop(process)


def test_a_replayed_or_retried_request_counts_once_and_texts_once(tmp_path: Path) -> None:
    import datetime as dt

    from service.records import summary
    from service.simulator import PhoneCall, TextThread, TwilioClient, audio_texts
    from tests.conftest import make_app
    from tests.test_extras import FakeTwilioHttp, _with_messenger
    from tests.test_voice import key_path

    app = make_app(tmp_path, ADMIN_PHONE_NUMBER="+15555550177", TWILIO_ACCOUNT_SID="AC" + "1" * 32)
    line = app.extensions["line"]
    http = FakeTwilioHttp()
    _with_messenger(line, http)
    twilio = TwilioClient(app.test_client(), TOKEN)
    # A text, sent twice with the same MessageSid (Twilio's retry, or an attacker's replay of a signed request).
    thread = TextThread(twilio)
    params = {**thread.params, "MessageSid": "SM" + "7" * 32, "Body": "is it contagious"}
    replies = [twilio.post(path, params).get_data(as_text=True) for path in ("/sms", "/sms", "/sms?attempt=2")]
    assert all("not an infection" in reply for reply in replies)
    # A call's step, posted twice: pressing 3 at the risk menu.
    call = PhoneCall(twilio, audio_texts(line))
    call.start()
    call.press("4")
    action = call.turn.gather.get("action")
    for _ in range(2):
        assert "not an infection" in call.open(action, {"Digits": "3"}).text
    # A recording, posted twice: one message, one note to the admin.
    recorder = PhoneCall(twilio, audio_texts(line))
    recorder.start()
    for key in key_path(line.content, "leave_message"):
        recorder.press(key)
    record = recorder.turn.record
    for _ in range(2):
        recorder.turn.record = record
        recorder.leave_recording(url="https://api.twilio.com/recordings/RE" + "9" * 32)
    assert line.store.flush()
    today = dt.date.today()
    data = summary.overview(line.store, today, today)
    assert dict((t, (v, s)) for t, v, s in data.topics)["contagious"] == (1, 1)
    assert data.texts == 1
    assert len(summary.messages_left(line.store)) == 1
    assert [r["data"]["To"] for r in http.requests] == ["+15555550177"]
