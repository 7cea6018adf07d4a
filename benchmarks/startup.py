"""Start-up benchmark: whole-process wall time of autopatch's read verbs beside a minimal typer app.

Usage (from the repository root, with the project's venv)::

    .venv/bin/python benchmarks/startup.py                 # 15 timed runs after 2 warm-ups
    .venv/bin/python benchmarks/startup.py --runs 31 --sizes 10,1000,10000,50000

Stores of each size are built in a temporary folder: one VM is created through the operations layer
(so it has the real shape), then cloned with new names and vmIds straight into the state dict and
written once with :func:`autopatch_cli.store.serialize`. Every round runs every command once, in a
shuffled order, so machine noise falls on all of them alike. Figures only: nothing here asserts on
time (see benchmarks/README.md for the goals).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

GROUP = "rg"
TEMPLATE_NAME = "benchtemplate"
PASSWORD = "Str0ng!Passw0rd"

# The "minimal typer app" of shared/research/az-baseline.md: the lower bound for a typer-based mirror.
MINIMAL_APP = '''\
from typing import Annotated

import typer

app = typer.Typer()
vm = typer.Typer()
app.add_typer(vm, name="vm")


@vm.command("assess-patches")
def assess_patches(
    resource_group: Annotated[str, typer.Option("--resource-group", "-g")],
    name: Annotated[str, typer.Option("--name", "-n")],
    no_wait: Annotated[bool, typer.Option("--no-wait")] = False,
):
    print("{}")


@vm.command("show")
def show(
    resource_group: Annotated[str, typer.Option("--resource-group", "-g")],
    name: Annotated[str, typer.Option("--name", "-n")],
):
    print("{}")


if __name__ == "__main__":
    app()
'''


def vm_name(index: int) -> str:
    return f"vm{index:05d}"


def build_template(folder: Path) -> dict:
    """One VM made the way `autopatch vm create` makes it; returns the whole state dict."""
    from autopatch_cli import store
    from autopatch_cli.ops import groups, vm_create
    from autopatch_cli.ops.session import Session

    path = folder / "template.json"
    with Session(path).writer() as state:
        groups.create(state, GROUP, "eastus")
        vm_create.create(state, GROUP, TEMPLATE_NAME, "Win2019Datacenter", admin_password=PASSWORD)
    return store.load(path)


def build_store(template: dict, count: int, path: Path) -> str:
    """Write a store of ``count`` clones of the template VM; returns the name of the last one."""
    from autopatch_cli import store

    state = json.loads(json.dumps(template))
    record = state["vms"].pop(f"{GROUP}/{TEMPLATE_NAME}")
    old_vm_id = record["vm"]["properties"]["vmId"]
    text = json.dumps(record)
    rng = random.Random(count)
    vms = {}
    for index in range(count):
        name = vm_name(index)
        new_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        clone = json.loads(text.replace(TEMPLATE_NAME, name).replace(old_vm_id, new_id))
        clone["sim"]["index"] = index
        vms[f"{GROUP}/{name}"] = clone
    state["vms"] = vms
    state["meta"]["vmCounter"] = count
    store.write_atomic(path, store.serialize(state))
    return vm_name(count - 1)


def autopatch_command() -> list[str]:
    script = Path(sys.executable).parent / "autopatch"
    if script.exists():
        return [str(script)]
    found = shutil.which("autopatch")
    return [found] if found else [sys.executable, "-m", "autopatch_cli"]


def run_once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({completed.returncode}): {completed.stderr.decode()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds first (default 2)")
    parser.add_argument("--sizes", default="10,1000,10000", help="VM counts, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print it")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="leave PYTHONDONTWRITEBYTECODE/PYTHONPYCACHEPREFIX as they are in the environment")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    folder = Path(tempfile.mkdtemp(prefix="autopatch-bench-"))
    try:
        started = time.perf_counter()
        template = build_template(folder)
        stores: dict[int, tuple[Path, str]] = {}
        for size in sizes:
            path = folder / f"state-{size}.json"
            stores[size] = (path, build_store(template, size, path))
        built = time.perf_counter() - started
        print(f"built stores {', '.join(f'{s:,}' for s in sizes)} VMs in {built:.1f} s "
              f"({', '.join(f'{stores[s][0].stat().st_size / 1e6:.1f} MB' for s in sizes)})")

        minimal = folder / "minimal_typer_app.py"
        minimal.write_text(MINIMAL_APP)
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOPATCH_", "_AUTOPATCH"))}
        base_env["AUTOPATCH_CONFIG_DIR"] = str(folder / "config")
        if not args.no_bytecode_cache:
            # As an installed autopatch runs: with a bytecode cache, filled by the warm-up rounds. It
            # lives in the temporary folder, so nothing is written into the checkout or the venv.
            base_env.pop("PYTHONDONTWRITEBYTECODE", None)
            base_env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        autopatch = autopatch_command()

        # label -> (argv, env)
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], base_env),
            "minimal typer: vm show": ([sys.executable, str(minimal), "vm", "show", "-g", GROUP, "-n", "vm"], base_env),
            "autopatch --version": ([*autopatch, "--version"], base_env),
        }
        for size in sizes:
            path, name = stores[size]
            env = {**base_env, "AUTOPATCH_STATE": str(path)}
            commands[f"vm show @ {size:,}"] = ([*autopatch, "vm", "show", "-g", GROUP, "-n", name], env)
            commands[f"vm get-instance-view @ {size:,}"] = (
                [*autopatch, "vm", "get-instance-view", "-g", GROUP, "-n", name], env)

        # As a user runs it: no AUTOPATCH_* variables, so the store and config are found in the XDG
        # folders (platformdirs), here pointed into the temporary folder.
        smallest_path = stores[min(sizes)][0]
        data_home = folder / "xdg-data"
        (data_home / "autopatch").mkdir(parents=True)
        shutil.copyfile(smallest_path, data_home / "autopatch" / "state.json")
        user_env = {**base_env, "XDG_DATA_HOME": str(data_home), "XDG_CONFIG_HOME": str(folder / "xdg-config")}
        del user_env["AUTOPATCH_CONFIG_DIR"]
        commands[f"vm show @ {min(sizes):,}, default paths"] = (
            [*autopatch, "vm", "show", "-g", GROUP, "-n", stores[min(sizes)][1]], user_env)

        times: dict[str, list[float]] = {label: [] for label in commands}
        order = list(commands)
        shuffler = random.Random(1)
        for round_index in range(args.warmup + args.runs):
            shuffler.shuffle(order)
            for label in order:
                argv, env = commands[label]
                elapsed = run_once(argv, env)
                if round_index >= args.warmup:
                    times[label].append(elapsed)

        medians = {label: statistics.median(values) for label, values in times.items()}
        floor = medians["minimal typer: vm show"]
        cache = "own bytecode cache" if not args.no_bytecode_cache else "bytecode cache as in the environment"
        print(f"\n{args.runs} timed runs per command after {args.warmup} warm-up rounds, interleaved; "
              f"python {sys.version.split()[0]}; {cache}\n")
        print(f"| {'command':<34} | {'median ms':>9} | {'min ms':>7} | {'max ms':>7} | {'vs minimal':>10} |")
        print(f"|{'-' * 36}|{'-' * 10}:|{'-' * 8}:|{'-' * 8}:|{'-' * 11}:|")
        for label in commands:
            values = times[label]
            print(f"| {label:<34} | {medians[label] * 1e3:9.1f} | {min(values) * 1e3:7.1f} | "
                  f"{max(values) * 1e3:7.1f} | {medians[label] / floor:9.2f}x |")

        print()
        smallest, largest = min(sizes), max(sizes)
        for verb in ("vm show", "vm get-instance-view"):
            worst = max(medians[f"{verb} @ {s:,}"] / floor for s in sizes)
            growth = medians[f"{verb} @ {largest:,}"] / medians[f"{verb} @ {smallest:,}"]
            print(f"{verb}: worst ratio vs minimal typer app {worst:.2f}x (goal <= 1.30x); "
                  f"{largest:,} VMs / {smallest:,} VMs = {growth:.2f}x (goal <= 1.50x)")
        if args.keep:
            print(f"\nstores kept in {folder}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
