"""The admin pages: overview, questions not understood, messages left, and the content, behind a sign-in."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from werkzeug.wrappers import Response as BaseResponse

from ..content import normalize
from ..line import Line
from ..records import NO_CALLBACK
from ..settings import dialable
from . import access, charts
from .catalogue import catalogue
from .questions import MAX_ADDED, group

# The records (and SQLAlchemy with them) are imported by the views that read them: not at every start of the line.
bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")
log = logging.getLogger("service.admin")
limiter = access.SignInLimiter()
OPEN_ENDPOINTS = ("admin.sign_in", "admin.static")
PAGE = 50
PLACE_NAMES = {"goodbye": "Hung up by the line after silences", "said_goodbye": "The caller said goodbye", "message": "Leaving a message", "person": "Put through to a person",
               "transfer_offer": "Offered a person", "callback": "Confirming a callback number", "choose": "A 'did you mean'"}


@bp.before_request
def guard() -> BaseResponse | None:
    """Off without a password hash (404); otherwise signed in, and every form's token checked."""
    if not access.enabled():
        abort(404)
    g.admin = access.signed_in()
    if request.endpoint not in OPEN_ENDPOINTS and not g.admin:
        if request.method == "GET":
            return redirect(url_for("admin.sign_in", next=request.full_path))
        # A form sent after the session ended (signed out elsewhere, or its hours up): back to its page after signing in.
        return redirect(url_for("admin.sign_in", next=_page_of_form(), ended=1))
    if request.method == "POST" and not access.csrf_ok(request.form.get(access.CSRF_FIELD)):
        _log("refused: form without this session's token")
        return Response(render_template("admin/refused.html", reason="This form has expired, so it was not sent. Reload the "
                                        "page and try again: words typed in the editor are kept in this browser and come "
                                        "back when its page opens."), status=400)
    return None


@bp.errorhandler(Exception)
def trouble(error: Exception) -> BaseResponse | tuple[str, int]:
    """A page that failed: one log line and a plain explanation, never a stack trace; HTTP errors pass through."""
    from sqlalchemy.exc import SQLAlchemyError
    from werkzeug.exceptions import HTTPException

    if isinstance(error, HTTPException):
        return _http_error(error)
    if isinstance(error, SQLAlchemyError):
        log.warning("admin: the records database cannot be reached (%s)", type(error).__name__)
        reason = ("The records database cannot be reached just now. Calls and texts are still answered, and what "
                  "they leave is kept and will show here when it is back. Try again in a few minutes.")
        return render_template("admin/refused.html", reason=reason), 503
    log.exception("admin page failed")
    return render_template("admin/refused.html", reason="Something went wrong showing this page. It has been logged."), 500


ERROR_REASONS = {404: "There is no such page here. It may have moved, or the address was mistyped.",
                 405: "That page cannot be used that way.", 503: "The line is not running just now: try again in a minute.",
                 413: "That was more than these pages take at once (128 KB; a topic's answers are far shorter), so nothing "
                      "was saved. Go back: words typed in the editor are kept in this browser. Shorten what was pasted, "
                      "then check again."}


@bp.app_errorhandler(404)
def not_found(error: Exception) -> BaseResponse | tuple[str, int]:
    """An address under /admin that is no page: the admin pages' own 404, with their navigation (elsewhere, Flask's)."""
    from werkzeug.exceptions import HTTPException

    if not isinstance(error, HTTPException):
        raise error
    if request.path.startswith("/admin/") and access.enabled():
        return _http_error(error)
    return error  # type: ignore[return-value]


def _http_error(error: Any) -> BaseResponse | tuple[str, int]:
    code = getattr(error, "code", 500) or 500
    if code in ERROR_REASONS and access.enabled():
        return render_template("admin/refused.html", reason=ERROR_REASONS[code], heading="Not found" if code == 404 else "Not done"), code
    return error  # type: ignore[no-any-return]


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
    # The guard's answer (the database knows who is signed in); an address that is no page has had no guard.
    name = g.admin if "admin" in g else access.signed_in()
    return {"csrf_token": access.csrf_token, "admin_name": name, "waiting": _waiting() if name else None,
            "zone": current_app.config.get("LINE_TIMEZONE") or "UTC"}


