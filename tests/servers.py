"""The line as it is deployed: the Procfile's own web command, started on loopback for a test."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from twilio.request_validator import RequestValidator

from tests.conftest import ROOT, TOKEN


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def procfile_command(port: int, workers: int = 1) -> list[str]:
    """The Procfile's web command with its ${NAME:-default} variables filled in, bound to loopback."""
    line = (ROOT / "Procfile").read_text(encoding="utf-8").split("web:", 1)[1].strip()
    values = {"PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    line = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: values.get(m.group(1), m.group(2)), line)
    return [sys.executable, "-m", *line.replace("0.0.0.0", "127.0.0.1").split()]


def gunicorn(tmp_path: Path, port: int, workers: int = 1, cwd: Path = ROOT, **env: str) -> subprocess.Popen[str]:
    """Start the Procfile's server (not waiting for it); its own environment, a SQLite file unless told otherwise, and
    the public address Twilio would sign: this loopback port."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "FLASK_", "LINE_"))}
    environment.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite'}", "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                        "AUDIO_ENGINE": "espeak",  # the shipped audio is built offline
                        **env})
    return subprocess.Popen(procfile_command(port, workers), cwd=cwd, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_until_up(process: subprocess.Popen[str], port: int, seconds: float = 60) -> None:
    """Until /healthz answers (the master has loaded the content and model, and a worker serves)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None:
                raise AssertionError(f"the server exited: {process.communicate(timeout=5)[1][-2000:]}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def signed_text(port: int, body: str, sid: str = "SM" + "5" * 32, timeout: float = 5) -> str:
    """A text to the server on a port, signed as Twilio signs it: the TwiML it answers."""
    url = f"http://127.0.0.1:{port}/sms"
    form = {"MessageSid": sid, "AccountSid": "AC" + "1" * 32, "From": "+15555550123", "To": "+15555550100", "Body": body}
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(),
                                     headers={"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, form)})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode()


def stop(process: subprocess.Popen[str]) -> str:
    """Stop the server; what it wrote to stderr."""
    process.terminate()
    try:
        return process.communicate(timeout=30)[1]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate(timeout=10)[1]


class Browser:
    """A person's browser on the server's admin pages over HTTP, as if through the TLS proxy in front of it (the admin
    cookie is Secure, so the proxy's X-Forwarded-Proto: https is sent, and TRUST_PROXY must be on); cookies kept by
    hand, redirects not followed."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def open(self, path: str, form: object = None) -> tuple[int, dict[str, str], str]:
        """GET (or POST the form's fields) and keep the cookies; the status, headers and page."""
        import http.cookies

        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        headers = {"X-Forwarded-Proto": "https", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            response = opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), response.read().decode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
