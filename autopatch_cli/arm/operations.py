"""Long-running operation records, kept in the store's ``operations`` section.

Every operation runs to completion while its request is served (the store is updated at once and the
simulated clock moves only as the operation says), so a record is written once, terminal. Pollers read
it through ARM's two monitors: the ``Azure-AsyncOperation`` URL returns the operation-status document
Compute returns (``{"name", "status", "startTime", "endTime", "properties": {"output": ...}}``), the
``Location`` URL (``?monitor=true``) returns the final result as the synchronous call would have.
Only the newest ``KEEP`` records are kept: a client polls right after its request.
"""

from __future__ import annotations

from typing import Any

from ..ops.state import next_guid, now_text, subscription_id

SECTION = "operations"
KEEP = 256


def record(state, *, kind: str, location: str, resource_id: str, start: str, output: Any = None,
           status: str = "Succeeded", error: dict | None = None) -> dict:
    """Store a finished operation and return its record."""
    operations = state.data.setdefault(SECTION, {})
    op_id = next_guid(state)
    entry: dict[str, Any] = {
        "kind": kind,
        "location": location,
        "resourceId": resource_id,
        "status": status,
        "startTime": start,
        "endTime": now_text(state),
    }
    if output is not None:
        entry["output"] = output
    if error is not None:
        entry["error"] = error
    operations[op_id] = entry
    while len(operations) > KEEP:
        del operations[next(iter(operations))]
    return {"id": op_id, **entry}


def find(state, op_id: str) -> dict | None:
    entry = state.section(SECTION, {}).get(op_id.lower())
    return None if entry is None else {"id": op_id.lower(), **entry}


def status_path(state, op: dict) -> str:
    """The operation's status path (no query) under Compute, as CRP builds it."""
    return (
        f"/subscriptions/{subscription_id(state)}/providers/Microsoft.Compute/locations/{op['location']}"
        f"/operations/{op['id']}"
    )


def group_result_path(state, op: dict) -> str:
    """The monitor ARM gives for a resource group deletion."""
    return f"/subscriptions/{subscription_id(state)}/operationresults/{op['id']}"


def status_document(op: dict, output: Any = None) -> dict:
    """The operation-status document (``output`` already drawn in the poller's api-version)."""
    document: dict[str, Any] = {
        "startTime": op["startTime"],
        "endTime": op["endTime"],
        "status": op["status"],
        "name": op["id"],
    }
    if output is not None:
        document["properties"] = {"output": output}
    if op.get("error"):
        document["error"] = op["error"]
    return document
