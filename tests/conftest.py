"""Fixtures: an app as Twilio sees it, signed calls and texts, and small prompt trees to break."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask

from service import create_app
from service.line import Line
from service.simulator import PhoneCall, TextThread, TwilioClient, audio_texts

TOKEN = "test-auth-token-0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_app(tmp_path: Path, **overrides: object) -> Flask:
    """An app with the real prompts and audio, a test token and its own SQLite file."""
    config = {
        "TESTING": True,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_WEBHOOK_KEYS": "",
        "DEV_MODE": False,
        "TRUST_PROXY": False,
        "PUBLIC_BASE_URL": "",
        "AUDIO_BASE_URL": "",
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "AUDIO_DIR": str(ROOT / "audio"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'usage.sqlite'}",
        "SECRET_KEY": "test-secret",
    }
    config.update(overrides)
    return create_app(config)


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
    """A copy of the real prompts/ to edit in a test."""
    target = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", target, ignore=shutil.ignore_patterns("README.md"))
    return target


@pytest.fixture
def small_prompts(tmp_path: Path) -> Path:
    """A copy of the small fixture tree (one menu, two topics) to break in a test."""
    target = tmp_path / "prompts"
    shutil.copytree(FIXTURES / "small", target)
    return target


@pytest.fixture
def audio_copy(tmp_path: Path) -> Iterator[Path]:
    """A copy of the shipped audio/ that a test may change."""
    target = tmp_path / "audio"
    shutil.copytree(ROOT / "audio", target)
    yield target
