"""Benchmark: the line under its Procfile command against a bare Flask app, over loopback.

Usage: .venv/bin/python bench/run.py [--seconds 5] [--connections 8]
Needs wrk (Debian: apt-get install wrk); without it a slower Python load generator is used.
Prints requests per second, p50 and p99 latency and errors per scenario, and each as a ratio to the bare app,
then the start-up time (content loaded and validated).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token-0123456789"
CALL = {"CallSid": "CA" + "1" * 32, "AccountSid": "AC" + "1" * 32, "From": "+15555550123", "To": "+15555550100"}
SCENARIOS = {
    "incoming call": ("/voice", CALL),
    "menu key press": ("/voice/answer/menu/main?lang=en", {**CALL, "Digits": "2"}),
    "spoken question": ("/voice/answer/menu/main?lang=en", {**CALL, "SpeechResult": "is it contagious", "Confidence": "0.9"}),
    "text question": ("/sms", {"MessageSid": "SM" + "1" * 32, "AccountSid": "AC" + "1" * 32, "From": "+15555550123",
                               "To": "+15555550100", "Body": "is it contagious?", "NumMedia": "0"}),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_args(port: int, workers: int) -> list[str]:
    """The Procfile's web command, with $PORT and $WEB_CONCURRENCY filled in, on loopback."""
    line = (ROOT / "Procfile").read_text().split("web:", 1)[1].strip()
    values = {"WEB_CONCURRENCY": str(workers), "PORT": str(port)}
    line = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: values.get(m.group(1), m.group(2)), line)
    line = line.replace("0.0.0.0", "127.0.0.1").replace("--access-logfile -", "")
    return [sys.executable, "-m", *line.split()]


def start(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"server exited: {' '.join(args)}")
            time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start")


def signed(port: int, path: str, params: dict[str, str]) -> tuple[str, bytes, str]:
    url = f"http://127.0.0.1:{port}{path}"
    return url, urllib.parse.urlencode(params).encode(), RequestValidator(TOKEN).compute_signature(url, params)


def fetch(port: int, path: str, params: dict[str, str]) -> tuple[int, str, bytes]:
    url, body, signature = signed(port, path, params)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.getheader("Content-Type", ""), data