def _waiting() -> int | None:
    """How many messages wait (for the navigation), or None when it cannot be said just now."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..records import summary

    store = access.records_store()
    if store is None:
        return None
    if "waiting" not in g:
        try:
            g.waiting = summary.message_counts(store)["waiting"]
        except SQLAlchemyError:
            g.waiting = None
    return g.waiting  # type: ignore[no-any-return]


@bp.app_template_filter("local")
def local_time(value: dt.datetime | str | None, style: str = "%Y-%m-%d %H:%M") -> str:
    """A time the records keep in UTC, as the line's own zone (LINE_TIMEZONE) shows it."""
    import zoneinfo

    if value is None or value == "":
        return ""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(zoneinfo.ZoneInfo(current_app.config.get("LINE_TIMEZONE") or "UTC")).strftime(style)


@bp.app_template_filter("ago")
def ago(value: dt.datetime | str | None, now: dt.datetime | None = None) -> str:
    """How long ago a time was, in words: "just now", "20 minutes ago", "3 hours ago", "2 days ago"."""
    if value is None or value == "":
        return ""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    seconds = ((now or dt.datetime.now(dt.timezone.utc)) - moment).total_seconds()
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def _line() -> Line:
    line = current_app.extensions.get("line")
    if line is None:
        abort(503)
    return line


def _records() -> Any:
    return _line().store


NO_DATABASE = "No database is configured (DATABASE_URL=none): nothing is recorded."
CHANNELS = (("voice", "calls"), ("sms", "texts"))


@dataclass(frozen=True)
class Scope:
    """The records and the range of days a page is asked for; or, with no store, what stops it and the status to say so."""

    store: Any
    start: dt.date
    end: dt.date
    refusal: str = ""
    status: int = 200


def _scope() -> Scope:
    start, end, error = _range()
    if error or start is None or end is None:
        return Scope(None, dt.date.min, dt.date.min, error, 400)
    store = _records()
    if store is None:
        return Scope(None, start, end, NO_DATABASE, 200)
    return Scope(store, start, end)


def _language_names(line: Line) -> dict[str, str]:
    return {code: lang.name for code, lang in line.content.languages.items()}


# -- signing in and out --

@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> BaseResponse | str | tuple[str, int]:
    """The sign-in form: a name (shown on what this admin marks) and the line's admin password."""
    browser = access.known_browser(request.cookies.get(access.KNOWN_COOKIE))
    known = bool(browser)
    # A browser that has signed in before counts its own tries, not its address's: colleagues behind one office
    # address are not locked out because one of them (or a stranger there) mistyped five times.
    address = f"browser {browser}" if browser else request.remote_addr or "?"
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


def _page_of_form() -> str | None:
    """The page a form was sent from: its own address when that is a page (the editor), else the page it was on."""
    from werkzeug.exceptions import HTTPException

    try:
        current_app.url_map.bind("").match(request.path, "GET")
        return request.path
    except HTTPException:
        referrer = urlsplit(request.referrer or "")
        return f"{referrer.path}?{referrer.query}" if referrer.query else referrer.path or None


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
    return redirect(url_for("admin.sign_in", signed_out=1))


# -- the pages --

def _range() -> tuple[dt.date | None, dt.date | None, str]:
    """The range of days asked for (?days=, or ?start= and ?end=), or an error saying what was expected."""
    try:
        days = int(request.args["days"]) if request.args.get("days") else None
    except ValueError:
        return None, None, f"'{_cut(request.args['days'])}' is not a number of days: expected a whole number such as 7 or 30"
    dates: list[dt.date | None] = []
    today = _line_today()
    for name in ("start", "end"):
        value = request.args.get(name, "").strip()
        try:
            dates.append(dt.date.fromisoformat(value) if value else None)
        except ValueError:
            return None, None, f"'{_cut(value)}' is not a date: expected YYYY-MM-DD, such as {today:%Y-%m-%d}"
    from ..records import summary

    try:
        start, end = summary.date_range(days, dates[0], dates[1], today)
    except summary.RangeError as error:
        return None, None, f"That range cannot be shown: {error}."
    return start, end, ""


def _line_today() -> dt.date:
    """Today in the line's time zone (LINE_TIMEZONE), not the server's."""
    store = _records()
    return store.today() if store is not None else dt.date.today()


@bp.app_template_global("quick_ranges")
def quick_ranges() -> list[tuple[str, str]]:
    """The ranges a team looks at most, each with its query: today, yesterday (the line's days), the last 7, 30, 90."""
    yesterday = _line_today() - dt.timedelta(days=1)
    return [("today", "days=1"), ("yesterday", f"start={yesterday}&end={yesterday}"),
            *((f"the last {n} days", f"days={n}") for n in (7, 30, 90))]


