"""Admin commands: check the prompts, build the audio, try the line without a phone, read the report."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .audio import audio_problems
from .content import Problem, format_problems, gsm, read
from .content.replies import TEXT_CHOICES, first_text_room
from .records import NO_CALLBACK


def register(app: Flask) -> None:
    """Add the admin commands to the flask command line."""
    app.cli.add_command(prompts_group)
    app.cli.add_command(audio_group)
    app.cli.add_command(call_command)
    app.cli.add_command(text_command)
    app.cli.add_command(report_command)
    app.cli.add_command(ask_command)
    app.cli.add_command(eval_command)
    app.cli.add_command(admin_group)


def _line_or_exit():  # type: ignore[no-untyped-def]
    line = current_app.extensions.get("line")
    if line is None:
        click.echo(format_problems(current_app.extensions["line.problems"]), err=True)
        click.echo("Fix the prompt files first: flask --app service prompts check", err=True)
        sys.exit(1)
    return line


@click.group("prompts", cls=AppGroup)
def prompts_group() -> None:
    """Check the prompt files."""


@prompts_group.command("check")
@click.option("--no-audio", is_flag=True, help="Skip the audio check (for a prompts tree without audio).")
def check_command(no_audio: bool) -> None:
    """Report every problem in prompts/ (and missing or stale audio, and examples that lead elsewhere), each with file
    and line, all in one run."""
    content = read(current_app.config["PROMPTS_DIR"])
    problems: list[Problem] = list(content.problems)
    if not no_audio and content.languages:
        problems.extend(audio_problems(content, Path(current_app.config["AUDIO_DIR"])))
    if content.languages and all("sms_welcome" in lang.phrases for lang in content.languages.values()):
        from .understanding import Matcher
        from .understanding.checks import example_problems

        try:
            problems.extend(example_problems(content, Matcher.for_content(content, cache_dir=Path(current_app.instance_path))))
        except Exception as exc:  # noqa: BLE001 - files too broken to learn from: their errors are the report
            click.echo(f"(the examples were not checked: {type(exc).__name__}; fix the errors above first)", err=True)
    problems.extend(_live_notes(content))
    errors = [p for p in problems if p.severity == "error"]
    if problems:
        click.echo(format_problems(problems))
    if not errors:
        topics = len(content.topic_ids())
        audio = " (audio not checked)" if no_audio else ", all with current audio"
        warned = f" Worth a look: the {len(problems)} warning(s) above." if problems else ""
        click.echo(f"prompts/ is fine: {len(content.languages)} language(s), {len(content.menus)} menus, "
                   f"{topics} topics, {len(content.prompts())} spoken prompts{audio}.{warned}")
        rooms = [f"{lang.name} {first_text_room(lang)}" for lang in content.languages.values()
                 if all(name in lang.phrases for name in ("sms_welcome", "sms_answer_footer"))]
        if rooms:
            click.echo(f"A text answer may have at most: {', '.join(rooms)} characters (what a first text leaves beside the "
                       f"notice and the closing line, in {gsm.MAX_GSM_CHARS} characters, three segments).")
    sys.exit(1 if errors else 0)


def _live_notes(content: Any) -> list[Problem]:
    """With a records database: the edits published on the admin pages that these files do not have yet, and topics
    whose answer changed since their last medical review."""
    editing = current_app.extensions.get("editing")
    if editing is None:
        return []
    from .live import live_texts, review_problems

    try:
        texts, outcomes = live_texts(Path(current_app.config["PROMPTS_DIR"]), editing.edits())
        live = read(current_app.config["PROMPTS_DIR"], reading=False, texts=texts)
        notes = review_problems(live, editing, outcomes)
    except Exception:  # noqa: BLE001 - the database is down or new: the files are what is checked
        return []
    waiting = [o for o in outcomes if o.status in ("applied", "conflict")]
    if waiting:
        first = waiting[0].edit
        notes.append(Problem(first.file, 1, f"{len(waiting)} field(s) published on the admin pages are not in these files "
                             f"yet (first: {first.kind} '{first.ident}' {first.field}); expected them here: run flask --app "
                             "service prompts pull", "warning"))
    return notes


@prompts_group.command("pull")
def pull_command() -> None:
    """Write the edits published on the admin pages into the prompt files (only the edited lines change), to commit."""
    from .content.edits import apply
    from .live import base_texts

    editing = current_app.extensions.get("editing")
    if editing is None:
        click.echo("No records database (DATABASE_URL=none): there are no edits to pull.", err=True)
        sys.exit(1)
    root = Path(current_app.config["PROMPTS_DIR"])
    base = base_texts(root)
    try:
        texts, outcomes = apply(base, editing.edits())
    except Exception as exc:  # noqa: BLE001 - say why, never a traceback
        click.echo(f"The edits could not be read from the database: {type(exc).__name__}", err=True)
        sys.exit(1)
    changed = [name for name, text in texts.items() if text != base[name]]
    for name in changed:
        tmp = root / f".{name}.pull"
        tmp.write_text(texts[name], encoding="utf-8")
        tmp.replace(root / name)
    conflicts = [o for o in outcomes if o.status == "conflict"]
    missing = [o for o in outcomes if o.status == "missing"]
    click.echo(f"{sum(o.status in ('applied', 'conflict') for o in outcomes)} edited field(s) written into "
               f"{', '.join(changed) or 'no file'}; {sum(o.status == 'absorbed' for o in outcomes)} already there.")
    for outcome in conflicts:
        e = outcome.edit
        click.echo(f"CHANGED IN BOTH: {e.file} {e.kind} '{e.ident}' {e.field}: the web's wording was written; the files had "
                   f"{outcome.file_value!r}. Choose on the admin pages (History) if that was not right.", err=True)
    for outcome in missing:
        e = outcome.edit
        click.echo(f"NOT WRITTEN: {e.file} has no {e.kind} '{e.ident}' (removed from the files?)", err=True)
    click.echo("Now: flask --app service prompts check, then commit prompts/.")


@click.group("audio", cls=AppGroup)
def audio_group() -> None:
    """Build the pre-generated audio."""


@audio_group.command("build")
@click.option("--engine", type=click.Choice(["gtts", "espeak"]), default="gtts", show_default=True,
              help="gtts: Google's voices (needs the internet); espeak: espeak-ng, offline.")
@click.option("--prune", is_flag=True, help="Remove audio files no prompt uses any more.")
@click.option("--jobs", default=3, show_default=True, help="How many files to make at once.")
@click.option("--lang", "languages", multiple=True, help="Only these languages (default: all).")
@click.option("--reuse", "cache", type=click.Path(file_okay=False, path_type=Path),
              help="A folder of files an earlier build made (a deploy's cache): unchanged text is copied, not made again; "
                   "new files are kept there too.")
def build_command(engine: str, prune: bool, jobs: int, languages: tuple[str, ...], cache: Path | None) -> None:
    """Make an MP3 for every spoken prompt that lacks a current one."""
    from .audio.build import EngineUnavailable, build

    content = read(current_app.config["PROMPTS_DIR"])
    if any(p.severity == "error" for p in content.problems):
        click.echo(format_problems(content.problems), err=True)
        sys.exit(1)
    from .audio.build import plan

    audio_dir = Path(current_app.config["AUDIO_DIR"])
    wanted, kept = plan(content, audio_dir, engine, list(languages) or None)
    click.echo(f"{len(wanted)} file(s) to make with {engine}; {kept} already current.", err=True)
    try:
        bar: Any
        with click.progressbar(length=len(wanted), label=f"Building audio with {engine}", file=sys.stderr) as bar:
            report = build(content, audio_dir, engine, prune, jobs, list(languages) or None, progress=bar.update, cache=cache)
    except EngineUnavailable as exc:
        click.echo(f"Cannot build audio: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{len(report.made)} made, {report.kept} already current, {len(report.removed)} removed, {len(report.failed)} failed.")
    for prompt, reason in report.failed:
        click.echo(f"FAILED {prompt.file}:{prompt.line}: {prompt.id} ({prompt.lang}): {reason}", err=True)
    sys.exit(1 if report.failed else 0)


def _matcher():  # type: ignore[no-untyped-def]
    line = current_app.extensions.get("line")
    if line is not None:
        return line
    return _line_or_exit()


@click.command("ask")
@with_appcontext
@click.argument("question")
def ask_command(question: str) -> None:
    """Show what the line makes of a question: the nearest topics with their scores, in every language."""
    from .understanding.matcher import CONFIDENT_AT, SURE_AT, confidence

    line = _matcher()
    if line.safety.is_crisis(question) or line.safety.is_emergency(question):
        click.echo(f"Caught first as {'a crisis' if line.safety.is_crisis(question) else 'an emergency'}: "
                   "the line answers with its crisis or 911 message, not a topic.")
    click.echo(f"A new texter would be answered in: {line.languages.language(question, None)}")
    for code in line.content.languages:
        # As a texter gets it (four to choose from; a caller hears the first three).
        decision = line.matcher.decide(question, code, TEXT_CHOICES)
        sure = confidence(decision.ranking) if decision.ranking else 0.0
        click.echo(f"\n{code}: {decision.kind} -> {', '.join(t.id for t in decision.choices)}  "
                   f"(sure the right one is first or second: {sure:.0%}; it answers from {CONFIDENT_AT:.0%}, "
                   f"or from a best score of {SURE_AT:.2f})")
        if decision.elsewhere:
            click.echo("  (about something else: told what the line is for, sms_off_topic or off_topic, not these)")
        if decision.kind == "offer" and len(decision.choices) > 2 and decision.target.kind != "menu":
            click.echo("  (the answer, then the other two on keys or replies 1 and 2; a text offers the second only "
                       "where it fits the answer's three segments)")
            by_phone = decision.for_a_call()
            if by_phone.choices != decision.choices:
                click.echo(f"  (a caller is offered {', '.join(t.id for t in by_phone.choices[1:])}: an action only "
                           "when its meaning is close)")
        for scored in decision.ranking[:TEXT_CHOICES]:
            click.echo(f"  {scored.score:5.2f}  {scored.target.kind:6s} {scored.target.id:24s} "
                       f"(words {scored.lexical:.2f}, meaning {scored.semantic:.2f})  \"{scored.target.title}\"")


@click.command("eval")
@with_appcontext
@click.option("--questions", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path(__file__).resolve().parent.parent / "bench" / "eval" / "questions.csv", show_default=True,
              help="A CSV of held-out questions: lang, question, topic, source.")
def eval_command(path: Path) -> None:
    """Measure the matcher on real people's questions, held apart from the bank: per language and topic."""
    from .understanding.evaluation import evaluate, read_questions, report

    line = _matcher()
    questions = read_questions(path)
    written = evaluate(line.content, line.matcher, line.safety, questions)
    spoken = evaluate(line.content, line.matcher, line.safety, questions, spoken=True)
    click.echo(report(written, str(path), len(questions), spoken))


