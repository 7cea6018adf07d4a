"""Time a Tab: the completion request the bash script sends, answered by a fresh `autopatch` process.

    python benchmarks/completion.py [--runs 20]

Prints the median and worst wall-clock and CPU time per request for a few lines (a sub-command, an enum
value, VMs from a store of 1,000 VMs), with the command tree already cached (the first Tab after an
install or upgrade builds it, once). The VM names are cached too, per store content: the last line times
the first Tab after the store changed (its names cache removed before each run), which reads the store's
index. Goal: under 100 ms on an idle machine. CPU time is printed as well because wall-clock time on a
busy machine measures the machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES = ["autopatch vm sh", "autopatch vm create --patch-mode ", "autopatch vm show -g rg -n ", "autopatch vm list -o "]
COLD = "autopatch vm show -g rg -n  (store changed)"  # the VM names Tab with its names cache gone


def _fleet(path: Path, count: int) -> None:
    from autopatch_cli.ops import groups, vms
    from autopatch_cli.ops.demo import opt_in, windows_vm
    from autopatch_cli.ops.session import Session

    with Session(path).writer() as state:
        opt_in(state)
        groups.create(state, "rg", "eastus")
        for i in range(count):
            windows_vm(state, "rg", f"vm{i:05d}")
    assert vms  # the module builds the bodies windows_vm puts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--vms", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "state.json"
        _fleet(store, args.vms)
        env = {**os.environ, "AUTOPATCH_STATE": str(store), "XDG_CACHE_HOME": str(Path(folder) / "cache"),
               "_AUTOPATCH_COMPLETE": "complete_bash"}
        print(f"store: {args.vms} VMs, {store.stat().st_size:,} bytes; {args.runs} runs per line")
        cache = Path(folder) / "cache" / "autopatch"
        for line in [*LINES, COLD]:
            cold = line is COLD
            line = line.removesuffix(" (store changed)")
            words = line.split(" ")
            run_env = {**env, "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
            subprocess.run([sys.executable, "-m", "autopatch_cli"], env=run_env, capture_output=True, check=True)
            walls, cpus = [], []
            for _ in range(args.runs):
                for stale in cache.glob("values-*") if cold else ():
                    stale.unlink()
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "autopatch_cli"], env=run_env, capture_output=True,
                                      check=True, text=True)
                walls.append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            shown = len(done.stdout.split())
            shown_line = f"{line!r} (store changed)" if cold else repr(line)
            print(f"{shown_line:45} {shown:5} candidates  wall median {statistics.median(walls) * 1000:6.1f} ms, "
                  f"max {max(walls) * 1000:6.1f} ms;  cpu median {statistics.median(cpus) * 1000:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
