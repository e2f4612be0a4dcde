"""The running line: content, matcher and audio, built once at start and shared by every request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from .audio import AudioLibrary
from .content import Content, Language, Prompt
from .matcher import Matcher

MAX_HINTS = 450
MAX_CACHED_REPLIES = 4096


@dataclass
class Line:
    """Everything a request handler needs, loaded and validated once."""

    content: Content
    matcher: Matcher
    audio: AudioLibrary
    hints: dict[str, str] = field(default_factory=dict)
    store: Any = None
    messenger: Any = None
    admin_number: str = ""
    replies: dict[tuple[object, ...], str] = field(default_factory=dict)

    @classmethod
    def build(cls, content: Content, audio: AudioLibrary) -> "Line":
        """Prepare the matcher and speech hints for every language."""
        line = cls(content, Matcher(content), audio)
        for code, lang in content.languages.items():
            words: list[str] = []
            for target in lang.targets.values():
                for phrase in (target.title, target.keyword, *target.phrases):
                    if len(phrase) > 1 and phrase not in words:
                        words.append(phrase)
            for name in ("menu", "help", "repeat", "back"):
                words.extend(w for w in lang.words.get(name, ()) if w not in words)
            line.hints[code] = ", ".join(w[:100] for w in words[:MAX_HINTS])
        return line

    def language(self, code: str | None) -> Language:
        """The language for a code from a URL or session, or the default one."""
        return self.content.languages.get(code or "", self.content.languages[self.content.default_language])

    def remember(self, key: tuple[object, ...], reply: str) -> str:
        """Keep a built reply for the next identical request (bounded: hosts and audio states are few)."""
        if len(self.replies) >= MAX_CACHED_REPLIES:
            self.replies.clear()
        self.replies[key] = reply
        return reply

    def speak(self, verb: VoiceResponse | Gather, prompt: Prompt) -> None:
        """Play the prompt's audio when a current file exists, else speak its text: never silence."""
        self.play_or_say(verb, prompt, self.audio.file_for(prompt))

    def play_or_say(self, verb: VoiceResponse | Gather, prompt: Prompt, name: str | None) -> None:
        """Play the named audio file (already checked), or with no file speak the prompt's text."""
        if name:
            verb.play(self.audio.url(name, url_for("media.audio_file", name=name, _external=True)))
        else:
            verb.say(prompt.text, language=self.language(prompt.lang).voice.say_language)


def current_line() -> Line:
    """The Line of the app handling this request."""
    return current_app.extensions["line"]

