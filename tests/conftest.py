"""Fixtures: an app as Twilio sees it (on fixture content, so admins' edits to prompts/ never break a test),
signed calls and texts, and small prompt trees to break."""

from __future__ import annotations

import datetime
import functools
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import lameenc
import pytest
from flask import Flask

from service import create_app
from service.audio.build import build
from service.content import Language, load
from service.line import Line
from service.simulator import PhoneCall, TextThread, TwilioClient, audio_texts

TOKEN = "test-auth-token-0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The line's content frozen for behaviour tests that need exact topics and words; prompts/ itself is the admins'.
LINE_FIXTURE = FIXTURES / "line"


def silence_mp3(seconds: float = 0.5) -> bytes:
    """A short, valid MP3 of silence."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(22050)
    encoder.set_channels(1)
    return bytes(encoder.encode(b"\0\0" * int(22050 * seconds)) + encoder.flush())


def silent_engine(text: str, lang: Language) -> bytes:
    """An audio engine for tests: a little silence per word, so durations follow the text's length."""
    return silence_mp3(max(0.2, len(text.split()) * 0.05))


@functools.cache
def fixture_audio() -> Path:
    """Audio for the fixture content, built once per test run with the silent engine."""
    target = Path(tempfile.mkdtemp(prefix="line-audio-"))
    build(load(LINE_FIXTURE), target, engine="espeak", synthesizer=silent_engine)
    return target


@pytest.fixture(scope="session", autouse=True)
def _fixture_audio_removed_at_the_end() -> Iterator[None]:
    """The fixture audio is built once a process (outside pytest's folders, for callers outside fixtures): removed after."""
    yield
    if fixture_audio.cache_info().currsize:
        shutil.rmtree(fixture_audio(), ignore_errors=True)


def make_app(tmp_path: Path, **overrides: object) -> Flask:
    """An app on the fixture content with its audio, a test token and its own SQLite file."""
    config = {
        "TESTING": True,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_WEBHOOK_KEYS": "",
        "DEV_MODE": False,
        "TRUST_PROXY": False,
        "PUBLIC_BASE_URL": "https://line.example.org",
        "AUDIO_BASE_URL": "",
        "PROMPTS_DIR": str(LINE_FIXTURE),
        "AUDIO_DIR": str(fixture_audio()),
        # The fixtures' audio (and the shipped audio) is built offline: the espeak engine's files are played.
        "AUDIO_ENGINE": "espeak",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'usage.sqlite'}",
        "SECRET_KEY": "test-secret",
        # Published edits reach this process at once; the watcher (for other workers) is tested under gunicorn.
        "LIVE_POLL_SECONDS": 0,
    }
    config.update(overrides)
    return create_app(config)


# The fixtures' review dates (2026-11-25) stay fresh for 12 months from it: the check counts ages to a day no later.
FIXTURES_FRESH_UNTIL = datetime.date(2027, 11, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review dates in the fixtures stay fresh, and the shipped content's (an admin marks a review today) are never in
    the future: the check counts ages to today, but to no later than the fixtures' last fresh day."""
    from service.content import loader

    monkeypatch.setattr(loader, "today", lambda: min(datetime.date.today(), FIXTURES_FRESH_UNTIL))


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path)


@pytest.fixture
def line(app: Flask) -> Line:
    return app.extensions["line"]


@pytest.fixture
def twilio(app: Flask) -> TwilioClient:
    return TwilioClient(app.test_client(), TOKEN)


@pytest.fixture
def call(twilio: TwilioClient, line: Line) -> PhoneCall:
    return PhoneCall(twilio, audio_texts(line))


@pytest.fixture
def texter(twilio: TwilioClient) -> TextThread:
    return TextThread(twilio)


@pytest.fixture
def prompts_copy(tmp_path: Path) -> Path:
    """A copy of the fixture content to edit in a test."""
    target = tmp_path / "prompts"
    shutil.copytree(LINE_FIXTURE, target)
    return target


@pytest.fixture
def small_prompts(tmp_path: Path) -> Path:
    """A copy of the small fixture tree (one menu, two topics) to break in a test."""
    target = tmp_path / "prompts"
    shutil.copytree(FIXTURES / "small", target)
    return target


@pytest.fixture
def audio_copy(tmp_path: Path) -> Iterator[Path]:
    """A copy of the fixture content's audio that a test may change."""
    target = tmp_path / "audio"
    shutil.copytree(fixture_audio(), target)
    yield target
