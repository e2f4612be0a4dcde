"""The admin pages' editor, as the coordinator, clinician and translator of a patient group use it: open a topic, change
it, see every problem at once beside its field, listen, publish, find it in the history, revert, mark it reviewed;
and the files kept in step (prompts pull, conflicts with a deploy)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.content import gsm
from service.simulator import PhoneCall, TextThread, TwilioClient, audio_texts
from service.understanding import Decision
from tests.conftest import LINE_FIXTURE, ROOT, TOKEN, make_app
from tests.forms import Forms, values
from tests.servers import signed_text
from tests.test_admin import HASH, PASSWORD, Page, https_client, signed_in

EDITOR = "/admin/content/en/contagious"
OLD_WORDS = "No. POEMS is not an infection."
NEW_WORDS = "POEMS cannot be caught from another person."


@pytest.fixture
def prompts(prompts_copy: Path) -> Path:
    """The fixture content in a folder of its own (a deploy, or prompts pull, may change its files)."""
    return prompts_copy


@pytest.fixture
def editor_app(tmp_path: Path, prompts: Path) -> Flask:
    return make_app(tmp_path, PROMPTS_DIR=str(prompts), ADMIN_PASSWORD_HASH=HASH)


@pytest.fixture
def admin(editor_app: Flask) -> FlaskClient:
    return signed_in(https_client(editor_app))


def deploy(app: Flask, prompts: Path, old: str, new: str) -> None:
    """A deploy whose en.yaml says new where it said old (someone edited the file), seen by the running line."""
    path = prompts / "en.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    app.extensions["live"].refresh(force=True)


def conflicted(admin: FlaskClient, app: Flask, prompts: Path) -> dict:
    """The contagious answer edited here, then a deploy whose en.yaml changes the same field otherwise (someone
    edited the file meanwhile): the History page's form to choose between them."""
    admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor."))
    deploy(app, prompts, "No. POEMS is not an infection. It is a blood cell disorder",
           "No. POEMS is not catching at all. It is a blood cell disorder")
    return next(f for f in Forms(admin.get("/admin/history").get_data(as_text=True)).forms if "/conflicts/" in f["action"])


def editor_form(admin: FlaskClient, path: str = EDITOR) -> dict:
    return Forms(admin.get(path).get_data(as_text=True)).with_field("spoken")


def texted(app: Flask, body: str = "contagious", texter: str = "+15555550160") -> str:
    return TextThread(TwilioClient(app.test_client(), TOKEN), texter=texter).send(body)[-1]


def test_the_editor_has_every_field_of_every_language_and_the_names_the_issue_gives(admin: FlaskClient, editor_app: Flask) -> None:
    page = admin.get(EDITOR)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    form = Forms(html).with_field("spoken")
    line = editor_app.extensions["line"]
    en, es = line.content.languages["en"].topic("contagious"), line.content.languages["es"].topic("contagious")
    assert form["method"] == "post" and form["fields"]["csrf"][0]
    assert re.search(r'<input type="hidden" name="csrf" value="[^"]+">', html)
    assert " ".join(form["fields"]["spoken"][0].split()) == en.spoken and " ".join(form["fields"]["text"][0].split()) == en.text
    assert form["fields"]["examples"][0].split("\n") == list(en.examples)
    assert " ".join(form["fields"]["es-spoken"][0].split()) == es.spoken  # Spanish beside it
    assert {"title", "keyword", "phrases", "sources", "es-title", "es-examples"} <= set(form["fields"])
    text = Page(html).text
    assert "about" in text and "s spoken" in text and "text segment" in text and "as a first text, with the notice" in text
    assert "reading score" in text and "at most 8: lower is easier" in text and "at least 65: higher is easier" in text


