"""Load on ``autopatch serve``: requests per second and p50/p99 latency, by fleet size.

    .venv/bin/python benchmarks/serve_load.py                       # 10 and 10,000 VMs: GET and VM PUT
    .venv/bin/python benchmarks/serve_load.py --vms 10,10000 --scenarios put --requests 6000 --seconds 15
    .venv/bin/python benchmarks/serve_load.py --vms 1000 --requests 20000 --seconds 20 --clients 2 --threads 4

What it does:

1. Builds a store of ``--vms`` VMs in a temporary folder: one VM made through the operations layer,
   cloned with new names and vmIds straight into the state dict (as benchmarks/startup.py does).
2. Starts ``autopatch serve --port 0`` on loopback as a separate process on that store, and primes it
   with one untimed PUT (a cloned store is not yet one autopatch wrote: its first write rewrites it whole
   and starts its journal, once).
3. For each scenario, runs ``--clients`` load-generator processes of ``--threads`` threads each, every
   thread on its own keep-alive connection, until ``--requests`` requests (spread over the threads) or
   ``--seconds`` have passed, whichever comes first. Every response is checked (status and body).
4. Prints requests per second and p50/p90/p99/max latency per scenario, and the server's CPU time (user +
   system, from /proc) over the scenario: in all and per request.

Scenarios: ``instanceView`` (GET .../virtualMachines/{vm}/instanceView?api-version=2020-06-01 on
random VMs) and ``put`` (PUT .../virtualMachines/{vm}?api-version=2021-03-01 of an existing VM's body with
a changed tag, on random VMs: each is a locked read-modify-write that appends one journal line, with
the fsync shared by the writers of that moment). This is not a test: it never fails on timing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

GROUP = "rg"
PASSWORD = "Sup3r$ecretPass!"
TEMPLATE = "template0"


def build_store(path: Path, count: int) -> str:
    """A store of ``count`` VMs; returns the subscription id."""
    from autopatch_cli import store
    from autopatch_cli.ops import groups, vm_create
    from autopatch_cli.ops.session import Session

    with Session(path).writer() as state:
        groups.create(state, GROUP, "eastus")
        vm_create.create(state, GROUP, TEMPLATE, "Win2019Datacenter", admin_password=PASSWORD)
    data = store.load(path)
    record = data["vms"].pop(f"{GROUP}/{TEMPLATE}")
    text = json.dumps(record)
    old_id = record["vm"]["properties"]["vmId"]
    rng = random.Random(count)
    entries = {}
    for index in range(count):
        name = f"vm{index:05d}"
        clone = json.loads(text.replace(TEMPLATE, name).replace(old_id, str(uuid.UUID(int=rng.getrandbits(128), version=4))))
        clone["sim"]["index"] = index
        entries[f"{GROUP}/{name}"] = clone
    data["vms"] = entries
    data["meta"]["vmCounter"] = count
    store.write_atomic(path, store.serialize(data))
    return data["subscription"]["id"]


def start_server(path: Path) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "AUTOPATCH_STATE": str(path)}
    process = subprocess.Popen([sys.executable, "-m", "autopatch_cli", "serve", "--port", "0", "--retry-after", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+) ", line)
    if not match:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r} {process.stderr.read()}")
    return process, int(match.group(1))


def server_cpu(pid: int) -> float:
    """The server process's CPU seconds so far (user + system, all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _thread(port: int, scenario: str, sub: str, vms: int, count: int, deadline: float, seed: int,
            latencies: list[float], errors: list[str]) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    base = f"/subscriptions/{sub}/resourceGroups/{GROUP}/providers/Microsoft.Compute/virtualMachines"
    body_cache: dict[str, dict] = {}
    for index in range(count):
        if time.monotonic() > deadline:
            break
        name = f"vm{rng.randrange(vms):05d}"
        if scenario == "instanceView":
            method, path, data, expect = "GET", f"{base}/{name}/instanceView?api-version=2020-06-01", None, 200
        else:
            if name not in body_cache:
                conn.request("GET", f"{base}/{name}?api-version=2021-03-01")
                body_cache[name] = json.loads(conn.getresponse().read())
            document = body_cache[name]
            document["tags"] = {"load": f"{seed}-{index}"}
            method, path, data, expect = "PUT", f"{base}/{name}?api-version=2021-03-01", json.dumps(document).encode(), 200
        started = time.perf_counter()
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
        response = conn.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != expect:
            errors.append(f"{method} {path}: {response.status} {payload[:200]!r}")
        elif scenario == "instanceView" and b'"statuses"' not in payload:
            errors.append(f"{path}: unexpected body {payload[:200]!r}")
    conn.close()


