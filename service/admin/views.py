"""The admin pages: overview, questions not understood, messages left, and the content, behind a sign-in."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from werkzeug.wrappers import Response as BaseResponse

from ..line import Line
from ..settings import E164
from . import access, charts
from .catalogue import catalogue
from .questions import group

# The records (and SQLAlchemy with them) are imported by the views that read them: not at every start of the line.
bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")
log = logging.getLogger("service.admin")
limiter = access.SignInLimiter()
OPEN_ENDPOINTS = ("admin.sign_in", "admin.static")
PAGE = 50
PLACE_NAMES = {"goodbye": "Hung up by the line after silences", "message": "Leaving a message", "person": "Put through to a person",
               "transfer_offer": "Offered a person", "callback": "Confirming a callback number", "choose": "A 'did you mean'"}


@bp.before_request
def guard() -> BaseResponse | None:
    """Off without a password hash (404); otherwise signed in, and every form's token checked."""
    if not access.enabled():
        abort(404)
    g.admin = access.signed_in()
    if request.endpoint not in OPEN_ENDPOINTS and not g.admin:
        return redirect(url_for("admin.sign_in", next=request.full_path if request.method == "GET" else None))
    if request.method == "POST" and not access.csrf_ok(request.form.get(access.CSRF_FIELD)):
        _log("refused: form without this session's token")
        return Response(render_template("admin/refused.html", reason="This form has expired. Go back, reload the page and try again."),
                        status=400)
    return None


@bp.errorhandler(Exception)
def trouble(error: Exception) -> BaseResponse | tuple[str, int]:
    """A page that failed: one log line and a plain explanation, never a stack trace; HTTP errors pass through."""
    from sqlalchemy.exc import SQLAlchemyError
    from werkzeug.exceptions import HTTPException

    if isinstance(error, HTTPException):
        return error  # type: ignore[return-value]
    if isinstance(error, SQLAlchemyError):
        log.warning("admin: the records database cannot be reached (%s)", type(error).__name__)
        reason = ("The records database cannot be reached just now. Calls and texts are still answered, and what "
                  "they leave is kept and will show here when it is back. Try again in a few minutes.")
        return render_template("admin/refused.html", reason=reason), 503
    log.exception("admin page failed")
    return render_template("admin/refused.html", reason="Something went wrong showing this page. It has been logged."), 500


@bp.after_request
def each_action(response: Response) -> Response:
    """One log line per admin request (who, what, how it went); pages never cached, framed or sent elsewhere."""
    if request.endpoint != "admin.static" and access.enabled():
        _log(f"{request.method} {request.path}", status=response.status_code)
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    audio = current_app.config.get("AUDIO_BASE_URL", "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; "
        f"base-uri 'none'; media-src 'self'{' ' + _origin(audio) if audio else ''}")
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _log(action: str, **fields: Any) -> None:
    record = {"admin": getattr(g, "admin", "") or session.get("admin", "") or "-", "action": action,
              "ip": request.remote_addr or "", **fields}
    log.info(json.dumps(record, ensure_ascii=False, default=str))


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    if not request.path.startswith("/admin"):
        return {}
    return {"csrf_token": access.csrf_token, "admin_name": access.signed_in()}


def _line() -> Line:
    line = current_app.extensions.get("line")
    if line is None:
        abort(503)
    return line


def _records() -> Any:
    return _line().store


NO_DATABASE = "No database is configured (DATABASE_URL=none): nothing is recorded."
CHANNELS = (("voice", "calls"), ("sms", "texts"))


def _scope() -> tuple[Any, dt.date, dt.date] | tuple[None, str, int]:
    """The records and the range of days a page is asked for; or, instead, what stops it and the status to say so."""
    start, end, error = _range()
    if error or start is None or end is None:
        return None, error, 400
    store = _records()
    if store is None:
        return None, NO_DATABASE, 200
    return store, start, end


def _language_names(line: Line) -> dict[str, str]:
    return {code: lang.name for code, lang in line.content.languages.items()}


# -- signing in and out --

