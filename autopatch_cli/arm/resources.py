"""Microsoft.Resources: resource providers and resource groups."""

from __future__ import annotations

from ..errors import invalid_request_content, location_required, operation_not_found
from .framework import ArmResponse, Request, Route, RouterApi, json_response, not_found

_PROVIDERS = "/subscriptions/{sub}/providers"
_GROUPS = "/subscriptions/{sub}/resourcegroups"


# ---- resource providers ----------------------------------------------------------------------------


def provider_action(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import providers

    action = parts["action"].lower()
    if action not in ("register", "unregister"):
        raise not_found(request.path)
    with router.writer() as state:
        result = getattr(providers, action)(state, parts["ns"])
    return json_response(200, result)


def provider_get(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import providers

    return json_response(200, providers.show(router.reader(), parts["ns"]))


def provider_list(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import providers

    return json_response(200, {"value": providers.list_providers(router.reader())})


# ---- resource groups -------------------------------------------------------------------------------


def group_list(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups

    return json_response(200, {"value": groups.list_groups(router.reader())})


def group_put(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups

    body = request.json_body()
    location = body.get("location")
    if not isinstance(location, str) or not location:
        raise location_required()
    tags = body.get("tags")
    if tags is not None and not (isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values())):
        raise invalid_request_content("The request content was invalid: 'tags' must map names to strings.")
    with router.writer() as state:
        existed = groups.exists(state, parts["rg"])
        managed_by = body.get("managedBy") if isinstance(body.get("managedBy"), str) else None
        result = groups.create(state, parts["rg"], location, tags, managed_by)
    return json_response(200 if existed else 201, result)


def group_get(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups

    return json_response(200, groups.show(router.reader(), parts["rg"]))


def group_head(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups

    return ArmResponse(204 if groups.exists(router.reader(), parts["rg"]) else 404)


def group_delete(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import group_deletion, groups
    from ..ops.state import now_text
    from . import operations

    with router.writer() as state:
        group = groups.require(state, parts["rg"])
        start = now_text(state)
        group_deletion.delete(state, parts["rg"])
        op = operations.record(state, kind="group.delete", location=group["location"],
                               resource_id=f"/subscriptions/{parts['sub']}/resourceGroups/{group['name']}", start=start)
        location = request.url(operations.group_result_path(state, op), **{"api-version": request.api_version})
    return ArmResponse(202, {"Location": location, "Retry-After": str(router.retry_after)})


def group_operation_result(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from . import operations

    if operations.find(router.reader(), parts["op"]) is None:
        raise operation_not_found(parts["op"])
    return ArmResponse(200)


ROUTES = [
    Route("POST", _PROVIDERS + "/{ns}/{action}", provider_action, "resources"),
    Route("GET", _PROVIDERS + "/{ns}", provider_get, "resources"),
    Route("GET", _PROVIDERS, provider_list, "resources"),
    Route("GET", _GROUPS, group_list, "resources"),
    Route("PUT", _GROUPS + "/{rg}", group_put, "resources"),
    Route("GET", _GROUPS + "/{rg}", group_get, "resources"),
    Route("HEAD", _GROUPS + "/{rg}", group_head, "resources"),
    Route("DELETE", _GROUPS + "/{rg}", group_delete, "resources"),
    Route("GET", "/subscriptions/{sub}/operationresults/{op}", group_operation_result, "resources"),
]
