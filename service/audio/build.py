"""Building the audio files: gTTS by default, espeak-ng offline; incremental, retried, never half-written."""

from __future__ import annotations

import array
import hashlib
import io
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import wave
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .library import by_text, file_digest, file_name, read_manifest, write_manifest
from ..content import Content, Language, Prompt

ENGINES = ("gtts", "espeak")
GTTS_TIMEOUT = 15.0
GTTS_ATTEMPTS = 5
ESPEAK_SPEED = 150  # words a minute; slower than espeak's 175 for older listeners


class EngineUnavailable(Exception):
    """The chosen engine cannot run on this machine."""


class SynthesisError(Exception):
    """One prompt could not be turned into audio."""


@dataclass
class BuildReport:
    """What a build did."""

    made: list[str] = field(default_factory=list)
    kept: int = 0
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[Prompt, str]] = field(default_factory=list)


def voice_of(engine: str, lang: Language) -> str:
    """The engine's voice for a language, as recorded in file names and the manifest."""
    if engine == "gtts":
        return f"{lang.voice.gtts_lang}.{lang.voice.gtts_tld}"
    return f"{lang.voice.espeak_voice}.s{ESPEAK_SPEED}"


def espeak_binary() -> str | None:
    """The offline engine's program, if installed."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


def synthesize_espeak(text: str, lang: Language) -> bytes:
    """MP3 bytes for text from espeak-ng, encoded with LAME."""
    import lameenc

    binary = espeak_binary()
    if binary is None:
        raise EngineUnavailable("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        wav_path = Path(tmp) / "out.wav"
        result = subprocess.run([binary, "-v", lang.voice.espeak_voice, "-s", str(ESPEAK_SPEED), "-w", str(wav_path), "--", text],
                                capture_output=True, timeout=60, check=False)
        if result.returncode != 0 or not wav_path.exists():
            raise SynthesisError(f"espeak-ng failed: {result.stderr.decode(errors='replace').strip()[:200]}")
        with wave.open(str(wav_path), "rb") as wav:
            rate, channels, frames = wav.getframerate(), wav.getnchannels(), wav.readframes(wav.getnframes())
            width = wav.getsampwidth()
        if width == 2 and channels == 1:
            frames = trim_silence(frames, rate)
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(channels)
    encoder.set_quality(2)
    return bytes(encoder.encode(frames) + encoder.flush())


SILENCE_LEVEL = 300        # 16-bit samples quieter than this are silence
KEEP_SILENCE = 0.12        # seconds of it kept at each end


def trim_silence(frames: bytes, rate: int) -> bytes:
    """16-bit mono audio without the silence espeak-ng leaves at its start and end (about 0.4 s a file): a caller
    hears several prompts in a row, and those pauses add up."""
    samples = array.array("h", frames)
    loud = [i for i, v in enumerate(samples) if abs(v) > SILENCE_LEVEL]
    if not loud:
        return frames
    keep = int(rate * KEEP_SILENCE)
    start, end = max(0, loud[0] - keep), min(len(samples), loud[-1] + keep)
    return samples[start:end].tobytes()


def synthesize_gtts(text: str, lang: Language) -> bytes:
    """MP3 bytes from gTTS, with a timeout and backoff on 429 and network errors."""
    from gtts import gTTS, gTTSError

    delay = 1.0
    for attempt in range(1, GTTS_ATTEMPTS + 1):
        buffer = io.BytesIO()
        try:
            gTTS(text, lang=lang.voice.gtts_lang, tld=lang.voice.gtts_tld, timeout=GTTS_TIMEOUT).write_to_fp(buffer)
            return buffer.getvalue()
        except gTTSError as exc:
            status = getattr(exc.rsp, "status_code", None)
            retry = status is None or status == 429 or status >= 500
            if not retry or attempt == GTTS_ATTEMPTS:
                raise SynthesisError(f"gTTS failed: {exc.msg}") from None
        except (AssertionError, ValueError) as exc:
            raise SynthesisError(f"gTTS cannot speak this text: {exc}") from None
        time.sleep(delay + random.uniform(0, delay / 2))
        delay *= 2
    raise SynthesisError("gTTS failed")  # pragma: no cover - the loop returns or raises


def duration_of(data: bytes) -> float:
    """Length of MP3 audio in seconds (and proof that it is MP3)."""
    from mutagen.mp3 import MP3, HeaderNotFoundError

    try:
        info = MP3(io.BytesIO(data)).info
    except (HeaderNotFoundError, Exception) as exc:  # mutagen raises several kinds for non-MP3 data
        raise SynthesisError(f"the engine did not return MP3 audio ({type(exc).__name__})") from None
    if info is None or info.length <= 0:
        raise SynthesisError("the engine returned empty audio")
    return round(info.length, 2)


Synthesizer = Callable[[str, Language], bytes]


def plan(content: Content, audio_dir: Path, engine: str, languages: list[str] | None = None) -> tuple[list[tuple[Prompt, str, str]], int]:
    """The files this engine still has to make (prompt, file name, voice), and how many it already has."""
    records = read_manifest(audio_dir)
    wanted: list[tuple[Prompt, str, str]] = []
    kept = 0
    for prompt in content.prompts():
        if languages and prompt.lang not in languages:
            continue
        voice = voice_of(engine, content.languages[prompt.lang])
        name = file_name(prompt, engine, voice)
        if name in records and (audio_dir / name).is_file() and (audio_dir / name).stat().st_size == records[name].get("bytes"):
            kept += 1
        else:
            wanted.append((prompt, name, voice))
    return wanted, kept


GTTS_HOST = ("translate.google.com", 443)
REACH_TIMEOUT = 5.0


def check_reachable(host: tuple[str, int] = GTTS_HOST, timeout: float = REACH_TIMEOUT) -> None:
    """Fail at once, with a message, when gTTS's service cannot be reached (offline it would hang for minutes); through
    the HTTPS proxy the environment names, when it names one (gTTS goes that way too)."""
    proxy = urllib.request.getproxies().get("https")
    if proxy and host == GTTS_HOST and not urllib.request.proxy_bypass(host[0]):
        parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        host = (parts.hostname or "", parts.port or 80)
    try:
        socket.create_connection(host, timeout=timeout).close()
    except OSError as exc:
        raise EngineUnavailable(f"gTTS cannot reach Google's text-to-speech service ({host[0]}: {exc.strerror or type(exc).__name__}); "
                                "check this machine's internet connection, or build offline with --engine espeak") from None


def from_cache(wanted: list[tuple[Prompt, str, str]], audio_dir: Path, cache: Path) -> list[tuple[Prompt, str, str]]:
    """Copy into audio_dir the files a cache (an earlier deploy's build) has for unchanged text; what is still wanted."""
    cached = read_manifest(cache)
    records = read_manifest(audio_dir)
    still = []
    for item in wanted:
        name = item[1]
        record = cached.get(name)
        if record is not None and (cache / name).is_file() and file_digest(cache / name) == record.get("sha256"):
            shutil.copyfile(cache / name, audio_dir / name)
            records[name] = record
        else:
            still.append(item)
    if len(still) < len(wanted):
        write_manifest(audio_dir, records)
    return still


def save_to_cache(made: list[str], audio_dir: Path, cache: Path) -> None:
    """Copy newly made files, with their records, into the cache for the next deploy."""
    cache.mkdir(parents=True, exist_ok=True)
    records, cached = read_manifest(audio_dir), read_manifest(cache)
    for name in made:
        shutil.copyfile(audio_dir / name, cache / name)
        cached[name] = records[name]
    write_manifest(cache, cached)


def synthesizer_for(engine: str, synthesizer: Synthesizer | None = None) -> Synthesizer:
    """The function that speaks a text with an engine (a test's stand-in when given)."""
    return synthesizer or (synthesize_gtts if engine == "gtts" else synthesize_espeak)


def synthesize(prompt: Prompt, lang: Language, engine: str, speak: Synthesizer) -> tuple[bytes, dict[str, Any]]:
    """One prompt's MP3 and its manifest record (raises SynthesisError or EngineUnavailable when it cannot be made)."""
    data = speak(prompt.text, lang)
    seconds = duration_of(data)
    return data, {"prompt": prompt.id, "lang": prompt.lang, "text_sha": prompt.text_sha, "engine": engine,
                  "voice": voice_of(engine, lang), "duration": seconds, "bytes": len(data),
                  "sha256": hashlib.sha256(data).hexdigest()}


def build(content: Content, audio_dir: Path, engine: str = "gtts", prune: bool = False, jobs: int = 3,
          languages: list[str] | None = None, progress: Callable[[int], None] | None = None,
          synthesizer: Synthesizer | None = None, cache: Path | None = None) -> BuildReport:
    """Make the audio every prompt lacks; keep what is current; optionally remove what is unused."""
    if engine not in ENGINES:
        raise EngineUnavailable(f"unknown engine '{engine}'; expected one of: {', '.join(ENGINES)}")
    if engine == "espeak" and synthesizer is None and espeak_binary() is None:
        raise EngineUnavailable("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    speak = synthesizer_for(engine, synthesizer)
    audio_dir.mkdir(parents=True, exist_ok=True)
    wanted, kept = plan(content, audio_dir, engine, languages)
    if cache is not None:
        found = len(wanted)
        wanted = from_cache(wanted, audio_dir, cache)
        kept += found - len(wanted)
        if progress and found > len(wanted):
            progress(found - len(wanted))
    if wanted and engine == "gtts" and synthesizer is None:
        check_reachable()
    records = read_manifest(audio_dir)
    report = BuildReport(kept=kept)

    def make(item: tuple[Prompt, str, str]) -> tuple[str, dict[str, Any]]:
        prompt, name, _ = item
        data, record = synthesize(prompt, content.languages[prompt.lang], engine, speak)
        tmp = audio_dir / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, audio_dir / name)
        return name, record

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(make, item): item for item in wanted}
        for future in as_completed(futures):
            prompt = futures[future][0]
            try:
                name, record = future.result()
                records[name] = record
                report.made.append(name)
            except (SynthesisError, EngineUnavailable, OSError, subprocess.SubprocessError) as exc:
                report.failed.append((prompt, str(exc)))
            if progress:
                progress(1)
    if prune:
        groups = by_text(records)
        keep = {groups[key][0] for key in {(p.lang, p.text_sha) for p in content.prompts()} if key in groups}
        for name in sorted(set(records) - keep):
            (audio_dir / name).unlink(missing_ok=True)
            del records[name]
            report.removed.append(name)
        for path in audio_dir.glob("*.mp3"):
            if path.name not in records:
                path.unlink()
                report.removed.append(path.name)
    write_manifest(audio_dir, records)
    if cache is not None and report.made:
        save_to_cache(report.made, audio_dir, cache)
    return report
