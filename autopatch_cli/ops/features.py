"""Preview features (Microsoft.Features, api-version 2015-12-01).

``register`` answers ``Registering``; the feature becomes ``Registered`` on a later tick, within 15
simulated minutes, as Azure documents ("Feature registration can take up to 15 minutes").
"""

from __future__ import annotations

from datetime import timedelta

from ..azure import catalog
from ..engine.clock import to_epoch
from ..errors import feature_not_found, invalid_resource_namespace
from .state import now, now_text, seeded_random, subscription_id
from .timers import schedule

# How long registration takes, in simulated minutes: drawn from the seed in this range.
REGISTRATION_MINUTES = (5, 15)
UNREGISTRATION_MINUTES = (1, 5)


def _canonical(namespace: str, name: str) -> tuple[str, str]:
    """Look a feature up case-insensitively; unknown ones are refused as ARM refuses them."""
    for ns, names in catalog.FEATURES.items():
        if ns.lower() == namespace.lower():
            for feature in names:
                if feature.lower() == name.lower():
                    return ns, feature
            raise feature_not_found(name)
    raise invalid_resource_namespace(namespace, 400)


def _key(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


def state_of(state, namespace: str, name: str) -> str:
    ns, feature = _canonical(namespace, name)
    return state.section("features", {}).get(_key(ns, feature), {}).get("state", "NotRegistered")


def record(state, namespace: str, name: str) -> dict:
    return state.section("features", {}).get(_key(namespace, name), {})


def render(state, namespace: str, name: str) -> dict:
    from ..models.resources import FeatureProperties, FeatureResult

    entry = record(state, namespace, name)
    return FeatureResult(
        id=f"/subscriptions/{subscription_id(state)}/providers/Microsoft.Features/providers/"
        f"{namespace}/features/{name}",
        name=_key(namespace, name),
        type=catalog.FEATURE_TYPE,
        properties=FeatureProperties(state=entry.get("state", "NotRegistered")),
    ).wire()


def _transition(state, namespace: str, name: str, interim: str, final: str, minutes: tuple[int, int]) -> dict:
    ns, feature = _canonical(namespace, name)
    key = _key(ns, feature)
    features = state.data["features"]
    entry = features.setdefault(key, {"state": "NotRegistered"})
    if entry["state"] not in (interim, final):
        rng = seeded_random(state, f"feature:{key}")
        delay = timedelta(minutes=rng.randint(*minutes))
        entry["state"] = interim
        entry["since"] = now_text(state)
        schedule(state, to_epoch(now(state) + delay), f"feature.{final.lower()}", key)
    return render(state, ns, feature)


def register(state, namespace: str, name: str) -> dict:
    return _transition(state, namespace, name, "Registering", "Registered", REGISTRATION_MINUTES)


def unregister(state, namespace: str, name: str) -> dict:
    return _transition(state, namespace, name, "Unregistering", "Unregistered", UNREGISTRATION_MINUTES)


def show(state, namespace: str, name: str) -> dict:
    ns, feature = _canonical(namespace, name)
    return render(state, ns, feature)


def list_features(state, namespace: str | None = None) -> list[dict]:
    result: list[dict] = []
    for ns, names in catalog.FEATURES.items():
        if namespace and ns.lower() != namespace.lower():
            continue
        result.extend(render(state, ns, feature) for feature in names)
    if namespace and not result:
        _canonical(namespace, "")
    return result


def on_timer(state, kind: str, key: str) -> str | None:
    """Finish a registration or unregistration; returns a line for the tick summary."""
    entry = state.data["features"].get(key)
    final = {"feature.registered": "Registered", "feature.unregistered": "Unregistered"}[kind]
    if entry is None or entry["state"] not in ("Registering", "Unregistering"):
        return None
    entry["state"] = final
    entry["since"] = now_text(state)
    return f"feature {key} is {final}"
