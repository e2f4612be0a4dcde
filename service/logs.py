"""One structured log line per request, with phone numbers masked and bodies left out."""

from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, Response, g, request

log = logging.getLogger("service.requests")
FIELDS = ("step", "topic", "step_key", "error", "unmatched", "said")


def mask(number: str) -> str:
    """A phone number with all but its last 2 digits hidden."""
    digits = [c for c in number if c.isdigit()]
    if not digits:
        return "" if not number else "***"
    return "*" * max(0, len(digits) - 2) + "".join(digits[-2:])


def setup(app: Flask) -> None:
    """Time every request and log it once when it ends."""
    if not logging.getLogger("service").handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("service").addHandler(handler)
        logging.getLogger("service").setLevel(logging.INFO)
        logging.getLogger("service").propagate = True

    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()
        # g outlives a request when an app context was already pushed (the simulators): start clean.
        for name in FIELDS:
            g.pop(name, None)

    @app.after_request
    def log_request(response: Response) -> Response:
        if not request.path.startswith(("/voice", "/sms")):
            return response
        form = request.form if request.content_length and request.content_length <= app.config["MAX_CONTENT_LENGTH"] else {}
        record = {
            "channel": "sms" if request.path.startswith("/sms") else "voice",
            "sid": form.get("CallSid") or form.get("MessageSid") or "",
            "step": g.get("step", request.path),
            "status": response.status_code,
            "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
            "from": mask(form.get("From", "")),
        }
        for name in ("topic", "step_key", "error"):
            if g.get(name):
                record[name] = g.get(name)
        if g.get("unmatched"):
            record["unmatched"] = True
        if app.config["LOG_MESSAGE_BODIES"]:
            record["said"] = form.get("Body") or form.get("SpeechResult") or ""
        log.info(json.dumps(record, ensure_ascii=False))
        return response
