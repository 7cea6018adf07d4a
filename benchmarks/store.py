"""The store's costs, whole processes: one-VM writes by fleet size, bulk creates, concurrent writers.

    .venv/bin/python benchmarks/store.py                          # all three parts, default sizes
    .venv/bin/python benchmarks/store.py writes --sizes 10,10000,100000 --runs 9
    .venv/bin/python benchmarks/store.py creates --total 10000 --batch 250
    .venv/bin/python benchmarks/store.py writers --writers 16,32,64 --each 3

``writes``: stores of each size (one VM made through the operations layer, cloned, as
benchmarks/startup.py does), each primed by one write (a store autopatch wrote has its journal; a cloned
one gets it on its first write). Then, in shuffled rounds, ``vm update --set tags.k=...`` on a different
VM each time, ``vm deallocate`` and ``vm start`` of one VM, and ``vm show``; medians, and each size's ratio to
the smallest. ``--whole`` adds the same writes with the journal off (every write rewrites the store, as
before the journal): the figure the journal is measured against.

``creates``: ``vm create --count BATCH`` repeated until TOTAL VMs, from an empty store holding one VNet with a
/16 subnet (each create puts its NICs there, as az finds it in the group): the total wall and CPU time (user +
system of the processes), the load average before and after, and each create's time.

``writers``: N concurrent writer processes at once on one 1,000-VM store, each running EACH ``vm update``
commands one after the other; how many were refused, wall time and p50/p99 of a command, and whether
every write is in the store afterwards.

These figures are not tests and never fail on timing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import startup  # noqa: E402  (benchmarks/startup.py: the template VM and the cloned stores)

GROUP = startup.GROUP


CPU = [0.0]
"""The CPU time (user + system) of every process run() waited for, in seconds."""


def run(argv: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """Wall time, exit code, peak RSS (KiB) and stderr of one whole process (its CPU time is added to CPU)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    CPU[0] += usage.ru_utime + usage.ru_stime
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    return time.perf_counter() - started, process.returncode, usage.ru_maxrss, err.decode(errors="replace")


