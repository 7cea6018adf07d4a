"""Hostile clients against ``autopatch serve``: what they cost the server, in figures.

    .venv/bin/python benchmarks/serve_hostile.py [--idle 300]

Starts ``autopatch serve --port 0`` on a fresh store in a temporary folder, then:

1. opens ``--idle`` idle connections and counts the server's threads (Linux /proc) while they are open
   and after the idle timeout has closed them, and how many got 503 over the connection cap;
2. times a well-behaved request while those connections are open;
3. sends the ticks issue 18 lists (``{"minutes": 1e9}``, ``{"days": 1e308}``, ``"nan"``, ``"inf"``,
   ``9999-12-31T23:59:59Z``) and prints each status and how long it took;
4. sends an HTTP/0.9 request line and JSON nested 200,000 deep.

This is not a test: it never fails; it prints what happened.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return -1


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, float, bytes]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, (time.perf_counter() - started) * 1000, data


def raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(data)
        out = b""
        while chunk := conn.recv(65536):
            out += chunk
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, AUTOPATCH_STATE=str(Path(folder) / "s.json"))
        server = subprocess.Popen([sys.executable, "-m", "autopatch_cli", "serve", "--port", "0"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            port = int(re.search(r":(\d+) ", server.stdout.readline()).group(1))
            print(f"server threads at rest: {threads(server.pid)}")
            held = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(args.idle)]
            time.sleep(1.0)
            busy = 0
            for conn in held:
                conn.settimeout(0.05)
                try:
                    if conn.recv(16).startswith(b"HTTP/1.1 503"):
                        busy += 1
                except (TimeoutError, OSError):
                    pass
            print(f"{args.idle} idle connections: server threads {threads(server.pid)}, {busy} answered 503 ServerBusy")
            status, ms, _ = request(port, "GET", "/autopatch/clock")
            print(f"a GET meanwhile: {status} in {ms:.1f} ms")
            time.sleep(32)
            print(f"after the 30 s idle timeout: server threads {threads(server.pid)}")
            for conn in held:
                conn.close()
            for body in ({"minutes": 1e9}, {"days": 1e308}, {"days": "nan"}, {"days": "inf"},
                         {"until": "9999-12-31T23:59:59Z"}):
                status, ms, data = request(port, "POST", "/autopatch/tick", json.dumps(body).encode())
                print(f"tick {json.dumps(body)}: {status} {json.loads(data)['error']['code']} in {ms:.1f} ms")
            reply = raw(port, b"GET /\r\n\r\n")
            print(f"HTTP/0.9 'GET /': {reply.split(b' ', 2)[1].decode()}")
            deep = b"[" * 200_000 + b"]" * 200_000
            status, ms, data = request(port, "PUT", "/autopatch/clock", deep)
            print(f"JSON 200,000 deep: {status} {json.loads(data)['error']['code']} in {ms:.1f} ms")
        finally:
            server.terminate()
            _, err = server.communicate(timeout=10)
        print(f"tracebacks on the server's stderr: {err.count('Traceback')}")


if __name__ == "__main__":
    main()
