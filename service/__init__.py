"""The POEMS syndrome information line: a Flask webhook for Twilio voice and SMS."""

from __future__ import annotations

import os

# One BLAS thread per process, set before numpy loads: each request embeds one sentence, and gunicorn's workers share
# two cores; OpenBLAS's own thread pools spinning in every worker stalled requests for up to 2 s (bench/load.py).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import datetime as dt  # noqa: E402
import functools
import hashlib
import inspect
import secrets
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import logs, settings
from .audio import AudioLibrary
from .content import ContentError, read
from .gateway.forms import TwilioRequest
from .gateway.signatures import EXTENSION as SIGNATURES, Signatures
from .line import Line
from .live import Live, matcher_fingerprint
from .settings import StartupError
from .sessions import LineSessionInterface


@functools.lru_cache(maxsize=256)
def _is_async(func: Any) -> bool:
    return inspect.iscoroutinefunction(func)


class LineFlask(Flask):
    """Flask, asking once per function whether a view or hook is async, not on every request (each webhook request runs
    four: two before, the view, one after)."""

    def ensure_sync(self, func: Any) -> Any:
        """The function itself, or an async one wrapped to run to its end (Flask's documented override point)."""
        try:
            is_async = _is_async(func)
        except TypeError:  # a callable object that cannot be hashed: asked each time, as Flask does
            is_async = inspect.iscoroutinefunction(func)
        return self.async_to_sync(func) if is_async else func


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, content loaded and validated once, blueprints, CLI commands."""
    app = LineFlask(__name__, instance_relative_config=True)
    app.request_class = TwilioRequest
    # "/audio//etc/passwd" must be a 404, not a redirect to a cleaned-up path.
    app.url_map.merge_slashes = False
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    # The flask command (check, audio build, simulators) must work on broken or unsecured setups to report on them.
    from_cli = os.environ.get("FLASK_RUN_FROM_CLI") == "true" and not app.config.get("TESTING")
    if not app.config["TWILIO_AUTH_TOKEN"]:
        if from_cli:
            app.config["TWILIO_AUTH_TOKEN"] = secrets.token_hex(16)
            app.config["SIMULATOR_TOKEN"] = True
        elif not app.config["DEV_MODE"]:
            raise StartupError("TWILIO_AUTH_TOKEN is not set: the line will not start without it "
                               "(set LINE_DEV_MODE=1 only to try it unsigned on your own machine)")
    if not app.config["PUBLIC_BASE_URL"] and not app.config["DEV_MODE"] and not from_cli:
        # Twilio signs the address it calls: checked against a Host header a client chooses, a signature made for
        # another host, or for a proxy's inner address, could pass or fail at random.
        raise StartupError("PUBLIC_BASE_URL is not set: set it to the address Twilio calls, for example "
                           "https://poems-line.example.org (Heroku: https://<app>.herokuapp.com; Render: "
                           "https://<service>.onrender.com); signatures are checked against it and audio URLs built "
                           "from it (LINE_DEV_MODE=1 only to try the line on your own machine)")
    if app.config["PUBLIC_BASE_URL"] and not app.config["PUBLIC_BASE_URL"].startswith(("https://", "http://")):
        raise StartupError(f"PUBLIC_BASE_URL is '{app.config['PUBLIC_BASE_URL']}'; expected an address starting with "
                           "https://, such as https://poems-line.example.org")
    if app.config["DEV_MODE"] and not from_cli:
        print("WARNING: LINE_DEV_MODE is on: unsigned requests are accepted. Never use this in production.", file=sys.stderr)
    # Whether SECRET_KEY was set, before a key derived from the token fills it: only a key of its own signs admins in.
    app.config["OWN_SECRET_KEY"] = bool(app.config["SECRET_KEY"])
    app.secret_key = app.config["SECRET_KEY"] or _derived_secret(app.config["TWILIO_AUTH_TOKEN"])
    if app.config.get("ADMIN_PASSWORD_HASH") and not app.config["OWN_SECRET_KEY"] and not from_cli:
        print("WARNING: ADMIN_PASSWORD_HASH is set but SECRET_KEY is not: the admin pages stay off (404) until "
              "SECRET_KEY is set to a long random value.", file=sys.stderr)
    app.session_interface = LineSessionInterface()
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=4)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if app.config["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)  # type: ignore[method-assign]

    store = _records(app)
    if store is not None:
        from .editing import EditStore

        app.extensions["editing"] = EditStore(store.engine)
    live = app.extensions["live"] = Live(app)
    live.retiring = not from_cli
    # The deployed prompt files with the admin pages' edits written in (the files alone without a database).
    texts, _ = live.initial()
    # Reading levels are warnings for admins (prompts check, the admin pages), not worth their 0.2 s at every start.
    loaded = read(app.config["PROMPTS_DIR"], reading=False, texts=texts)
    if texts is not None and any(p.severity == "error" for p in loaded.problems):
        print("WARNING: the prompt files with the admin pages' edits have errors; serving the deployed files alone.\n"
              f"{loaded.problems[0]}", file=sys.stderr)
        loaded = read(app.config["PROMPTS_DIR"], reading=False)
        live.behind = True
    app.extensions["line.problems"] = loaded.problems
    if any(p.severity == "error" for p in loaded.problems):
        if not from_cli:
            raise ContentError(loaded.problems)
    else:
        from .understanding import Matcher

        matcher = Matcher.for_content(loaded, cache_dir=Path(app.instance_path))
        editing = app.extensions.get("editing")
        audio = live.library(editing) if editing is not None else AudioLibrary(
            app.config["AUDIO_DIR"], app.config["AUDIO_BASE_URL"], app.config["PUBLIC_BASE_URL"], app.config["AUDIO_ENGINE"])
        line = Line.build(loaded, audio, matcher)
        line.store = store
        _attach_services(app, line)
        app.extensions["line"] = line
        live.fingerprint = live.learnt = matcher_fingerprint(loaded)
        app.before_request(live.ensure_watching)
    app.extensions[SIGNATURES] = Signatures(app.config)

    from . import admin, text, voice
    from .audio import serve
    from .cli import register

    app.register_blueprint(voice.bp)
    app.register_blueprint(voice.fallback_bp)
    app.register_blueprint(text.bp)
    app.register_blueprint(serve.bp)
    app.register_blueprint(admin.bp)
    logs.setup(app)
    register(app)

    @app.get("/")
    def index() -> tuple[str, int, dict[str, str]]:
        """A plain page saying where Twilio should point."""
        return "POEMS syndrome information line: point Twilio at /voice and /sms.\n", 200, {"Content-Type": "text/plain"}

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, object], int]:
        """For monitors: 200 while the line can answer calls, with the database's state and the records waiting."""
        line = app.extensions.get("line")
        if line is None:
            return {"status": "down", "reason": "the prompt files have errors"}, 503
        records = line.store.health() if line.store is not None else {"database": "off", "buffered": 0}
        # Which voice callers hear, per language: prompts played from gTTS or espeak-ng files, or read by Twilio.
        return {"status": "ok", **records, "content": line.content.version, "audio": line.audio.sources(line.content)}, 200

    return app


