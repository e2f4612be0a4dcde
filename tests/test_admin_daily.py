"""The admin pages as a hotline team uses them each morning: messages to answer (language, local time, how long ago,
notes, filters, what waits), crisis and emergency words listed, the previous period and CSV downloads, pages that
keep their navigation; every figure from real signed calls and texts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.simulator import PhoneCall, TextThread, TwilioClient, audio_texts
from tests.conftest import ROOT, TOKEN, make_app
from tests.test_admin import HASH, Page, https_client, signed_in
from tests.test_voice import key_path

TWILIO_ACCOUNT = "AC" + "1" * 32


@pytest.fixture
def team_app(tmp_path: Path) -> Flask:
    return make_app(tmp_path, ADMIN_PASSWORD_HASH=HASH, TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT, LINE_TIMEZONE="America/Chicago")


@pytest.fixture
def team(team_app: Flask) -> FlaskClient:
    return signed_in(https_client(team_app))


def leave_message(app: Flask, lang: str = "en", caller: str = "+15555550123") -> None:
    """A real call: the keys to "leave a message" (in Spanish after key 6), a recording, the number confirmed."""
    line = app.extensions["line"]
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line), caller=caller)
    call.start()
    content = line.content
    if lang != content.default_language:
        call.press(content.keys["language"])
    for key in key_path(content, "leave_message"):
        call.press(key)
    call.leave_recording(url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE" + caller[-4:] * 8)
    line.store.flush()


def texted(app: Flask, body: str, texter: str = "+15555550160") -> str:
    return TextThread(TwilioClient(app.test_client(), TOKEN), texter=texter).send(body)[-1]


def test_a_message_shows_its_language_its_local_time_how_long_ago_and_what_waits(team_app: Flask, team: FlaskClient) -> None:
    leave_message(team_app, "es", caller="+15555550124")
    page = Page(team.get("/admin/messages").get_data(as_text=True))
    assert "Message 1" in page.text and "Español" in page.text and "just now" in page.text
    assert "Times are in America/Chicago" in page.text
    from service.records import summary

    created = summary.message(team_app.extensions["line"].store, 1)["created"]
    chicago = created.replace(tzinfo=dt.timezone.utc).astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago"))
    assert chicago.strftime("%Y-%m-%d %H:%M") in page.text
    assert "Messages (1 waiting)" in page.text  # in the navigation, on every page
    assert "1 message waiting" in Page(team.get("/admin/").get_data(as_text=True)).text


def test_how_long_ago_reads_as_words() -> None:
    from service.admin.views import ago

    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)
    assert ago(dt.datetime(2026, 12, 6, 11, 59, 40), now) == "just now"
    assert ago(dt.datetime(2026, 12, 6, 11, 40), now) == "20 minutes ago"
    assert ago(dt.datetime(2026, 12, 6, 9, 0), now) == "3 hours ago"
    assert ago(dt.datetime(2026, 12, 4, 11, 0), now) == "2 days ago"


def test_an_unknown_time_zone_stops_the_start_with_what_was_expected(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.settings import StartupError, from_environment

    monkeypatch.setenv("LINE_TIMEZONE", "Mars/Olympus")
    with pytest.raises(StartupError, match="LINE_TIMEZONE is 'Mars/Olympus'; expected a time zone name such as America/Chicago"):
        from_environment()


def test_notes_are_kept_with_who_and_when_and_an_empty_or_long_one_is_refused_plainly(team_app: Flask, team: FlaskClient) -> None:
    leave_message(team_app)
    page = Page(team.get("/admin/messages").get_data(as_text=True))
    form = page.form("/notes")
    kept = team.post(form["action"], data={**form["fields"], "note": "Called back, will call again Tuesday"}, follow_redirects=True)
    text = Page(kept.get_data(as_text=True)).text
    assert "Message 1: note kept." in text and "Called back, will call again Tuesday (Maria," in text
    empty = team.post(form["action"], data={**form["fields"], "note": "   "}, follow_redirects=True)
    assert "the note was empty, so nothing was kept" in Page(empty.get_data(as_text=True)).text
    # Beside the message too, where the page jumps to (an exploratory admin's: only at the top, out of sight).
    beside = re.search(r'<article class="message [a-z]+" id="message-1">(.*?)</article>', empty.get_data(as_text=True), re.DOTALL)
    assert beside and "the note was empty" in Page(beside.group(1)).text
    long = team.post(form["action"], data={**form["fields"], "note": "x" * 600}, follow_redirects=True)
    assert "notes keep at most 500" in Page(long.get_data(as_text=True)).text
    assert team.post("/admin/messages/99/notes", data={**form["fields"], "note": "hi"}).status_code == 404
    assert Page(team.get("/admin/messages").get_data(as_text=True)).text.count("Called back, will call again Tuesday (") == 1


def test_filters_waiting_handled_all_and_language(team_app: Flask, team: FlaskClient) -> None:
    leave_message(team_app, "en", caller="+15555550131")
    leave_message(team_app, "es", caller="+15555550132")
    leave_message(team_app, "es", caller="+15555550133")
    waiting = Page(team.get("/admin/messages").get_data(as_text=True))
    assert "Waiting (3)" in waiting.text and "Handled (0)" in waiting.text and "All (3)" in waiting.text
    handle = next(f for f in waiting.forms if f["action"].endswith("/3/handled"))
    team.post(handle["action"], data=handle["fields"])
    after = Page(team.get("/admin/messages").get_data(as_text=True)).text
    assert "+15555550133" not in after and "+15555550132" in after and "Waiting (2)" in after
    handled = Page(team.get("/admin/messages?show=handled").get_data(as_text=True)).text
    assert "+15555550133" in handled and "+15555550131" not in handled
    spanish = Page(team.get("/admin/messages?show=all&lang=es").get_data(as_text=True)).text
    assert "+15555550132" in spanish and "+15555550133" in spanish and "+15555550131" not in spanish
    assert "All (2)" in spanish
    assert team.get("/admin/messages?show=nonsense&lang=../../x").status_code == 200  # unknown filters: the default


def test_where_a_recording_cannot_be_fetched_the_page_says_why_instead_of_a_player(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.error

    from service.gateway import outgoing

    # No account SID: known before trying.
    app = make_app(tmp_path, ADMIN_PASSWORD_HASH=HASH)
    leave_message(app)
    browser = signed_in(https_client(app))
    page = Page(browser.get("/admin/messages").get_data(as_text=True))
    assert not page.audio and "The recording cannot be played here: TWILIO_ACCOUNT_SID is not set" in page.text
    # Twilio says it is gone: said once it is tried, and from then on without a player.
    app.config["TWILIO_ACCOUNT_SID"] = TWILIO_ACCOUNT
    assert len(Page(browser.get("/admin/messages").get_data(as_text=True)).audio) == 1

    def gone(opener: object, request: object, data: object = None, timeout: float = 0) -> object:
        raise urllib.error.HTTPError("https://api.twilio.com/x", 404, "Not Found", {}, None)  # type: ignore[arg-type]

    monkeypatch.setattr(outgoing.urllib.request.OpenerDirector, "open", gone)
    tried = browser.get("/admin/messages/1/recording")
    assert tried.status_code == 502 and "no longer has this recording" in tried.get_data(as_text=True)
    page = Page(browser.get("/admin/messages").get_data(as_text=True))
    assert not page.audio and "Twilio no longer has this recording" in page.text
    # Twilio down: the small script puts the reason in the player's place; the page says it without the script too.
    assert "admin.js" in page.html


def test_crisis_and_emergency_words_are_listed_scrubbed_with_a_plain_warning(team_app: Flask, team: FlaskClient) -> None:
    assert "988" in texted(team_app, "i want to kill myself, call me at 555 123 4567 or mail ana@example.org")
    assert "911" in texted(team_app, "me duele el pecho mucho", texter="+15555550161")
    line = team_app.extensions["line"]
    call = PhoneCall(TwilioClient(team_app.test_client(), TOKEN), audio_texts(line))
    call.start()
    call.say("I want to end my life")
    line.store.flush()
    page = Page(team.get("/admin/?days=7").get_data(as_text=True))
    section = Page(page.html.split('id="safety"')[1].split("</section>")[0])
    assert "The line does not monitor these in real time." in section.text
    rows = section.html.split("<tr>")[2:]
    assert len(rows) == 3
    assert "phone" in rows[0] and "crisis: 988 and 911" in rows[0]  # newest first
    assert "Español" in rows[1] and "emergency: 911" in rows[1] and "me duele el pecho" in rows[1]
    assert "kill myself" in rows[2] and "555" not in rows[2] and "ana@example.org" not in rows[2]
    download = team.get("/admin/export/safety.csv?days=7")
    assert download.status_code == 200 and download.content_type.startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(download.get_data().decode("utf-8-sig"))))) == 3


def test_a_safety_alert_texts_the_admin_only_when_turned_on_and_never_says_who(tmp_path: Path) -> None:
    from tests.test_extras import FakeTwilioHttp, _with_messenger

    for on in (False, True):
        app = make_app(tmp_path / str(on), ADMIN_PHONE_NUMBER="+15555550177", TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT, SAFETY_ALERTS=on)
        http = FakeTwilioHttp()
        _with_messenger(app.extensions["line"], http)
        reply = texted(app, "i want to kill myself", texter="+15555550166")
        assert "988" in reply  # the texter's own reply never waits on the alert
        import time

        deadline = time.monotonic() + 5
        while on and not http.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        if not on:
            time.sleep(0.3)
            assert http.requests == []
            continue
        assert len(http.requests) == 1
        to, body = http.requests[0]["data"]["To"], http.requests[0]["data"]["Body"]
        assert to == "+15555550177" and "crisis" in body and "988" in body and "Not monitored in real time" in body
        assert "5555550166" not in body and "kill" not in body


def test_the_overview_shows_the_previous_period_beside_this_one(team_app: Flask, team: FlaskClient) -> None:
    from service.records.store import steps, usage

    texted(team_app, "is it contagious")
    texted(team_app, "is it contagious", texter="+15555550162")
    line = team_app.extensions["line"]
    line.store.flush()
    # Eight days ago, as the records of that day would have it: one text on the same topic.
    old = dt.date.today() - dt.timedelta(days=8)
    with line.store.engine.begin() as conn:
        conn.execute(usage.insert().values(rid="old-1", day=old, channel="sms", lang="en", topic="contagious"))
        conn.execute(steps.insert().values(rid="old-2", at=dt.datetime.combine(old, dt.time(9)), day=old, channel="sms",
                                           lang="en", sid="SMold", place="topic:contagious", decision="answer"))
    page = Page(team.get("/admin/?days=7").get_data(as_text=True))
    assert "2 texts answered" in page.text.replace("\n", " ")
    assert "(the 7 days before" in page.text and "0 calls and 1 text)" in page.text
    table = Page(page.html.split('id="topics-table"')[1].split("</table>")[0])
    row = next(r for r in table.html.split("<tr>") if "contagious" in r)
    assert row.count("<td>") == 4 and "<td>2</td><td>1</td></tr>" in row  # 2 by text now, 1 the week before


def test_the_previous_period_counts_a_topic_that_was_not_among_its_most_asked(team_app: Flask, team: FlaskClient) -> None:
    from service.records.store import usage

    texted(team_app, "is it contagious")
    line = team_app.extensions["line"]
    line.store.flush()
    # Eight days ago: ten other topics asked twice each, and this one once (the eleventh of that week).
    old = dt.date.today() - dt.timedelta(days=8)
    with line.store.engine.begin() as conn:
        for n in range(10):
            for k in range(2):
                conn.execute(usage.insert().values(rid=f"old-{n}-{k}", day=old, channel="sms", lang="en", topic=f"other_{n}"))
        conn.execute(usage.insert().values(rid="old-c", day=old, channel="sms", lang="en", topic="contagious"))
    page = Page(team.get("/admin/?days=7").get_data(as_text=True))
    table = Page(page.html.split('id="topics-table"')[1].split("</table>")[0])
    row = next(r for r in table.html.split("<tr>") if "contagious" in r)
    assert "<td>1</td><td>1</td></tr>" in row  # 1 by text now, and 1 the week before (not 0)


@pytest.mark.parametrize("name, header", [("days", "day,calls,texts"), ("languages", "language,calls,texts"),
                                          ("topics", "topic,id,by_phone,by_text"), ("understood", "channel,what_happened"),
                                          ("ends", "last_place,calls"), ("unmatched", "words,language,count"),
                                          ("report", "kind,topic,channel,lang,words,count,created,duration,callback,recording_url")])
def test_each_table_downloads_as_csv(team_app: Flask, team: FlaskClient, name: str, header: str) -> None:
    texted(team_app, "is it contagious")
    texted(team_app, "=HYPERLINK(\"http://evil.example\") qwerty zxcv question", texter="+15555550163")
    team_app.extensions["line"].store.flush()
    download = team.get(f"/admin/export/{name}.csv?days=7")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    body = download.get_data().decode("utf-8")
    # Excel reads UTF-8 only after a byte-order mark (without one, "Español" shows as "EspaÃ±ol").
    assert body.startswith("\ufeff" + header)
    body = body.removeprefix("\ufeff")
    assert "\n=" not in body and ",=" not in body  # a texter's words never become a spreadsheet formula
    if name == "report":
        cli = team_app.test_cli_runner().invoke(args=["report", "--csv", "--days", "7"]).output
        assert cli.strip().splitlines() == body.strip().splitlines()  # the same as report --csv
    assert team.get(f"/admin/export/{name}.csv?start=2026-13-01").status_code == 400


def test_a_missing_page_and_a_refused_range_keep_the_navigation(team: FlaskClient) -> None:
    for path, status in (("/admin/no-such-page", 404), ("/admin/messages/99/recording", 404), ("/admin/export/nope.csv", 404),
                         ("/admin/content/en/no_such_topic", 404), ("/admin/?start=" + "9" * 5000, 400)):
        response = team.get(path)
        page = Page(response.get_data(as_text=True))
        assert response.status_code == status, path
        assert "Overview" in page.text and "Messages" in page.text and "Sign out" in page.text, path
    long = Page(team.get("/admin/?start=" + "9" * 5000).get_data(as_text=True))
    assert "9" * 40 not in long.html  # the bad value is cut when echoed


def test_a_missing_page_says_nothing_of_the_admin_pages_to_a_stranger(team_app: Flask) -> None:
    stranger = https_client(team_app)
    response = stranger.get("/admin/no-such-page")
    assert response.status_code == 404 and "Sign out" not in response.get_data(as_text=True)
    assert team_app.test_client().get("/no-such-page").status_code == 404


def test_the_content_page_lists_every_warning_with_a_link_and_the_reading_targets(team_app: Flask, team: FlaskClient) -> None:
    from service.admin.views import _all_problems

    with team_app.app_context():
        problems = _all_problems(team_app.extensions["line"])
    page = Page(team.get("/admin/content").get_data(as_text=True))
    if problems:
        listed = page.html.split('id="warnings"')[1].split("</details>")[0]
        assert listed.count('<li class="warning">') == len(problems)
    assert "Flesch-Kincaid grade: at most 8, lower is easier" in page.text
    assert "Fernández Huerta: at least" in page.text and "higher is easier" in page.text


def test_each_simulated_call_is_a_call_of_its_own_and_the_log_lines_stay_out_unless_asked(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}", "AUDIO_ENGINE": "espeak", "PATH": "/usr/bin:/bin",
           "LINE_DEV_MODE": "1"}
    runs = [subprocess.run([sys.executable, "-m", "flask", "--app", "service", "call", *extra], cwd=ROOT, env=env, input="1\n",
                           capture_output=True, text=True, timeout=120) for extra in ((), ("--verbose",))]
    assert all(r.returncode == 0 for r in runs), [(r.returncode, r.stderr[-800:]) for r in runs]
    assert '"sid"' not in runs[0].stdout + runs[0].stderr, runs[0].stdout + runs[0].stderr
    assert '"sid": "CA' in runs[1].stdout + runs[1].stderr, runs[1].stderr[-800:]
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.sqlite") as db:
        calls = db.execute("select sid, count(*) from steps where channel = 'voice' group by sid").fetchall()
    assert len(calls) == 2, (calls, [r.stderr[-400:] for r in runs])


def test_a_note_typed_then_mark_handled_pressed_is_kept(team_app: Flask, team: FlaskClient) -> None:
    leave_message(team_app, "en", caller="+15555550134")
    waiting = Page(team.get("/admin/messages").get_data(as_text=True))
    handle = next(f for f in waiting.forms if f["action"].endswith("/handled"))
    # What the page's script sends: the note field's words with "Mark handled".
    done = team.post(handle["action"], data={**handle["fields"], "note": "Called back, all fine"}, follow_redirects=True)
    assert "note kept" in Page(done.get_data(as_text=True)).text
    handled = Page(team.get("/admin/messages?show=handled").get_data(as_text=True)).text
    assert "Called back, all fine" in handled and "Handled by" in handled