@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> BaseResponse | str | tuple[str, int]:
    """The sign-in form: a name (shown on what this admin marks) and the line's admin password."""
    address = request.remote_addr or "?"
    known = access.known_browser(request.cookies.get(access.KNOWN_COOKIE))
    error = ""
    status = 200
    if request.method == "POST":
        name = " ".join(request.form.get("name", "").split())[:64]
        if not name:
            return render_template("admin/sign_in.html", error="Type your name: it is shown on the messages you mark handled.",
                                   left=""), 400
        decided = limiter.attempt(address, known)
        if decided.wait:
            error = f"Too many tries. Wait {_duration(decided.wait)}, then try again."
            status = 429
            _log("sign-in refused: too many tries", name=name)
        elif access.password_ok(request.form.get("password", "")):
            limiter.succeeded(address)
            access.sign_in(name)
            g.admin = name
            _log("signed in")
            response = redirect(_safe_next(request.args.get("next")))
            # This browser has signed in: a flood of strangers' tries will not lock it out.
            response.set_cookie(access.KNOWN_COOKIE, access.known_cookie(), max_age=access.KNOWN_DAYS * 86400,
                                path="/admin", secure=not current_app.config.get("DEV_MODE", False), httponly=True,
                                samesite="Strict")
            return response
        else:
            error = "That password is not right."
            status = 401
            _log("sign-in failed", name=name)
    ahead = limiter.peek(address, known)
    if status == 429:
        left = ""  # the error says how long to wait
    elif not ahead.remaining:
        left = f"No tries left: the next is possible in {_duration(ahead.wait)}."
    else:
        left = f"{ahead.remaining} tr{'ies' if ahead.remaining != 1 else 'y'} left before a 15-minute pause."
        if ahead.wait:
            left += f" The next is possible in {_duration(ahead.wait)}."
    return render_template("admin/sign_in.html", error=error, left=left), status


def _duration(seconds: int) -> str:
    """A wait as a person reads it."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _safe_next(target: str | None) -> str:
    # Only a path on this site's admin pages: never an open redirect, never a header with a line break in it.
    if (target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target
            and target.isprintable() and "%0" not in target.lower()):
        return target
    return url_for("admin.overview")


@bp.post("/sign-out")
def sign_out() -> BaseResponse:
    """End this admin's session."""
    _log("signed out")
    access.sign_out()
    return redirect(url_for("admin.sign_in"))


# -- the pages --

def _range() -> tuple[dt.date | None, dt.date | None, str]:
    """The range of days asked for (?days=, or ?start= and ?end=), or an error saying what was expected."""
    try:
        days = int(request.args["days"]) if request.args.get("days") else None
    except ValueError:
        return None, None, f"'{request.args['days']}' is not a number of days: expected a whole number such as 7 or 30"
    dates: list[dt.date | None] = []
    for name in ("start", "end"):
        value = request.args.get(name, "").strip()
        try:
            dates.append(dt.date.fromisoformat(value) if value else None)
        except ValueError:
            return None, None, f"'{value}' is not a date: expected YYYY-MM-DD, such as {dt.date.today():%Y-%m-%d}"
    from ..records import summary

    try:
        start, end = summary.date_range(days, dates[0], dates[1])
    except summary.RangeError as error:
        return None, None, f"That range cannot be shown: {error}."
    return start, end, ""


def _titles(line: Line) -> dict[str, str]:
    lang = line.language(None)
    return {t.id: t.title for t in lang.targets.values()}


def place_name(place: str, titles: dict[str, str]) -> str:
    """A call's place as an admin reads it: "Menu: Care and treatment", "Answer: Nerve damage"."""
    kind, _, ident = place.partition(":")
    if kind == "menu":
        return "Language choice" if ident.startswith("_") else f"Menu: {titles.get(ident, ident)}"
    if kind == "topic":
        return f"Answer: {titles.get(ident, ident)}"
    return PLACE_NAMES.get(place, place)


