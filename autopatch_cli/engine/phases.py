"""The regional phase plan every release follows: Azure's safe deployment order, pairs kept apart.

Azure's guide: "A monthly update is orchestrated across Azure globally in a phased manner ... A phase
can have one or more regions ... Geo-paired regions aren't updated concurrently and can't be in the same
regional phase." Safe Deployment Practices: canary (EUAP) regions first, then the pilot region (West
Central US), then the remaining regions in widening waves, "at least 24 hours between each phase".

The plan autopatch derives (documented in README.md and printed by ``orchestration plan``):

1. ``eastus2euap`` (canary) and 2. ``centraluseuap`` (canary): the two EUAP regions are each other's
   pair, so each gets a phase of its own.
3. ``westcentralus`` (pilot).
4.-7. every other region, alphabetically, into waves holding about 10%, 20%, 30% and 40% of them; a
   region whose pair partner (in either direction, one-way pairs included) already sits in a wave
   goes to the next wave with room; a region with no room left opens a further wave.

One global calendar per release (:func:`calendar`): each phase has a run window and 24 hours of bake before
the next phase, and starts at a time that depends only on the release and the platform's seed, never on a
subscription's fleet (phases with none of its VMs take their time all the same). ``PHASE_DAYS`` leaves the
last phase room to finish within the guide's 30 days and before the next Patch Tuesday: 27 days in all.
"""

from __future__ import annotations

from functools import cache

from ..azure.regions import REGIONS, pair_partners
from .lifecycle import draw

CANARY = ("eastus2euap", "centraluseuap")
PILOT = "westcentralus"
WAVE_SHARES = (0.10, 0.20, 0.30, 0.40)
BAKE_SECONDS = 24 * 3600
DAY = 86_400
# Run days of each phase: the canaries a day each, the pilot two, then the waves with three or four. 20 run
# days + 7 bakes = 27 days: the rollout is over before the next Patch Tuesday (28 days later at the
# soonest), so a release never cuts the previous one short, and the 30 days keep three days for retries.
PHASE_DAYS = (1, 1, 2, 3, 3, 4, 3, 3)
START_JITTER = 6 * 3600  # a phase starts within six hours of its slot (drawn per release and phase)


@cache
def phase_plan() -> tuple[tuple[str, ...], ...]:
    phases: list[list[str]] = [[CANARY[0]], [CANARY[1]], [PILOT]]
    rest = sorted(r for r in REGIONS if r not in CANARY and r != PILOT)
    capacities = [max(1, round(share * len(rest))) for share in WAVE_SHARES]
    capacities[-1] = len(rest) - sum(capacities[:-1])
    waves: list[list[str]] = [[] for _ in capacities]
    for region in rest:
        partners = pair_partners(region)
        for index, wave in enumerate(waves):
            room = index >= len(capacities) or len(wave) < capacities[index]
            if room and not partners.intersection(wave):
                wave.append(region)
                break
        else:
            waves.append([region])
    phases.extend(wave for wave in waves if wave)
    return tuple(tuple(p) for p in phases)


@cache
def phase_of_region() -> dict[str, int]:
    """Region -> phase number (1-based, as printed)."""
    return {region: number for number, regions in enumerate(phase_plan(), start=1) for region in regions}


def phase_label(number: int) -> str:
    if number <= len(CANARY):
        return "canary"
    if number == len(CANARY) + 1:
        return "pilot"
    return f"wave {number - len(CANARY) - 1}"


def phase_days() -> tuple[int, ...]:
    """Run days per phase of :func:`phase_plan` (two days for any phase beyond the table)."""
    count = len(phase_plan())
    return tuple(PHASE_DAYS[i] if i < len(PHASE_DAYS) else 2 for i in range(count))


def calendar(seed: int, release: str, published: int) -> tuple[tuple[int, int], ...]:
    """(start, end) of each phase's run window for one release: the same for every fleet.

    A phase's slot opens a bake after the previous window closes; its start is drawn within
    ``START_JITTER`` of the slot (so it never eats into the bake), and its window closes ``PHASE_DAYS``
    after the slot.
    """
    out = []
    slot = published
    for number, days in enumerate(phase_days(), start=1):
        start = slot + int(draw(seed, release, "phase", number) * START_JITTER)
        end = slot + days * DAY
        out.append((start, end))
        slot = end + BAKE_SECONDS
    return tuple(out)
