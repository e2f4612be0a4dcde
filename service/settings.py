"""Settings from the environment: secrets and switches, never from files in the repo."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping

ROOT = Path(__file__).resolve().parent.parent


class StartupError(Exception):
    """The line cannot start; the message is one line an operator can act on."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


E164 = re.compile(r"\+[1-9]\d{6,14}")


def transfer_numbers(environ: Mapping[str, str]) -> dict[str, str]:
    """Numbers to put callers through to, by language code ("" for every language), checked as +E.164."""
    numbers: dict[str, str] = {}
    for name, value in environ.items():
        if name == "TRANSFER_NUMBER" or name.startswith("TRANSFER_NUMBER_"):
            value = value.strip()
            if not value:
                continue
            if not E164.fullmatch(value):
                raise StartupError(f"{name} is not a phone number in international form; expected +15555550123")
            numbers[name.removeprefix("TRANSFER_NUMBER").lstrip("_").lower()] = value
    return numbers


def from_environment() -> dict[str, Any]:
    """The app's settings read from environment variables."""
    return {
        "TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN", ""),
        "TWILIO_ACCOUNT_SID": os.environ.get("TWILIO_ACCOUNT_SID", ""),
        # SharedKeys that a Twilio Webhook Setting signs with instead of the auth token: "<key id>=<secret>", two
        # while rotating. Requests that name another key are refused.
        "TWILIO_WEBHOOK_KEYS": os.environ.get("TWILIO_WEBHOOK_KEYS", ""),
        # Accept unsigned requests: only for trying the line on your own machine.
        "DEV_MODE": _flag("LINE_DEV_MODE"),
        # Behind one TLS-terminating proxy (Heroku's router, ngrok): trust its X-Forwarded-* headers.
        "TRUST_PROXY": _flag("TRUST_PROXY"),
        # Or name the public address Twilio calls, e.g. https://poems-line.example.org
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        # Serve audio from a CDN instead of this app.
        "AUDIO_BASE_URL": os.environ.get("AUDIO_BASE_URL", "").rstrip("/"),
        "PROMPTS_DIR": os.environ.get("PROMPTS_DIR", str(ROOT / "prompts")),
        "AUDIO_DIR": os.environ.get("AUDIO_DIR", str(ROOT / "audio")),
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        # Where records wait while the database is unreachable (default: instance/, beside a SQLite database).
        "RECORDS_BUFFER": os.environ.get("RECORDS_BUFFER", ""),
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "ADMIN_PHONE_NUMBER": os.environ.get("ADMIN_PHONE_NUMBER", ""),
        # A person to put callers through to: TRANSFER_NUMBER for every language, TRANSFER_NUMBER_ES for one.
        "TRANSFER_NUMBERS": transfer_numbers(os.environ),
        # The admin pages (/admin) exist only with this set: make it with  flask --app service admin password
        "ADMIN_PASSWORD_HASH": os.environ.get("ADMIN_PASSWORD_HASH", "").strip(),
        "LOG_MESSAGE_BODIES": _flag("LOG_MESSAGE_BODIES"),
        "TWILIO_HTTP_TIMEOUT": float(os.environ.get("TWILIO_HTTP_TIMEOUT", "5") or 5),
        # Twilio's own requests are a few kB; anything far larger is not Twilio.
        "MAX_CONTENT_LENGTH": 128 * 1024,
    }
