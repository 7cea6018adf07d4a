"""What a tick did to each VM of a small fleet: "installed 3 patches, rebooted", and a summary line that
counts the same things the per-VM table shows (both from the patch history of the ticked period)."""

from __future__ import annotations

from typing import Any

# Up to this many VMs a tick lists each one; beyond, the engine's fleet counters say enough.
SMALL_FLEET = 20


def per_vm(state, start: str, end: str) -> list[dict[str, Any]] | None:
    """One row per VM with what happened to it in [start, end), or None for a fleet too big to list."""
    vms = state.section("vms") or {}
    if not vms or len(vms) > SMALL_FLEET:
        return None
    from ..ops import orchestration

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for key, record in vms.items():
        group, _, name = key.partition("/")
        rows[(group.lower(), name.lower())] = {
            "resourceGroup": group, "name": record.get("vm", {}).get("name", name), "enabled": 0, "assessments": 0,
            "installations": 0, "patchesInstalled": 0, "reboots": 0, "failures": 0,
        }
    for op in orchestration.history(state):
        if not (start <= op["startTime"] < end):
            continue
        row = rows.get((op["resourceGroup"].lower(), op["name"].lower()))
        if row is None:
            continue
        succeeded = op["result"] in ("Succeeded", "CompletedWithWarnings")
        if op["operation"] == "enablement":
            row["enabled"] += op["result"] == "Succeeded"
        elif op["operation"] == "assessment":
            row["assessments"] += 1
        elif op["operation"] == "installation":
            row["installations"] += 1
            row["patchesInstalled"] += len(op["kbIds"]) if succeeded else 0
        row["reboots"] += bool(op["rebooted"])
        row["failures"] += op["result"] == "Failed"
    for row in rows.values():
        row["what"] = describe(row)
    return list(rows.values())


def describe(row: dict[str, Any]) -> str:
    """The row in words: "installed 3 patches, rebooted, assessed 12 times"."""
    parts = []
    if row["enabled"]:
        parts.append("automatic patching enabled")
    if row["installations"]:
        parts.append(f"installed {_n(row['patchesInstalled'], 'patch', 'patches')}"
                     + (f" in {_n(row['installations'], 'installation')}" if row["installations"] > 1 else ""))
    if row["reboots"]:
        parts.append("rebooted" if row["reboots"] == 1 else f"rebooted {row['reboots']} times")
    if row["assessments"]:
        parts.append("assessed" if row["assessments"] == 1 else f"assessed {row['assessments']} times")
    if row["failures"]:
        parts.append(f"{_n(row['failures'], 'operation')} failed")
    return ", ".join(parts) or "nothing happened"


def summary(rows: list[dict[str, Any]]) -> str:
    """The same counts as the rows, added up."""
    total = {k: sum(r[k] for r in rows) for k in ("enabled", "assessments", "installations", "patchesInstalled",
                                                   "reboots", "failures")}
    touched = sum(1 for r in rows if r["what"] != "nothing happened")
    return (f"{_n(len(rows), 'VM')}, {touched} with activity: {total['enabled']} enabled, "
            f"{_n(total['assessments'], 'assessment')}, {_n(total['installations'], 'installation')} "
            f"({_n(total['patchesInstalled'], 'patch', 'patches')}), {_n(total['reboots'], 'reboot')}, "
            f"{total['failures']} failed")


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