def _derived_secret(token: str) -> str:
    import hashlib
    import hmac

    return hmac.new(token.encode(), b"poems-line session cookies", hashlib.sha256).hexdigest()


def _attach_services(app: Flask, line: Line) -> None:
    from .gateway.outgoing import Messenger

    line.messenger = Messenger(app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"], app.config["TWILIO_HTTP_TIMEOUT"])
    line.admin_number = app.config["ADMIN_PHONE_NUMBER"]
    line.transfer_numbers = dict(app.config.get("TRANSFER_NUMBERS") or {})
    line.text_countries = frozenset(app.config.get("TEXT_COUNTRIES") or ())
    line.texts_per_day = int(app.config.get("TEXTS_PER_NUMBER_PER_DAY") or 5)
    line.safety_alerts = bool(app.config.get("SAFETY_ALERTS"))
    line.secret = hashlib.sha256(f"phone numbers\0{app.secret_key}".encode()).digest()


def _records(app: Flask) -> Any:
    """Where the line keeps its records and the admin pages' edits (None with DATABASE_URL=none)."""
    if app.config.get("DATABASE_URL") == "none":
        return None
    from .records import Store, engine_url

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    # Nothing connects to the database here: the line starts, and answers, while it is down.
    url = engine_url(app.config["DATABASE_URL"], str(instance / "usage.sqlite"))
    buffer = app.config.get("RECORDS_BUFFER") or (None if url.startswith("sqlite:///") else instance / "records-buffer.sqlite")
    return Store(url, Path(buffer) if buffer else None, int(app.config.get("RETENTION_DAYS") or 400),
                 zone=app.config.get("LINE_TIMEZONE") or "")


__all__ = ["create_app", "StartupError"]
