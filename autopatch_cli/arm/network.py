"""Microsoft.Network resources over ARM: list, show, create or replace, delete (ops/network.py)."""

from __future__ import annotations

from ..errors import not_found
from .framework import ArmResponse, Request, Route, json_response

_NETWORK = "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Network/{type}"


def list_resources(router, request: Request, parts: dict) -> ArmResponse:
    """In a group, or (without ``rg``) in the whole subscription."""
    from ..ops import network

    return json_response(200, {"value": network.list_resources(router.reader(), parts.get("rg"), parts["type"])})


def provider_action(router, request: Request, parts: dict) -> ArmResponse:
    """POST /subscriptions/{sub}/providers/Microsoft.Network/register (or unregister): the template of the
    subscription-wide list matches it first, so it hands the provider action on."""
    from . import resources

    return resources.provider_action(router, request, {"sub": parts["sub"], "ns": "Microsoft.Network", "action": parts["type"]})


def get_resource(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import network

    return json_response(200, network.require(router.reader(), parts["rg"], parts["type"], parts["name"]))


def put_resource(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import network

    body = request.json_body()
    with router.writer() as state:
        document, created = network.put(state, parts["rg"], parts["type"], parts["name"], body)
    return json_response(201 if created else 200, document)


def delete_resource(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import network

    with router.writer() as state:
        deleted = network.delete(state, parts["rg"], parts["type"], parts["name"])
    return ArmResponse(200 if deleted else 204)


def get_subnet(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import network

    vnet = network.require(router.reader(), parts["rg"], "virtualNetworks", parts["vnet"])
    for subnet in vnet["properties"].get("subnets") or []:
        if str(subnet.get("name", "")).lower() == parts["subnet"].lower():
            return json_response(200, subnet)
    raise not_found(f"Resource {vnet['id']}/subnets/{parts['subnet']} not found.")


_TYPE = "virtualNetworks"
ROUTES = [
    Route("GET", _NETWORK, list_resources, "network", _TYPE),
    Route("GET", "/subscriptions/{sub}/providers/Microsoft.Network/{type}", list_resources, "network", _TYPE),
    Route("POST", "/subscriptions/{sub}/providers/Microsoft.Network/{type}", provider_action, "resources", _TYPE),
    Route("GET", _NETWORK + "/{name}", get_resource, "network", _TYPE),
    Route("PUT", _NETWORK + "/{name}", put_resource, "network", _TYPE),
    Route("DELETE", _NETWORK + "/{name}", delete_resource, "network", _TYPE),
    Route("GET", "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}", get_subnet, "network", "virtualNetworks/subnets"),
]
