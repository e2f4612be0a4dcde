"""The matcher's speed and the line's start-up: p50/p99 of deciding one free-text message, start-up with the model,
and memory per gunicorn worker.

    .venv/bin/python bench/matcher.py
"""

from __future__ import annotations

import csv
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def matching() -> None:
    from service.content import load
    from service.understanding import Matcher

    content = load(ROOT / "prompts")
    matcher = Matcher(content, cache_dir=ROOT / "instance")
    with (ROOT / "bench" / "eval" / "questions.csv").open(encoding="utf-8") as f:
        questions = [(r["lang"], r["question"]) for r in csv.DictReader(f)]
    for lang, q in questions[:20]:
        matcher.decide(q, lang)  # warm
    times = []
    for _ in range(3):
        for lang, q in questions:
            began = time.perf_counter()
            matcher.decide(q, lang)
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    print(f"Matching one message ({len(times)} decisions of real questions, one core): "
          f"p50 {statistics.median(times):.2f} ms, p99 {times[int(len(times) * 0.99) - 1]:.2f} ms, max {times[-1]:.2f} ms")


def startup() -> None:
    code = ("import time; t0=time.perf_counter(); from service import create_app; "
            "app=create_app({'TWILIO_AUTH_TOKEN':'x','DATABASE_URL':'none','PUBLIC_BASE_URL':'https://line.example.org'}); print(time.perf_counter()-t0)")
    runs = [float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    print(f"Start-up, import to a ready app with the model loaded and the bank's cached vectors (median of 3): {statistics.median(runs):.2f} s")


def worker_memory() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "TWILIO_AUTH_TOKEN": "x", "DATABASE_URL": "none", "PUBLIC_BASE_URL": "https://line.example.org"}
    line = (ROOT / "Procfile").read_text().split("web:", 1)[1].strip()
    line = re.sub(r"\$\{\w+:-(\w+)\}", r"\1", line.replace("${PORT:-5000}", str(port))).replace("0.0.0.0", "127.0.0.1")
    server = subprocess.Popen([sys.executable, "-m", *line.split()], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1)
        if server.poll() is not None:
            raise SystemExit(f"the server did not start: {server.stderr.read()[-2000:] if server.stderr else ''}")
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        for pid in [str(server.pid), *children]:
            status = Path(f"/proc/{pid}/status").read_text()
            rss = next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS"))
            smaps = Path(f"/proc/{pid}/smaps_rollup").read_text()
            private = sum(int(l.split()[1]) for l in smaps.splitlines() if l.startswith(("Private_Clean", "Private_Dirty")))
            role = "master" if pid == str(server.pid) else "worker"
            print(f"gunicorn {role} {pid}: resident {rss / 1024:.0f} MB, of which its own (not shared with the master) {private / 1024:.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    matching()
    startup()
    worker_memory()
    print(f"(this process peaked at {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
