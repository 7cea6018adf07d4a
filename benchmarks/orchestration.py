"""The orchestration at scale: big fleets over many regions for 35 simulated days, and ``orchestration plan``.

    .venv/bin/python benchmarks/orchestration.py                       # 10,000 and 100,000 VMs, 60 regions
    .venv/bin/python benchmarks/orchestration.py --vms 10000 --plan-runs 5 --keep /tmp/stores

Per fleet size, each step in a fresh process (so memory figures do not accumulate):

1. build the fleet through the operations layer (``fleet.build``): time and peak RSS (not part of the goal);
2. ``tick --days 35`` as the CLI runs it: wall time split into load / simulate / save, peak RSS, operations
   and events per second, history rows and bytes, store size (see benchmarks/engine.py);
3. for fleets of at most ``--plan-max`` VMs (10,000 by default), ``orchestration plan`` on the freshly built
   store and again on the store after the tick: the CLI as a user runs it
   (``autopatch --state PATH orchestration plan -o json > /dev/null``, median of ``--plan-runs`` runs),
   and the operations function ``ops.orchestration.plan`` on the parsed store (the same process, so
   without interpreter start-up and store parsing).

``--keep DIR`` keeps the built stores in DIR and reuses them on the next run (the tick runs on a copy).
Figures only: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import engine  # noqa: E402

AUTOPATCH = Path(sys.executable).with_name("autopatch")


def plan_step(path: str) -> dict:
    """Time ``ops.orchestration.plan`` on a parsed store (in this fresh process)."""
    from autopatch_cli.ops import orchestration
    from autopatch_cli.ops.session import Session
    from autopatch_cli.ops.state import State

    started = time.perf_counter()
    state = State(Session(path).reader().full())
    loaded = time.perf_counter()
    result = orchestration.plan(state)
    done = time.perf_counter()
    return {"plan_load_s": loaded - started, "plan_ops_s": done - loaded, "plan_release": result["release"],
            "plan_vms": len(result["vms"]), "plan_rss_mb": engine.peak_rss_mb()}


def plan_cli(path: str, runs: int) -> dict:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run(f"{AUTOPATCH} --state {path} orchestration plan -o json > /dev/null", shell=True,
                             stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - started)
        if out.returncode != 0:
            raise SystemExit(f"orchestration plan failed: {out.stderr}")
    return {"plan_cli_s": statistics.median(times), "plan_cli_min_s": min(times), "plan_cli_max_s": max(times)}


def run(count: int, days: int, regions: int, keep: str | None, plan_max: int, plan_runs: int) -> dict:
    folder = tempfile.mkdtemp(prefix="autopatch-bench-")
    try:
        figures: dict = {"vms": count, "days": days, "regions": regions}
        built = os.path.join(keep or folder, f"fleet-{count}-{regions}.json")
        if keep and os.path.exists(built):
            figures.update({"build_s": float("nan"), "build_rss_mb": float("nan"), "reused_store": built})
        else:
            if keep:
                os.makedirs(keep, exist_ok=True)
            figures.update(engine.child(["--step", "build", "--path", built, "--vms", str(count),
                                         "--regions", str(regions)]))
        path = os.path.join(folder, "state.json")
        shutil.copyfile(built, path)
        if count <= plan_max:
            before = {**engine.child(["--step", "plan", "--path", path], script=__file__), **plan_cli(path, plan_runs)}
            figures["plan_before_tick"] = before
        figures.update(engine.child(["--step", "tick", "--path", path, "--days", str(days)]))
        if count <= plan_max:
            after = {**engine.child(["--step", "plan", "--path", path], script=__file__), **plan_cli(path, plan_runs)}
            figures["plan_after_tick"] = after
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def plan_line(label: str, p: dict) -> str:
    return (f"    plan {label}: CLI {p['plan_cli_s']:.2f} s median ({p['plan_cli_min_s']:.2f}-{p['plan_cli_max_s']:.2f}); "
            f"ops.orchestration.plan {p['plan_ops_s']:.2f} s (+ parsing the store {p['plan_load_s']:.2f} s), "
            f"peak RSS {p['plan_rss_mb']:.0f} MB; release {p['plan_release']}, {p['plan_vms']} VMs planned")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--regions", type=int, default=60)
    parser.add_argument("--plan-max", type=int, default=10000, help="time `orchestration plan` up to this size")
    parser.add_argument("--plan-runs", type=int, default=3, help="CLI runs of `orchestration plan` (median)")
    parser.add_argument("--keep", metavar="DIR", help="keep built stores in DIR and reuse them")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--step", choices=("plan",), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "plan":
        print(json.dumps(plan_step(args.path)))
        return
    results = []
    for count in args.vms:
        r = run(count, args.days, args.regions, args.keep, args.plan_max, args.plan_runs)
        results.append(r)
        if not args.json:
            print(engine.line(r), flush=True)
            for label, key in (("before the tick", "plan_before_tick"), ("after the tick", "plan_after_tick")):
                if key in r:
                    print(plan_line(label, r[key]), flush=True)
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
