"""Build a synthetic fleet straight through the operations layer (no CLI per VM), for the benchmarks.

Spreads VMs over regions (zones where the region has them), availability sets of 5-40 VMs, standalone
VMs, a dozen Windows time zones, and a few AutomaticByOS and Manual VMs, deterministically.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

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


# ---- the same fleet, cloned: minutes for a million VMs -------------------------------------------

_TEMPLATE_VM = "zqtplvm"
_TEMPLATE_SET = "zqtplas"


def layout(count: int, region_count: int = 12, seed: int = 7) -> Iterator[tuple]:
    """What :func:`build` makes, in its order and with its random draws: ("set", group, region, name) for
    an availability set, ("vm", group, region, name, tz, zone, set, mode) for a VM."""
    rng = random.Random(seed)
    names = sorted(regions.REGIONS)[:region_count]
    made = 0
    set_no = 0
    while made < count:
        region = names[made % len(names)]
        group = f"rg-{region}"
        zone = rng.choice(regions.ZONES) if regions.has_zones(region) and rng.random() < 0.6 else None
        tz = rng.choice(TIME_ZONES)
        if zone is None and rng.random() < 0.5:
            size = min(rng.randint(5, 40), count - made)
            set_no += 1
            avset = f"as{set_no}"
            yield ("set", group, region, avset)
            for i in range(size):
                yield ("vm", group, region, f"{avset}-vm{i}", tz, None, avset, "AutomaticByPlatform")
            made += size
            continue
        mode = "AutomaticByPlatform" if rng.random() < 0.9 else rng.choice(("AutomaticByOS", "Manual"))
        yield ("vm", group, region, f"vm{made}", tz, zone, None, mode)
        made += 1


def build_cloned(path: str, count: int, region_count: int = 12, seed: int = 7) -> None:
    """The store :func:`build` makes, byte for byte, without making each VM through the operations layer.

    One VM of each kind (region, zone, time zone, patch mode, in a set or not) is made through the
    operations layer; every VM is that template's text with its own name, set, vmId (the n-th draw of the
    store's seed, as ops.state.next_guid draws it), credential digest, index, addresses and domains. The
    store is streamed to disk (store.write_entries), so no VM is held in memory: a million VMs take minutes.
    tests/test_store_streaming.py checks that both builders give the same bytes.
    """
    import uuid

    from autopatch_cli import store
    from autopatch_cli.engine.lifecycle import enablement_seconds
    from autopatch_cli.ops import vm_rules
    from autopatch_cli.ops.state import State, new_state

    skeleton = State(new_state())
    opt_in(skeleton)
    scratch = State(new_state())
    opt_in(scratch)
    templates: dict[tuple, tuple[str, str]] = {}
    first_id = skeleton.data["meta"]["idCounter"]
    seed_value = skeleton.data["meta"]["seed"]
    members: dict[str, list[str]] = {}

    def template(group: str, region: str, tz: str, zone: str | None, avset: str | None, mode: str) -> tuple[str, str]:
        kind = (group, tz, zone, avset is not None, mode)
        if kind not in templates:
            if groups.find(scratch, group) is None:
                groups.create(scratch, group, region)
            if avset is not None and availability_sets.find(scratch, group, _TEMPLATE_SET) is None:
                availability_sets.create(scratch, group, _TEMPLATE_SET, region, update_domains=5, fault_domains=2)
            _vm(scratch, group, _TEMPLATE_VM, tz, zone=zone, availability_set=_TEMPLATE_SET if avset else None,
                mode=mode)
            record = scratch.data["vms"].pop(f"{group}/{_TEMPLATE_VM}")
            if avset is not None:
                scratch.data["availabilitySets"][f"{group}/{_TEMPLATE_SET}"]["members"].clear()
            vm_id = record["vm"]["properties"]["vmId"]
            digest = record["sim"].get("credentialDigest", "")
            sim = record["sim"]
            for field in ("index", "macAddress", "privateIpAddress", "publicIpAddress", "updateDomain", "faultDomain"):
                if field in sim:
                    sim[field] = f"@{field}@"
            if "enableLeft" in sim.get("patch", {}):
                sim["patch"]["enableLeft"] = "@enableLeft@"
            for field, placeholder in (("platformUpdateDomain", "updateDomain"), ("platformFaultDomain", "faultDomain")):
                if field in record["iv"]:
                    record["iv"][field] = f"@{placeholder}@"
            text = store._dumps(record).replace(vm_id, "@vmId@")
            templates[kind] = (text.replace(digest, "@digest@") if digest else text, digest)
        return templates[kind]

    def entries() -> Iterator[tuple[str, str]]:
        index = 0
        for item in layout(count, region_count, seed):
            if item[0] == "set":
                _, group, region, avset = item
                if groups.find(skeleton, group) is None:
                    groups.create(skeleton, group, region)
                availability_sets.create(skeleton, group, avset, region, update_domains=5, fault_domains=2)
                members[f"{group}/{avset}"] = skeleton.data["availabilitySets"][f"{group}/{avset}"]["members"]
                continue
            _, group, region, name, tz, zone, avset, mode = item
            if groups.find(skeleton, group) is None:
                groups.create(skeleton, group, region)
            text, digest = template(group, region, tz, zone, avset, mode)
            bits = random.Random(f"{seed_value}:{first_id + index}").getrandbits(128)
            vm_id = str(uuid.UUID(int=bits, version=4))
            values = {
                "index": str(index),
                "enableLeft": str(enablement_seconds(seed_value, index)),
                "macAddress": f'"00-0D-3A-{(index >> 16) & 255:02X}-{(index >> 8) & 255:02X}-{index & 255:02X}"',
                "privateIpAddress": f'"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{4 + (index & 255) % 250}"',
                "publicIpAddress": f'"20.{(index >> 16) & 255}.{(index >> 8) & 255}.{10 + (index & 255) % 240}"',
            }
            if avset is not None:
                joined = members[f"{group}/{avset}"]
                values["updateDomain"], values["faultDomain"] = str(len(joined) % 5), str(len(joined) % 2)
                joined.append(name)
                text = text.replace(_TEMPLATE_SET, avset)
            for field, value in values.items():
                text = text.replace(f'"@{field}@"', value)
            text = text.replace(_TEMPLATE_VM, name).replace("@vmId@", vm_id)
            if digest:
                text = text.replace("@digest@", vm_rules.password_digest(vm_id, PASSWORD))
            index += 1
            yield f"{group}/{name}", text
        meta = skeleton.data["meta"]
        meta["idCounter"] = first_id + index
        meta["vmCounter"] = index

    # the sections are written after the VMs' texts are drawn (counters, set members): a generator that
    # finishes before the sections are serialized
    drawn = list(entries()) if count <= 20_000 else None
    if drawn is not None:
        store.write_entries(path, skeleton.data, iter(drawn))
        return
    _write_two_pass(path, skeleton, entries)


def _write_two_pass(path: str, skeleton, entries) -> None:
    """A big fleet: its VM lines to a side file first (their sections need the finished counters and sets),
    then the store from the sections and those lines."""
    import os

    from autopatch_cli import store

    side = f"{path}.vms.tmp"
    with open(side, "w", encoding="utf-8") as handle:
        for key, text in entries():
            handle.write(f"{key}\t{text}\n")

    def lines() -> Iterator[tuple[str, str]]:
        with open(side, encoding="utf-8") as handle:
            for line in handle:
                key, _, text = line.rstrip("\n").partition("\t")
                yield key, text

    try:
        store.write_entries(path, skeleton.data, lines())
    finally:
        os.unlink(side)


def main() -> None:
    """``python benchmarks/fleet.py --vms 100000 1000000``: each fleet built by build_cloned, then
    ``tick --days 35`` in a fresh process (benchmarks/engine.py's tick step: load / simulate / save, peak RSS)."""
    import argparse
    import json
    import os
    import resource
    import shutil
    import sys
    import tempfile
    import time

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--vms", type=int, nargs="+", default=[100_000])
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--regions", type=int, default=60)
    parser.add_argument("--step", choices=("build",), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "build":
        started = time.perf_counter()
        build_cloned(args.path, args.vms[0], args.regions)
        print(json.dumps({"build_s": time.perf_counter() - started, "store_mb": os.path.getsize(args.path) / 1e6,
                          "build_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import engine

    for count in args.vms:
        folder = tempfile.mkdtemp(prefix="autopatch-fleet-")
        try:
            path = os.path.join(folder, "state.json")
            built = engine.child(["--step", "build", "--path", path, "--vms", str(count), "--regions",
                                  str(args.regions)], script=__file__)
            print(f"{count:,} VMs over {args.regions} regions: built (cloned) in {built['build_s']:.1f} s, "
                  f"{built['store_mb']:.0f} MB, peak RSS {built['build_rss_mb']:.0f} MB", flush=True)
            ticked = engine.child(["--step", "tick", "--path", path, "--days", str(args.days)])
            print(f"  tick --days {args.days}: {ticked['tick_s']:.1f} s (load {ticked['load_s']:.1f}, simulate "
                  f"{ticked['simulate_s']:.1f}, save {ticked['save_s']:.1f}; cpu {ticked['cpu_s']:.1f}), peak RSS "
                  f"{ticked['tick_rss_mb']:,.0f} MB; store {ticked['store_mb']:,.0f} MB; {ticked['counts']}", flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