def _cut(value: str, most: int = 30) -> str:
    """A value someone typed, short enough to echo back in a sentence."""
    return value if len(value) <= most else value[:most] + "..."


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
    scope = _scope()
    if scope.store is None:
        return render_template("admin/overview.html", error=scope.refusal, data=None), scope.status
    store, start, end = scope.store, scope.start, scope.end
    data = summary.overview(store, start, end)
    titles = _titles(line)
    names = _language_names(line)
    figures: dict[str, Any] = {}
    days = [d for d, _, _ in data.days]
    if len(days) > 1:  # one day is one bar each: its numbers say it
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
    # The period of the same length just before, beside this one.
    length = (end - start).days + 1
    # Every topic of that period: one asked less often then may be among this period's most asked.
    before = summary.overview(store, start - dt.timedelta(days=length), start - dt.timedelta(days=1), top=None)
    earlier = {topic: v + t for topic, v, t in before.topics}
    earlier_langs = {lang: c + t for lang, c, t in before.languages}
    return render_template("admin/overview.html", data=data, figures=figures, titles=titles, names=names,
                           share_rows=shares, chosen=_chosen(data.decisions), ends=ends, error="", before=before,
                           earlier=earlier, earlier_langs=earlier_langs, length=length,
                           events=summary.crisis_events(store, start, end, SAFETY_ROWS),
                           waiting_now=_waiting())


SAFETY_ROWS = 200
EXPORTS = ("days", "languages", "topics", "understood", "ends", "safety", "unmatched", "report")


