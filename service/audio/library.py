"""Pre-built audio: file names by content hash, the manifest, and which file plays for a prompt."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Any, Callable

from flask import request
from twilio.twiml.voice_response import Gather, VoiceResponse

from ..content import Content, Problem, Prompt

MANIFEST = "manifest.json"
# When both engines have built the same text, callers hear the more natural voice.
ENGINE_PREFERENCE = ("gtts", "espeak")


def file_name(prompt: Prompt, engine: str, voice: str) -> str:
    """The audio file name for a prompt: changes whenever text, language, voice or engine change."""
    digest = hashlib.sha256(f"{engine}\n{voice}\n{prompt.lang}\n{prompt.text}".encode()).hexdigest()[:16]
    slug = re.sub(r"[^a-z0-9]+", "-", prompt.id.lower()).strip("-")
    return f"{prompt.lang}-{slug}-{engine}-{digest}.mp3"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(65536), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(audio_dir: Path) -> dict[str, dict[str, Any]]:
    """The manifest's file records, or none when it is missing or unreadable."""
    try:
        data = json.loads((audio_dir / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files", {})
        return {str(k): v for k, v in files.items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError):
        return {}


def write_manifest(audio_dir: Path, files: dict[str, dict[str, Any]]) -> None:
    """Write the manifest atomically, sorted so diffs stay small."""
    tmp = audio_dir / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps({"files": dict(sorted(files.items()))}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, audio_dir / MANIFEST)


def by_text(records: dict[str, dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """Manifest files grouped by (language, text hash), best engine first in each group."""
    groups: dict[tuple[str, str], list[str]] = {}
    for name, record in records.items():
        groups.setdefault((str(record.get("lang")), str(record.get("text_sha"))), []).append(name)
    rank = {e: i for i, e in enumerate(ENGINE_PREFERENCE)}
    for names in groups.values():
        names.sort(key=lambda n: (rank.get(records[n].get("engine", ""), 99), n))
    return groups


# How long a file found good (or a prompt found without one) is trusted before its file is looked at again.
RECHECK_SECONDS = 1.0


class AudioLibrary:
    """Which audio file plays for each prompt, re-checked cheaply so a lost or broken file means Say, not silence."""

    def __init__(self, audio_dir: Path | str, base_url: str = "", public_base_url: str = "", engine: str = "gtts") -> None:
        self.dir = Path(audio_dir)
        # Which engines' files callers hear: Google's voices always; espeak-ng's robotic ones only when the admin
        # chose that engine (otherwise Twilio's neural voice reads the text: better than a robot).
        self.engines = ENGINE_PREFERENCE if engine == "espeak" else ("gtts",)
        self.base_url = base_url
        # Behind a proxy the request's host is the inner one: Twilio must be sent the address it can reach.
        self.public_base_url = public_base_url
        self.records = read_manifest(self.dir)
        self._by_text = by_text(self.records)
        self._paths = {name: os.path.join(self.dir, name) for name in self.records}
        self._verified: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        # A stat per prompt per request was a tenth of a menu reply's cost (bench/README.md); once a second is
        # enough, as Twilio fetches the file later anyway and keeps it (the files are served as immutable).
        self.recheck_seconds = RECHECK_SECONDS
        self.clock = time.monotonic
        self._found: dict[tuple[str, str], tuple[str | None, float]] = {}
        self._stored: dict[str, dict[str, Any]] = {}
        self._bytes: dict[str, bytes] = {}
        self._fetch: Callable[[str], bytes | None] | None = None

    def file_for(self, prompt: Prompt) -> str | None:
        """The name of a good audio file for this prompt's current text, or None."""
        key = (prompt.lang, prompt.text_sha)
        now = self.clock()
        found = self._found.get(key)
        if found is not None and now < found[1]:
            return found[0]
        name = self._good_file(key)
        self._found[key] = (name, now + self.recheck_seconds)
        return name

    def add_stored(self, records: dict[str, dict[str, Any]], fetch: Callable[[str], bytes | None]) -> None:
        """Audio built for the admin pages' edits, kept in the database: played like the files, served from there."""
        fresh = {name: record for name, record in records.items() if name not in self.records}
        self.records.update(fresh)
        self._stored.update(fresh)
        self._fetch = fetch
        self._by_text = by_text(self.records)
        self._found.clear()

    def stored(self, name: str) -> bytes | None:
        """The bytes of a file kept in the database (None when it is not one of those)."""
        if name not in self._stored or self._fetch is None:
            return None
        data = self._bytes.get(name)
        if data is None:
            data = self._fetch(name)
            if data is not None and len(self._bytes) < 256:
                self._bytes[name] = data
        return data

    def _good_file(self, key: tuple[str, str]) -> str | None:
        for name in self._by_text.get(key, ()):
            if self.records[name].get("engine") not in self.engines:
                continue
            if name in self._stored:
                return name
            try:
                st = os.stat(self._paths[name])
            except OSError:
                continue
            if self._verified.get(name) == (st.st_size, st.st_mtime_ns) or self._verify(name, st):
                return name
        return None

    def _verify(self, name: str, st: os.stat_result) -> bool:
        stamp = (st.st_size, st.st_mtime_ns)
        record = self.records[name]
        # A file whose size or time changed since it was last checked is hashed again.
        ok = st.st_size == record.get("bytes") and file_digest(self.dir / name) == record.get("sha256")
        with self._lock:
            if ok:
                self._verified[name] = stamp
            else:
                self._verified.pop(name, None)
        return ok

    def sources(self, content: Content) -> dict[str, dict[str, int]]:
        """Per language, how many prompts callers hear from each engine's files, and how many by Twilio's voice."""
        out: dict[str, dict[str, int]] = {}
        for prompt in content.prompts():
            name = self.file_for(prompt)
            source = str(self.records[name].get("engine")) if name else "say"
            counts = out.setdefault(prompt.lang, {"gtts": 0, "espeak": 0, "say": 0})
            counts[source] = counts.get(source, 0) + 1
        return out

    def url(self, name: str) -> str:
        """Where Twilio fetches a file: the CDN when configured, else this app (always this app for audio built for an
        admin's edit: it lives in the database, and the CDN has never seen it)."""
        if self.base_url and name not in self._stored:
            return f"{self.base_url}/{name}"
        # The files are served at /audio/<name> (audio.serve): a plain join costs a tenth of url_for, called for every
        # prompt of every reply.
        root = self.public_base_url + "/" if self.public_base_url else request.url_root
        return f"{root}audio/{name}"

    def speak(self, verb: VoiceResponse | Gather, prompt: Prompt, say_language: str, say_voice: str) -> None:
        """Play the prompt's audio when a current file exists, else speak its text in the language's voice."""
        name = self.file_for(prompt)
        if name:
            verb.play(self.url(name))
        else:
            verb.say(prompt.text, language=say_language, voice=say_voice or None)


def audio_problems(content: Content, audio_dir: Path, heard: Callable[[Prompt], bool] | None = None,
                   unused: bool = True) -> list[Problem]:
    """Audio that is missing, stale (built for older text), broken, or no longer used (unused: also files no prompt
    plays; heard: prompts whose callers already hear audio from elsewhere, the admin pages' edits kept in the database)."""
    records = read_manifest(audio_dir)
    problems: list[Problem] = []
    if not (audio_dir / MANIFEST).exists():
        problems.append(Problem(f"{audio_dir.name}/{MANIFEST}", 1, "no audio manifest; run: flask --app service audio build"))
    used: set[str] = set()
    groups = by_text(records)
    for prompt in content.prompts():
        names = groups.get((prompt.lang, prompt.text_sha), [])
        good = [n for n in names if (audio_dir / n).is_file() and (audio_dir / n).stat().st_size == records[n].get("bytes")]
        used.update(names)
        if good or heard is not None and heard(prompt):
            continue
        where = prompt.file or f"{content.root.name}/{prompt.lang}.yaml"
        if names:
            problems.append(Problem(where, prompt.line, f"{prompt.id} ({prompt.lang}): audio file {names[0]} is missing or damaged; expected it in {audio_dir.name}/: run flask --app service audio build"))
        elif any(r.get("prompt") == prompt.id and r.get("lang") == prompt.lang for r in records.values()):
            problems.append(Problem(where, prompt.line, f"{prompt.id} ({prompt.lang}): audio is out of date (the text changed since it was built); expected new audio: run flask --app service audio build"))
        else:
            problems.append(Problem(where, prompt.line, f"{prompt.id} ({prompt.lang}): no audio for this text; expected an audio file: run flask --app service audio build"))
    offline = [p for p in content.prompts() if (groups.get((p.lang, p.text_sha)) or [""])[0] and
               records[groups[(p.lang, p.text_sha)][0]].get("engine") == "espeak"]
    if offline:
        problems.append(Problem(f"{audio_dir.name}/{MANIFEST}", 1, f"{len(offline)} prompt(s) play audio built by the offline engine "
                                "espeak-ng, which sounds robotic; before going live rebuild on a machine with internet: "
                                "flask --app service audio build --engine gtts --prune", "warning"))
    for name in sorted(set(records) - used) if unused else ():
        problems.append(Problem(f"{audio_dir.name}/{MANIFEST}", 1, f"{name} is not used by any prompt; remove it with: flask --app service audio build --prune", "warning"))
    return problems