def run_wrk(port: int, path: str, params: dict[str, str], seconds: int, connections: int) -> dict[str, float]:
    url, body, signature = signed(port, path, params)
    script = f"""
wrk.method = "POST"
wrk.body = {json.dumps(body.decode())}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Twilio-Signature"] = {json.dumps(signature)}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", f.name, url],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(f.name)
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    requests_done, duration_us, p50, p99, errors = (int(x) for x in fields)
    return {"rps": requests_done / (duration_us / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000, "errors": errors, "requests": requests_done}


def run_python(port: int, path: str, params: dict[str, str], seconds: int, connections: int) -> dict[str, float]:
    url, body, signature = signed(port, path, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        mine: list[float] = []
        while time.monotonic() < stop:
            began = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
            except OSError:
                ok = False
            mine.append(time.perf_counter() - began)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000, "errors": errors[0], "requests": len(latencies)}


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) of a server: its master and its workers."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for child in [pid, *(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def measured(runner: Any, server: subprocess.Popen[bytes], port: int, path: str, params: dict[str, str], seconds: int,
             connections: int) -> dict[str, float]:
    """A run of the load, with the server's CPU time per request (steadier than requests a second on a shared VM)."""
    before = cpu_seconds(server.pid)
    figures = runner(port, path, params, seconds, connections)
    figures["cpu_us"] = (cpu_seconds(server.pid) - before) / max(1, figures["requests"]) * 1e6
    return figures


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds; errors are summed."""
    merged = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    merged["errors"] = sum(run["errors"] for run in runs)
    return merged


def startup_seconds(runs: int = 3) -> tuple[float, float, float]:
    """Seconds, in fresh processes: importing the app; loading and validating prompts/ (the first time, so with
    textstat's word lists); the whole create_app after that (content again, audio manifest, database)."""
    code = ("import time; t0=time.perf_counter(); from service import create_app; from service.content import read; "
            "t1=time.perf_counter(); read('prompts'); t2=time.perf_counter(); create_app({'TWILIO_AUTH_TOKEN':'x','PUBLIC_BASE_URL':'https://line.example.org'}); "
            "t3=time.perf_counter(); print(t1-t0, t2-t1, t3-t2)")
    figures = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
        figures.append([float(x) for x in out])
    return tuple(statistics.median(f[i] for f in figures) for i in range(3))  # type: ignore[return-value]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5, help="line and bare app alternate; medians are reported")
    parser.add_argument("--records", choices=("sqlite", "none"), default="sqlite",
                        help="sqlite: records on, in the embedded database (the default line); none: DATABASE_URL=none")
    options = parser.parse_args()
    runner = run_wrk if shutil.which("wrk") else run_python
    tmp = Path(tempfile.mkdtemp(prefix="poems-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "FLASK_", "LINE_"))}
    env.update({"TWILIO_AUTH_TOKEN": TOKEN, "PYTHONPATH": str(ROOT),
                "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}" if options.records == "sqlite" else "none"})
    line_port, bare_port = free_port(), free_port()
    # Twilio's address for the line: signatures are checked against it. The shipped audio is espeak-ng's (a deployed
    # line plays gTTS files instead: the same documents, other file names).
    env.update({"PUBLIC_BASE_URL": f"http://127.0.0.1:{line_port}", "AUDIO_ENGINE": "espeak"})
    line = start(procfile_args(line_port, options.workers), env, line_port)
    try:
        # The bare app answers with the line's own bytes for each scenario, one path per scenario.
        bare_replies, bare_paths = {}, {}
        for index, (name, (path, params)) in enumerate(SCENARIOS.items()):
            status, mimetype, body = fetch(line_port, path, params)
            assert status == 200, (name, status)
            bare_path = f"/bare/{index}"
            bare_paths[name] = bare_path
            bare_replies[bare_path] = {"body": body.decode(), "mimetype": mimetype.split(";")[0]}
        (tmp / "replies.json").write_text(json.dumps(bare_replies))
        bare_args = procfile_args(bare_port, options.workers)
        bare_args[-1] = "bench.bare_app:app"
        bare_args = [a for a in bare_args if a != "--preload"] + ["--preload"]
        bare = start(bare_args, {**env, "BARE_REPLIES": str(tmp / "replies.json")}, bare_port)
        try:
            results = []
            for name, (path, params) in SCENARIOS.items():
                runner(line_port, path, params, 1, options.connections)  # warm up both
                runner(bare_port, bare_paths[name], params, 1, options.connections)
                ours_runs, base_runs = [], []
                for _ in range(options.rounds):
                    ours_runs.append(measured(runner, line, line_port, path, params, options.seconds, options.connections))
                    base_runs.append(measured(runner, bare, bare_port, bare_paths[name], params, options.seconds, options.connections))
                results.append((name, median_run(ours_runs), median_run(base_runs)))
        finally:
            bare.terminate()
            bare.wait(timeout=30)
    finally:
        line.terminate()
        line.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    imported, content_first, built = startup_seconds()
    print(f"load: {runner.__name__.replace('run_', '')}, {options.connections} connections, {options.rounds} rounds of {options.seconds} s, "
          f"gunicorn --workers {options.workers} (the Procfile's command) for both apps, {os.cpu_count()} CPUs, records: {options.records}")
    print(f"{'scenario':16s} {'line rps':>9s} {'bare rps':>9s} {'ratio':>6s} {'p50 ms':>13s} {'p99 ms':>13s} {'errors':>7s} "
          f"{'server CPU us/request':>22s} {'ratio':>6s}")
    for name, ours, base in results:
        print(f"{name:16s} {ours['rps']:9.0f} {base['rps']:9.0f} {ours['rps'] / base['rps']:6.2f} "
              f"{ours['p50_ms']:6.2f}/{base['p50_ms']:<6.2f} {ours['p99_ms']:6.2f}/{base['p99_ms']:<6.2f} {ours['errors']:>3.0f}/{base['errors']:<3.0f} "
              f"{ours['cpu_us']:10.0f}/{base['cpu_us']:<11.0f} {base['cpu_us'] / ours['cpu_us']:6.2f}")
    print(f"start-up: import {imported:.2f} s; content loaded and validated {content_first:.2f} s; "
          f"then a whole create_app {built:.2f} s; import plus create_app {imported + content_first + built:.2f} s at most")
    return 0


if __name__ == "__main__":
    sys.exit(main())
