"""How long the store keeps the patch history, so that a store's size follows the fleet, not simulated time.

Azure keeps the results of patch operations for a bounded time: Update Manager sends the results of all
its operations to Azure Resource Graph as logs "available for 30 days" (installation history for the
last 30 days, assessment history for the last 7), https://learn.microsoft.com/azure/update-manager/query-logs.
autopatch keeps every history row for ``DEFAULT_DAYS`` (90: a simulated quarter's reports stay whole;
``AUTOPATCH_HISTORY_DAYS=30`` keeps Azure's period) after the operation ended, and longer every
row of a release whose rollout is still live (pending, active or baking) or that is one of the two latest
releases, so that the rollout's checks and ``orchestration history --release`` see every record of the
releases they judge (a release's rollout runs up to 30 days, and its successor is judged against it).
Each VM's latest row of each kind (enablement, assessment, installation) is kept too, as Azure always
shows a VM's latest assessment and installation results. The history is then bounded by the fleet (two
releases' installations, a latest row per VM and kind, and 30 days of the rest), not by simulated time. Without this the
history grew with simulated time forever (1,000 VMs: 3.6 MB, then 15 MB after a simulated year).

``AUTOPATCH_HISTORY_DAYS`` changes the period (a number of days; 0 or ``all`` keeps every row).
"""

from __future__ import annotations

import os

from ..errors import ValidationError

DEFAULT_DAYS = 90
KEPT_RELEASES = 2
ENV = "AUTOPATCH_HISTORY_DAYS"


def retention_days() -> float | None:
    """The period history rows are kept, in days; None keeps them all."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return DEFAULT_DAYS
    if raw.lower() == "all":
        return None
    try:
        days = float(raw)
    except ValueError:
        days = -1.0
    if not days >= 0 or days == float("inf"):
        raise ValidationError(f"{ENV} must be a number of days (0 or 'all' keeps the whole history), not '{raw}'.")
    return days or None


def prune(state, now: int) -> int:
    """Drop the history rows that ended more than the period before ``now`` (epoch seconds) and belong
    to no live rollout; returns how many were dropped."""
    days = retention_days()
    history = state.data.get("history")
    if days is None or not history or not history.get("rows"):
        return 0
    cutoff = now - days * 86_400
    rows = history["rows"]
    engine = state.data.get("engine") or {}
    rollouts = engine.get("rollouts", [])
    live = {r["release"] for r in rollouts if r.get("state") in ("pending", "active", "baking")}
    live.update(r["release"] for r in sorted(rollouts, key=lambda r: (r["published"], r["release"]))[-KEPT_RELEASES:])
    latest: set[tuple] = set()
    kept = []
    for row in reversed(rows):
        last = (row[0], row[1]) not in latest
        if last:
            latest.add((row[0], row[1]))
        if last or row[3] is None or row[3] >= cutoff or (row[8] is not None and row[8] in live):
            kept.append(row)
    kept.reverse()
    dropped = len(rows) - len(kept)
    if dropped:
        rows[:] = kept
    return dropped
