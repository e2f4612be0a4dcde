"""Pre-built audio: gTTS (HTTP mocked) and espeak-ng builds, incremental rebuilds, the Say fallback, serving."""

from __future__ import annotations

import base64
import http.client
import json
import urllib.parse
from pathlib import Path

import pytest
import requests

from service.audio import build as audio_build
from service.audio.library import MANIFEST, RECHECK_SECONDS, AudioLibrary, audio_problems, read_manifest
from service.audio.build import build
from service.content import load
from service.simulator import PhoneCall, TwilioClient, audio_texts
from tests.conftest import ROOT, TOKEN, fixture_audio, make_app, silence_mp3
from tests.test_content import edit


class FakeGoogle:
    """Answers gTTS's requests like Google's batchexecute endpoint, one fake response per request."""

    def __init__(self, fail: dict[str, list[int]] | None = None) -> None:
        self.requests: list[tuple[str, dict[str, object]]] = []
        self.fail = fail or {}
        self.audio = base64.b64encode(silence_mp3()).decode()

    def send(self, session: requests.Session, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        body = urllib.parse.unquote(request.body or "")
        self.requests.append((body, kwargs))
        response = requests.Response()
        response.request = request
        response.url = request.url
        for needle, statuses in self.fail.items():
            if needle in body and statuses:
                response.status_code = statuses.pop(0)
                response.reason = http.client.responses[response.status_code]
                response._content = b"error"
                return response
        response.status_code = 200
        response._content_consumed = True
        response._content = (')]}\'\n\n[["wrb.fr","jQ1olc","[\\"' + self.audio + '\\"]",null,null,null,"generic"]]\n').encode()
        return response


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> FakeGoogle:
    fake = FakeGoogle()
    monkeypatch.setattr(audio_build, "check_reachable", lambda *a, **k: None)  # the fake answers in Google's place
    monkeypatch.setattr(requests.Session, "send", lambda self, request, **kw: fake.send(self, request, **kw))
    monkeypatch.setattr(audio_build.time, "sleep", lambda seconds: None)
    return fake


def test_gtts_builds_every_prompt_through_its_real_code_path(small_prompts: Path, tmp_path: Path, google: FakeGoogle) -> None:
    content = load(small_prompts)
    report = build(content, tmp_path / "audio", engine="gtts", jobs=2)
    assert not report.failed and len(report.made) == len(content.prompts())
    assert google.requests and all(kw["timeout"] == audio_build.GTTS_TIMEOUT for _, kw in google.requests)
    assert any('\\"en\\"' in body and "rare blood disorder" in body for body, _ in google.requests)
    records = read_manifest(tmp_path / "audio")
    assert all(r["engine"] == "gtts" and r["voice"] == "en.com" and r["duration"] > 0.3 for r in records.values())
    assert audio_problems(content, tmp_path / "audio") == []


def test_gtts_backs_off_and_retries_on_429_and_server_errors(small_prompts: Path, tmp_path: Path, google: FakeGoogle) -> None:
    google.fail = {"not an infection": [429, 429, 503]}
    report = build(load(small_prompts), tmp_path / "audio", engine="gtts", jobs=1)
    assert not report.failed
    tries = [body for body, _ in google.requests if "not an infection" in body]
    assert len(tries) >= 4


def test_a_gtts_failure_names_the_prompt_and_leaves_the_other_files(small_prompts: Path, tmp_path: Path, google: FakeGoogle) -> None:
    content = load(small_prompts)
    google.fail = {"not an infection": [429] * 20}
    report = build(content, tmp_path / "audio", engine="gtts", jobs=2)
    assert [(p.id, p.lang) for p, _ in report.failed] == [("topic.contagious", "en")]
    assert "429" in report.failed[0][1]
    assert len(report.made) == len(content.prompts()) - 1
    assert all((tmp_path / "audio" / name).is_file() for name in report.made)
    problems = [str(p) for p in audio_problems(content, tmp_path / "audio")]
    line = content.languages["en"].topic("contagious").line_of("spoken")
    assert problems == [f"prompts/en.yaml:{line}: topic.contagious (en): no audio for this text; expected an audio file: run flask --app service audio build"]


def test_the_build_command_shows_progress_and_names_failures(small_prompts: Path, tmp_path: Path, google: FakeGoogle) -> None:
    google.fail = {"not an infection": [400]}
    app = make_app(tmp_path, PROMPTS_DIR=str(small_prompts), AUDIO_DIR=str(tmp_path / "audio"))
    result = app.test_cli_runner().invoke(args=["audio", "build"])
    assert result.exit_code == 1
    assert "Building audio with gtts" in result.output
    assert "FAILED prompts/en.yaml:158: topic.contagious (en): gTTS failed: 400 (Bad Request) from TTS API" in result.output


def test_an_offline_gtts_build_fails_fast_with_a_clear_message(small_prompts: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import time

    def unreachable(*args: object, **kwargs: object) -> None:
        raise OSError(101, "Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    app = make_app(tmp_path, PROMPTS_DIR=str(small_prompts), AUDIO_DIR=str(tmp_path / "audio"))
    started = time.monotonic()
    result = app.test_cli_runner().invoke(args=["audio", "build"])
    assert time.monotonic() - started < 10
    assert result.exit_code == 1 and "gTTS cannot reach Google's text-to-speech service" in result.output
    assert "--engine espeak" in result.output and "file(s) to make with gtts" in result.output


class CountingEngine:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, text: str, lang: object) -> bytes:
        self.texts.append(text)
        return silence_mp3(0.3)


def test_rebuilding_after_one_change_makes_one_file_and_prune_removes_the_old_one(small_prompts: Path, tmp_path: Path) -> None:
    audio = tmp_path / "audio"
    first = CountingEngine()
    build(load(small_prompts), audio, engine="espeak", synthesizer=first)
    count = len(list(audio.glob("*.mp3")))
    edit(small_prompts, "en.yaml", "Nothing suggests it can be caught from another person.\n    text",
         "Nothing suggests it can be caught from anyone.\n    text")
    content = load(small_prompts)
    stale = [str(p) for p in audio_problems(content, audio)]
    assert stale[0] == "prompts/en.yaml:158: topic.contagious (en): audio is out of date (the text changed since it was built); expected new audio: run flask --app service audio build"
    second = CountingEngine()
    report = build(content, audio, engine="espeak", synthesizer=second)
    assert second.texts == ["No. POEMS is not an infection. Nothing suggests it can be caught from anyone."]
    assert len(report.made) == 1 and report.kept == count - 1
    assert len(list(audio.glob("*.mp3"))) == count + 1
    assert any("not used by any prompt" in str(p) for p in audio_problems(content, audio))
    pruned = build(content, audio, engine="espeak", prune=True, synthesizer=CountingEngine())
    assert len(pruned.removed) == 1 and len(list(audio.glob("*.mp3"))) == count
    assert [p for p in audio_problems(content, audio) if "espeak-ng" not in p.message] == []
    assert [p.severity for p in audio_problems(content, audio)] == ["warning"]  # built offline: a reminder to rebuild


def test_file_names_change_with_text_language_voice_and_engine(small_prompts: Path) -> None:
    from service.audio.library import file_name
    from service.content import Prompt

    base = Prompt("en", "topic.x", "Hello.")
    names = {file_name(base, "gtts", "en.com"), file_name(Prompt("en", "topic.x", "Hello!"), "gtts", "en.com"),
             file_name(Prompt("es", "topic.x", "Hello."), "gtts", "en.com"), file_name(base, "gtts", "en.co.uk"),
             file_name(base, "espeak", "en.com")}
    assert len(names) == 5


@pytest.mark.skipif(audio_build.espeak_binary() is None, reason="espeak-ng is not installed")
def test_espeak_builds_real_mp3_offline(small_prompts: Path, tmp_path: Path) -> None:
    content = load(small_prompts)
    report = build(content, tmp_path / "audio", engine="espeak", jobs=2)
    assert not report.failed
    records = read_manifest(tmp_path / "audio")
    greeting = next(r for r in records.values() if r["prompt"] == "phrase.greeting")
    assert 4 < greeting["duration"] < 20 and greeting["engine"] == "espeak"


def test_gtts_is_preferred_over_espeak_when_both_exist(small_prompts: Path, tmp_path: Path, google: FakeGoogle) -> None:
    content = load(small_prompts)
    build(content, tmp_path / "audio", engine="espeak", synthesizer=CountingEngine())
    build(content, tmp_path / "audio", engine="gtts")
    library = AudioLibrary(tmp_path / "audio")
    assert "-gtts-" in library.file_for(content.languages["en"].prompts["phrase.greeting"])


def test_shipped_audio_matches_the_prompts() -> None:
    assert [p for p in audio_problems(load(ROOT / "prompts"), ROOT / "audio") if p.severity == "error"] == []


def _skin_turn(app) -> object:  # type: ignore[no-untyped-def]
    line = app.extensions["line"]
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line))
    call.start()
    call.press("2")
    return call.press("5")