@bp.get("/")
def overview() -> tuple[str, int] | str:
    """Calls and texts per day, languages, top topics, how questions were understood, and where calls end."""
    from ..records import summary

    line = _line()
    store, start, end = _scope()
    if store is None:
        return render_template("admin/overview.html", error=start, data=None), end
    data = summary.overview(store, start, end)
    titles = _titles(line)
    names = _language_names(line)
    figures: dict[str, Any] = {}
    days = [d for d, _, _ in data.days]
    figures["per_day"] = charts.per_day(days, {"Calls": [c for _, c, _ in data.days], "Texts": [t for _, _, t in data.days]},
                                        "Calls and texts per day")
    if data.languages:
        figures["languages"] = charts.horizontal([names.get(lang, lang) for lang, _, _ in data.languages],
                                                 [c + t for _, c, t in data.languages], "Calls and texts by language")
    if data.topics:
        figures["topics"] = charts.horizontal([titles.get(t, t) for t, _, _ in data.topics], [v + s for _, v, s in data.topics],
                                              "Most asked topics")
    shares = _shares(data.decisions)
    if shares:
        figures["understood"] = charts.horizontal([f"{label} ({channel})" for channel, label, _, _ in shares],
                                                  [pct for *_, pct in shares], "How questions in people's own words were understood", "%")
    ends = [(place_name(place, titles), n) for place, n in data.ends[:12]]
    if ends:
        figures["ends"] = charts.horizontal([name for name, _ in ends], [n for _, n in ends], "Where calls ended")
    return render_template("admin/overview.html", data=data, figures=figures, titles=titles, names=names,
                           share_rows=shares, chosen=_chosen(data.decisions), ends=ends, error="")


def _shares(decisions: dict[str, dict[str, int]]) -> list[tuple[str, str, int, float]]:
    """Per channel, what became of the questions in people's own words: answered at once, asked "did you mean", or
    not understood (the three add up to every such question), each with its count and percentage."""
    rows = []
    for channel, label in CHANNELS:
        d = decisions.get(channel, {})
        counts = {"Answered at once": d.get("answer", 0), "Answered, another topic offered": d.get("offer", 0),
                  "Asked 'did you mean'": d.get("ask", 0), "Not understood": d.get("none", 0)}
        total = sum(counts.values())
        rows += [(label, name, n, round(100 * n / total, 1)) for name, n in counts.items()] if total else []
    return rows


def _chosen(decisions: dict[str, dict[str, int]]) -> list[tuple[str, int, int]]:
    """Per channel: how many times a choice offered ("did you mean", the nearest topics, or another topic after a likely
    answer) was taken, of how many."""
    rows = []
    for channel, label in CHANNELS:
        d = decisions.get(channel, {})
        offered = d.get("ask", 0) + d.get("none", 0) + d.get("offer", 0)
        if offered:
            rows.append((label, d.get("chosen", 0), offered))
    return rows


@bp.get("/unmatched")
def unmatched() -> tuple[str, int] | str:
    """Questions not understood, grouped by meaning, with the three nearest topics and a line to paste."""
    from ..records import summary

    line = _line()
    store, start, end = _scope()
    if store is None:
        return render_template("admin/unmatched.html", error=start, groups=[], junk=[]), end
    groups, junk = group(summary.unmatched_words(store, start, end), line.matcher, line.junk)
    return render_template("admin/unmatched.html", groups=groups, junk=junk, start=start, end=end,
                           names=_language_names(line), error="")


@bp.get("/messages")
def messages() -> str:
    """Messages callers left, newest first, each with its callback number, a player and "handled"."""
    from ..records import summary

    store = _records()
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 1 <= int(page) <= 100_000 else 1
    rows = summary.messages_left(store, PAGE + 1, (page_number - 1) * PAGE) if store is not None else []
    for row in rows:
        row["call_back"] = row.get("callback") if dialable(row.get("callback") or "") else ""
    return render_template("admin/messages.html", rows=rows[:PAGE], configured=store is not None, page=page_number,
                           older=len(rows) > PAGE)


# What Twilio puts in From for a caller whose number is withheld: not a number to call back.
WITHHELD = frozenset({"anonymous", "+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253"})


