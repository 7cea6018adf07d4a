"""The state document: a new subscription's defaults, deterministic ids, and the simulated clock."""

from __future__ import annotations

import random
import uuid
from collections.abc import MutableMapping
from datetime import datetime
from typing import Any, cast

from .. import __version__
from ..engine.clock import DEFAULT_SEED, DEFAULT_START, format_instant, parse_instant
from ..store import SCHEMA_VERSION

TENANT_NAMESPACE = uuid.UUID("6ba7b812-9dad-11d1-80b4-00c04fd430c8")


def new_state(seed: int = DEFAULT_SEED, start: datetime = DEFAULT_START) -> dict[str, Any]:
    """A fresh subscription: fixed seed and start instant, so the same commands give the same output."""
    subscription_id = str(uuid.uuid5(TENANT_NAMESPACE, f"autopatch-subscription-{seed}"))
    tenant_id = str(uuid.uuid5(TENANT_NAMESPACE, f"autopatch-tenant-{seed}"))
    return {
        "schemaVersion": SCHEMA_VERSION,
        "meta": {"generator": f"autopatch {__version__}", "seed": seed, "idCounter": 0},
        "clock": {"now": format_instant(start), "start": format_instant(start)},
        "subscription": {
            "id": subscription_id,
            "name": "autopatch simulated subscription",
            "tenantId": tenant_id,
            "user": "autopatch@simulated.example",
        },
        "timers": [],
        "features": {},
        "providers": {},
        "resourceGroups": {},
        "availabilitySets": {},
        "vms": {},
    }


def subscription_id(state) -> str:
    return state.section("subscription")["id"]


def now(state) -> datetime:
    return parse_instant(state.section("clock")["now"])


def now_text(state) -> str:
    return state.section("clock")["now"]


def seed(state) -> int:
    return state.section("meta")["seed"]


def next_guid(state) -> str:
    """A deterministic GUID: the n-th draw of the store's seed (never from the host's entropy)."""
    meta = state.data["meta"]
    counter = meta["idCounter"]
    meta["idCounter"] = counter + 1
    bits = random.Random(f"{meta['seed']}:{counter}").getrandbits(128)
    return str(uuid.UUID(int=bits, version=4))


def seeded_random(state, purpose: str) -> random.Random:
    """A generator for one decision, seeded by the store seed, the purpose and the id counter."""
    meta = state.data["meta"]
    counter = meta["idCounter"]
    meta["idCounter"] = counter + 1
    return random.Random(f"{meta['seed']}:{purpose}:{counter}")


class State:
    """A writable state document with the same read interface as :class:`StoreReader`.

    ``data`` is a plain dict or the store's lazy :class:`~autopatch_cli.store.Document` (which decodes
    sections and VMs as they are used); :meth:`full` gives the whole state as plain dicts either way.
    """

    def __init__(self, data: MutableMapping[str, Any]):
        self.data = data

    def section(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def entry(self, collection: str, key: str) -> Any:
        return self.data.get(collection, {}).get(key)

    def full(self) -> dict[str, Any]:
        materialize = getattr(self.data, "materialize", None)
        return materialize() if materialize is not None else cast(dict[str, Any], self.data)  # a plain dict
