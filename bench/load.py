"""Load: 50 simulated callers and texters at once for 60 s against the line as the Procfile runs it (gunicorn,
2 workers), each pressing keys, speaking and texting with a second between steps (real callers take longer:
they listen to each prompt). Prints requests, errors, p50 and p99 latency. A benchmark, not a test.

    .venv/bin/python bench/load.py [--callers 50] [--seconds 60] [--pause 1.0]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from run import TOKEN, free_port, procfile_args, start  # noqa: E402

STEPS = [
    ("/voice", {}),
    ("/voice/answer/menu/main?lang=en", {"Digits": "2"}),
    ("/voice/answer/menu/features?lang=en", {"Digits": "1"}),
    ("/voice/answer/topic/polyneuropathy?lang=en&came_from=features", {"Digits": "9"}),
    ("/voice/answer/menu/main?lang=en", {"SpeechResult": "can my wife catch it from me", "Confidence": "0.8"}),
    ("/sms", {"Body": "is there a cure for poems"}),
    ("/sms", {"Body": "mi esposo tiene poems, es contagioso?"}),
]
# LOAD_TRACE=1 prints each request slower than 200 ms; LOAD_DATABASE_URL=none runs the line without records.


def caller(number: int, port: int, stop: float, pause: float, latencies: list[float], errors: list[int], lock: threading.Lock) -> None:
    validator = RequestValidator(TOKEN)
    rng = random.Random(number)
    mine: list[float] = []
    failed = 0
    base = {"CallSid": f"CA{number:032d}", "MessageSid": f"SM{number:032d}", "AccountSid": "AC" + "1" * 32,
            "From": f"+1555555{number:04d}", "To": "+15555550100"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.monotonic() < stop:
        for path, extra in STEPS:
            if time.monotonic() >= stop:
                break
            params = {**base, **extra}
            body = urllib.parse.urlencode(params)
            signature = validator.compute_signature(f"http://127.0.0.1:{port}{path}", params)
            began = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                               "X-Twilio-Signature": signature})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append((time.perf_counter() - began) * 1000)
            if os.environ.get("LOAD_TRACE") and mine[-1] > 200:
                print(f"slow: {mine[-1]:.0f} ms, {stop - time.monotonic():.1f} s before the end, {path}", file=sys.stderr)
            failed += not ok
            time.sleep(pause * rng.uniform(0.5, 1.5))
    with lock:
        latencies.extend(mine)
        errors[0] += failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--pause", type=float, default=1.0)
    options = parser.parse_args()
    port = free_port()
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "DATABASE_URL": os.environ.get("LOAD_DATABASE_URL", ""), "PYTHONUNBUFFERED": "1",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "AUDIO_ENGINE": "espeak"}
    server = start(procfile_args(port, 2), env, port)
    try:
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop = time.monotonic() + options.seconds
        threads = [threading.Thread(target=caller, args=(n, port, stop, options.pause, latencies, errors, lock))
                   for n in range(options.callers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies.sort()
    print(f"{options.callers} callers for {options.seconds} s, {options.pause} s between steps: {len(latencies)} requests "
          f"({len(latencies) / options.seconds:.0f}/s), {errors[0]} errors, p50 {statistics.median(latencies):.1f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms, max {latencies[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