def _twilio(verbose: bool = False):  # type: ignore[no-untyped-def]
    from . import logs
    from .simulator import TwilioClient

    # The request log lines would interleave with the conversation on the terminal: shown only when asked.
    logs.quiet(not verbose)
    logging.getLogger("service.requests").setLevel(logging.INFO if verbose else logging.WARNING)
    return TwilioClient(current_app.test_client(), current_app.config["TWILIO_AUTH_TOKEN"], "http://localhost")


@click.command("call")
@with_appcontext
@click.option("--caller", default="+15555550123", help="The number the call seems to come from.")
@click.option("--verbose", is_flag=True, help="Also show the line's JSON log line for each step.")
def call_command(caller: str, verbose: bool) -> None:
    """Call the line from the terminal: hear what a caller hears, press keys, or type what you would say (each run is
    a new call, with its own call SID)."""
    from .simulator import PhoneCall, audio_texts

    line = _line_or_exit()
    call = PhoneCall(_twilio(verbose), audio_texts(line), caller=caller)
    click.echo("Type a key (0-9, *, #) and Enter, or words as if spoken. Just Enter = stay silent. Ctrl-D hangs up.\n")
    turn = call.start()
    while True:
        for heard in turn.heard:
            source = f"[plays audio/{heard.audio}]" if heard.audio else f"[Say {heard.language or ''}{', at ' + heard.rate if heard.rate else ''}]".replace(" ]", "]")
            click.echo(f"{source} {heard.text}")
        if turn.hung_up:
            click.echo("[the line hangs up]")
            return
        if turn.record is not None:
            typed = click.prompt("(recording) type your message, or just Enter to leave none", default="", show_default=False)
            # Each message its own recording, as Twilio gives it (one SID for all would make them one message).
            url = f"https://api.twilio.com/recordings/RE{secrets.token_hex(16)}"
            turn = call.leave_recording(url=url) if typed else call.wait()
            continue
        if turn.dial is not None:
            click.echo(f"[the line puts you through to {(turn.dial.text or '').strip()}]")
            answered = click.confirm("(ringing) does the person answer?", default=False)
            turn = call.dial_ends("completed" if answered else "no-answer")
            continue
        assert turn.gather is not None  # a turn ends in a hang-up, a Record, a Dial or a Gather
        try:
            typed = click.prompt(f"(waiting {turn.gather.get('timeout')} s) >", default="", show_default=False, prompt_suffix=" ")
        except (click.Abort, EOFError):
            click.echo("\n[you hang up]")
            return
        typed = typed.strip()
        if not typed:
            click.echo("[silence]")
            turn = call.wait()
        elif len(typed) == 1 and typed in "0123456789*#":
            turn = call.press(typed)
        else:
            turn = call.say(typed)


