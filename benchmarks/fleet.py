"""Build a synthetic fleet straight through the operations layer (no CLI per VM), for the benchmarks.

Spreads VMs over regions (zones where the region has them), availability sets of 5-40 VMs, standalone
VMs, a dozen Windows time zones, and a few AutomaticByOS and Manual VMs, deterministically.
"""

from __future__ import annotations

import random

from autopatch_cli.azure import catalog, regions
from autopatch_cli.ops import availability_sets, features, groups, providers, vm_create, vms
from autopatch_cli.ops.clock import tick
from autopatch_cli.ops.session import Session
from autopatch_cli.ops.state import now

TIME_ZONES = (
    "UTC", "Pacific Standard Time", "Eastern Standard Time", "Central Europe Standard Time", "GMT Standard Time",
    "Tokyo Standard Time", "India Standard Time", "AUS Eastern Standard Time", "Central Standard Time",
    "W. Europe Standard Time", "Korea Standard Time", "E. South America Standard Time",
)
PASSWORD = "Str0ng!Passw0rd1"


def opt_in(state) -> None:
    from datetime import timedelta

    features.register(state, "Microsoft.Compute", catalog.AUTO_PATCH_FEATURE)
    features.register(state, "Microsoft.Compute", catalog.ON_DEMAND_FEATURE)
    tick(state, now(state) + timedelta(minutes=20))
    providers.register(state, "Microsoft.Compute")
    tick(state, now(state) + timedelta(minutes=5))


def build(path: str, count: int, region_count: int = 12, seed: int = 7) -> None:
    rng = random.Random(seed)
    names = sorted(regions.REGIONS)[:region_count]
    with Session(path).writer() as state:
        opt_in(state)
        made = 0
        set_no = 0
        while made < count:
            region = names[made % len(names)]
            group = f"rg-{region}"
            if groups.find(state, group) is None:
                groups.create(state, group, region)
            zone = rng.choice(regions.ZONES) if regions.has_zones(region) and rng.random() < 0.6 else None
            tz = rng.choice(TIME_ZONES)
            if zone is None and rng.random() < 0.5:
                size = min(rng.randint(5, 40), count - made)
                set_no += 1
                avset = f"as{set_no}"
                availability_sets.create(state, group, avset, region, update_domains=5,
                                         fault_domains=2)
                for i in range(size):
                    _vm(state, group, f"{avset}-vm{i}", tz, availability_set=avset)
                made += size
                continue
            mode = "AutomaticByPlatform" if rng.random() < 0.9 else rng.choice(("AutomaticByOS", "Manual"))
            _vm(state, group, f"vm{made}", tz, zone=zone, mode=mode)
            made += 1


def _vm(state, group, name, tz, zone=None, availability_set=None, mode="AutomaticByPlatform") -> None:
    body = vm_create.build_body(
        state, group, name, "Win2019Datacenter", admin_password=PASSWORD, admin_username="azureuser",
        enable_agent=True, enable_auto_update=mode != "Manual", patch_mode=mode, time_zone=tz,
        zone=zone, availability_set=availability_set,
    )
    vms.put(state, group, name, body)
