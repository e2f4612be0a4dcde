"""Texts that a call sends: an answer to the caller who asked for it, and a note to the admin about a message left."""

from __future__ import annotations

from typing import Mapping

from ..content import Language, sms_answer
from ..line import Line
from ..logs import mask

MAX_DURATION = 24 * 3600  # seconds: more than any recording, well inside the column


ADMIN_TEXTS_PER_DAY = 50


def send_answer(line: Line, lang: Language, topic_id: str, call_sid: str, caller: str, line_number: str) -> str:
    """Text a topic's answer to the caller, from the number they called: once per call, topic and language (a caller
    who switched language asks for the answer they can read; see Line.send_text)."""
    return line.send_text(f"{call_sid}-{lang.code}-{topic_id}", caller, line_number, sms_answer(lang, lang.topic(topic_id)))


def store_recording(line: Line, form: Mapping[str, str], lang: str = "") -> None:
    """Keep a left message's details and tell the admin by text when a number is configured."""
    try:
        # Twilio's recordings last minutes; anything else (a huge or negative figure) is clamped, never refused.
        duration = min(max(int(form.get("RecordingDuration", "0") or 0), 0), MAX_DURATION)
    except ValueError:
        duration = 0
    url = form.get("RecordingUrl", "")[:500]
    caller = form.get("From", "")
    if line.store is not None:
        # The full number only as the callback, which admins need; everywhere else (logs, the admin's text) masked.
        line.store.record_message(form.get("CallSid", "")[:64], mask(caller), url, duration,
                                  recording_sid=form.get("RecordingSid", "")[:64], callback=caller[:32], lang=lang)
    admin = line.admin_number
    if admin:
        # Once per recording, however often Twilio posts it.
        line.send_text(form.get("RecordingSid", "") or form.get("CallSid", ""), admin, form.get("To", ""),
                       f"A voice message ({duration} s) is waiting on the POEMS line: see the admin pages for the number "
                       "to call back.", kind="admin", per_day=ADMIN_TEXTS_PER_DAY)