@click.command("text")
@with_appcontext
@click.argument("messages", nargs=-1)
@click.option("--texter", default="+15555550123", help="The number the texts seem to come from.")
@click.option("--verbose", is_flag=True, help="Also show the line's JSON log line for each text.")
def text_command(messages: tuple[str, ...], texter: str, verbose: bool) -> None:
    """Text the line from the terminal; several messages make one conversation. No messages: type them."""
    from .simulator import TextThread

    _line_or_exit()
    thread = TextThread(_twilio(verbose), texter=texter)

    def show(body: str) -> None:
        click.echo(f"> {body}")
        replies = thread.send(body)
        if not replies:
            click.echo("  (no reply)")
        for reply in replies:
            click.echo(f"< [{gsm.segments(reply)} segment(s), {len(reply)} characters]")
            for text_line in reply.split("\n"):
                click.echo(f"  {text_line}")
        click.echo()

    if messages:
        for body in messages:
            show(body)
        return
    click.echo("Type a text message and Enter. Ctrl-D to stop.")
    for body in sys.stdin:
        show(body.rstrip("\n"))


@click.command("report")
@with_appcontext
@click.option("--days", default=30, show_default=True, help="The last N days, today included.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD), instead of --days.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD), default today.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, for other tools.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the topics, questions and messages as CSV rows.")
def report_command(days: int, since: dt.datetime | None, until: dt.datetime | None, as_json: bool, as_csv: bool) -> None:
    """What callers and texters asked, what the line did not understand, and messages left."""
    line = _line_or_exit()
    if line.store is None:
        click.echo("No database is configured (DATABASE_URL=none).", err=True)
        sys.exit(1)
    from .records.summary import RangeError, date_range

    try:
        start, end = date_range(days, since.date() if since else None, until.date() if until else None, line.store.today())
    except RangeError as error:
        raise click.BadParameter(str(error), param_hint="--days/--since/--until") from error
    report = line.store.report(start, end)
    if as_json or as_csv:
        from .records.export import REPORT_FIELDS, report_rows, to_csv

        rows = report_rows(report)
        if as_json:
            click.echo(json.dumps({"start": str(start), "end": str(end), "rows": rows}, indent=1))
        else:
            click.echo(to_csv(REPORT_FIELDS, rows).rstrip("\r\n"))
        return
    click.echo(f"POEMS line report, {start} to {end}\n")
    click.echo("Most asked topics (count, topic, channel, language):")
    for topic, channel, lang, count in report.topics or []:
        click.echo(f"  {count:6d}  {topic:22s} {channel:6s} {lang}")
    if not report.topics:
        click.echo("  none")
    click.echo("\nNot understood, most frequent first (count, channel, language, words; add them as examples in prompts/):")
    junk = 0
    for words, channel, lang, count in report.unmatched:
        if line.junk.is_junk(words):
            junk += count
            continue
        click.echo(f"  {count:6d}  {channel:6s} {lang:3s} {words}")
    if junk:
        click.echo(f"  {junk:6d}  random characters or very long texts, not listed")
    if not report.unmatched:
        click.echo("  none")
    click.echo("\nMessages left (newest last), with the number to call back:")
    for message in report.messages:
        click.echo(f"  {message['created']:%Y-%m-%d %H:%M}  {message['duration']:4d} s  {'no call back (the caller said not to)' if message.get('callback') == NO_CALLBACK else 'call back ' + (message.get('callback') or message['caller'])}  {message['recording_url']}")
    if not report.messages:
        click.echo("  none")
    oldest = sorted((t for lang in line.content.languages.values() for t in lang.targets.values() if t.reviewed), key=lambda t: t.reviewed)[:5]
    if oldest:
        click.echo("\nOldest medical reviews (topic, language, reviewed):")
        for target in oldest:
            click.echo(f"  {target.id:24s} {target.file.split('/')[-1][:2]}  {target.reviewed}")


@click.group("admin", cls=AppGroup)
def admin_group() -> None:
    """The admin web pages (/admin)."""


@admin_group.command("password")
@click.password_option("--password", prompt="The admin password (at least 12 characters)",
                       help="Read from the terminal when not given.")
def admin_password_command(password: str) -> None:
    """Make the ADMIN_PASSWORD_HASH value for a password; set it in the environment to turn /admin on."""
    from .admin.access import make_hash

    if len(password) < 12:
        raise click.BadParameter("that password is too short: expected at least 12 characters", param_hint="password")
    click.echo("Set this in the line's environment (the password itself is not kept anywhere):\n")
    click.echo(f"ADMIN_PASSWORD_HASH='{make_hash(password)}'")
