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

Phases with no VM of the fleet are passed at once, without bake time.
"""

from __future__ import annotations

from functools import cache

from ..azure.regions import REGIONS, pair_partners

CANARY = ("eastus2euap", "centraluseuap")
PILOT = "westcentralus"
WAVE_SHARES = (0.10, 0.20, 0.30, 0.40)
BAKE_SECONDS = 24 * 3600


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
