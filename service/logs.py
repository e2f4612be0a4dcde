"""One structured log line per webhook request, with phone numbers masked and bodies left out."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, Callable, Iterable, Mapping

from flask import Flask, request

log = logging.getLogger("service.requests")
NOTES = "line.notes"
LOGGED_PATHS = ("/voice", "/sms")


def mask(number: str) -> str:
    """A phone number with all but its last 2 digits hidden."""
    digits = [c for c in number if c.isdigit()]
    if not digits:
        return "" if not number else "***"
    return "*" * max(0, len(digits) - 2) + "".join(digits[-2:])


def note(**fields: object) -> None:
    """Add to this request's log line (the step, the topic reached, the key pressed...)."""
    request.environ.setdefault(NOTES, {}).update(fields)


def note_sender(form: Mapping[str, str], with_body: bool) -> None:
    """Note who and what a webhook is about (SID, masked number, and the words only when allowed)."""
    fields: dict[str, object] = {"sid": form.get("CallSid") or form.get("MessageSid") or "", "from": mask(form.get("From", ""))}
    if with_body:
        fields["said"] = form.get("Body") or form.get("SpeechResult") or ""
    note(**fields)


def setup(app: Flask) -> None:
    """Wrap the app so each webhook request is timed and logged once, after its reply is made."""
    if not logging.getLogger("service").handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("service").addHandler(handler)
        logging.getLogger("service").setLevel(logging.INFO)
    wsgi_app = app.wsgi_app

    # A WSGI wrapper rather than Flask hooks: no proxies, no hook dispatch, and it times Flask's own work too.
    def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def capture(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(code)
            return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

        body = wsgi_app(environ, capture)
        path = environ.get("PATH_INFO", "")
        if path.startswith(LOGGED_PATHS) and log.isEnabledFor(logging.INFO):
            log.info(_line(environ, path, status[0] if status else "", started))
        return body

    app.wsgi_app = logged  # type: ignore[method-assign]


def _line(environ: dict[str, Any], path: str, status: str, started: float) -> str:
    notes = environ.get(NOTES, {})
    record: dict[str, object] = {
        "channel": "sms" if path.startswith("/sms") else "voice",
        "sid": notes.get("sid", ""),
        "step": notes.get("step", path),
        "status": int(status[:3]) if status[:3].isdigit() else status,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "from": notes.get("from", ""),
    }
    for name in ("topic", "step_key", "error", "unmatched", "said"):
        if notes.get(name):
            record[name] = notes[name]
    return json.dumps(record, ensure_ascii=False)