def _skin_file(audio_dir: Path) -> Path:
    records = read_manifest(audio_dir)
    return audio_dir / next(n for n, r in records.items() if r["prompt"] == "topic.skin" and r["lang"] == "en")


@pytest.mark.parametrize("damage", ["delete", "corrupt", "truncate"])
def test_a_missing_or_broken_file_while_running_is_spoken_with_say(damage: str, audio_copy: Path, tmp_path: Path) -> None:
    app = make_app(tmp_path, AUDIO_DIR=str(audio_copy))
    library = app.extensions["line"].audio
    now = [1000.0]
    library.clock = lambda: now[0]
    assert _skin_turn(app).heard[0].audio is not None
    path = _skin_file(audio_copy)
    if damage == "delete":
        path.unlink()
    elif damage == "corrupt":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    else:
        path.write_bytes(path.read_bytes()[:100])
    # Files are looked at again once RECHECK_SECONDS have passed since they were last found good.
    now[0] += RECHECK_SECONDS
    turn = _skin_turn(app)
    assert turn.heard[0].audio is None and turn.heard[0].text.startswith("S stands for skin changes")
    assert turn.heard[0].language == "en-US"
    assert turn.heard[-1].audio is not None  # the other prompts still play


def test_a_missing_manifest_means_say_for_everything(audio_copy: Path, tmp_path: Path) -> None:
    (audio_copy / MANIFEST).unlink()
    app = make_app(tmp_path, AUDIO_DIR=str(audio_copy))
    turn = _skin_turn(app)
    assert all(h.audio is None and h.text for h in turn.heard)