@bp.get("/export/<name>.csv")
def export(name: str) -> Response | tuple[str, int]:
    """One of the overview's tables (or the whole report, as `flask report --csv` prints it) as a CSV download."""
    from ..records import summary
    from ..records.export import REPORT_FIELDS, report_rows, to_csv

    if name not in EXPORTS:
        abort(404)
    line = _line()
    scope = _scope()
    if scope.store is None:
        return render_template("admin/refused.html", reason=scope.refusal), scope.status
    store, start, end = scope.store, scope.start, scope.end
    titles, names = _titles(line), _language_names(line)
    fields: list[str]
    rows: list[dict[str, Any]]
    if name == "report":
        fields, rows = REPORT_FIELDS, report_rows(store.report(start, end))
    elif name == "safety":
        fields = ["at", "channel", "language", "kind", "answered", "words"]
        rows = [{"at": local_time(e["at"]), "channel": e["channel"], "language": names.get(e["lang"], e["lang"]),
                 "kind": e["kind"], "answered": e["answered"], "words": e["words"] or ""}
                for e in summary.crisis_events(store, start, end, 100_000)]
    elif name == "unmatched":
        fields = ["words", "language", "count", "asked_did_you_mean_no_choice", "by_phone", "by_text"]
        rows = [{"words": u.words, "language": names.get(u.lang, u.lang), "count": u.count, "asked_did_you_mean_no_choice": u.asked,
                 "by_phone": u.channels.get("voice", 0), "by_text": u.channels.get("sms", 0)}
                for u in summary.unmatched_words(store, start, end)]
    else:
        data = summary.overview(store, start, end, top=1000)
        if name == "days":
            fields, rows = ["day", "calls", "texts"], [{"day": d, "calls": c, "texts": t} for d, c, t in data.days]
        elif name == "languages":
            fields = ["language", "calls", "texts"]
            rows = [{"language": names.get(lang, lang), "calls": c, "texts": t} for lang, c, t in data.languages]
        elif name == "topics":
            fields = ["topic", "id", "by_phone", "by_text"]
            rows = [{"topic": titles.get(t, t), "id": t, "by_phone": v, "by_text": x} for t, v, x in data.topics]
        elif name == "understood":
            fields = ["channel", "what_happened", "questions", "share_percent"]
            rows = [{"channel": c, "what_happened": label, "questions": n, "share_percent": pct}
                    for c, label, n, pct in _shares(data.decisions)]
        else:
            fields = ["last_place", "calls"]
            rows = [{"last_place": place_name(place, titles), "calls": n} for place, n in data.ends]
    # With a byte-order mark: Excel reads a CSV without one as the PC's old code page ("EspaÃ±ol").
    response = Response("\ufeff" + to_csv(fields, rows), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="poems-line-{name}-{start}-to-{end}.csv"'
    return response


def _shares(decisions: dict[str, dict[str, int]]) -> list[tuple[str, str, int, float]]:
    """Per channel, what became of the questions in people's own words: answered at once, asked "did you mean", or
    not understood (the three add up to every such question), each with its count and percentage."""
    rows = []
    for channel, label in CHANNELS:
        d = decisions.get(channel, {})
        counts = {"Answered at once": d.get("answer", 0), "Answered, other topics offered": d.get("offer", 0),
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
    """Questions not understood (and those a "did you mean" did not settle), grouped by meaning, with the three nearest
    topics, each a link to its editor with the question ready to add; junk folded; groups an admin ignored hidden."""
    from ..records import summary

    line = _line()
    scope = _scope()
    if scope.store is None:
        return render_template("admin/unmatched.html", error=scope.refusal, groups=[], junk=[]), scope.status
    store, start, end = scope.store, scope.start, scope.end
    hidden = summary.ignored(store)
    items = summary.unmatched_words(store, start, end)
    showing_ignored = request.args.get("ignored") == "1"
    shown = [i for i in items if ((i.lang, i.words) in hidden) == showing_ignored]
    groups, junk = group(shown, line.matcher, line.junk)
    # A group whose wording is now one of a topic's examples has been dealt with: said so, and listed last.
    taught = {(code, normalize(e)): t for code, lang in line.content.languages.items()
              for t in lang.targets.values() for e in t.examples}
    for each in groups:
        each.added = next((taught[(each.lang, normalize(i.words))] for i in each.items
                           if (each.lang, normalize(i.words)) in taught), None)
    groups.sort(key=lambda each: each.added is not None)
    places = {code: sorted((t for t in lang.targets.values() if not (t.kind == "menu" and t.id == "main")),
                           key=lambda t: a_to_z(t.title)) for code, lang in line.content.languages.items()}
    return render_template("admin/unmatched.html", groups=groups, junk=junk, start=start, end=end,
                           names=_language_names(line), error="", showing_ignored=showing_ignored,
                           ignored_count=sum(1 for i in items if (i.lang, i.words) in hidden), closeness=closeness,
                           places=places)


@bp.get("/unmatched/add")
def add_to_place() -> BaseResponse:
    """A group's wordings taken to the editor of the topic or menu an admin chose (one of the nearest, or any other)."""
    line = _line()
    lang = request.args.get("lang", "")
    kind, _, ident = request.args.get("place", "").partition(":")
    if lang not in line.content.languages or (kind, ident) not in line.content.languages[lang].targets:
        abort(404)
    endpoint = "admin.menu_editor" if kind == "menu" else "admin.topic_editor"
    return redirect(url_for(endpoint, lang=lang, ident=ident, add_example=request.args.getlist("words")[:MAX_ADDED]))


def closeness(score: float) -> str:
    """A nearest topic's score in words: close (a score the line most often answers from), possible (it would ask
    "did you mean" about it), far."""
    from ..understanding.matcher import ASK_AT, OFFER_AT

    return "close" if score >= OFFER_AT else "possible" if score >= ASK_AT else "far"


@bp.post("/unmatched/ignore")
def ignore_group() -> BaseResponse:
    """Hide a group's questions from the list (spam, tests, jokes), or show them again; the records are kept."""
    from ..records import summary

    store = _records()
    lang = request.form.get("lang", "")
    words = [w for w in request.form.getlist("words") if w][:500]
    hide = request.form.get("hide") == "1"
    if store is None or lang not in _language_names(_line()) or not words:
        abort(400)
    summary.ignore(store, lang, words, g.admin, hide)
    _log("questions " + ("ignored" if hide else "shown again"), count=len(words))
    flash(f"{len(words)} question{'s' if len(words) != 1 else ''} {'hidden from the list' if hide else 'shown again'}: "
          f"\"{words[0][:80]}\"{' and others' if len(words) > 1 else ''}.")
    back = {k: v for k in ("start", "end", "days") if (v := request.form.get(k, ""))}
    return redirect(url_for("admin.unmatched", **back, **({"ignored": "1"} if not hide else {})))


@bp.get("/messages")
def messages() -> str:
    """Messages callers left, newest first: waiting, handled or all, by language; each with its callback number, a
    player (or why there is none), its notes and "Mark handled"."""
    from ..records import summary

    store = _records()
    page = request.args.get("page", "1")
    page_number = int(page) if page.isascii() and page.isdigit() and len(page) <= 6 and 1 <= int(page) <= 100_000 else 1
    show = request.args.get("show", "waiting")
    show = show if show in summary.SHOWS else "waiting"
    names = _language_names(_line())
    lang = request.args.get("lang", "")
    lang = lang if lang in names else ""
    rows: list[dict[str, Any]] = []
    counts = {"waiting": 0, "handled": 0, "all": 0}
    if store is not None:
        rows = summary.messages_left(store, PAGE + 1, (page_number - 1) * PAGE, show, lang)
        counts = summary.message_counts(store, lang)
        if not lang:
            g.waiting = counts["waiting"]  # the navigation's count: the same query
    for row in rows:
        row["declined"] = row.get("callback") == NO_CALLBACK
        row["call_back"] = row.get("callback") if dialable(row.get("callback") or "") else ""
        row["problem"] = row.get("recording_problem") or _recording_problem(row)
    return render_template("admin/messages.html", rows=rows[:PAGE], configured=store is not None, page=page_number,
                           older=len(rows) > PAGE, show=show, lang=lang, counts=counts, names=names, at=_at())


def a_to_z(title: str) -> str:
    """How a title sorts as a reader reads a list: accents and ñ aside ("células" before "cuidadores", "año" before "azúcar")."""
    return unicodedata.normalize("NFKD", title.casefold()).encode("ascii", "ignore").decode()


def _at() -> int:
    """The item a form just acted on (?at=), whose page jumps to it: what became of the action is said there too, not
    only at the top of the page, out of sight (an exploratory admin's refused undo looked like nothing happened)."""
    at = request.args.get("at", "")
    return int(at) if at.isdigit() and len(at) <= 10 else 0


def _recording_problem(row: dict[str, Any]) -> str:
    """Why a message's recording cannot be played here, when that is known before trying (no account, no id)."""
    from ..gateway.outgoing import RecordingUnavailable, recording_url

    try:
        recording_url(row.get("recording_sid") or "", current_app.config["TWILIO_ACCOUNT_SID"])
    except RecordingUnavailable as error:
        return str(error)
    return ""


def _back_to_messages(message_id: int) -> BaseResponse:
    """The messages page as the admin had it (the same filter and language), at this message."""
    from ..records import summary

    show = request.form.get("show", "")
    lang = request.form.get("lang", "")
    args = {k: v for k, v in (("show", show if show in summary.SHOWS else ""), ("lang", lang if lang.isalpha() and len(lang) <= 8 else "")) if v}
    return redirect(url_for("admin.messages", **args, at=message_id) + f"#message-{message_id}")


NOTE_LIMIT = 500


@bp.post("/messages/<int(max=2147483647):message_id>/handled")
def handled(message_id: int) -> BaseResponse:
    """Mark a message handled (or not handled again), with who and when."""
    from ..records import summary

    store = _records()
    undo = request.form.get("undo") == "1"
    # A note typed, then "Mark handled" pressed instead of "Keep note": kept too, never silently dropped.
    note, too_long = _typed_note()
    if store is None or not summary.mark_handled(store, message_id, g.admin, handled=not undo):
        abort(404)
    if note and not too_long:
        summary.add_note(store, message_id, g.admin, note)
    _log("message marked " + ("not handled" if undo else "handled"), message=message_id)
    flash(f"Message {message_id} marked {'not handled' if undo else 'handled'} by {g.admin}"
          + (f"; {too_long}" if too_long else "; note kept." if note else "."))
    return _back_to_messages(message_id)


def _typed_note() -> tuple[str, str]:
    """The note typed in a message's form, spaces made single; and why it cannot be kept, if it cannot."""
    note = " ".join(request.form.get("note", "").split())
    if len(note) > NOTE_LIMIT:
        return note, f"the note has {len(note)} characters; notes keep at most {NOTE_LIMIT}. Nothing was kept: shorten it."
    return note, ""


@bp.post("/messages/<int(max=2147483647):message_id>/notes")
def add_note(message_id: int) -> BaseResponse:
    """Keep a short note with a message ("called back, will call again Tuesday"), with who and when."""
    from ..records import summary

    store = _records()
    note, too_long = _typed_note()
    if not note:
        flash(f"Message {message_id}: the note was empty, so nothing was kept.")
        return _back_to_messages(message_id)
    if too_long:
        flash(f"Message {message_id}: {too_long}")
        return _back_to_messages(message_id)
    if store is None or not summary.add_note(store, message_id, g.admin, note):
        abort(404)
    _log("note kept", message=message_id)
    flash(f"Message {message_id}: note kept.")
    return _back_to_messages(message_id)


@bp.get("/messages/<int(max=2147483647):message_id>/recording")
def recording(message_id: int) -> BaseResponse:
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
        if error.status in (404, 410):
            summary.note_recording_problem(store, message_id, str(error))  # gone for good: the page says so from now on
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
    return render_template("admin/content.html", languages=languages, warnings=len(problems),
                           warning_list=_warning_links(line, problems), **_content_state(line, problems))


_NAMED = re.compile(r"^(topic|menu|action|phrase) '([\w-]+)'")


def _warning_links(line: Line, problems: list[Any]) -> list[tuple[Any, str]]:
    """Each of the check's warnings, with a link to the editor of what it is about when it names one."""
    files = {lang.file: code for code, lang in line.content.languages.items()}
    out = []
    for problem in problems:
        link = ""
        named = _NAMED.match(problem.message)
        code = files.get(problem.file)
        if named and code:
            kind, ident = named.groups()
            endpoint = {"menu": "admin.menu_editor", "phrase": "admin.phrase_editor"}.get(kind, "admin.topic_editor")
            link = url_for(endpoint, lang=code, ident=ident)
        out.append((problem, link))
    return out


def _content_state(line: Line, problems: list[Any]) -> dict[str, Any]:
    """What the content page says about the live content: edits, conflicts, topics to review, the audio's voices."""
    from ..live import stale_topics, untranslated

    live = current_app.extensions["live"]
    editing = current_app.extensions.get("editing")
    stale: list[str] = []
    behind: list[tuple[str, str, str, str]] = []
    if editing is not None:
        try:
            stale = sorted(stale_topics(line.content, editing, live.outcomes))
            behind = sorted(((topic, code, line.content.languages[code].name, line.content.languages[code].topic(topic).title)
                             for topic, code in untranslated(line.content, editing, live.outcomes)),
                            key=lambda entry: (a_to_z(entry[3]), entry[1]))
        except Exception:  # noqa: BLE001 - the page still shows the content without the review and translation lists
            log.warning("admin: review or translation marks could not be read")
    names = _language_names(line)
    first = next(iter(line.content.languages.values()))
    # A-Z, so an admin finds a topic by its name rather than by where it sits in the menus.
    index = sorted(((t.title, kind, ident) for (kind, ident), t in first.targets.items() if kind in ("topic", "menu")),
                   key=lambda entry: a_to_z(entry[0]))
    return {"editable": editing is not None, "conflicts": live.conflicts(), "stale": stale, "index": index,
            "behind": behind, "behind_topics": _names_by_topic(behind),
            "first_name": line.content.languages[line.content.default_language].name,
            "titles": {ident: t.title for (kind, ident), t in first.targets.items() if kind == "topic"},
            "index_lang": first.code,
            "voices": {names[code]: counts for code, counts in line.audio.sources(line.content).items()},
            "edited": sum(1 for o in live.outcomes if o.status in ("applied", "conflict"))}


def _names_by_topic(behind: list[tuple[str, str, str, str]]) -> dict[str, list[str]]:
    """The languages to check of each topic, by name."""
    names: dict[str, list[str]] = {}
    for topic, _, name, _ in behind:
        names.setdefault(topic, []).append(name)
    return names


def _all_problems(line: Line) -> list[Any]:
    """The prompt check's warnings for the content this process runs (worked out once: the content does not change)."""
    from pathlib import Path

    from ..audio import audio_problems
    from ..content.checks import reading_problems
    from ..understanding.checks import example_problems

    return [*line.content.problems, *(p for lang in line.content.languages.values() for p in reading_problems(lang)),
            # Audio as callers get it: a prompt published here plays the audio built for it (kept in the database), which
            # the files' check calls out of date; and files no prompt plays are kept for a revert, not a command to run.
            *audio_problems(line.content, Path(current_app.config["AUDIO_DIR"]),
                            heard=lambda prompt: line.audio.file_for(prompt) is not None, unused=False),
            *example_problems(line.content, line.matcher)]

