"""Record what a fixed scenario prints and stores, to prove a refactoring changed no byte.

    python scripts/same_bytes.py OUT_DIR            # with the checkout's autopatch (its venv)
    diff -r BEFORE_DIR AFTER_DIR                     # run it on both commits, then compare

The scenario: a fleet built through the operations layer (benchmarks/fleet.py: 300 VMs over 60 regions,
availability sets, zones, a dozen time zones), a fault that halts a rollout, then the CLI as a user runs
it: ``tick --days 20``, ``orchestration plan/show/history/why/timeline``, ``vm get-instance-view``, then
``tick --days 60`` (two more releases) and the same views again, then ``tick --hours 5`` (it finishes the
installations the second tick left running). Every command's stdout, stderr and exit
code go to OUT_DIR, with the store after each tick. Nothing here passes or fails: ``diff -r`` does.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AUTOPATCH = Path(sys.executable).with_name("autopatch")


def main() -> None:
    out = Path(sys.argv[1])
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    store = out / "state.json"
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import fleet

    fleet.build(str(store), 300, region_count=60, seed=11)
    names = _names(store)
    steps = 0

    def run(label: str, *args: str) -> None:
        nonlocal steps
        steps += 1
        done = subprocess.run([str(AUTOPATCH), "--state", str(store), *args], capture_output=True, text=True)
        (out / f"{steps:02d}-{label}.txt").write_text(f"exit {done.returncode}\n--- stdout\n{done.stdout}"
                                                      f"--- stderr\n{done.stderr}")

    faulty = names[len(names) // 3]
    run("fault", "sim", "fault", "add", "-g", faulty[0], "-n", faulty[1], "--kind", "unhealthy-after-reboot")
    for round_no, days in ((1, "20"), (2, "60")):
        run(f"tick{round_no}", "tick", "--days", days)
        shutil.copyfile(store, out / f"store-after-tick{round_no}.json")
        run(f"plan{round_no}", "orchestration", "plan", "-o", "json")
        run(f"show{round_no}", "orchestration", "show", "-o", "json")
        run(f"history{round_no}", "orchestration", "history", "-o", "json")
        run(f"timeline{round_no}", "orchestration", "timeline")
        for group, name in [*names[5::41], faulty]:
            run(f"why{round_no}-{name}", "orchestration", "why", "-g", group, "-n", name, "-o", "json")
        for group, name in names[::37]:
            run(f"iv{round_no}-{name}", "vm", "get-instance-view", "-g", group, "-n", name, "-o", "json")
    # the second tick ends with installations running: the next one restores and finishes them
    run("tick3", "tick", "--hours", "5")
    run("history3", "orchestration", "history", "-o", "json")
    run("show3", "orchestration", "show", "-o", "json")
    shutil.copyfile(store, out / "store-final.json")
    store.unlink()
    print(f"{steps} commands recorded in {out}")


def _names(store: Path) -> list[tuple[str, str]]:
    import json

    data = json.loads(store.read_text())
    return sorted((record["vm"]["id"].split("/")[4], record["vm"]["name"]) for record in data["vms"].values())


if __name__ == "__main__":
    main()
