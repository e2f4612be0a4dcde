"""Going live: the deploy step builds the audio in Google's voices (here through a stand-in for Google's endpoint,
reached as gTTS reaches it, through the HTTPS proxy the environment names), and a deploy that cannot reach Google
still succeeds, with callers hearing Twilio's neural voice rather than espeak-ng."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

from service.audio.library import read_manifest
from service.content import load
from service.simulator import PhoneCall, TwilioClient, audio_texts
from tests.conftest import FIXTURES, ROOT, TOKEN, make_app, silence_mp3

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make the stand-in's certificate")


class StandIn(socketserver.ThreadingTCPServer):
    """An HTTPS proxy that answers every tunnelled request itself, as Google's batchexecute endpoint would."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, certificate: Path, key: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Tunnel)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(certificate, key)
        self.requests: list[bytes] = []
        self.audio = base64.b64encode(silence_mp3(0.4)).decode()


class _Tunnel(socketserver.StreamRequestHandler):
    server: StandIn

    def handle(self) -> None:
        line = self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        if not line.startswith(b"CONNECT translate.google."):
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            return
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        with self.server.tls.wrap_socket(self.connection, server_side=True) as tls:
            reader = tls.makefile("rb")
            request = reader.readline()
            length = 0
            while (header := reader.readline()) not in (b"\r\n", b""):
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":")[1])
            body = reader.read(length)
            self.server.requests.append(request + body)
            payload = (')]}\'\n\n[["wrb.fr","jQ1olc","[\\"' + self.server.audio + '\\"]",null,null,null,"generic"]]\n').encode()
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                        + f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)


@pytest.fixture
def google(tmp_path: Path) -> Iterator[StandIn]:
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(certificate),
                    "-days", "1", "-subj", "/CN=translate.google.com"], check=True, capture_output=True)
    server = StandIn(certificate, key)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def post_compile(tmp_path: Path, prompts: Path, audio: Path, proxy: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "FLASK_", "LINE_")) and "proxy" not in k.lower()}
    env.update(HTTPS_PROXY=proxy, PROMPTS_DIR=str(prompts), AUDIO_DIR=str(audio), AUDIO_CACHE_DIR=str(tmp_path / "cache"),
               PYTHON=sys.executable, DATABASE_URL="none")
    return subprocess.run([str(ROOT / "bin" / "post_compile")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def test_the_deploy_builds_every_prompt_in_googles_voices_and_reuses_them_next_time(tmp_path: Path, google: StandIn) -> None:
    prompts = FIXTURES / "small"
    content = load(prompts)
    audio = tmp_path / "audio"
    audio.mkdir()
    proxy = f"http://127.0.0.1:{google.server_address[1]}"
    done = post_compile(tmp_path, prompts, audio, proxy)
    assert done.returncode == 0 and "ready for every prompt" in done.stdout, done.stdout + done.stderr
    records = read_manifest(audio)
    assert {r["engine"] for r in records.values()} == {"gtts"}
    assert {(r["lang"], r["prompt"]) for r in records.values()} == {(p.lang, p.id) for p in content.prompts()}
    asked = len(google.requests)
    assert asked >= len(content.prompts()) and all(b"batchexecute" in r for r in google.requests)
    # The next deploy starts from the repository's audio again: the unchanged text's files come from the cache.
    fresh = tmp_path / "audio-next"
    fresh.mkdir()
    again = post_compile(tmp_path, prompts, fresh, proxy)
    assert again.returncode == 0 and len(google.requests) == asked
    assert read_manifest(fresh).keys() == records.keys()


def test_a_deploy_that_cannot_reach_google_succeeds_and_callers_hear_the_neural_voice(tmp_path: Path) -> None:
    audio = tmp_path / "audio"
    shutil.copytree(ROOT / "audio", audio)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    done = post_compile(tmp_path, ROOT / "prompts", audio, f"http://127.0.0.1:{port}")
    assert done.returncode == 0 and "could not be built" in done.stdout and "The deploy goes on" in done.stdout
    # The robotic espeak-ng files are there, but the line (AUDIO_ENGINE=gtts, the default) does not play them.
    app = make_app(tmp_path, PROMPTS_DIR=str(ROOT / "prompts"), AUDIO_DIR=str(audio), AUDIO_ENGINE="gtts")
    line = app.extensions["line"]
    turn = PhoneCall(TwilioClient(app.test_client(), TOKEN), audio_texts(line)).start()
    assert turn.heard and all(h.audio is None for h in turn.heard)
    says = turn.gather.findall("Say")
    assert says and all(s.get("voice") == line.content.languages[s.get("language")[:2]].voice.say_voice for s in says)
    health = app.test_client().get("/healthz").json
    assert health["audio"]["en"]["say"] == len(line.content.languages["en"].prompts) and health["audio"]["en"]["espeak"] == 0
    # Chosen in configuration, espeak-ng's files play.
    chosen = make_app(tmp_path, PROMPTS_DIR=str(ROOT / "prompts"), AUDIO_DIR=str(audio), AUDIO_ENGINE="espeak")
    assert all(h.audio for h in PhoneCall(TwilioClient(chosen.test_client(), TOKEN)).start().heard)


def test_an_image_never_carries_the_records_or_caches_of_the_machine_it_was_built_on() -> None:
    """The Dockerfile copies the checkout: instance/ (usage.sqlite, the records buffer with callers' questions, the
    caches) and the virtualenv stay out of it."""
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and not line.startswith("#")}
    assert {"instance/", ".venv/", ".git/"} <= ignored
    assert "COPY . ." in (ROOT / "Dockerfile").read_text()