def env_for(path: Path, folder: Path, whole: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPATCH_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(AUTOPATCH_STATE=str(path), AUTOPATCH_CONFIG_DIR=str(folder / "config"), NO_COLOR="1",
               PYTHONPYCACHEPREFIX=str(folder / "pycache"))
    if whole:
        env["AUTOPATCH_JOURNAL_MIN_BYTES"] = str(1 << 50)  # every store counts as small: whole rewrites
    return env


def must(result: tuple[float, int, int, str], what: str) -> tuple[float, int, int, str]:
    if result[1] != 0:
        raise SystemExit(f"{what} failed ({result[1]}): {result[3]}")
    return result


def build(folder: Path, size: int, path: Path) -> None:
    """startup.build_store in a child process, so that the timed processes do not inherit its memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, __file__, "build", "--vms", str(size), "--into", str(path)], check=True,
                   cwd=folder)


def writes(folder: Path, sizes: list[int], runs: int, whole: bool) -> None:
    cmd = startup.autopatch_command()
    stores = {}
    for size in sizes:
        path = folder / f"s{size}" / "state.json"
        started = time.perf_counter()
        build(folder, size, path)
        modes = [False, True] if whole else [False]
        for mode in modes:
            target = path if not mode else folder / f"s{size}w" / "state.json"
            if mode:
                target.parent.mkdir()
                target.write_bytes(path.read_bytes())
            env = env_for(target, folder, mode)
            must(run([*cmd, "vm", "update", "-g", GROUP, "-n", startup.vm_name(0), "--set", "tags.primed=1", "-o", "none"],
                     env), "priming write")
            stores[(size, mode)] = (target, env)
        print(f"built {size:,} VMs ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s",
              flush=True)
    times: dict[tuple, list[float]] = {}
    rss: dict[tuple, list[int]] = {}
    verbs = ("vm update", "vm deallocate", "vm start", "vm show")
    for round_ in range(runs + 1):  # round 0 warms the bytecode cache and is not counted
        jobs = []
        for (size, mode), (path, env) in stores.items():
            rng = random.Random(round_ * 1000 + size)
            vm = startup.vm_name(rng.randrange(size))
            mover = startup.vm_name(size - 1)
            jobs.append(((size, mode, "vm update"), [*cmd, "vm", "update", "-g", GROUP, "-n", vm, "--set",
                                                      f"tags.round={round_}", "-o", "none"], env))
            jobs.append(((size, mode, "vm show"), [*cmd, "vm", "show", "-g", GROUP, "-n", vm, "-o", "none"], env))
            jobs.append(((size, mode, "power"), None, (path, env, mover)))
        random.Random(round_).shuffle(jobs)
        for key, argv, env in jobs:
            if argv is None:  # deallocate then start the same VM: two writes, each a real change
                path, env, mover = env
                for verb in ("deallocate", "start"):
                    result = must(run([*cmd, "vm", verb, "-g", GROUP, "-n", mover, "-o", "none"], env), verb)
                    if round_:
                        times.setdefault((key[0], key[1], f"vm {verb}"), []).append(result[0])
                        rss.setdefault((key[0], key[1], f"vm {verb}"), []).append(result[2])
                continue
            result = must(run(argv, env), " ".join(argv[-8:]))
            if round_:
                times.setdefault(key, []).append(result[0])
                rss.setdefault(key, []).append(result[2])
    print(f"\none-VM commands, whole processes, median of {runs} (min-max), peak RSS; ratio to {sizes[0]:,} VMs")
    print(f"{'command':<15} {'store':<8} {'VMs':>8} {'median':>8} {'min':>7} {'max':>7} {'RSS MiB':>8} {'ratio':>6}")
    for verb in verbs:
        for mode in ([False, True] if whole else [False]):
            base = statistics.median(times[(sizes[0], mode, verb)])
            for size in sizes:
                values = times[(size, mode, verb)]
                median = statistics.median(values)
                print(f"{verb:<15} {'whole' if mode else 'journal':<8} {size:>8,} {median:>7.3f}s {min(values):>6.3f}s "
                      f"{max(values):>6.3f}s {max(rss[(size, mode, verb)]) / 1024:>8.0f} {median / base:>5.2f}x")
    for (size, mode), (path, _) in stores.items():
        journal = Path(f"{path}.journal")
        print(f"{size:,} VMs ({'whole' if mode else 'journal'}): snapshot {path.stat().st_size / 1e6:.1f} MB, journal "
              f"{journal.stat().st_size / 1e3 if journal.exists() else 0:.1f} kB")


def creates(folder: Path, total: int, batch: int) -> None:
    cmd = startup.autopatch_command()
    path = folder / "creates" / "state.json"
    env = env_for(path, folder)
    must(run([*cmd, "group", "create", "-n", GROUP, "-l", "eastus", "-o", "none"], env), "group create")
    # one VNet whose subnet holds them all (a /24, what vm create makes by default, holds 251 NICs): every
    # vm create finds it in the group and puts its NICs there, as az does
    vnet = {"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                                                 "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/16"}}]}}
    must(run([*cmd, "rest", "--method", "put", "--url", f"/subscriptions/{{subscriptionId}}/resourceGroups/{GROUP}/providers/"
              "Microsoft.Network/virtualNetworks/fleet?api-version=2024-05-01", "--body", json.dumps(vnet), "-o", "none"],
             env), "VNet create")
    made = 0
    each = []
    load = os.getloadavg()[0]
    cpu = CPU[0]
    started = time.perf_counter()
    while made < total:
        count = min(batch, total - made)
        result = must(run([*cmd, "vm", "create", "-g", GROUP, "-n", f"b{made // batch:03d}x", "--count", str(count),
                           "--image", "Win2019Datacenter", "--admin-password", startup.PASSWORD, "-o", "none"], env),
                      "vm create --count")
        each.append(result[0])
        made += count
    elapsed = time.perf_counter() - started
    journal = Path(f"{path}.journal")
    print(f"\nvm create --count {batch} x {len(each)} = {made:,} VMs: {elapsed:.1f} s in all, {CPU[0] - cpu:.1f} s CPU "
          f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after) "
          f"(first {each[0]:.2f} s, median {statistics.median(each):.2f} s, last {each[-1]:.2f} s, max {max(each):.2f} s); "
          f"snapshot {path.stat().st_size / 1e6:.1f} MB, journal {journal.stat().st_size / 1e6 if journal.exists() else 0:.1f} MB")
    print("each (s): " + " ".join(f"{t:.2f}" for t in each))


def writers(folder: Path, counts: list[int], each: int, vms: int) -> None:
    cmd = startup.autopatch_command()
    for count in counts:
        path = folder / f"w{count}" / "state.json"
        build(folder, vms, path)
        env = env_for(path, folder)
        must(run([*cmd, "vm", "show", "-g", GROUP, "-n", startup.vm_name(0), "-o", "none"], env), "warm-up")
        latencies: list[float] = []
        refused: list[str] = []
        lock = threading.Lock()

        def writer(index: int, env=env, lock=lock, latencies=latencies, refused=refused) -> None:
            for step in range(each):
                result = run([*cmd, "vm", "update", "-g", GROUP, "-n", startup.vm_name(index), "--set",
                              f"tags.w{step}={index}", "-o", "none"], env)
                with lock:
                    latencies.append(result[0])
                    if result[1] != 0:
                        refused.append(result[3].strip().splitlines()[-1] if result[3].strip() else str(result[1]))

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(count)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        from autopatch_cli import store

        state = store.load(path)
        present = sum(1 for i in range(count) for step in range(each)
                      if state["vms"][f"{GROUP}/{startup.vm_name(i)}"]["vm"].get("tags", {}).get(f"w{step}") == str(i))
        latencies.sort()
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"{count:>3} writers x {each} writes on {vms:,} VMs: {len(refused)} of {count * each} refused, "
              f"{present} of {count * each} in the store; wall {wall:.1f} s, per command p50 "
              f"{statistics.median(latencies):.2f} s, p99 {p99:.2f} s, max {latencies[-1]:.2f} s", flush=True)
        for reason in sorted(set(refused))[:3]:
            print(f"    refused: {reason}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", nargs="?", choices=("writes", "creates", "writers", "all", "build"), default="all")
    parser.add_argument("--into", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="10,10000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--whole", action="store_true", help="also time every write as a whole rewrite")
    parser.add_argument("--total", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--writers", default="16,32,64")
    parser.add_argument("--each", type=int, default=3)
    parser.add_argument("--vms", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if args.part == "build":
        folder = Path(args.into).parent
        startup.build_store(startup.build_template(folder), args.vms, Path(args.into))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="autopatch-store-bench-"))
    try:
        if args.part in ("writes", "all"):
            writes(folder, [int(s) for s in args.sizes.split(",")], args.runs, args.whole)
        if args.part in ("creates", "all"):
            creates(folder, args.total, args.batch)
        if args.part in ("writers", "all"):
            print()
            writers(folder, [int(s) for s in args.writers.split(",")], args.each, args.vms)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
