"""The Linux catalog and engine: how long the catalog takes to draw, and a mixed Windows/Linux fleet's tick.

    .venv/bin/python benchmarks/linux_engine.py [--vms 100] [--days 60]

1. the catalog: every package update of the 16 distributions over one year (drawn from the seed);
2. a fleet of N VMs over five regions (built through the operations layer, in memory), with 0%, 50% and 100%
   Linux VMs (Ubuntu 22.04 and RHEL 8, AutomaticByPlatform), ticked N days from 2024-06-01: wall time of the
   tick and the history rows it wrote. Figures only: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from autopatch_cli.azure import linux
from autopatch_cli.engine import catalog
from autopatch_cli.ops import clock, demo, groups
from autopatch_cli.ops.state import State, new_state

START = datetime(2024, 6, 1, tzinfo=UTC)
REGIONS = ("eastus", "westus", "northeurope", "westeurope", "japaneast")


def catalog_year() -> tuple[int, float]:
    began = time.perf_counter()
    count = sum(len(patches) for key in linux.DISTRO_KEYS
                for _, patches in catalog.linux_releases_between(5, datetime(2024, 1, 1, tzinfo=UTC),
                                                                 datetime(2025, 1, 1, tzinfo=UTC), key))
    return count, time.perf_counter() - began


def fleet_tick(vms: int, linux_percent: int, days: int) -> tuple[float, int]:
    state = State(new_state(5))
    clock.set_clock(state, START)
    for region in REGIONS:
        groups.create(state, f"rg-{region}", region)
    for i in range(vms):
        group = f"rg-{REGIONS[i % len(REGIONS)]}"
        if i * 100 < linux_percent * vms:
            demo.linux_vm(state, group, f"vm{i}", "Ubuntu2204" if i % 2 else "RedHat:RHEL:8-lvm-gen2:latest")
        else:
            demo.windows_vm(state, group, f"vm{i}", image="Win2022Datacenter")
    began = time.perf_counter()
    clock.tick(state, START + timedelta(days=days))
    return time.perf_counter() - began, len(state.data["history"]["rows"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, default=100)
    parser.add_argument("--days", type=int, default=60)
    args = parser.parse_args()
    count, seconds = catalog_year()
    print(f"catalog: {count} package updates of {len(linux.DISTRO_KEYS)} distributions over a year in {seconds:.3f} s")
    for percent in (0, 50, 100):
        seconds, rows = fleet_tick(args.vms, percent, args.days)
        print(f"{args.vms} VMs, {percent}% Linux, tick {args.days} days: {seconds:.2f} s, {rows} history rows")


if __name__ == "__main__":
    main()
