"""Microsoft.Compute/availabilitySets over ARM (ops/availability_sets.py): what `az vm availability-set
create/show/list/delete` send, what ``az vm create --availability-set`` checks (a GET at 2024-07-01) and
what a template deployment of a set does (ops/deployments.py deploys through :func:`put_set`)."""

from __future__ import annotations

from typing import Any

from ..errors import invalid_parameter, invalid_request_content
from .framework import ArmResponse, Request, Route, json_response

_SETS = "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Compute/availabilitySets"


def _int(properties: dict, key: str, default: int | None) -> int | None:
    value = properties.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_parameter(key, f"The value of parameter {key} is invalid.")
    return value


def put_set(state, group: str, name: str, body: Any) -> tuple[dict, bool]:
    """Create or replace a set from its ARM body; returns the set as ARM shows it and whether it is new."""
    from ..ops import availability_sets

    if not isinstance(body, dict):
        raise invalid_request_content("The request content was invalid: the body must be an object.")
    properties = body.get("properties") or {}
    if not isinstance(properties, dict):
        raise invalid_request_content("The request content was invalid: 'properties' must be an object.")
    sku = body.get("sku") or {}
    sku_name = str(sku.get("name", "Classic" if not sku else "Aligned")) if isinstance(sku, dict) else "Aligned"
    if sku_name.lower() not in ("aligned", "classic"):
        raise invalid_parameter("sku.name", f"The value '{sku_name}' of parameter sku.name is invalid: an "
                                "availability set's SKU is Aligned (managed disks) or Classic.")
    tags = body.get("tags")
    existed = availability_sets.find(state, group, name) is not None
    document = availability_sets.create(
        state, group, name, location=body.get("location"),
        update_domains=_int(properties, "platformUpdateDomainCount", None),
        fault_domains=_int(properties, "platformFaultDomainCount", 2) or 2,
        unmanaged=sku_name.lower() == "classic", tags=tags if isinstance(tags, dict) else None)
    return document, not existed


def get_set(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import availability_sets

    return json_response(200, availability_sets.show(router.reader(), parts["rg"], parts["name"]))


def list_sets(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import availability_sets

    return json_response(200, {"value": availability_sets.list_sets(router.reader(), parts.get("rg"))})


def put(router, request: Request, parts: dict) -> ArmResponse:
    body = request.json_body()
    with router.writer() as state:
        document, created = put_set(state, parts["rg"], parts["name"], body)
    return json_response(201 if created else 200, document)


def delete(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import availability_sets

    with router.writer() as state:
        deleted = availability_sets.delete(state, parts["rg"], parts["name"])
    return ArmResponse(200 if deleted else 204)


_TYPE = "availabilitySets"
ROUTES = [
    Route("GET", _SETS, list_sets, "compute", _TYPE),
    Route("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/availabilitySets", list_sets, "compute", _TYPE),
    Route("GET", _SETS + "/{name}", get_set, "compute", _TYPE),
    Route("PUT", _SETS + "/{name}", put, "compute", _TYPE),
    Route("DELETE", _SETS + "/{name}", delete, "compute", _TYPE),
]
