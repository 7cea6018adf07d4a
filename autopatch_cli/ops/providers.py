"""Resource providers (Microsoft.Resources providers API, 2020-06-01).

Registering a provider that is already registered keeps it ``Registered`` and re-propagates the
subscription's registered preview features to it: that is why the guide asks for
``az provider register --namespace Microsoft.Compute`` after a feature registration, and why
AutomaticByPlatform is allowed only when that re-registration came after the feature was Registered.
"""

from __future__ import annotations

from datetime import timedelta

from ..azure import catalog, regions
from ..engine.clock import to_epoch
from ..errors import invalid_resource_namespace
from .state import now, now_text, seeded_random, subscription_id
from .timers import schedule

REGISTRATION_MINUTES = (1, 3)


def canonical(namespace: str) -> str:
    for ns in catalog.PROVIDERS:
        if ns.lower() == namespace.lower():
            return ns
    raise invalid_resource_namespace(namespace)


def record(state, namespace: str) -> dict:
    """The provider's registration record; a new subscription has the common providers registered."""
    ns = canonical(namespace)
    entry = state.section("providers", {}).get(ns)
    if entry is None:
        registered = catalog.PROVIDERS[ns]
        entry = {"state": "Registered" if registered else "NotRegistered"}
        if registered:
            entry["registeredAt"] = state.section("clock")["start"]
    return entry


def _resource_types(ns: str) -> list:
    from ..models.resources import ProviderResourceType, ZoneMapping

    if ns != "Microsoft.Compute":
        return []
    zoned = [regions.display_name(r) for r in regions.REGIONS if regions.has_zones(r)]
    everywhere = [regions.display_name(r) for r in regions.REGIONS]
    return [
        ProviderResourceType(
            resourceType=rtype,
            locations=everywhere,
            apiVersions=list(catalog.COMPUTE_API_VERSIONS),
            zoneMappings=[ZoneMapping(location=z, zones=["1", "2", "3"]) for z in zoned]
            if rtype == "virtualMachines"
            else None,
            capabilities="SystemAssignedResourceIdentity, SupportsTags, SupportsLocation",
        )
        for rtype in catalog.COMPUTE_RESOURCE_TYPES
    ]


def render(state, namespace: str) -> dict:
    from ..models.resources import Provider

    ns = canonical(namespace)
    return Provider(
        id=f"/subscriptions/{subscription_id(state)}/providers/{ns}",
        namespace=ns,
        registrationState=record(state, ns)["state"],
        registrationPolicy="RegistrationRequired",
        resourceTypes=_resource_types(ns),
    ).wire()


def _schedule_transition(state, ns: str, entry: dict, interim: str, kind: str) -> None:
    entry["state"] = interim
    delay = timedelta(minutes=seeded_random(state, f"provider:{ns}").randint(*REGISTRATION_MINUTES))
    schedule(state, to_epoch(now(state) + delay), kind, ns)


def register(state, namespace: str) -> dict:
    ns = canonical(namespace)
    entry = dict(record(state, ns))
    if entry["state"] == "Registered":
        entry["registeredAt"] = now_text(state)
    elif entry["state"] != "Registering":
        _schedule_transition(state, ns, entry, "Registering", "provider.registered")
    state.data["providers"][ns] = entry
    return render(state, ns)


def unregister(state, namespace: str) -> dict:
    ns = canonical(namespace)
    entry = dict(record(state, ns))
    if entry["state"] not in ("Unregistering", "Unregistered", "NotRegistered"):
        _schedule_transition(state, ns, entry, "Unregistering", "provider.unregistered")
    state.data["providers"][ns] = entry
    return render(state, ns)


def show(state, namespace: str) -> dict:
    return render(state, namespace)


def list_providers(state) -> list[dict]:
    return [render(state, ns) for ns in catalog.PROVIDERS]


def is_registered(state, namespace: str) -> bool:
    return record(state, namespace)["state"] == "Registered"


def registered_at(state, namespace: str) -> str | None:
    entry = record(state, namespace)
    return entry.get("registeredAt") if entry["state"] == "Registered" else None


def on_timer(state, kind: str, key: str) -> str | None:
    entry = state.data["providers"].get(key)
    if entry is None:
        return None
    if kind == "provider.registered" and entry["state"] == "Registering":
        entry["state"] = "Registered"
        entry["registeredAt"] = now_text(state)
        return f"provider {key} is Registered"
    if kind == "provider.unregistered" and entry["state"] == "Unregistering":
        entry["state"] = "Unregistered"
        entry.pop("registeredAt", None)
        return f"provider {key} is Unregistered"
    return None