def _client(args: tuple) -> tuple[list[float], list[str], float]:
    port, scenario, sub, vms, per_thread, seconds, threads, seed = args
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    pool = [threading.Thread(target=_thread, args=(port, scenario, sub, vms, per_thread, deadline, seed * 100 + i,
                                                   latencies, errors)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def run(port: int, scenario: str, sub: str, vms: int, requests: int, seconds: float, clients: int, threads: int) -> dict:
    per_thread = max(1, requests // (clients * threads))
    jobs = [(port, scenario, sub, vms, per_thread, seconds, threads, i + 1) for i in range(clients)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        results = pool.map(_client, jobs)
    wall = time.perf_counter() - started
    latencies = sorted(x for r in results for x in r[0])
    errors = [e for r in results for e in r[1]]
    busy = max(r[2] for r in results)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "scenario": scenario, "requests": len(latencies), "errors": len(errors), "seconds": round(busy, 2),
        "rps": round(len(latencies) / busy, 1), "p50_ms": round(pct(0.50), 2), "p90_ms": round(pct(0.90), 2),
        "p99_ms": round(pct(0.99), 2), "max_ms": round(latencies[-1] * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2), "wall": round(wall, 2),
        "first_error": errors[0] if errors else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--vms", default="10,10000", help="fleet sizes, comma-separated")
    parser.add_argument("--requests", type=int, default=20000, help="instanceView requests (PUT: a tenth)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time bound per scenario")
    parser.add_argument("--clients", type=int, default=2, help="load-generator processes")
    parser.add_argument("--threads", type=int, default=4, help="connections per process")
    parser.add_argument("--scenarios", default="instanceView,put")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = []
    for vms in [int(v) for v in args.vms.split(",")]:
        with tempfile.TemporaryDirectory(prefix="autopatch-serve-load-") as folder:
            path = Path(folder) / "state.json"
            started = time.perf_counter()
            sub = build_store(path, vms)
            size = path.stat().st_size
            print(f"store: {vms:,} VMs, {size / 1e6:.1f} MB, built in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
            process, port = start_server(path)
            try:
                run(port, "put", sub, vms, 1, args.seconds, 1, 1)  # priming: the store's first write
                for scenario in args.scenarios.split(","):
                    count = args.requests if scenario == "instanceView" else max(1, args.requests // 10)
                    cpu = server_cpu(process.pid)
                    result = run(port, scenario, sub, vms, count, args.seconds, args.clients, args.threads)
                    cpu = server_cpu(process.pid) - cpu
                    result["server_cpu_s"] = round(cpu, 2)
                    result["server_cpu_ms"] = round(cpu * 1000 / max(1, result["requests"]), 2)
                    figures.append({"vms": vms, **result})
            finally:
                process.terminate()
                process.wait(10)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{'VMs':>7} {'scenario':<13}{'requests':>9}{'errors':>7}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}{'srv CPU s':>10}{'CPU ms/req':>11}")
    for f in figures:
        print(f"{f['vms']:>7,} {f['scenario']:<13}{f['requests']:>9}{f['errors']:>7}{f['rps']:>9}{f['p50_ms']:>9}"
              f"{f['p90_ms']:>9}{f['p99_ms']:>9}{f['max_ms']:>9}{f['server_cpu_s']:>10}{f['server_cpu_ms']:>11}")
        if f["first_error"]:
            print(f"  first error: {f['first_error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