def test_a_cdn_base_url_serves_the_files_from_elsewhere(tmp_path: Path) -> None:
    app = make_app(tmp_path, AUDIO_BASE_URL="https://cdn.example.net/poems")
    call = PhoneCall(TwilioClient(app.test_client(), TOKEN))
    call.start()
    play = call.turn.documents[0]
    assert ">https://cdn.example.net/poems/en-phrase-greeting-" in play


def test_audio_built_for_an_edit_is_fetched_from_this_app_even_with_a_cdn(tmp_path: Path) -> None:
    from service.audio import AudioLibrary

    library = AudioLibrary(fixture_audio(), "https://cdn.example.net/poems", "https://line.example.org", "espeak")
    library.add_stored({"en-topic-skin-edited.mp3": {"engine": "espeak"}}, lambda name: b"ID3")
    # The CDN holds the deployed files; a file built for an admin's edit lives only in this app's database.
    assert library.url("en-topic-skin-edited.mp3") == "https://line.example.org/audio/en-topic-skin-edited.mp3"
    assert library.url("en-phrase-greeting-1.mp3") == "https://cdn.example.net/poems/en-phrase-greeting-1.mp3"


def test_play_urls_point_at_this_app_and_are_served(call: PhoneCall, app) -> None:  # type: ignore[no-untyped-def]
    call.start()
    body = call.turn.documents[0]
    assert "<Play>https://line.example.org/audio/en-phrase-greeting-" in body


def test_audio_is_served_with_type_cache_etag_head_and_ranges(app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    name = _skin_file(fixture_audio()).name
    full = client.get(f"/audio/{name}")
    assert full.status_code == 200 and full.mimetype == "audio/mpeg"
    assert full.data == (fixture_audio() / name).read_bytes()
    cache = full.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "public" in cache and "immutable" in cache
    etag = full.headers["ETag"]
    assert etag and full.headers["Accept-Ranges"] == "bytes"
    head = client.head(f"/audio/{name}")
    assert head.status_code == 200 and head.data == b"" and int(head.headers["Content-Length"]) == len(full.data)
    part = client.get(f"/audio/{name}", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100 and part.headers["Content-Range"].startswith("bytes 0-99/")
    assert client.get(f"/audio/{name}", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("path", ["/audio/../prompts/en.yaml", "/audio/%2e%2e/prompts/en.yaml", "/audio/..%2fprompts%2fen.yaml",
                                  "/audio/manifest.json", "/audio/nothing.mp3", "/audio/.hidden.mp3", "/audio/%2fetc%2fpasswd"])
def test_nothing_outside_audio_is_served(path: str, app) -> None:  # type: ignore[no-untyped-def]
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert b"Traceback" not in response.data


def test_manifest_records_hash_engine_and_duration() -> None:
    data = json.loads((ROOT / "audio" / MANIFEST).read_text())
    for name, record in data["files"].items():
        assert {"prompt", "lang", "text_sha", "engine", "voice", "duration", "bytes", "sha256"} <= set(record)
        assert record["engine"] in name and (ROOT / "audio" / name).stat().st_size == record["bytes"]