def dialable(number: str) -> bool:
    """Whether a callback number can be called: international form, and not one of Twilio's withheld markers."""
    return number.lower() not in WITHHELD and E164.fullmatch(number) is not None


@bp.post("/messages/<int(max=2147483647):message_id>/handled")
def handled(message_id: int) -> BaseResponse:
    """Mark a message handled (or not handled again), with who and when."""
    from ..records import summary

    store = _records()
    undo = request.form.get("undo") == "1"
    if store is None or not summary.mark_handled(store, message_id, g.admin, handled=not undo):
        abort(404)
    _log("message marked " + ("not handled" if undo else "handled"), message=message_id)
    flash(f"Message {message_id} marked {'not handled' if undo else 'handled'}.")
    return redirect(url_for("admin.messages") + f"#message-{message_id}")


@bp.get("/messages/<int(max=2147483647):message_id>/recording")
def recording(message_id: int) -> Response:
    """A message's recording, fetched from Twilio by the server with the account's credentials."""
    from ..gateway.outgoing import RecordingUnavailable, fetch_recording
    from ..records import summary

    store = _records()
    found = summary.message(store, message_id) if store is not None else None
    if found is None:
        abort(404)
    config = current_app.config
    try:
        data = fetch_recording(found.get("recording_sid") or "", config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"],
                               config["TWILIO_HTTP_TIMEOUT"])
    except RecordingUnavailable as error:
        log.warning("admin: recording of message %d not fetched: %s", message_id, error)
        return Response(f"The recording could not be fetched: {error}.", status=502, content_type="text/plain; charset=utf-8")
    response = Response(data, content_type="audio/mpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response.make_conditional(request)


@bp.get("/content")
def content() -> str:
    """The menu tree in every language, each prompt with its text, audio, reading score, segments, sources and warnings."""
    line = _line()
    problems = current_app.extensions.get("admin.problems")
    if problems is None:
        problems = current_app.extensions["admin.problems"] = _all_problems(line)
    # Worked out once per address the page is seen at (the audio players' URLs start with it): the content is fixed.
    built = current_app.extensions.setdefault("admin.catalogue", {})
    languages = built.get(request.url_root)
    if languages is None:
        if len(built) >= 8:
            built.clear()
        languages = built[request.url_root] = catalogue(line.content, line.audio, problems)
    return render_template("admin/content.html", languages=languages, warnings=len(problems), **_content_state(line, problems))


def _content_state(line: Line, problems: list[Any]) -> dict[str, Any]:
    """What the content page says about the live content: edits, conflicts, topics to review, the audio's voices."""
    from ..live import review_problems

    live = current_app.extensions["live"]
    editing = current_app.extensions.get("editing")
    stale: list[str] = []
    if editing is not None:
        try:
            stale = sorted({p.message.split("'")[1] for p in review_problems(line.content, editing, live.outcomes)})
        except Exception:  # noqa: BLE001 - the page still shows the content without the review list
            log.warning("admin: review marks could not be read")
    names = {code: lang.name for code, lang in line.content.languages.items()}
    first = next(iter(line.content.languages.values()))
    # A-Z, so an admin finds a topic by its name rather than by where it sits in the menus.
    index = sorted(((t.title, kind, ident) for (kind, ident), t in first.targets.items() if kind in ("topic", "menu")),
                   key=lambda entry: entry[0].casefold())
    return {"editable": editing is not None, "conflicts": live.conflicts(), "stale": stale, "index": index,
            "index_lang": first.code,
            "voices": {names[code]: counts for code, counts in line.audio.sources(line.content).items()},
            "edited": sum(1 for o in live.outcomes if o.status in ("applied", "conflict"))}


def _all_problems(line: Line) -> list[Any]:
    """The prompt check's warnings for the content this process runs (worked out once: the content does not change)."""
    from pathlib import Path

    from ..audio import audio_problems
    from ..content.checks import reading_problems
    from ..understanding.checks import example_problems

    return [*line.content.problems, *(p for lang in line.content.languages.values() for p in reading_problems(lang)),
            *audio_problems(line.content, Path(current_app.config["AUDIO_DIR"])), *example_problems(line.content, line.matcher)]

