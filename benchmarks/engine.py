"""One simulated month of automatic patching for a fleet: wall time, peak memory, operations per second.

    .venv/bin/python benchmarks/engine.py [--vms 1000 10000] [--days 35] [--regions 60] [--json]
    .venv/bin/python benchmarks/engine.py --vms 10000 --profile tick.prof   # cProfile the tick

For every fleet size, two fresh processes (so that memory figures do not accumulate from one fleet to
the next):

1. the builder builds the fleet through the operations layer (``fleet.build``) into a temporary store
   and reports its time and peak RSS;
2. the ticker runs ``tick --days N`` as the CLI does (``Session.writer()`` + ``ops.clock.tick``) and times
   its parts: *load* (lock, parse the store), *simulate* (``tick``), *save* (serialize, compare, write
   atomically). Peak RSS is the ticker's own ``ru_maxrss``.

It prints a line per fleet (or JSON with ``--json``). Operations per second is (assessments +
installations + enablements) per wall second of the whole tick; events per second is the engine's
events per second of simulation. Figures only: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def build_step(path: str, count: int, region_count: int) -> dict:
    import fleet

    started = time.perf_counter()
    fleet.build(path, count, region_count)
    return {"build_s": time.perf_counter() - started, "build_rss_mb": peak_rss_mb(),
            "built_store_mb": os.path.getsize(path) / 1e6}


def tick_step(path: str, days: int, profile: str | None = None) -> dict:
    from autopatch_cli import store
    from autopatch_cli.ops.clock import tick
    from autopatch_cli.ops.session import Session
    from autopatch_cli.ops.state import now

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu = time.process_time()
    started = time.perf_counter()
    with Session(path).writer() as state:
        loaded = time.perf_counter()
        summary = tick(state, now(state) + timedelta(days=days))
        simulated = time.perf_counter()
        history = state.data.get("history") or {"rows": [], "vms": []}
        rows = len(history.get("rows", []))
    saved = time.perf_counter()
    cpu = time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    rss = peak_rss_mb()  # before measuring the history's size, which costs memory of its own
    history_bytes = sum(len(chunk.encode()) for chunk in store._value_chunks(history))
    counts = summary["counts"]
    operations = sum(counts.get(k, 0) for k in ("assessments", "installations", "enabled"))
    wall = saved - started
    return {
        "tick_s": wall, "load_s": loaded - started, "simulate_s": simulated - loaded, "save_s": saved - simulated,
        "cpu_s": cpu, "tick_rss_mb": rss, "events": counts.get("events", 0),
        "events_per_s": counts.get("events", 0) / (simulated - loaded), "operations": operations,
        "operations_per_s": operations / wall, "history_rows": rows, "history_vms": len(history.get("vms", [])),
        "history_mb": history_bytes / 1e6, "store_mb": os.path.getsize(path) / 1e6, "counts": counts,
    }


def child(argv: list[str], script: str = __file__) -> dict:
    """Run one step of ``script`` in a fresh interpreter; returns its JSON figures."""
    out = subprocess.run([sys.executable, script, *argv], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"benchmark step {argv} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(count: int, days: int, regions: int, profile: str | None = None) -> dict:
    folder = tempfile.mkdtemp(prefix="autopatch-bench-")
    try:
        path = os.path.join(folder, "state.json")
        figures = {"vms": count, "days": days, "regions": regions}
        figures.update(child(["--step", "build", "--path", path, "--vms", str(count), "--regions", str(regions)]))
        argv = ["--step", "tick", "--path", path, "--days", str(days)]
        if profile:
            argv += ["--profile", profile]
        figures.update(child(argv))
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def line(r: dict) -> str:
    return (
        f"{r['vms']:>7} VMs x {r['days']} days over {r['regions']} regions: "
        f"tick {r['tick_s']:.2f} s (load {r['load_s']:.2f}, simulate {r['simulate_s']:.2f}, save {r['save_s']:.2f}; "
        f"cpu {r['cpu_s']:.2f}), peak RSS {r['tick_rss_mb']:.0f} MB; "
        f"{r['operations']} operations, {r['operations_per_s']:,.0f} ops/s; "
        f"{r['events']} events, {r['events_per_s']:,.0f} events/s; "
        f"history {r['history_rows']} rows / {r['history_mb']:.1f} MB; store {r['store_mb']:.1f} MB; "
        f"build {r['build_s']:.1f} s (peak RSS {r['build_rss_mb']:.0f} MB); {r['counts']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--regions", type=int, default=60)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the tick of the (last) fleet into FILE")
    parser.add_argument("--step", choices=("build", "tick"), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "build":
        print(json.dumps(build_step(args.path, args.vms[0], args.regions)))
        return
    if args.step == "tick":
        print(json.dumps(tick_step(args.path, args.days, args.profile)))
        return
    results = []
    for count in args.vms:
        r = run(count, args.days, args.regions, args.profile)
        results.append(r)
        if not args.json:
            print(line(r), flush=True)
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