def test_publishing_a_changed_text_answer_reaches_texters_and_the_history(admin: FlaskClient, editor_app: Flask,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    assert OLD_WORDS in texted(editor_app)
    form = editor_form(admin)
    with caplog.at_level(logging.INFO, logger="service.admin"):
        published = admin.post(EDITOR, data=values(form, text=f"{NEW_WORDS} Ask your doctor about your own case."))
    assert published.status_code == 303 and published.headers["Location"].startswith(EDITOR)
    reply = texted(editor_app, texter="+15555550161")
    assert NEW_WORDS in reply and OLD_WORDS not in reply
    assert NEW_WORDS in " ".join(editor_form(admin)["fields"]["text"][0].split())
    history = Page(admin.get("/admin/history").get_data(as_text=True))
    assert "Maria" in history.text and "en" in history.text and "Revert" in history.text
    title = editor_app.extensions["line"].content.languages["en"].topic("contagious").title
    assert f"Topic: {title}" in history.text  # as the Content page names it, not its id
    # A page past the last: said so, with the way back, never "no changes have been published" (an exploratory admin's).
    beyond = Page(admin.get("/admin/history?page=999").get_data(as_text=True))
    assert "No changes have been published" not in beyond.text and "There are not that many changes" in beyond.text
    assert any(r.getMessage().count('"published"') and "Maria" in r.getMessage() for r in caplog.records)


def test_a_spoken_answer_too_long_or_too_hard_to_read_is_flagged_in_its_counters(admin: FlaskClient) -> None:
    checked = admin.post(EDITOR, data=values(editor_form(admin), action="check", spoken="Nerves heal slowly. " * 54))
    assert checked.status_code == 422
    assert re.search(r'<span data-words data-max="150" class="error-text">162 words: at most 150, take out 12</span>',
                     checked.get_data(as_text=True))
    # Counted as the check counts: a number read digit by digit is one word (152 words split by spaces, 150 here).
    fits = admin.post(EDITOR, data=values(editor_form(admin), action="check", spoken="Call 9 1 1 now. " + "Nerves heal. " * 73 + "Yes."))
    assert '<span data-words data-max="150">150 words</span>' in fits.get_data(as_text=True)
    hard = ("Polyneuropathy, organomegaly, endocrinopathy and monoclonal gammopathy characterize this multisystemic "
            "paraneoplastic disorder, necessitating comprehensive multidisciplinary evaluation.")
    page = admin.post(EDITOR, data=values(editor_form(admin), action="check", spoken=hard)).get_data(as_text=True)
    assert re.search(r'<span data-score class="error-text">reading score [\d.]+ \([^)]*\): use shorter sentences', page)
    assert '<span data-words data-max="150">' in page
    # As one types: the page's script asks for the score, and is told when it is past the limit.
    csrf = editor_form(admin)["fields"]["csrf"][0]
    told = admin.post("/admin/measure", data={"csrf": csrf, "lang": "en", "text": hard}).get_json()
    assert told["too_hard"] is True and told["score"] > 8
    assert admin.post("/admin/measure", data={"csrf": csrf, "lang": "en", "text": "The cat sat on the mat. " * 3}).get_json()["too_hard"] is False


def test_a_600_character_text_is_refused_with_its_segments_and_limit_and_nothing_changes(admin: FlaskClient, editor_app: Flask) -> None:
    long_text = ("POEMS is not an infection and it cannot be caught. " * 12)[:600]
    refused = admin.post(EDITOR, data=values(editor_form(admin), text=long_text))
    assert refused.status_code == 422
    text = Page(refused.get_data(as_text=True)).text
    assert re.search(r"text, with its closing line, is 5 segments \(\d+ characters\); expected at most 3 segments \(459 characters\)", text)
    assert "Not published" in text and long_text[:60] in refused.get_data(as_text=True)  # the admin's text is kept
    assert OLD_WORDS in texted(editor_app)
    assert "No changes" in Page(admin.get("/admin/history").get_data(as_text=True)).text


def test_a_spanish_edit_is_held_to_the_spanish_reading_rule(admin: FlaskClient) -> None:
    hard = ("No obstante la considerable investigación epidemiológica internacional, la transmisibilidad interindividual "
            "permanece completamente indemostrada, constituyendo una anormalidad proliferativa hematológica.")
    refused = admin.post("/admin/content/es/contagious", data=values(editor_form(admin, "/admin/content/es/contagious"), spoken=hard))
    assert refused.status_code == 422
    assert "on the Fernández Huerta scale; expected at least 65" in Page(refused.get_data(as_text=True)).text


def test_every_problem_at_once_beside_its_field_in_plain_words(admin: FlaskClient) -> None:
    form = editor_form(admin)
    refused = admin.post(EDITOR, data=values(form, text="x " * 300, spoken="Tabbed\tanswer " + "word " * 160, title=""))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    fields = {m.group(1): m.group(2) for m in re.finditer(r'id="field-([\w-]+)">(.*?)</div>\s*(?=<div class="field|</fieldset)', page, re.S)}
    assert "segments" in fields["text"] and "a tab character: use spaces" in fields["spoken"]
    # Beside its field, a problem does not name the topic and field again ("topic 'contagious': title: ...").
    assert "spoken answer has" in fields["spoken"] and "topic 'contagious'" not in page
    assert '<p class="error problem">expected some text, found an empty field' in fields["title"]


def test_curly_quotes_and_long_dashes_are_made_plain_and_the_page_says_so(admin: FlaskClient, editor_app: Flask) -> None:
    form = editor_form(admin)
    checked = admin.post(EDITOR, data=values(form, action="check", text="It\u2019s not \u201ccatching\u201d \u2014 ask your doctor."))
    assert checked.status_code == 200 and "Curly quotes, long dashes" in Page(checked.get_data(as_text=True)).text
    admin.post(EDITOR, data=values(form, text="It\u2019s not \u201ccatching\u201d \u2014 ask your doctor."))
    reply = texted(editor_app)
    assert "It's not \"catching\" - ask your doctor." in reply and not gsm.non_gsm(reply)


def test_a_value_that_looks_like_yaml_stays_text(admin: FlaskClient, editor_app: Flask) -> None:
    form = editor_form(admin)
    admin.post(EDITOR, data=values(form, title="infection\nkeyword: hacked", examples="is it catching\nkeyword: hacked\n- [x]"))
    topic = editor_app.extensions["line"].content.languages["en"].topic("contagious")
    assert topic.title == "infection keyword: hacked" and topic.keyword == "contagious"
    assert topic.examples[-2:] == ("keyword: hacked", "- [x]")


def test_revert_brings_back_the_old_words_and_is_itself_a_revision(admin: FlaskClient, editor_app: Flask,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor."))
    history = Forms(admin.get("/admin/history").get_data(as_text=True))
    revert = next(f for f in history.forms if f["action"].endswith("/revert"))
    assert any("Revert" in label for _, _, label in revert["buttons"])
    with caplog.at_level(logging.INFO, logger="service.admin"):
        done = admin.post(revert["action"], data=values(revert))
    assert done.status_code == 303
    assert OLD_WORDS in texted(editor_app) and NEW_WORDS not in texted(editor_app, texter="+15555550162")
    page = Page(admin.get("/admin/history").get_data(as_text=True))
    assert "Change #1 reverted: the words before it are back" in page.text  # said once, after the revert
    page = Page(admin.get("/admin/history").get_data(as_text=True))
    assert "Reverted change #1" in page.text and page.text.index("#2") < page.text.index("#1 ")
    assert any('"reverted"' in r.getMessage() and "Maria" in r.getMessage() for r in caplog.records)


def test_a_review_mark_shows_who_and_when_and_is_cleared_when_an_answer_changes(admin: FlaskClient, editor_app: Flask) -> None:
    form = Forms(admin.get(EDITOR).get_data(as_text=True))
    mark = next(f for f in form.forms if f["action"].endswith("/review"))
    assert admin.post(mark["action"], data=values(mark)).status_code == 303
    today = dt.date.today().isoformat()
    reviewed = Page(admin.get(EDITOR).get_data(as_text=True)).text
    assert f"Medically reviewed by Maria on {today}" in reviewed and "Marked medically reviewed by Maria today" in reviewed
    assert editor_app.extensions["line"].content.languages["es"].topic("contagious").reviewed == dt.date.today()
    admin.post("/admin/content/es/contagious", data=values(editor_form(admin, "/admin/content/es/contagious"),
                                                            text="No. POEMS no se contagia. Hable con su médico."))
    content = Page(admin.get("/admin/content").get_data(as_text=True)).text
    # Named as the Content page names it (an exploratory admin met "contagious", the topic's id).
    title = editor_app.extensions["line"].content.languages["en"].topic("contagious").title
    assert f"Changed since their last medical review: {title}" in content
    due = Page(admin.get(EDITOR).get_data(as_text=True)).text
    assert "it needs a new review" in due
    # Said once, in words, with the way to the mark: not the check's warning once a language with its file and line.
    assert due.count("These answers changed after their last medical review") == 1 and "Mark medically reviewed" in due
    assert "expected a new review" not in due and "yaml:" not in due.split("Title")[0]
    # Only the topic whose answer changed needs one: another topic's page does not say so.
    assert "it needs a new review" not in Page(admin.get("/admin/content/en/inherited").get_data(as_text=True)).text
    check = editor_app.test_cli_runner().invoke(args=["prompts", "check", "--no-audio"])
    assert "topic 'contagious': its answer changed after its last medical review" in check.output


def _to_check(admin: FlaskClient) -> bool:
    """Whether the Content page lists answers for a translator to check."""
    return "Answers to check against their new English wording" in Page(admin.get("/admin/content").get_data(as_text=True)).text


def _revert_newest(admin: FlaskClient) -> None:
    """Press Revert on the newest change of the History page."""
    revert = next(f for f in Forms(admin.get("/admin/history").get_data(as_text=True)).forms if f["action"].endswith("/revert"))
    assert admin.post(revert["action"], data=values(revert)).status_code == 303


def test_a_changed_english_answer_is_marked_for_its_translator_until_the_spanish_follows_or_is_said_to_say_the_same(
        admin: FlaskClient, editor_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    spanish = "/admin/content/es/contagious"
    title = editor_app.extensions["line"].content.languages["es"].topic("contagious").title
    assert not _to_check(admin)  # a deploy marks nothing
    # New examples are not a new answer: nothing to translate.
    form = editor_form(admin)
    admin.post(EDITOR, data=values(form, examples=form["fields"]["examples"][0] + "\ncan my wife catch it"))
    assert not _to_check(admin)
    # The clinician changes the English answer: told that the Spanish is marked, and the translator finds it.
    published = admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor about your own case."))
    assert published.status_code == 303
    assert "The Español answer is marked" in Page(admin.get(published.headers["Location"]).get_data(as_text=True)).text
    content = admin.get("/admin/content").get_data(as_text=True)
    assert f"Answers to check against their new English wording: {title} (Español)" in Page(content).text
    assert f'href="{spanish}#translation-es"' in content and "Español to check" in Page(content).text
    page = admin.get(spanish).get_data(as_text=True)
    assert re.search(r"The English answer changed on \d+ \w+ \d{4} at \d\d:\d\d \(Maria\), after this Español answer", Page(page).text)
    # The English words before and now, beside the Spanish (an exploratory translator had only the new English).
    shown = re.search(r'<details open><summary>What changed in the English</summary>(.*?)</details>', page, re.DOTALL)
    assert shown is not None and "Text message answer" in shown.group(1)
    assert "<del>No.</del> POEMS <del>is not an infection." in shown.group(1)
    assert "<ins>Ask your doctor about your own case.</ins>" in shown.group(1)
    assert "The English answer changed" not in Page(admin.get("/admin/content/es/inherited").get_data(as_text=True)).text
    # A clinician's review meanwhile says that the Spanish still waits for its translator.
    review = next(f for f in Forms(admin.get(EDITOR).get_data(as_text=True)).forms if f["action"].endswith("/review"))
    reviewed = admin.post(review["action"], data=values(review))
    assert "The Español answer is still to be checked by its translator: when it changes, it needs this review again." in Page(
        admin.get(reviewed.headers["Location"]).get_data(as_text=True)).text
    # The translator writes the Spanish to match: no longer marked.
    admin.post(spanish, data=values(editor_form(admin, spanish), text="POEMS no se contagia de otra persona. Hable con su médico."))
    assert not _to_check(admin) and "The English answer changed" not in Page(admin.get(spanish).get_data(as_text=True)).text
    # That Spanish change undone: the old Spanish is not what follows the new English, so it is marked again, and the
    # page does not blame the English change for it.
    _revert_newest(admin)
    assert _to_check(admin)
    assert "was not written or checked for the English answer as it now is" in Page(admin.get(spanish).get_data(as_text=True)).text
    # The English changes again; this time the Spanish already says the same, and the translator says so.
    admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your own doctor."))
    page = admin.get(spanish).get_data(as_text=True)
    said_same = re.search(r'formaction="([^"]+/translated)"', page)
    assert said_same is not None and "The Español answer says the same" in Page(page).text
    # From a page opened before a colleague's change, the button marks nothing: that is not what was read.
    stale = values(Forms(page).with_field("spoken"))
    admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your own doctor today."))
    refused = admin.post(said_same.group(1), data=stale)
    assert refused.status_code == 303
    assert "Not marked: the English or Español answer changed since you opened the page" in Page(
        admin.get(refused.headers["Location"]).get_data(as_text=True)).text
    assert _to_check(admin)
    page = admin.get(spanish).get_data(as_text=True)
    with caplog.at_level(logging.INFO, logger="service.admin"):
        marked = admin.post(said_same.group(1), data=values(Forms(page).with_field("spoken")))
    assert marked.status_code == 303 and marked.headers["Location"].endswith("#translation-es")
    after = Page(admin.get(marked.headers["Location"]).get_data(as_text=True)).text
    assert "Marked by Maria: the Español answer says what the English one says now." in after
    assert "The English answer changed" not in after and not _to_check(admin)
    assert any("marked as still translated" in r.getMessage() and "Maria" in r.getMessage() for r in caplog.records)
    # Who said so, and when, is in the history.
    history = admin.get("/admin/history").get_data(as_text=True)
    newest = history.split('<li class="revision"')[1]
    assert "Translation checked: it says what the first language's answer says (nothing changed)" in Page(newest).text
    assert "Maria" in newest and "· Español" in Page(newest).text
    # Languages and fields by the names the editor gives them, not their codes ("en · text").
    assert "English · Text message answer" in Page(history).text and "en · text" not in Page(history).text
    # Said by mistake: undone from the History, and the Spanish is to check again; once only.
    undo = next(f for f in Forms(history).forms if f["action"].endswith("/revert"))
    assert "The translation is marked to check again" in history
    undone = admin.post(undo["action"], data=values(undo))
    assert undone.status_code == 303
    assert "that translation is marked to check again" in Page(
        admin.get(undone.headers["Location"]).get_data(as_text=True)).text
    assert _to_check(admin)
    again = admin.post(undo["action"], data=values(undo))
    assert "is already undone" in Page(admin.get(again.headers["Location"]).get_data(as_text=True)).text
    # Only another language's answer can be marked, of a topic there is, by a form of the page.
    assert admin.post(EDITOR + "/translated", data=values(Forms(page).with_field("spoken"))).status_code == 404
    assert admin.post("/admin/content/es/nothing/translated", data=values(Forms(page).with_field("spoken"))).status_code == 404
    assert admin.post(said_same.group(1), data={"csrf": "forged"}).status_code == 400


def test_a_spanish_answer_published_from_a_page_of_older_english_stays_to_check(editor_app: Flask) -> None:
    # Two tabs: the translator opened the Spanish page; the clinician then changed the English again. The Spanish the
    # translator publishes was written to the English they saw, not to the new one.
    spanish = "/admin/content/es/contagious"
    clinician, translator = (signed_in(https_client(editor_app)) for _ in range(2))
    clinician.post(EDITOR, data=values(editor_form(clinician), text=f"{NEW_WORDS} Ask your doctor."))
    opened = editor_form(translator, spanish)
    clinician.post(EDITOR, data=values(editor_form(clinician), text=f"{NEW_WORDS} Ask your own doctor today."))
    assert translator.post(spanish, data=values(opened, text="POEMS no se contagia. Hable con su médico.")).status_code == 303
    assert _to_check(translator)
    page = Page(translator.get(spanish).get_data(as_text=True)).text
    assert "The English answer changed on" in page and "today" in page.split("What changed in the English")[1]


def test_a_spanish_answer_changed_beside_another_english_answer_stays_to_check(admin: FlaskClient) -> None:
    # One publish: the English text rewritten, a slip mended in the Spanish spoken answer. The Spanish text still says
    # what the English text said before.
    spoken = editor_form(admin)["fields"]["es-spoken"][0]
    admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor.", **{"es-spoken": spoken + " Gracias."}))
    assert _to_check(admin)


def test_an_english_answer_edited_before_translation_marks_existed_is_to_check_unless_the_spanish_was_edited(
        admin: FlaskClient, editor_app: Flask) -> None:
    from sqlalchemy import delete

    from service.editing.store import translations

    store = editor_app.extensions["editing"]

    def forget_marks() -> None:  # a database from before this line kept translation marks
        with store.engine.begin() as conn:
            conn.execute(delete(translations))

    admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor."))
    forget_marks()
    assert _to_check(admin)
    admin.post("/admin/content/es/contagious", data=values(editor_form(admin, "/admin/content/es/contagious"),
                                                            text="POEMS no se contagia. Hable con su médico."))
    forget_marks()
    assert not _to_check(admin)


def test_the_editors_tables_from_an_older_version_get_the_columns_they_lack(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    from service.editing import EditStore

    engine = create_engine(f"sqlite:///{tmp_path / 'older.sqlite'}")
    with engine.begin() as conn:  # content_translations as a version of the line before its History entries made it
        conn.execute(text("CREATE TABLE content_translations (id INTEGER PRIMARY KEY, topic VARCHAR(64) NOT NULL, "
                          "lang VARCHAR(16) NOT NULL, who VARCHAR(64) NOT NULL, at DATETIME NOT NULL, "
                          "source VARCHAR(64) NOT NULL, target VARCHAR(64) NOT NULL)"))
    store = EditStore(engine)
    store.translated("contagious", "es", "Maria", "a", "b", listed=True)
    assert [m.who for m in store.translations()[("contagious", "es")]] == ["Maria"]
    # Taken back once; an entry that is no such mark, or is undone already, takes nothing back.
    entry = store.revisions(1)[0]
    assert entry.action == "translated" and store.untranslated(entry.id, "Ana")
    assert store.untranslated(entry.id, "Ana") is None and store.untranslated(entry.id + 100, "Ana") is None
    assert store.translations() == {}


def test_a_change_made_in_both_languages_and_undone_leaves_nothing_to_translate(admin: FlaskClient) -> None:
    both = admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor.",
                                          **{"es-text": "POEMS no se contagia de otra persona. Hable con su médico."}))
    assert both.status_code == 303 and not _to_check(admin)
    _revert_newest(admin)  # both back to the prompt files' words, which follow each other
    assert not _to_check(admin)
    # The English alone changed, then undone: nothing to check either.
    admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor."))
    assert _to_check(admin)
    _revert_newest(admin)
    assert not _to_check(admin)


def test_listen_plays_the_edited_spoken_text(admin: FlaskClient) -> None:
    if not shutil.which("espeak-ng"):
        pytest.skip("needs espeak-ng (the offline voice)")
    heard = admin.post(EDITOR, data=values(editor_form(admin), action="listen-en", spoken="This is what callers will hear now."))
    audio = Page(heard.get_data(as_text=True)).audio
    assert heard.status_code == 200 and audio and "/admin/listen/" in audio[0]
    clip = admin.get(audio[0])
    assert clip.status_code == 200 and clip.content_type == "audio/mpeg" and len(clip.data) > 1000
    assert "This is what callers will hear now." in heard.get_data(as_text=True)  # the form keeps the edit


def test_publishing_a_spoken_answer_builds_its_audio_and_callers_never_hear_the_old_words(tmp_path: Path, prompts: Path) -> None:
    from tests.conftest import silent_engine

    app = make_app(tmp_path, PROMPTS_DIR=str(prompts), ADMIN_PASSWORD_HASH=HASH, AUDIO_SYNTHESIZER=silent_engine)
    admin = signed_in(https_client(app))
    new = "POEMS is not an infection. Nobody can catch it from you. Ask your doctor about your own case."
    admin.post(EDITOR, data=values(editor_form(admin), spoken=new))
    line = app.extensions["line"]
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    call.start()
    call.press("4")
    heard = call.press("3")
    answer = next(h for h in heard.heard if "Nobody can catch it" in h.text or h.audio and "contagious" in h.audio)
    assert answer.text == new or answer.audio  # read by Twilio's voice until the audio is ready, never the old words
    assert line.content.languages["en"].prompts["topic.contagious"].text == new
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and app.extensions["editing"].job(1).state != "done":
        time.sleep(0.2)
    app.extensions["live"].refresh()
    line = app.extensions["line"]
    name = line.audio.file_for(line.content.languages["en"].prompts["topic.contagious"])
    assert name and name.startswith("en-topic-contagious-")
    served = app.test_client().get(f"/audio/{name}")
    assert served.status_code == 200 and served.content_type == "audio/mpeg"
    progress = Page(admin.get(f"{EDITOR}?published=1").get_data(as_text=True)).text
    assert "Audio: 1 of 1 changed prompt built" in progress and "Published." in progress
    # Another page with this change's number (Back, a reload, a bookmark) says nothing of it (an exploratory admin's:
    # "Published. Audio: 1 of 1 changed prompt built." on a topic nobody had touched).
    elsewhere = Page(admin.get("/admin/content/en/outlook?published=1").get_data(as_text=True)).text
    assert "Published." not in elsewhere and "changed prompt built" not in elsewhere
    # The Content page says what callers get: no "out of date, run audio build" for the prompt that plays its new
    # audio, nor "remove it with --prune" for the file it played before (kept for a revert). Both were shown.
    warnings = Page(admin.get("/admin/content").get_data(as_text=True)).text
    assert "topic.contagious (en): audio is out of date" not in warnings and "is not used by any prompt" not in warnings
    assert "audio is out of date" not in warnings, warnings[:2000]


def test_an_audio_build_cut_short_by_a_restart_says_so_instead_of_building_forever(admin: FlaskClient, editor_app: Flask,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from service.editing import store as store_module

    from service.content.edits import Edit

    store = editor_app.extensions["editing"]
    revision = store.publish([Edit("en", "topic", "contagious", "title", "if POEMS can be caught", "whether it is contagious")], "Maria")
    # The worker building it was restarted after one of three prompts: nothing will ever mark the job done.
    store.start_job(revision, 3)
    store.job_progress(revision, 1, 0)
    building = Page(admin.get(f"{EDITOR}?published={revision}").get_data(as_text=True)).text
    assert "Building the audio: 1 of 3 done" in building
    monkeypatch.setattr(store_module, "JOB_STALLS", store_module.dt.timedelta(seconds=-1))  # ten minutes later
    stopped = Page(admin.get(f"{EDITOR}?published={revision}").get_data(as_text=True)).text
    assert "The audio build stopped at 1 of 3" in stopped and "Building the audio" not in stopped
    assert "read by Twilio's voice" in stopped


def answered_in_time(app: Flask, question: str, topic: str = "contagious", seconds: float = 60) -> Decision:
    """What the line makes of a question once it answers it with topic (learnt in the background), or at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        decision = app.extensions["line"].matcher.decide(question, "en")
        if decision.kind == "answer" and decision.target.id == topic or time.monotonic() >= deadline:
            return decision
        time.sleep(0.2)


def test_new_examples_are_learnt_off_the_request_path(admin: FlaskClient, editor_app: Flask) -> None:
    question = "can my budgie give me poems"
    assert editor_app.extensions["line"].matcher.decide(question, "en").kind != "answer" or \
        editor_app.extensions["line"].matcher.decide(question, "en").target.id != "contagious"
    form = editor_form(admin)
    admin.post(EDITOR, data=values(form, examples=form["fields"]["examples"][0] + f"\n{question}"))
    assert answered_in_time(editor_app, question).target.id == "contagious"
    assert "has learnt this content's examples" in Page(admin.get(EDITOR).get_data(as_text=True)).text


def test_the_editor_says_nothing_is_being_learnt_when_no_example_changed(admin: FlaskClient) -> None:
    learnt = "has learnt this content's examples"
    assert learnt in Page(admin.get(EDITOR).get_data(as_text=True)).text  # a fresh line: the files' examples are learnt
    admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor."))
    page = Page(admin.get(EDITOR).get_data(as_text=True)).text
    assert learnt in page and "being learnt" not in page  # an answer changed, no example: nothing to learn


def test_examples_published_while_the_line_learns_others_are_learnt_even_when_an_answer_changes_meanwhile(
        admin: FlaskClient, editor_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.understanding import Matcher

    release = threading.Event()
    built = Matcher.for_content.__func__  # type: ignore[attr-defined]

    def slow(cls: type, content: object, cache_dir: Path | None = None) -> Matcher:
        release.wait(30)  # the training takes a while: meanwhile a colleague publishes an answer
        return built(cls, content, cache_dir)

    monkeypatch.setattr(Matcher, "for_content", classmethod(slow))
    question = "can my budgie give me poems"
    form = editor_form(admin)
    admin.post(EDITOR, data=values(form, examples=form["fields"]["examples"][0] + f"\n{question}"))
    assert "being learnt" in Page(admin.get(EDITOR).get_data(as_text=True)).text
    admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor."))
    release.set()
    decision = answered_in_time(editor_app, question)
    assert decision.kind == "answer" and decision.target.id == "contagious"
    assert NEW_WORDS in texted(editor_app)
    assert "has learnt this content's examples" in Page(admin.get(EDITOR).get_data(as_text=True)).text


def test_a_new_title_is_offered_at_once_while_the_matcher_still_learns(admin: FlaskClient, editor_app: Flask) -> None:
    from service.line import Line

    learning = editor_app.extensions["line"].matcher  # built on the content before the edit
    admin.post(EDITOR, data=values(editor_form(admin), title="whether it can be caught"))
    live = editor_app.extensions["line"]
    line = Line.build(live.content, live.audio, learning)
    decision = line.decide("can I catch it from my husband or get it from a blood transfusion", "en")
    assert "contagious" in [t.id for t in decision.choices]
    assert "whether it can be caught" in [t.title for t in decision.choices]


def test_menus_and_phrases_have_editors_too(admin: FlaskClient, editor_app: Flask) -> None:
    menu = Forms(admin.get("/admin/content/en/menus/risk").get_data(as_text=True)).with_field("intro")
    assert admin.post("/admin/content/en/menus/risk", data=values(menu, intro="Causes, risks and who gets it.")).status_code == 303
    assert editor_app.extensions["line"].content.languages["en"].menu("risk").intro == "Causes, risks and who gets it."
    phrase = Forms(admin.get("/admin/content/en/phrases/sms_answer_footer").get_data(as_text=True)).with_field("value")
    assert admin.post("/admin/content/en/phrases/sms_answer_footer", data=values(phrase, value="Reply MENU for topics.")).status_code == 303
    assert texted(editor_app).endswith("Reply MENU for topics.")


def test_only_signed_in_admins_with_the_forms_token_can_publish(editor_app: Flask, admin: FlaskClient) -> None:
    stranger = https_client(editor_app)
    assert stranger.get(EDITOR).status_code == 302
    assert stranger.post(EDITOR, data={"text": "hacked"}).status_code in (302, 400)
    form = editor_form(admin)
    forged = values(form, text="hacked")
    forged.setlist("csrf", ["forged"])
    assert admin.post(EDITOR, data=forged).status_code == 400
    assert OLD_WORDS in texted(editor_app)
    assert admin.get("/admin/content/en/../../etc/passwd").status_code == 404
    assert admin.get("/admin/content/xx/contagious").status_code == 404


def test_a_deploy_that_changes_an_edited_field_is_shown_and_the_admin_chooses(admin: FlaskClient, editor_app: Flask, prompts: Path) -> None:
    choice = conflicted(admin, editor_app, prompts)
    assert NEW_WORDS in texted(editor_app)  # the web's wording stands until someone chooses
    history = admin.get("/admin/history").get_data(as_text=True)
    assert "Changed in both places" in history and "No. POEMS is not catching at all." in history
    assert "changed both here and in a deploy" in Page(admin.get("/admin/content").get_data(as_text=True)).text
    fields = values(choice)
    fields["keep"] = "files"
    admin.post(choice["action"], data=fields)
    assert "not catching at all" in texted(editor_app, texter="+15555550163")
    assert "Changed in both places" not in admin.get("/admin/history").get_data(as_text=True)


def test_keeping_the_webs_wording_settles_the_conflict_and_the_edit_stays_served(admin: FlaskClient, editor_app: Flask,
                                                                                  prompts: Path) -> None:
    choice = conflicted(admin, editor_app, prompts)
    admin.post(choice["action"], data={**values(choice), "keep": "web"})
    history = admin.get("/admin/history").get_data(as_text=True)
    assert "Changed in both places" not in history
    assert NEW_WORDS in texted(editor_app, texter="+15555550166")


def test_keeping_the_webs_wording_after_a_colleague_changed_it_elsewhere_keeps_nothing(admin: FlaskClient, editor_app: Flask,
                                                                                      prompts: Path) -> None:
    from service.content.edits import Edit

    choice = conflicted(admin, editor_app, prompts)
    # Meanwhile a colleague, served by another worker, publishes another wording of the same field.
    store = editor_app.extensions["editing"]
    edit = next(e for e in store.edits() if e.field == "text" and e.ident == "contagious")
    store.publish([Edit(edit.lang, edit.kind, edit.ident, edit.field, "No. Nobody can catch POEMS. Ask your doctor.", edit.was)],
                  "colleague")
    editor_app.extensions["live"].refresh()  # this worker's watcher has seen it too (it looks every 2 s)
    before = len(store.revisions())
    for keep in ("web", "files"):  # neither the web's words nor the files' are put over the colleague's unseen
        page = admin.post(choice["action"], data={**values(choice), "keep": keep}, follow_redirects=True)
        assert "someone changed this field on the admin pages meanwhile" in Page(page.get_data(as_text=True)).text
        assert len(store.revisions()) == before
    assert "Nobody can catch POEMS" in texted(editor_app, texter="+15555550165")


def test_after_the_files_wording_is_taken_the_next_deploy_is_served(admin: FlaskClient, editor_app: Flask,
                                                                    prompts: Path) -> None:
    choice = conflicted(admin, editor_app, prompts)
    admin.post(choice["action"], data={**values(choice), "keep": "files"})
    # A later deploy changes the field again: texters get it (the web's old wording is not held over it).
    deploy(editor_app, prompts, "No. POEMS is not catching at all.", "No. Nobody catches POEMS.")
    assert "Nobody catches POEMS" in texted(editor_app, texter="+15555550164")
    assert "Changed in both places" not in admin.get("/admin/history").get_data(as_text=True)


def test_an_edit_the_files_now_carry_follows_the_files_again(admin: FlaskClient, editor_app: Flask, prompts: Path,
                                                            tmp_path: Path) -> None:
    admin.post(EDITOR, data=values(editor_form(admin), title="if POEMS can be caught"))
    # prompts pull, committed and deployed: the files say the same as the edit...
    path = prompts / "en.yaml"
    assert editor_app.test_cli_runner().invoke(args=["prompts", "pull"]).exit_code == 0
    fresh = make_app(tmp_path, PROMPTS_DIR=str(prompts), ADMIN_PASSWORD_HASH=HASH)  # a restart after the deploy
    assert fresh.extensions["line"].content.languages["en"].topic("contagious").title == "if POEMS can be caught"
    # ...then a later commit changes the title in the file: it is served, with no conflict to resolve.
    path.write_text(path.read_text(encoding="utf-8").replace("if POEMS can be caught", "whether POEMS is catching", 1),
                    encoding="utf-8")
    again = make_app(tmp_path, PROMPTS_DIR=str(prompts), ADMIN_PASSWORD_HASH=HASH)
    assert again.extensions["line"].content.languages["en"].topic("contagious").title == "whether POEMS is catching"
    assert not again.extensions["live"].conflicts()
    # The history says so, and the edit can be brought back (should the files go back to older words).
    history = Page(signed_in(https_client(again)).get("/admin/history").get_data(as_text=True)).text
    assert "The deployed files now say the same: the field follows the files again" in history


def test_while_the_line_serves_the_files_alone_an_edited_field_can_still_be_published(admin: FlaskClient, prompts: Path,
                                                                                    tmp_path: Path) -> None:
    assert admin.post(EDITOR, data=values(editor_form(admin), keyword="kissing")).status_code == 303
    # A deploy gives another topic the same keyword: files and edits together are refused, the files alone served.
    path = prompts / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("keyword: skin", "keyword: kissing", 1), encoding="utf-8")
    restarted = make_app(tmp_path, PROMPTS_DIR=str(prompts), ADMIN_PASSWORD_HASH=HASH)
    assert restarted.extensions["line"].content.languages["en"].topic("contagious").keyword == "contagious"
    client = signed_in(https_client(restarted))
    fixed = client.post(EDITOR, data=values(editor_form(client), keyword="infection"))
    assert fixed.status_code == 303, Page(fixed.get_data(as_text=True)).text[:500]
    assert restarted.extensions["line"].content.languages["en"].topic("contagious").keyword == "infection"


def test_prompts_pull_writes_only_the_edited_lines_and_the_check_passes(admin: FlaskClient, editor_app: Flask, prompts: Path,
                                                                         tmp_path: Path) -> None:
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run(git + ["init", "-q", str(prompts)], check=True)
    subprocess.run(git + ["-C", str(prompts), "add", "."], check=True)
    subprocess.run(git + ["-C", str(prompts), "commit", "-qm", "deployed"], check=True)
    form = editor_form(admin)
    admin.post(EDITOR, data=values(form, text=f"{NEW_WORDS} Ask your doctor about your own case.",
                                   examples=form["fields"]["examples"][0] + "\ncan i get poems from a hug"))
    es = editor_form(admin, "/admin/content/es/contagious")
    admin.post("/admin/content/es/contagious", data=values(es, title="si se contagia"))
    pulled = editor_app.test_cli_runner().invoke(args=["prompts", "pull"])
    assert pulled.exit_code == 0 and "written into en.yaml, es.yaml" in pulled.output, pulled.output
    diff = subprocess.run(["git", "-C", str(prompts), "diff", "--numstat"], check=True, capture_output=True, text=True).stdout
    counts = {line.split()[2]: (int(line.split()[0]), int(line.split()[1])) for line in diff.splitlines()}
    assert counts == {"en.yaml": (counts["en.yaml"][0], counts["en.yaml"][1]), "es.yaml": (1, 1)}
    assert counts["en.yaml"][0] <= 4 and counts["en.yaml"][1] <= 3  # the text's lines and one new example
    patch = subprocess.run(["git", "-C", str(prompts), "diff", "-U0"], check=True, capture_output=True, text=True).stdout
    assert "+      - \"can i get poems from a hug\"" in patch and "+    title: si se contagia" in patch
    checker = make_app(tmp_path / "checker", PROMPTS_DIR=str(prompts), DATABASE_URL="none")
    check = checker.test_cli_runner().invoke(args=["prompts", "check", "--no-audio"])
    assert check.exit_code == 0 and "prompts/ is fine" in check.output, check.output
    # Pulled and deployed, the edits are the files' own: nothing left over, no conflict.
    editor_app.extensions["live"].refresh(force=True)
    assert not editor_app.extensions["live"].conflicts()
    assert NEW_WORDS in texted(editor_app, texter="+15555550164")
    # The Spanish answer was not changed with the English one: still marked for its translator after that deploy.
    assert _to_check(admin)
    # Named as Maria's change: the deploy that now says the same changed nothing anyone sees.
    notice = Page(admin.get("/admin/content/es/contagious").get_data(as_text=True)).text
    assert "(Maria), after this Español answer" in notice and "deployed files" not in notice


def test_the_prompt_files_as_they_stand_can_be_downloaded(admin: FlaskClient) -> None:
    import io
    import zipfile

    admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor."))
    download = admin.get("/admin/content/prompts.zip")
    assert download.status_code == 200 and download.content_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert {"prompts/en.yaml", "prompts/es.yaml", "prompts/line.yaml"} <= set(archive.namelist())
        assert NEW_WORDS in archive.read("prompts/en.yaml").decode()


def test_the_check_reports_every_kind_of_problem_in_one_run(tmp_path: Path, prompts: Path, audio_copy: Path) -> None:
    from tests.test_content import edit

    edit(prompts, "en.yaml", "      No. POEMS is not an infection. It is a blood cell disorder",
         "      No. It\u2019s not an infection." + " It is rare." * 40 + " It is a blood cell disorder")
    edit(prompts, "en.yaml", "      No. POEMS is not an infection. It is a disorder of blood cells.",
         "      No. POEMS is not catching. It is a disorder of blood cells.")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "service", "prompts", "check"], cwd=ROOT, capture_output=True,
                            text=True, timeout=180, env={"PROMPTS_DIR": str(prompts), "AUDIO_DIR": str(audio_copy),
                                                         "DATABASE_URL": "none", "PATH": "/usr/bin:/bin"})
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "outside GSM-7" in output and "right single quotation mark" in output
    assert re.search(r"is \d segments", output) and "audio is out of date" in output


PG_URL = __import__("os").environ.get("TEST_DATABASE_URL", "")


class Logs:
    """A server's output read as it comes (so its pipes never fill): the JSON lines say which worker answered."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        import threading

        self.lines: list[str] = []
        self.readers = [threading.Thread(target=self._read, args=(stream,), daemon=True)
                        for stream in (process.stdout, process.stderr)]
        for reader in self.readers:
            reader.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.append(line)

    def stop(self, process: subprocess.Popen[str]) -> None:
        """Stop the server and read what is left of its output."""
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        for reader in self.readers:
            reader.join(timeout=5)

    def worker_for(self, sid: str) -> int:
        """The process id of the worker that answered the webhook request with this MessageSid."""
        import json

        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if line.startswith("{") and f'"{sid}"' in line:
                    return int(json.loads(line)["worker"])
            time.sleep(0.02)
        raise AssertionError(f"no log line for {sid}: {''.join(self.lines[-20:])}")


def _checkout_copy(target: Path) -> Path:
    """What a deploy brings: the code, the Procfile and the prompt files, in a folder of their own (no records)."""
    target.mkdir()
    shutil.copytree(ROOT / "service", target / "service", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "Procfile", target / "Procfile")
    shutil.copytree(LINE_FIXTURE, target / "prompts")
    # The model's files kept by this checkout (what a build cache would hold): learning the model cold takes 4 to 5 s a
    # start and is not what this deploy tests (the clean clone's `make test` and the tokenizer's test do).
    (target / "instance").mkdir()
    for kept in [*(ROOT / "instance").glob("tokenizer-*.pickle"), *(ROOT / "instance").glob("semantic-*.npz"),
                 *(ROOT / "instance").glob("vectors-*.npz")]:
        try:
            (target / "instance" / kept.name).hardlink_to(kept)  # the line replaces its files whole, never in place
        except OSError:
            shutil.copy2(kept, target / "instance" / kept.name)
    return target


@pytest.mark.xdist_group("postgres")
@pytest.mark.skipif(not PG_URL, reason="needs the throwaway PostgreSQL that .ci/run starts")
def test_a_published_edit_reaches_both_workers_within_10_seconds_survives_a_fresh_deploy_and_reverts(tmp_path: Path) -> None:
    import itertools

    from tests.conftest import fixture_audio
    from tests.servers import Browser, free_port, gunicorn, wait_until_up
    from tests.test_admin import PASSWORD
    from tests.test_records import fresh_postgres_database

    database = fresh_postgres_database()
    sids = (f"SM{n:032d}" for n in itertools.count(1))

    def start(checkout: Path) -> tuple[subprocess.Popen[str], int, Logs]:
        port = free_port()
        process = gunicorn(tmp_path, port, workers=2, cwd=checkout, DATABASE_URL=database, TWILIO_AUTH_TOKEN=TOKEN,
                           ADMIN_PASSWORD_HASH=HASH, SECRET_KEY="a long random secret for this test", TRUST_PROXY="1",
                           PROMPTS_DIR=str(checkout / "prompts"), AUDIO_DIR=str(fixture_audio()))
        logs = Logs(process)
        wait_until_up(process, port)
        return process, port, logs

    def both_workers_say(port: int, logs: Logs, words: str, seconds: float) -> float:
        """Texts until each of the two workers has answered with these words; how long that took."""
        began, saying = time.monotonic(), set[int]()
        while len(saying) < 2:
            assert time.monotonic() - began < seconds, f"after {seconds} s, only workers {saying} say {words!r}"
            sid = next(sids)
            reply = signed_text(port, "contagious", sid, timeout=10)
            if words in reply:
                saying.add(logs.worker_for(sid))
            time.sleep(0.05)
        return time.monotonic() - began

    first = _checkout_copy(tmp_path / "checkout")
    process, port, logs = start(first)
    try:
        assert OLD_WORDS in signed_text(port, "contagious", next(sids), timeout=10)
        admin = Browser(port)
        sign_in = Forms(admin.open("/admin/sign-in")[2]).forms[0]
        assert admin.open("/admin/sign-in", values(sign_in, name="Maria", password=PASSWORD))[0] == 302
        status, _, page = admin.open(EDITOR)
        assert status == 200
        changed = f"{NEW_WORDS} Ask your doctor about your own case."
        status, headers, _ = admin.open(EDITOR, values(Forms(page).with_field("text"), text=changed))
        assert status == 303 and headers["Location"].startswith(EDITOR)
        assert both_workers_say(port, logs, NEW_WORDS, 10) < 10
    finally:
        logs.stop(process)

    # A redeploy: a fresh copy of the checkout (its prompt files still hold the old words), the same database.
    second = _checkout_copy(tmp_path / "redeploy")
    process, port, logs = start(second)
    try:
        reply = signed_text(port, "contagious", next(sids), timeout=10)
        assert NEW_WORDS in reply and OLD_WORDS not in reply
        admin = Browser(port)
        sign_in = Forms(admin.open("/admin/sign-in")[2]).forms[0]
        assert admin.open("/admin/sign-in", values(sign_in, name="Maria", password=PASSWORD))[0] == 302
        revert = next(f for f in Forms(admin.open("/admin/history")[2]).forms if f["action"].endswith("/revert"))
        assert admin.open(revert["action"], values(revert))[0] == 303, "".join(logs.lines[-30:])
        assert both_workers_say(port, logs, OLD_WORDS, 10) < 10
    finally:
        logs.stop(process)


# -- what a careless paste, a colleague at the same time, or a hostile value must not do --

def test_a_control_character_is_refused_beside_its_field_and_callers_never_get_it(admin: FlaskClient, editor_app: Flask) -> None:
    phrase = "/admin/content/en/phrases/greeting"
    form = Forms(admin.get(phrase).get_data(as_text=True)).with_field("value")
    refused = admin.post(phrase, data=values(form, value="Welcome\x00 to the line."))
    assert refused.status_code == 422
    assert "a control character (U+0000), which cannot be read aloud" in Page(refused.get_data(as_text=True)).text
    call = PhoneCall(TwilioClient(editor_app.test_client(), TOKEN), audio_texts(editor_app.extensions["line"]))
    assert "\x00" not in call.start().text
    assert "No changes" in Page(admin.get("/admin/history").get_data(as_text=True)).text


def test_list_items_stay_items_whatever_they_hold(admin: FlaskClient, editor_app: Flask, prompts: Path) -> None:
    import yaml

    odd = ["a, !foo b", "!!binary aGk=", "&anchor", "*alias", "x]", "{c}", "d #e"]
    form = editor_form(admin)
    done = admin.post(EDITOR, data=values(form, phrases="\n".join([*form["fields"]["phrases"][0].split("\n"), *odd])))
    assert done.status_code == 303, Page(done.get_data(as_text=True)).text[-600:]
    assert editor_app.test_cli_runner().invoke(args=["prompts", "pull"]).exit_code == 0
    topic = yaml.safe_load((prompts / "en.yaml").read_text(encoding="utf-8"))["topics"]["contagious"]
    assert topic["phrases"][-len(odd):] == odd


def test_two_publishes_at_once_cannot_together_make_content_the_line_refuses(editor_app: Flask) -> None:
    import threading

    alice, bob = signed_in(https_client(editor_app)), signed_in(https_client(editor_app))
    forms = {"contagious": editor_form(alice), "inherited": editor_form(bob, "/admin/content/en/inherited")}
    answers: dict[str, int] = {}

    def publish(client: FlaskClient, topic: str) -> None:
        answers[topic] = client.post(f"/admin/content/en/{topic}", data=values(forms[topic], keyword="samekeyword")).status_code

    threads = [threading.Thread(target=publish, args=(c, t)) for c, t in ((alice, "contagious"), (bob, "inherited"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == [303, 422]
    editor_app.extensions["live"].refresh(force=True)
    keywords = [t.keyword for t in editor_app.extensions["line"].content.languages["en"].targets.values()]
    assert keywords.count("samekeyword") == 1


def test_a_colleagues_change_meanwhile_is_kept_and_a_clash_is_shown(editor_app: Flask) -> None:
    alice, bob = signed_in(https_client(editor_app)), signed_in(https_client(editor_app))
    stale = editor_form(alice)  # Alice opens the page, then Bob publishes a new title
    assert bob.post(EDITOR, data=values(editor_form(bob), title="if POEMS can be caught")).status_code == 303
    # Alice changes only the text, from her page: Bob's title stays.
    assert alice.post(EDITOR, data=values(stale, text=f"{NEW_WORDS} Ask your doctor.")).status_code == 303
    topic = editor_app.extensions["line"].content.languages["en"].topic("contagious")
    assert topic.title == "if POEMS can be caught" and NEW_WORDS in topic.text
    # Alice changes the title too, from the same old page: refused, Bob's in the field, hers below to copy from.
    clash = alice.post(EDITOR, data=values(stale, title="whether you can catch it"))
    page = Page(clash.get_data(as_text=True))
    assert clash.status_code == 422 and "someone published a change to this field after you opened the page" in page.text
    again = Forms(clash.get_data(as_text=True)).with_field("title")
    assert again["fields"]["title"] == ["if POEMS can be caught"] and "whether you can catch it" in page.text
    # Having seen Bob's, she publishes hers from the page now shown.
    assert alice.post(EDITOR, data=values(again, title="whether you can catch it")).status_code == 303


def test_a_revert_never_throws_away_a_later_change_and_a_second_revert_says_so(admin: FlaskClient, editor_app: Flask) -> None:
    admin.post(EDITOR, data=values(editor_form(admin), title="title one"))
    admin.post(EDITOR, data=values(editor_form(admin), title="title two"))
    history = Forms(admin.get("/admin/history").get_data(as_text=True))
    first = next(f for f in history.forms if f["action"].endswith("/1/revert"))
    refused = admin.post(first["action"], data=values(first), follow_redirects=True)
    assert "was not reverted" in Page(refused.get_data(as_text=True)).text
    # Said where the page jumps to, beside the change, too (an exploratory admin's: only at the top, out of sight).
    beside = re.search(r'<li class="revision" id="revision-1">(.*?)</li>', refused.get_data(as_text=True), re.DOTALL)
    assert beside and "was not reverted" in Page(beside.group(1)).text
    assert editor_app.extensions["line"].content.languages["en"].topic("contagious").title == "title two"
    second = next(f for f in history.forms if f["action"].endswith("/2/revert"))
    assert admin.post(second["action"], data=values(second)).status_code == 303
    again = admin.post(second["action"], data=values(second), follow_redirects=True)
    assert "already undone: nothing to revert" in Page(again.get_data(as_text=True)).text
    page = admin.get("/admin/history").get_data(as_text=True)
    assert "#4" not in Page(page).text  # no empty revision
    # The history says which change undid which, and offers no revert that would do nothing.
    assert "Undone by change #3" in Page(page).text
    assert not any(f["action"].endswith("/2/revert") for f in Forms(page).forms)
    # Undoing the undo puts #2 back: no longer marked undone, and #3 is.
    third = next(f for f in Forms(page).forms if f["action"].endswith("/3/revert"))
    assert admin.post(third["action"], data=values(third)).status_code == 303
    page = admin.get("/admin/history").get_data(as_text=True)
    assert "Undone by change #4" in Page(page).text and "Undone by change #3" not in Page(page).text
    assert any(f["action"].endswith("/2/revert") for f in Forms(page).forms)


def test_on_a_worker_that_has_not_looked_yet_a_revert_or_an_old_page_never_overwrites_a_later_change(
        tmp_path: Path, prompts: Path) -> None:
    # Two workers on one database; B has not looked for new revisions since A's last publish.
    a = make_app(tmp_path, PROMPTS_DIR=str(prompts), ADMIN_PASSWORD_HASH=HASH)
    b = make_app(tmp_path, PROMPTS_DIR=str(prompts), ADMIN_PASSWORD_HASH=HASH)
    on_a, on_b = signed_in(https_client(a)), signed_in(https_client(b))
    old_page = editor_form(on_b)
    assert on_a.post(EDITOR, data=values(editor_form(on_a), title="title one")).status_code == 303
    b.extensions["live"].refresh(force=True)
    assert on_a.post(EDITOR, data=values(editor_form(on_a), title="title two")).status_code == 303
    history = Forms(on_b.get("/admin/history").get_data(as_text=True))
    first = next(f for f in history.forms if f["action"].endswith("/1/revert"))
    refused = on_b.post(first["action"], data=values(first), follow_redirects=True)
    assert "was not reverted: en title of topic 'contagious' has been changed again since" in Page(refused.get_data(as_text=True)).text
    # Bob's page, opened before both, sent just as A publishes (B's quick look comes too early to see it): his title
    # is refused beside the field, which shows the title now served.
    live = b.extensions["live"]
    looked = live.refresh
    looks: list[bool] = []

    def too_early_once(force: bool = False) -> bool:
        looks.append(force)
        return False if len(looks) == 1 else looked(force)

    live.refresh = too_early_once
    clash = on_b.post(EDITOR, data=values(old_page, title="bob's title"))
    assert clash.status_code == 422 and "someone published a change to this field" in Page(clash.get_data(as_text=True)).text
    assert Forms(clash.get_data(as_text=True)).with_field("title")["fields"]["title"] == ["title two"]
    a.extensions["live"].refresh(force=True)
    assert a.extensions["line"].content.languages["en"].topic("contagious").title == "title two"


def test_the_same_form_sent_twice_is_published_once_and_both_say_published(tmp_path: Path, prompts: Path) -> None:
    # Publish pressed twice without the page's script: the second request reaches a worker before it has looked at
    # the first one's publish. It was "Not published: changed meanwhile" for the admin's own words.
    a = make_app(tmp_path, PROMPTS_DIR=str(prompts), ADMIN_PASSWORD_HASH=HASH)
    b = make_app(tmp_path, PROMPTS_DIR=str(prompts), ADMIN_PASSWORD_HASH=HASH)
    on_a = signed_in(https_client(a))
    on_b = https_client(b)
    on_b.set_cookie("poems_admin", on_a.get_cookie("poems_admin", path="/admin").value, path="/admin", secure=True)
    page = editor_form(on_a)
    form = values(page, title="whether you can catch it")
    b.extensions["live"].refresh = lambda force=False: False  # b has not looked since
    assert on_a.post(EDITOR, data=form).status_code == 303
    second = on_b.post(EDITOR, data=form)
    assert second.status_code == 303 and "published=" in second.headers["Location"]
    assert len(a.extensions["editing"].revisions()) == 1
    # The same, for words set back to the files' own (the first publish takes the edit away).
    original = page["fields"]["title"][0]
    live = b.extensions["live"]
    del live.refresh  # b looks once (it serves the new title), then not again
    live.refresh(force=True)
    live.refresh = lambda force=False: False
    back = values(editor_form(on_a), title=original)
    assert on_a.post(EDITOR, data=back).status_code == 303
    again = on_b.post(EDITOR, data=back)
    assert again.status_code == 303 and "published=" in again.headers["Location"]
    assert len(a.extensions["editing"].revisions()) == 2
    # A colleague's different words meanwhile are still a clash.
    other = values(editor_form(on_a), title="if POEMS can be caught")
    assert on_a.post(EDITOR, data=other).status_code == 303
    assert on_b.post(EDITOR, data=values(page, title="catching it")).status_code == 422


def test_examples_added_to_a_menu_without_any_can_be_reverted(admin: FlaskClient, editor_app: Flask) -> None:
    path = "/admin/content/en/menus/features"
    form = Forms(admin.get(path).get_data(as_text=True)).with_field("examples")
    assert not form["fields"]["examples"][0].strip()  # the fixture's menu has no examples: the field is not in the file
    assert admin.post(path, data=values(form, examples="what are the signs of poems")).status_code == 303
    assert "what are the signs of poems" in editor_app.extensions["line"].content.languages["en"].menu("features").examples
    revert = next(f for f in Forms(admin.get("/admin/history").get_data(as_text=True)).forms if f["action"].endswith("/revert"))
    assert admin.post(revert["action"], data=values(revert)).status_code == 303
    assert not editor_app.extensions["line"].content.languages["en"].menu("features").examples
    assert not editor_app.extensions["editing"].edits()


def test_reverting_a_review_mark_takes_the_mark_back(admin: FlaskClient) -> None:
    review = next(f for f in Forms(admin.get(EDITOR).get_data(as_text=True)).forms if f["action"].endswith("/review"))
    admin.post(review["action"], data=values(review))
    assert "Medically reviewed by Maria" in Page(admin.get(EDITOR).get_data(as_text=True)).text
    revert = next(f for f in Forms(admin.get("/admin/history").get_data(as_text=True)).forms if f["action"].endswith("/revert"))
    admin.post(revert["action"], data=values(revert))
    assert "Medically reviewed by Maria" not in Page(admin.get(EDITOR).get_data(as_text=True)).text


@pytest.mark.parametrize("name, value, said", [
    ("keyword", "foo keyword: bar", "is not one word"),
    ("title", "t" * 200, "200 characters; expected at most 60"),
    ("examples", "x" * 400, "has 400 characters; expected at most 300 a line"),
])
def test_values_beyond_what_a_field_holds_are_refused_plainly(admin: FlaskClient, name: str, value: str, said: str) -> None:
    refused = admin.post(EDITOR, data=values(editor_form(admin), **{name: value}))
    assert refused.status_code == 422 and said in Page(refused.get_data(as_text=True)).text


def test_listen_to_a_phrase_says_its_keys_as_callers_hear_them(admin: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # The preview of "To hear this again, press {repeat}" said "press repeat"; callers hear "press star".
    from service.admin import editor

    spoken: list[str] = []
    monkeypatch.setattr(editor, "speak", lambda text, lang: spoken.append(text) or b"ID3" + b"\0" * 2000)
    phrase = "/admin/content/en/phrases/answer_footer"
    form = Forms(admin.get(phrase).get_data(as_text=True)).with_field("value")
    heard = admin.post(phrase, data=values(form, action="listen-en"))
    assert heard.status_code == 200 and spoken, Page(heard.get_data(as_text=True)).text[:600]
    assert "{" not in spoken[0] and "press star" in spoken[0] and "press repeat" not in spoken[0], spoken
    assert "{repeat}" in form["fields"]["value"][0]  # the form still holds the placeholder, as written
    # The language offer's {key} is the language key, as callers hear it, not a menu's first option.
    offer = "/admin/content/en/phrases/language_offer"
    admin.post(offer, data=values(Forms(admin.get(offer).get_data(as_text=True)).with_field("value"), action="listen-en"))
    assert spoken[-1].endswith("press 6."), spoken
    # The callback number read back: a sample number, as a caller hears one, never "{number}".
    number = "/admin/content/en/phrases/callback_number"
    admin.post(number, data=values(Forms(admin.get(number).get_data(as_text=True)).with_field("value"), action="listen-en"))
    assert "{" not in spoken[-1] and "5 5 5, 5 5 5, 0 1 2 3" in spoken[-1], spoken


def test_a_pasted_page_in_a_phrase_is_refused_and_listen_has_a_cap(admin: FlaskClient) -> None:
    phrase = "/admin/content/en/phrases/greeting"
    form = Forms(admin.get(phrase).get_data(as_text=True)).with_field("value")
    refused = admin.post(phrase, data=values(form, value="word " * 20_000))
    assert refused.status_code == 422 and "20000 words; expected at most 150" in Page(refused.get_data(as_text=True)).text
    listen = admin.post(EDITOR, data=values(editor_form(admin), action="listen-en", spoken="word " * 400))
    assert "Listen plays at most 150 words" in Page(listen.get_data(as_text=True)).text


def test_odd_numbers_and_actions_in_addresses_and_forms_are_plain_answers(admin: FlaskClient) -> None:
    for path in (f"{EDITOR}?published=99999999999999999999", f"{EDITOR}?published=%C2%B2", "/admin/history?page=%C2%B2",
                 "/admin/messages?page=%C2%B2", "/admin/history?page=99999999999999999999"):
        assert admin.get(path).status_code == 200, path
    assert admin.post(EDITOR, data=values(editor_form(admin), action="bogus")).status_code == 400
    assert "No changes" in Page(admin.get("/admin/history").get_data(as_text=True)).text


def test_a_comment_after_a_one_line_answer_stays_a_comment() -> None:
    import yaml

    from service.content.edits import Edit, apply

    text = "topics:\n  skin:\n    title: skin\n    text: Old words.  # checked with the clinic\n    spoken: Old words.\n"
    texts, _ = apply({"en.yaml": text}, [Edit("en", "topic", "skin", "text", "New words. Two sentences.")])
    edited = texts["en.yaml"]
    assert yaml.safe_load(edited)["topics"]["skin"]["text"] == "New words. Two sentences."
    assert "# checked with the clinic" in edited


def test_an_added_optional_phrase_is_a_line_of_its_own_and_a_phrase_a_deploy_removed_is_never_written_back() -> None:
    import yaml

    from service.content.edits import Edit, apply

    text = ('phrases:\n  greeting: Hello.\n  sms_also_two: "Reply {key1} ({title1}) or {key2} ({title2})."   # two in one line\n'
            'menus:\n  main: {}\n')
    texts, outcomes = apply({"en.yaml": text}, [Edit("en", "phrase", "sms_goodbye", "value", "Bye: take care # now"),
                                                Edit("en", "phrase", "sms_old_name", "value", "Retired words.")])
    edited = texts["en.yaml"]
    # The comment stays with the phrase it is about; the new phrase reads back as typed; the rest is unchanged.
    assert '({title2})."   # two in one line\n  sms_goodbye: ' in edited
    assert yaml.safe_load(edited)["phrases"]["sms_goodbye"] == "Bye: take care # now"
    assert edited.endswith("menus:\n  main: {}\n")
    # A phrase that is not optional and not in the file (a deploy renamed or removed it): missing, not written back.
    assert "sms_old_name" not in edited
    assert [(o.edit.ident, o.status) for o in outcomes] == [("sms_goodbye", "applied"), ("sms_old_name", "missing")]


def test_publishing_one_field_changes_only_that_field_whatever_order_the_sources_are_listed_in(prompts: Path, tmp_path: Path) -> None:
    # A topic whose sources are not in the order the page shows its boxes (by title): publishing its text alone must
    # not rewrite its sources, nor touch the other language.
    with (prompts / "sources.yaml").open("a", encoding="utf-8") as f:
        f.write('\na-study:\n  title: "A study of POEMS"\n  publisher: a journal\n  year: 2025\n  url: https://example.org/a-study\n')
    for name in ("en.yaml", "es.yaml"):
        text = (prompts / name).read_text(encoding="utf-8")
        start = text.index("\n  contagious:")
        at = text.index("sources: [fact-sheet]", start)
        (prompts / name).write_text(text[:at] + "sources: [fact-sheet, a-study]" + text[at + len("sources: [fact-sheet]"):], encoding="utf-8")
    app = make_app(tmp_path, PROMPTS_DIR=str(prompts), ADMIN_PASSWORD_HASH=HASH)
    admin = signed_in(https_client(app))
    assert admin.post(EDITOR, data=values(editor_form(admin), text=f"{NEW_WORDS} Ask your doctor.")).status_code == 303
    assert {(e.lang, e.field) for e in app.extensions["editing"].edits()} == {("en", "text")}
    assert app.extensions["line"].content.languages["en"].topic("contagious").sources == ("fact-sheet", "a-study")


def test_a_publish_sent_after_the_session_ended_says_so_and_signing_in_leads_back_to_the_editor(editor_app: Flask) -> None:
    browser = signed_in(https_client(editor_app))
    form = editor_form(browser)
    browser.post("/admin/sign-out", data={"csrf": form["fields"]["csrf"][0]})
    sent = browser.post(EDITOR, data=values(form, text=f"{NEW_WORDS} Ask your doctor."))
    assert sent.status_code == 302 and "/admin/sign-in" in sent.headers["Location"]
    page = Page(browser.get(sent.headers["Location"]).get_data(as_text=True))
    assert "Your session ended, so that was not done" in page.text and "kept in this browser" in page.text
    fields = {**page.form("")["fields"], "name": "Maria", "password": PASSWORD}
    back = browser.post(sent.headers["Location"], data=fields)
    assert back.status_code == 302 and back.headers["Location"].endswith(EDITOR)
    assert OLD_WORDS in texted(editor_app)  # nothing was published


def test_a_number_mistyped_in_one_language_is_refused_and_a_change_made_in_every_language_is_published(admin: FlaskClient, editor_app: Flask) -> None:
    line = editor_app.extensions["line"]
    en_text = line.content.languages["en"].topic("contagious").text
    form = editor_form(admin)
    refused = admin.post(EDITOR, data=values(form, text=f"{en_text} Call 1-800-555-0199."))
    assert refused.status_code == 422
    refusal = Page(refused.get_data(as_text=True)).text
    assert "the text answer lacks the number 18005550199" in refusal
    assert "This change makes the languages disagree" in refusal and "how_common" not in refusal
    assert OLD_WORDS in texted(editor_app)
    both = admin.post(EDITOR, data=values(form, text=f"{OLD_WORDS} Call 1-800-555-0199.",
                                          **{"es-text": "No. POEMS no es una infección. Llame al 1-800-555-0199."}))
    assert both.status_code == 303, Page(both.get_data(as_text=True)).text[:1500]


def test_a_phone_number_read_digit_by_digit_with_two_digits_swapped_is_refused(admin: FlaskClient, editor_app: Flask) -> None:
    # An admin's slip: the Spanish spoken answer gave NORD's number with its last digits swapped and was published,
    # because a number said digit by digit was read as a set of single digits, in no order.
    form = editor_form(admin)
    en_spoken, es_spoken = form["fields"]["spoken"][0], form["fields"]["es-spoken"][0]
    nord = " NORD is at 1, 8 0 0, 9 9 9, 6 6 7 3."
    refused = admin.post(EDITOR, data=values(form, spoken=en_spoken + nord,
                                             **{"es-spoken": es_spoken + " NORD: 1, 8 0 0, 9 9 9, 6 6 3 7."}))
    assert refused.status_code == 422
    refusal = Page(refused.get_data(as_text=True)).text
    assert "the spoken answer lacks the number 18009996673" in refusal, refusal[:1500]
    assert "NORD is at" not in " ".join(editor_app.extensions["line"].content.languages["en"].topic("contagious").spoken.split())
    right = admin.post(EDITOR, data=values(form, spoken=en_spoken + nord,
                                           **{"es-spoken": es_spoken + " NORD: 1, 8 0 0, 9 9 9, 6 6 7 3."}))
    assert right.status_code == 303, Page(right.get_data(as_text=True)).text[:1500]
    # A list of single numbers is several numbers, whatever the commas ("days 1, 8 and 15", "días 1 y 8 y 15").
    from service.content.checks import numbers_in

    en, es = (editor_app.extensions["line"].content.languages[code] for code in ("en", "es"))
    assert numbers_in(en, "on days 1, 8 and 15") == numbers_in(es, "los días 1 y 8 y 15") == {"1", "8", "15"}
    assert numbers_in(en, "stage 1, 2 or 3") == {"1", "2", "3"} and numbers_in(en, "call 9 1 1") == {"911"}


def test_a_problem_a_change_causes_in_another_topic_links_to_that_topic(admin: FlaskClient, editor_app: Flask) -> None:
    # A much longer title makes other topics' first texts longer (the runner-up's title is offered after them).
    long_title = "whether POEMS syndrome can be caught from another person at all"[:60]
    checked = admin.post(EDITOR, data=values(editor_form(admin), title=long_title, action="check"))
    page = checked.get_data(as_text=True)
    others = re.findall(r'<li><a href="(/admin/content/en/(?!contagious)[\w-]+)">', page)
    assert checked.status_code == 422 and others, Page(page).text[:800]
    assert "those about other topics, which your change affects" in Page(page).text
    assert admin.get(others[0]).status_code == 200
    assert "Not published" not in Page(page).text  # Check publishes nothing, and says so plainly


def test_a_form_of_a_page_sent_after_the_session_ended_leads_back_to_that_page(editor_app: Flask) -> None:
    # "Mark handled", "Revert" and the like post to addresses that are no page: signing in leads to the page they were on.
    browser = signed_in(https_client(editor_app))
    token = editor_form(browser)["fields"]["csrf"][0]
    browser.post("/admin/sign-out", data={"csrf": token})
    sent = browser.post("/admin/history/1/revert", data={"csrf": token}, headers={"Referer": "https://line.example.org/admin/history?page=2"})
    assert sent.status_code == 302 and "ended=1" in sent.headers["Location"]
    page = Page(browser.get(sent.headers["Location"]).get_data(as_text=True))
    back = browser.post(sent.headers["Location"], data={**page.form("")["fields"], "name": "Maria", "password": PASSWORD})
    assert back.status_code == 302 and back.headers["Location"].endswith("/admin/history?page=2")
    assert browser.get(back.headers["Location"]).status_code == 200


def test_too_much_pasted_gets_a_plain_admin_page_not_a_bare_error(admin: FlaskClient, editor_app: Flask) -> None:
    page = admin.post(EDITOR, data=values(editor_form(admin), spoken="POEMS. " * 25_000))
    text = Page(page.get_data(as_text=True)).text
    assert page.status_code == 413 and "nothing was saved" in text and "kept in this browser" in text
    assert "Overview" in text  # the admin pages' own page, with their navigation
    assert OLD_WORDS in texted(editor_app)


def test_an_optional_phrase_a_language_leaves_out_is_added_from_the_admin_pages(admin: FlaskClient, editor_app: Flask,
                                                                                prompts: Path) -> None:
    content_page = admin.get("/admin/content").get_data(as_text=True)
    assert "/admin/content/en/phrases/sms_goodbye" in content_page and "add sms_goodbye" in content_page

    def bye(texter: str, words: str = "bye") -> str:
        thread = TextThread(TwilioClient(editor_app.test_client(), TOKEN), texter=texter)
        thread.send("contagious")
        return thread.send(words)[-1]

    courtesy = editor_app.extensions["line"].content.languages["en"].phrases["sms_courtesy"]
    assert bye("+15555550160") == courtesy  # without the phrase, a goodbye gets the courtesy reply
    page = admin.get("/admin/content/en/phrases/sms_goodbye")
    assert page.status_code == 200
    said = " ".join(Page(page.get_data(as_text=True)).text.split())
    assert "English does not have this optional phrase yet" in said and 'Without it, a "bye" gets sms_courtesy' in said
    form = Forms(page.get_data(as_text=True)).with_field("value")
    assert form["fields"]["value"] == [""] and form["fields"]["es-value"] == [""]  # every language's field, empty until written
    assert admin.get("/admin/content/en/phrases/no_such_phrase").status_code == 404

    too_long = admin.post("/admin/content/en/phrases/sms_goodbye", data=values(form, value="Goodbye. " * 30))
    assert too_long.status_code == 422 and "sms_goodbye" in too_long.get_data(as_text=True)
    assert admin.post("/admin/content/en/phrases/sms_goodbye",
                      data=values(form, value="Goodbye, take care. Text MENU any time.")).status_code == 303
    assert bye("+15555550161") == "Goodbye, take care. Text MENU any time."
    # Once there, its page still says when texters meet it.
    said = " ".join(Page(admin.get("/admin/content/en/phrases/sms_goodbye").get_data(as_text=True)).text.split())
    assert said.count('Without it, a "bye" gets sms_courtesy') == 2  # in English's field, and Spanish's "not yet"
    assert "English does not have this optional phrase yet" not in said
    after = admin.get("/admin/content").get_data(as_text=True)
    assert '/admin/content/en/phrases/sms_goodbye">add' not in after and '/admin/content/es/phrases/sms_goodbye">add' in after

    # The files, brought in step with what was published, hold it as a line of the phrases, and pass the check.
    assert editor_app.test_cli_runner().invoke(args=["prompts", "pull"]).exit_code == 0
    assert re.search(r"^  sms_goodbye: Goodbye, take care\. Text MENU any time\.$", (prompts / "en.yaml").read_text(encoding="utf-8"), re.MULTILINE)
    assert editor_app.test_cli_runner().invoke(args=["prompts", "check"]).exit_code == 0


def test_the_content_page_after_publishing_an_answer_does_not_rank_the_whole_bank_again(
        admin: FlaskClient, editor_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    # An exploratory admin waited 4.5 to 20 s for the Content page after each publish: its check of the examples
    # ranks every one of the bank's thirteen thousand, though an answer's words change none of them.
    from service.understanding import matcher as matcher_module

    assert admin.get("/admin/content").status_code == 200
    before = Page(admin.get("/admin/content").get_data(as_text=True)).text
    ranked: list[str] = []
    decide = matcher_module.LanguageIndex.decide
    monkeypatch.setattr(matcher_module.LanguageIndex, "decide",
                        lambda self, text, *args, **kwargs: ranked.append(text) or decide(self, text, *args, **kwargs))
    assert admin.post(EDITOR, data=values(editor_form(admin), text=NEW_WORDS)).status_code == 303
    after = Page(admin.get("/admin/content").get_data(as_text=True)).text
    assert not ranked, len(ranked)
    # The same warnings about examples as before the publish.
    assert re.findall(r"the example \"[^\"]+\" is answered with", after) == re.findall(r"the example \"[^\"]+\" is answered with", before)
    # An example added is a new bank: checked again.
    form = editor_form(admin)
    assert admin.post(EDITOR, data=values(form, examples=form["fields"]["examples"][0] + "\nmy feet are numb and tingling")).status_code == 303
    admin.get("/admin/content")
    assert "my feet are numb and tingling" in ranked
