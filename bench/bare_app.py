"""The baseline: a bare Flask app that returns the line's own reply bytes for each benchmarked request."""

from __future__ import annotations

import json
import os

from flask import Flask, Response, request

REPLIES: dict[str, dict[str, str]] = json.loads(open(os.environ["BARE_REPLIES"], encoding="utf-8").read())

app = Flask(__name__)


@app.post("/<path:path>")
def reply(path: str) -> Response:
    """The recorded bytes for this path, as the line would send them."""
    recorded = REPLIES[request.full_path.rstrip("?")]
    return Response(recorded["body"], mimetype=recorded["mimetype"])
