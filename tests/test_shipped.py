"""The content that ships, whatever prompts/ holds: every topic reachable by key, speech and text, within the text
limits, with its audio; and an admin's new topic works with no change to Python."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import deque
from pathlib import Path

import pytest
import yaml
from flask import Flask

from service.audio.build import build
from service.content import Content, gsm, load, sms_texts
from service.simulator import PhoneCall, TextThread, TwilioClient, audio_texts
from tests.conftest import ROOT, TOKEN, make_app, silent_engine

SHIPPED = load(ROOT / "prompts")


def shipped_app(tmp_path: Path, prompts: Path = ROOT / "prompts", audio: Path = ROOT / "audio") -> Flask:
    return make_app(tmp_path, PROMPTS_DIR=str(prompts), AUDIO_DIR=str(audio))


def key_paths(content: Content) -> dict[str, list[str]]:
    """The fewest keys from the main menu to each topic and action."""
    paths: dict[str, list[str]] = {}
    queue: deque[tuple[str, list[str]]] = deque([("main", [])])
    seen = {"main"}
    while queue:
        menu_id, keys = queue.popleft()
        for option in content.menus[menu_id].options:
            if option.kind == "menu":
                if option.target not in seen:
                    seen.add(option.target)
                    queue.append((option.target, keys + [option.key]))
            else:
                paths.setdefault(option.target, keys + [option.key])
    return paths


def language_key(content: Content, code: str) -> list[str]:
    """Keys that switch a call from the default language to another (6, then a number when there are several)."""
    if code == content.default_language:
        return []
    if len(content.languages) == 2:
        return [content.keys["language"]]
    return [content.keys["language"], str(list(content.languages).index(code) + 1)]


@pytest.mark.parametrize("code", list(SHIPPED.languages))
def test_every_topic_answers_by_key_with_its_own_audio(code: str, tmp_path: Path) -> None:
    app = shipped_app(tmp_path)
    line = app.extensions["line"]
    lang = line.content.languages[code]
    for topic, keys in key_paths(line.content).items():
        call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
        call.start()
        for key in language_key(line.content, code) + keys:
            turn = call.press(key)
        expected = lang.prompts[f"topic.{topic}"].text
        heard = [h for h in turn.heard if h.text == expected]
        assert heard, f"{code}: keys {keys} did not lead to {topic}"
        assert heard[0].audio, f"{code}: {topic} was spoken by Say: its audio is missing or stale"


@pytest.mark.parametrize("code", list(SHIPPED.languages))
def test_every_topic_answers_by_its_keyword_by_text_and_by_speech(code: str, tmp_path: Path) -> None:
    app = shipped_app(tmp_path)
    line = app.extensions["line"]
    lang = line.content.languages[code]
    twilio = TwilioClient(app.test_client(), TOKEN)
    for topic in line.content.topic_ids():
        target = lang.topic(topic)
        thread = TextThread(twilio, texter="+15555550111")
        thread.send(lang.words["language"][0])  # a texter sets the language by naming it
        replies = thread.send(target.keyword.upper())
        assert replies and gsm.fold(target.text) in replies[-1], f"{code}: texting {target.keyword.upper()} did not answer {topic}"
        if target.kind == "topic":
            call = PhoneCall(twilio, audio_texts(line))
            call.start()
            if code != line.content.default_language:
                for key in language_key(line.content, code):
                    call.press(key)
            turn = call.say(target.keyword)
            assert lang.prompts[f"topic.{topic}"].text in turn.text, f"{code}: saying '{target.keyword}' did not answer {topic}"


def test_every_text_reply_fits_three_plain_segments() -> None:
    for lang in SHIPPED.languages.values():
        for name, text in sms_texts(SHIPPED, lang).items():
            assert not gsm.non_gsm(text), f"{lang.code} {name}: characters outside GSM-7"
            assert gsm.segments(text) <= gsm.MAX_SEGMENTS, f"{lang.code} {name}: {gsm.segments(text)} segments"


def test_every_topic_is_in_every_language_with_spoken_and_text_answers() -> None:
    for topic in SHIPPED.topic_ids():
        for lang in SHIPPED.languages.values():
            target = lang.topic(topic)
            assert target.text and target.spoken and target.title and target.keyword


def add_topic_as_the_readme_says(prompts: Path, topic: str, texts: dict[str, dict[str, str]]) -> tuple[str, str]:
    """Add a topic in every language file and its option in line.yaml, as an admin following prompts/README.md would:
    a block under topics:, and '- key: N / topic: name' in the first menu with a free key (the menu and key are
    returned)."""
    for code, fields in texts.items():
        with (prompts / f"{code}.yaml").open("a", encoding="utf-8") as f:
            f.write(f"\n  {topic}:\n")
            for name, value in fields.items():
                if name in ("phrases", "examples", "sources"):
                    f.write(f"    {name}: [{value}]\n")
                else:
                    f.write(f"    {name}: >-\n      {value}\n")
    line_file = prompts / "line.yaml"
    structure = yaml.safe_load(line_file.read_text(encoding="utf-8"))
    menu = next(m for m, options in structure["menus"].items() if len(options) < 5)
    key = str(len(structure["menus"][menu]) + 1)
    lines = line_file.read_text(encoding="utf-8").split("\n")
    start = lines.index(f"  {menu}:")
    end = start + 1
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    lines[end:end] = [f"    - key: {key}", f"      topic: {topic}"]
    line_file.write_text("\n".join(lines), encoding="utf-8")
    return menu, key


NEW_TOPIC = {
    "en": {"title": "when this line is open", "keyword": "hours", "phrases": "opening hours, line hours",
           "spoken": "This recorded line answers day and night, every day of the year.",
           "text": "This recorded line answers day and night, every day of the year.",
           "reviewed": "2026-11-25"},
    "es": {"title": "cuándo atiende esta línea", "keyword": "horario", "phrases": "horas de atencion, horario de la linea",
           "spoken": "Esta línea grabada atiende de día y de noche, todos los días del año.",
           "text": "Esta linea grabada atiende de dia y de noche, todos los dias del año.",
           "reviewed": "2026-11-25"},
}


def test_an_admin_adds_a_topic_with_no_python_change(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    audio = tmp_path / "audio"
    shutil.copytree(ROOT / "prompts", prompts)
    shutil.copytree(ROOT / "audio", audio)
    sources = _a_source_id(prompts)
    texts = {code: {**fields, **({"sources": sources} if sources else {})} for code, fields in NEW_TOPIC.items()
             if code in SHIPPED.languages}
    menu, key = add_topic_as_the_readme_says(prompts, "hours", texts)
    # Step 3 of the README: rebuild the audio (here with a silent engine instead of gTTS).
    build(load(prompts), audio, engine="espeak", synthesizer=silent_engine)
    env = {"PROMPTS_DIR": str(prompts), "AUDIO_DIR": str(audio), "DATABASE_URL": "none", "PATH": "/usr/bin:/bin"}
    check = subprocess.run([sys.executable, "-m", "flask", "--app", "service", "prompts", "check"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr

    app = shipped_app(tmp_path, prompts, audio)
    line = app.extensions["line"]
    twilio = TwilioClient(app.test_client(), TOKEN)
    answer = line.content.languages["en"].prompts["topic.hours"].text
    call = PhoneCall(twilio, audio_texts(line))
    call.start()
    for step in key_paths(line.content)["hours"]:
        turn = call.press(step)
    assert answer in turn.text and any(h.audio and h.text == answer for h in turn.heard)
    call = PhoneCall(twilio, audio_texts(line))
    call.start()
    assert answer in call.say("hours").text
    assert "answers day and night" in TextThread(twilio).send("HOURS")[-1]
    if "es" in line.content.languages:
        # A new texter (Twilio keeps one cookie per number pair): a first message in Spanish is answered in Spanish.
        spanish = TextThread(TwilioClient(app.test_client(), TOKEN), texter="+15555550999")
        assert "atiende de dia y de noche" in spanish.send("horario")[-1]


def _a_source_id(prompts: Path) -> str:
    """An id from the bibliography, when the content has one (topics then must name their sources)."""
    bibliography = prompts / "sources.yaml"
    if not bibliography.exists():
        return ""
    return next(iter(yaml.safe_load(bibliography.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("code", list(SHIPPED.languages))
def test_the_menus_keep_calls_short_for_the_slowest_caller(code: str) -> None:
    """The structure the call-time goals rest on, counted in words at 150 a minute (bench/call_time.py prints it)."""
    from statistics import median

    from service.content.listening import listening_times, seconds

    lang = SHIPPED.languages[code]
    # The other languages are offered, in their own words, within the first 15 words of a call.
    assert len(lang.prompts["phrase.greeting"].text.split()) + 4 <= 15
    assert seconds(lang.prompts["menu.main"]) <= 20
    assert all(len(menu.options) <= 5 for menu in SHIPPED.menus.values())
    times = listening_times(SHIPPED, code)
    assert max(presses for _, presses in times.values()) <= 3
    near = [at for at, presses in times.values() if presses <= 2]
    assert median(near) <= 20 and max(near) <= 30, sorted(near)
    assert SHIPPED.timeouts["first_seconds"] >= 10


@pytest.mark.parametrize("code", list(SHIPPED.languages))
def test_every_first_text_has_one_notice_the_whole_answer_and_its_closing_line(code: str, tmp_path: Path) -> None:
    """A new texter who asks about any topic, in any language, gets the notice once, the whole answer (nothing cut)
    and the footer, in one message of at most three segments."""
    from service.content.replies import sms_answer

    app = shipped_app(tmp_path)
    line = app.extensions["line"]
    lang = line.content.languages[code]
    notice, footer = gsm.fold(lang.phrases["sms_welcome"]), gsm.fold(lang.phrases["sms_answer_footer"])
    asked = 0
    for topic in line.content.topic_ids():
        target = lang.topic(topic)
        # The topic's own bank examples, as people wrote them, that the line takes as this language and answers with
        # this topic: what a new texter would really send first; else the topic's keyword, which always leads there.
        first = next((e for e in target.examples if line.languages.language(e, None) == code
                      and line.matcher.decide(e, code).kind == "answer" and line.matcher.decide(e, code).target.id == topic),
                     target.keyword)
        [reply] = TextThread(TwilioClient(app.test_client(), TOKEN), texter="+15555550142").send(first)
        asked += 1
        assert reply.count(notice) == 1 and reply.startswith(notice), f"{code} {topic}: {first!r} -> {reply!r}"
        assert sms_answer(lang, target) in reply and reply.endswith(footer), f"{code} {topic}: the answer was cut: {reply!r}"
        assert "..." not in reply.removeprefix(notice) or "..." in target.text
        assert gsm.segments(reply) <= gsm.MAX_SEGMENTS and not gsm.non_gsm(reply)
    assert asked == len(line.content.topic_ids())


def test_every_way_of_asking_to_stop_to_switch_language_or_to_hear_it_again_works_by_text(tmp_path: Path) -> None:
    """Each entry of each language's word lists, as the files hold them, sent by a texter: asking to stop in other
    words gets the help that says to reply STOP; a language's name or "do you speak ..." its welcome; "what?" or
    "again" after an answer the same answer."""
    app = shipped_app(tmp_path)
    line = app.extensions["line"]
    twilio = TwilioClient(app.test_client(), TOKEN)
    texters = iter(f"+1555556{n:04d}" for n in range(10000))
    for lang in line.content.languages.values():
        help_text, welcome = gsm.fold(lang.phrases["sms_help"]), gsm.fold(lang.phrases["sms_welcome"])
        for words in lang.words.get("stop_texts", ()):
            [reply] = TextThread(twilio, texter=next(texters)).send(words)
            assert help_text in reply, f"{lang.code} stop_texts {words!r}: {reply[:80]!r}"
        # A number word ("seis": key 6 said on a call) is a number by text, an option of the menu.
        for words in (w for w in lang.words["language"] if w not in lang.words["numbers"]):
            [reply] = TextThread(twilio, texter=next(texters)).send(words)
            assert reply.startswith(welcome), f"{lang.code} language {words!r}: {reply[:80]!r}"
        topic = lang.topic(line.content.topic_ids()[0])
        thread = TextThread(twilio, texter=next(texters))
        thread.send(lang.words["language"][0])
        thread.send(topic.keyword.upper())
        for words in lang.words["repeat"]:
            [again] = thread.send(words)
            assert gsm.fold(topic.text) in again, f"{lang.code} repeat {words!r}: {again[:80]!r}"


def test_a_letter_a_menu_names_an_option_by_reaches_it_when_said(tmp_path: Path) -> None:
    """The symptoms menu says "skin changes, the S": a caller who says "the S" there is answered with skin changes
    (for every option whose title names it by a letter, in every language whose phrases hold that way of saying it)."""
    import re

    app = shipped_app(tmp_path)
    line = app.extensions["line"]
    checked = 0
    for lang in line.content.languages.values():
        for topic in line.content.topic_ids():
            target = lang.topic(topic)
            letter = re.search(r",\s+(\w+\s+\w)$", target.title)
            if not letter or letter.group(1).lower() not in target.phrases:
                continue
            call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
            call.start()
            for key in language_key(line.content, lang.code):
                call.press(key)
            turn = call.say(letter.group(1))
            assert lang.prompts[f"topic.{topic}"].text in turn.text, (lang.code, topic, letter.group(1))
            checked += 1
    assert checked >= 5


def test_back_by_text_from_a_menu_inside_another_goes_to_the_menu_above_as_0_does_by_phone(tmp_path: Path) -> None:
    # "menu", "5", "5", "back" went to the main menu from the family menu inside help and support (an exploratory texter's).
    from service.content import gsm

    app = shipped_app(tmp_path)
    inner = [m for m in SHIPPED.menus.values() if m.parent not in (None, "main")]
    if not inner:
        pytest.skip("the shipped menus have no menu inside another")
    en = SHIPPED.languages["en"]
    for menu in inner:
        path: list[str] = []
        at = menu.id
        while at != "main":  # the keys from the main menu down to this menu
            parent = SHIPPED.menus[SHIPPED.menus[at].parent or "main"]
            path.insert(0, next(o.key for o in parent.options if o.kind == "menu" and o.target == at))
            at = parent.id
        thread = TextThread(TwilioClient(app.test_client(), TOKEN), texter="+15555550143")
        thread.send("menu")
        for key in path:
            thread.send(key)
        [reply] = thread.send("back")
        above = SHIPPED.menus[menu.parent or "main"]
        titles = [gsm.fold(en.targets[(o.kind, o.target)].title) for o in above.options]
        assert all(title in reply for title in titles), (menu.id, reply)
        # From a "did you mean" asked inside a menu, "back" is that menu again, not the one above it.
        for key in path[len(path) - 1:]:
            thread.send(key)
        asked = next((m for m in ("my hands", "tell me more", "nerves and hormones", "what next")
                      if gsm.fold(en.phrases["sms_did_you_mean"]) in thread.send(m)[0]), None)
        if asked is not None:
            [reply] = thread.send("back")
            here = [gsm.fold(en.targets[(o.kind, o.target)].title) for o in menu.options]
            assert all(title in reply for title in here), (menu.id, reply)
