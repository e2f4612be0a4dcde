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
# What Twilio puts in From for a caller whose number is withheld: not a number to call back.
WITHHELD = frozenset({"anonymous", "+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253"})


def dialable(number: str) -> bool:
    """Whether a callback number can be called: international form, and not one of Twilio's withheld markers."""
    return number.lower() not in WITHHELD and E164.fullmatch(number) is not None


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


# Calling codes of two digits (ITU zones 2 to 9); 1 and 7 have one, every other code three.
_TWO_DIGIT_CODES = frozenset({
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
    "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
    "86", "90", "91", "92", "93", "94", "95", "98"})


def country_code(number: str) -> str:
    """The calling code of a number in international form (+15555550123 -> "1", +447700900123 -> "44"), or ""."""
    digits = number.removeprefix("+")
    if not number.startswith("+") or not digits.isascii() or not digits.isdigit() or len(digits) < 4:
        return ""
    if digits[0] in "17":
        return digits[0]
    return digits[:2] if digits[:2] in _TWO_DIGIT_CODES else digits[:3]


def text_countries(value: str) -> frozenset[str]:
    """TEXT_COUNTRIES: the calling codes texts may go to ("1" or "1, 52"); empty means the line's own."""
    codes = frozenset(part.strip().lstrip("+") for part in value.replace(" ", ",").split(",") if part.strip())
    bad = sorted(c for c in codes if not (c.isascii() and c.isdigit() and 1 <= len(c) <= 3))
    if bad:
        raise StartupError(f"TEXT_COUNTRIES: '{bad[0]}' is not a calling code; expected codes such as 1 or 1,52")
    return codes


def _choice(name: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip().lower() or choices[0]
    if value not in choices:
        raise StartupError(f"{name} is '{value}'; expected one of: {', '.join(choices)}")
    return value


def _whole(name: str, default: int, least: int = 1) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < least:
        raise StartupError(f"{name} is '{value}'; expected a whole number of at least {least}")
    return int(value)


def time_zone(value: str) -> str:
    """LINE_TIMEZONE: the zone the admin pages show times in (an IANA name such as America/Chicago), default UTC."""
    import zoneinfo

    value = value.strip() or "UTC"
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise StartupError(f"LINE_TIMEZONE is '{value}'; expected a time zone name such as America/Chicago, "
                           "Europe/London or UTC") from None
    return value


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
        # The voice of the pre-built audio: gtts (Google's voices, built at deploy; where a prompt has none, Twilio's
        # neural voice reads it) or espeak (also plays the offline espeak-ng files, which sound robotic).
        "AUDIO_ENGINE": _choice("AUDIO_ENGINE", ("gtts", "espeak")),
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
        # Where "text me this answer" may send texts (calling codes; default: the line's own number's), and how many
        # a number may get in a day: a spoofed caller ID must not make the line pump texts abroad.
        "TEXT_COUNTRIES": text_countries(os.environ.get("TEXT_COUNTRIES", "")),
        "TEXTS_PER_NUMBER_PER_DAY": _whole("TEXTS_PER_NUMBER_PER_DAY", 5),
        # Questions not understood, call steps and safety events are deleted after this many days.
        "RETENTION_DAYS": _whole("RETENTION_DAYS", 400),
        # The admin pages show times in the line's own zone.
        "LINE_TIMEZONE": time_zone(os.environ.get("LINE_TIMEZONE", "")),
        # Off by default: a text to ADMIN_PHONE_NUMBER when crisis or emergency words come (never the sender's number).
        "SAFETY_ALERTS": _flag("SAFETY_ALERTS"),
    }
