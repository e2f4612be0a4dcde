"""Texts that a call sends: an answer to the caller who asked for it, and a note to the admin about a message left."""

from __future__ import annotations

from typing import Mapping

from ..content import Language, sms_answer
from ..line import Line
from ..logs import mask


def send_answer(line: Line, lang: Language, topic_id: str, caller: str, line_number: str) -> bool:
    """Text a topic's answer to the caller, from the number they called."""
    if line.messenger is None:
        return False
    return line.messenger.send(caller, line_number, sms_answer(lang, lang.topic(topic_id)))


def store_recording(line: Line, form: Mapping[str, str]) -> None:
    """Keep a left message's details and tell the admin by text when a number is configured."""
    try:
        duration = int(form.get("RecordingDuration", "0") or 0)
    except ValueError:
        duration = 0
    url = form.get("RecordingUrl", "")[:500]
    caller = form.get("From", "")
    if line.store is not None:
        # The full number only as the callback, which admins need; everywhere else (logs, the admin's text) masked.
        line.store.record_message(form.get("CallSid", "")[:64], mask(caller), url, duration,
                                  recording_sid=form.get("RecordingSid", "")[:64], callback=caller[:32])
    admin = line.admin_number
    if admin and line.messenger is not None:
        line.messenger.send(admin, form.get("To", ""), f"A voice message ({duration} s) is waiting on the POEMS line: "
                            "see the report for the number to call back.")
