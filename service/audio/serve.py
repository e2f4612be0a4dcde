"""Serving the pre-built audio files to Twilio: cacheable, range-capable, nothing outside audio/."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, send_from_directory

bp = Blueprint("audio", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.route("/audio/<path:name>", methods=["GET", "HEAD"])
def audio_file(name: str) -> Response:
    """One MP3 from audio/; names are content hashes, so it may be cached for a year."""
    if "/" in name or "\\" in name or not name.endswith(".mp3") or name.startswith("."):
        abort(404)
    line = current_app.extensions.get("line")
    stored = line.audio.stored(name) if line is not None else None
    if stored is not None:
        # Built for an edit published on the admin pages: kept in the database, served as a file would be.
        response = Response(stored, mimetype="audio/mpeg")
        response.cache_control.public = True
        response.cache_control.immutable = True
        response.cache_control.max_age = ONE_YEAR
        return response
    response = send_from_directory(current_app.config["AUDIO_DIR"], name, mimetype="audio/mpeg",
                                   max_age=ONE_YEAR, conditional=True, etag=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
