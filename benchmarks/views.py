"""The orchestration views on a big fleet after months of simulated time, each timed as a whole process.

    .venv/bin/python benchmarks/views.py                          # 10,000 VMs, 60 regions, 120 days
    .venv/bin/python benchmarks/views.py --vms 3000 --days 120 --runs 5 --keep /tmp/stores
    .venv/bin/python benchmarks/views.py --keep /tmp/stores --checkout /tmp/main-checkout --runs 1  # before

1. build the fleet through the operations layer (``fleet.build``) and ``tick`` it ``--days`` days, once
   (``--keep DIR`` keeps the ticked store and reuses it on the next run: building 10,000 VMs and ticking
   them 120 days takes minutes);
2. time each view as a user runs it, ``autopatch --state PATH orchestration ... > /dev/null`` (a fresh
   process: interpreter start-up, reading the store, the view, printing), median of ``--runs`` runs,
   with the process's CPU time (user + system: less sensitive to a busy machine than the wall clock), its
   peak RSS and the bytes it printed;
3. when the store has no history index yet (``<store>.history-index``), time the first view, which builds
   it, apart from the others (a checkout without the index builds none, and this is one more view);
4. print the figures and the machine's load average (``os.getloadavg``) before and after: on a shared
   machine the absolute seconds move with the load, so compare within one run.

Figures only: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

AUTOPATCH = Path(sys.executable).with_name("autopatch")


def prepare_step(path: str, count: int, regions: int, days: int) -> dict:
    """Build the fleet and tick it (in this fresh process)."""
    from datetime import timedelta

    import engine
    import fleet

    from autopatch_cli.ops.clock import tick
    from autopatch_cli.ops.session import Session
    from autopatch_cli.ops.state import now

    started = time.perf_counter()
    fleet.build(path, count, regions)
    built = time.perf_counter()
    with Session(path).writer() as state:
        tick(state, now(state) + timedelta(days=days))
        rows = len((state.data.get("history") or {}).get("rows", []))
    return {"build_s": built - started, "tick_s": time.perf_counter() - built, "history_rows": rows,
            "store_mb": os.path.getsize(path) / 1e6, "prepare_rss_mb": engine.peak_rss_mb()}


def views(path: str) -> list[tuple[str, list[str]]]:
    """The commands timed: each view whole, and the history filters (a release, a region, a VM, a week)."""
    from autopatch_cli import store

    state = store.load(Path(path)) or {}
    rollouts = (state.get("engine") or {}).get("rollouts") or []
    release = rollouts[-1]["release"] if rollouts else "2020-11"
    older = rollouts[-2]["release"] if len(rollouts) > 1 else release
    vms = state.get("vms") or {}
    key, record = next(iter(vms.items()))
    group, name = key.split("/", 1)
    region = record["vm"]["location"]
    now = (state.get("clock") or {}).get("now", "2021-01-01T00:00:00Z")
    from datetime import datetime, timedelta

    week_ago = (datetime.fromisoformat(now.replace("Z", "+00:00")) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        ("show", ["orchestration", "show"]),
        ("show -o table", ["orchestration", "show", "-o", "table"]),
        ("timeline", ["orchestration", "timeline"]),
        (f"timeline --release {older}", ["orchestration", "timeline", "--release", older]),
        ("timeline -o json", ["orchestration", "timeline", "-o", "json"]),
        ("history (all)", ["orchestration", "history"]),
        ("history -o table (all)", ["orchestration", "history", "-o", "table"]),
        (f"history --release {release}", ["orchestration", "history", "--release", release]),
        (f"history --region {region}", ["orchestration", "history", "--region", region]),
        ("history -g -n (one VM)", ["orchestration", "history", "-g", group, "-n", name]),
        ("history --since (last 7 days)", ["orchestration", "history", "--since", week_ago]),
        ("why (one VM)", ["orchestration", "why", "-g", group, "-n", name]),
    ]


def time_command(path: str, argv: list[str], runs: int, checkout: str | None = None) -> dict:
    times, cpus, printed, rss = [], [], 0, 0.0
    import sysconfig

    # -S: without site, the editable install's import hook (which would win over PYTHONPATH) is not loaded
    command = [sys.executable, "-S", "-m", "autopatch_cli"] if checkout else [str(AUTOPATCH)]
    env = ({**os.environ, "PYTHONPATH": os.pathsep.join((checkout, sysconfig.get_paths()["purelib"]))}
           if checkout else None)
    for _ in range(runs):
        started = time.perf_counter()
        # in the checkout's folder: `-m` puts the working folder first on the path
        out = subprocess.run([sys.executable, "-c", _RUN, *command, "--state", path, *argv],
                             capture_output=True, env=env, cwd=checkout)
        times.append(time.perf_counter() - started)
        if out.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {out.stderr.decode()}")
        result = json.loads(out.stderr.decode().strip().splitlines()[-1])
        printed, rss = result["bytes"], max(rss, result["rss_mb"])
        cpus.append(result["cpu_s"])
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "bytes": printed,
            "rss_mb": rss, "cpu_s": statistics.median(cpus)}


# A tiny parent that runs the command with its output to a counter, then reports the child's peak RSS and
# the bytes printed on stderr (so the timing is of the command, and /dev/null costs no pipe reads).
_RUN = """
import json, resource, subprocess, sys
out = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
if out.returncode:
    sys.stderr.write(out.stderr.decode()); sys.exit(out.returncode)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(json.dumps({"bytes": len(out.stdout), "rss_mb": usage.ru_maxrss / 1024,
                             "cpu_s": usage.ru_utime + usage.ru_stime}) + "\\n")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--regions", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (median)")
    parser.add_argument("--keep", metavar="DIR", help="keep the ticked store in DIR and reuse it")
    parser.add_argument("--only", help="time only the commands whose label contains one of these comma-separated texts")
    parser.add_argument("--checkout", metavar="DIR",
                        help="time the autopatch of another checkout (e.g. a worktree of main, for before/after)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--step", choices=("prepare",), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "prepare":
        print(json.dumps(prepare_step(args.path, args.vms, args.regions, args.days)))
        return
    import shutil
    import tempfile

    import engine

    folder = args.keep or tempfile.mkdtemp(prefix="autopatch-views-")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"views-{args.vms}-{args.regions}-{args.days}d.json")
    try:
        figures: dict = {"vms": args.vms, "days": args.days, "regions": args.regions}
        if not os.path.exists(path):
            figures.update(engine.child(["--step", "prepare", "--path", path, "--vms", str(args.vms), "--regions",
                                         str(args.regions), "--days", str(args.days)], script=__file__))
        figures["store_mb"] = os.path.getsize(path) / 1e6
        figures["load_before"] = os.getloadavg()
        timed = {}
        commands = views(path)
        if not os.path.exists(path + ".history-index"):
            # the first view of a store builds its history index (autopatch_cli/history_index.py), once: timed
            # apart, so that the views' medians are of the views as a user repeats them
            label, argv = next((label, argv) for label, argv in commands if label.startswith("history -g -n"))
            commands.insert(0, ("first view (builds the index)", argv))
        for label, argv in commands:
            if args.only and not label.startswith("first view") and not any(part in label for part in args.only.split(",")):
                continue
            # the commands that print the whole history (hundreds of MB, minutes) run once
            once = "(all)" in label or label.startswith("first view")
            timed[label] = time_command(path, argv, 1 if once else args.runs, args.checkout)
            if not args.json:
                t = timed[label]
                print(f"{label:<34} {t['median_s']:6.2f} s median ({t['min_s']:.2f}-{t['max_s']:.2f}), "
                      f"CPU {t['cpu_s']:.2f} s, "
                      f"{t['bytes'] / 1e6:8.2f} MB printed, peak RSS {t['rss_mb']:.0f} MB", flush=True)
        figures["load_after"] = os.getloadavg()
        figures["views"] = timed
        if args.json:
            print(json.dumps(figures, indent=2))
        else:
            extra = "".join(f", {k} {figures[k]:.1f} s" for k in ("build_s", "tick_s") if k in figures)
            print(f"{args.vms} VMs, {args.regions} regions, {args.days} days: store {figures['store_mb']:.0f} MB"
                  f"{extra}; load average before {figures['load_before'][0]:.2f}, after "
                  f"{figures['load_after'][0]:.2f} (1 min)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
