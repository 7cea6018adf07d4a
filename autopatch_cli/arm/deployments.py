"""Microsoft.Resources/deployments over ARM (``az vm create``, ``az deployment group ...``), ops/deployments.py.

A PUT validates the template (400 with ARM's error when it is not valid: nothing deployed), deploys it at
once (in ``Complete`` mode it then deletes the group's resources the template does not hold), and answers 201 with ``provisioningState: Accepted`` and an ``Azure-AsyncOperation`` monitor, as ARM
does; the monitor reports ``Succeeded`` (or ``Failed`` with the deployment's error) at its first poll.
Each resource goes through the operation its own PUT uses: a VM is shaped from the resource's apiVersion
as a VM PUT at that version is (compute._carry_unversioned), then ops.vms.put applies every rule.
"""

from __future__ import annotations

import copy
import re

from ..errors import (
    AzureError,
    deployment_operation_not_found,
    invalid_template,
    operation_not_found,
    resource_not_found,
)
from . import apiversions
from .framework import ArmResponse, Request, Route, json_response

_DEPLOYMENTS = "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments"
_FAMILY_OF = {"microsoft.compute": "compute", "microsoft.network": "network"}


_BARE_KEY = re.compile(r"[A-Za-z_$][\w$]*")


def lenient_json(text: str) -> str:
    """ARM reads deployment bodies with JSON.NET, which takes JSONC: comments, trailing commas and unquoted
    property names. az relies on it (its deployment body splices the template file in as ``template:{...}``,
    comments and all). This turns such text into strict JSON; strings are copied untouched."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end == -1 else end + 2
        elif c == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                i += 1  # a trailing comma
            else:
                out.append(c)
                i += 1
        else:
            key = _BARE_KEY.match(text, i) if (c.isalpha() or c in "_$") else None
            if key is not None:
                j = key.end()
                while j < n and text[j] in " \t\r\n":
                    j += 1
                word = key.group(0)
                if j < n and text[j] == ":" and word not in ("true", "false", "null"):
                    out.append(f'"{word}"')
                else:
                    out.append(word)
                i = key.end()
            else:
                out.append(c)
                i += 1
    return "".join(out)


def _deployment_body(request: Request) -> dict:
    try:
        return request.json_body()
    except AzureError:
        lenient = Request(request.method, request.path, request.query, request.headers,
                          lenient_json((request.body or b"").decode("utf-8-sig", errors="replace")).encode(),
                          request.base_url)
        return lenient.json_body()


def _check_api_version(resource_type: str, api_version: str) -> None:
    namespace, _, kind = resource_type.partition("/")
    family = _FAMILY_OF[namespace.lower()]
    apiversions.check(family, api_version, resource_type=kind)


def _deploy_vm(state, group: str, name: str, body: dict, api_version: str) -> str:
    from ..ops import vms
    from .compute import _carry_unversioned, refuse_undefined_members

    existing = vms.find(state, group, name)
    refuse_undefined_members(body, api_version)
    body = _carry_unversioned(body, existing["vm"] if existing else None, api_version)
    return vms.put(state, group, name, body)["vm"]["id"]  # its NICs name it (ops/vm_network.attach)


def _network_deployer(type_name: str):
    def deploy(state, group: str, name: str, body: dict, api_version: str) -> str:
        from ..ops import network

        document, _ = network.put(state, group, type_name, name, body)
        return document["id"]

    return deploy


def _deploy_availability_set(state, group: str, name: str, body: dict, api_version: str) -> str:
    from .availability_sets import put_set

    return put_set(state, group, name, body)[0]["id"]


def deployers() -> dict:
    from ..ops import network

    found = {"Microsoft.Compute/virtualMachines": _deploy_vm, "Microsoft.Compute/availabilitySets": _deploy_availability_set}
    for type_name in network.TYPES.values():
        found[f"{network.NAMESPACE}/{type_name}"] = _network_deployer(type_name)
    return found


def _locate(state, group: str, target: str) -> tuple[str, str, str]:
    """(group, type, name) of what a template names: a resource id, ``Namespace/type/name`` in the deployment's
    group, or a bare name (a resource of the group with that name)."""
    from ..ops import availability_sets, network, vms

    text = target.strip("/")
    if "/providers/" in text.lower():
        segments = text.split("/")
        if len(segments) >= 8 and segments[2].lower() == "resourcegroups":
            return segments[3], f"{segments[5]}/{segments[6]}", "/".join(segments[7:])
    segments = text.split("/")
    if len(segments) == 3:
        return group, f"{segments[0]}/{segments[1]}", segments[2]
    if len(segments) == 1:
        if vms.find(state, group, text):
            return group, "Microsoft.Compute/virtualMachines", text
        if availability_sets.find(state, group, text):
            return group, "Microsoft.Compute/availabilitySets", text
        for document in network.resources_in_group(state, group):
            if document["name"].lower() == text.lower():
                return group, document["type"], document["name"]
    raise invalid_template(f"The resource identifier '{target}' is malformed.")


def reference_lookup(group: str):
    """reference() of a template deployed in ``group``: the resource's properties (or, with 'Full', the whole
    resource with its apiVersion), as its GET shows them when its turn comes."""

    def lookup(state, target: str, api_version: str | None, full: bool):
        from ..ops import availability_sets, network, vms

        rg, resource_type, name = _locate(state, group, target)
        document = None
        kind = resource_type.lower()
        if kind == "microsoft.compute/virtualmachines":
            record = vms.find(state, rg, name)
            document = record["vm"] if record else None
        elif kind == "microsoft.compute/availabilitysets":
            document = availability_sets.show(state, rg, name) if availability_sets.find(state, rg, name) else None
        elif kind.startswith("microsoft.network/") and kind.split("/", 1)[1] in network.TYPES:
            document = network.find(state, rg, kind.split("/", 1)[1], name)
        if document is None:
            raise resource_not_found(resource_type, name, rg)
        if full:
            return {**copy.deepcopy(document), "apiVersion": api_version}
        return copy.deepcopy(document.get("properties") or {})

    return lookup


def prune_group(state, group: str, keep: set) -> list:
    """Complete mode: delete the group's resources whose ids are not in ``keep`` (lower case), those that
    use others first (VMs, then NICs, then what NICs use), as ARM deletes them. Each entry is the id deleted,
    or (id, error) for a resource the provider refused to delete (one a kept resource still uses)."""
    from ..ops import availability_sets, maintenance, network, vms

    deleted: list[str | tuple[str, AzureError]] = []
    for vm in vms.list_vms(state, group):
        if vm["id"].lower() not in keep:
            vms.delete(state, group, vm["name"])
            deleted.append(vm["id"])
    order = ("networkinterfaces", "publicipaddresses", "networksecuritygroups", "virtualnetworks")
    documents = sorted(network.resources_in_group(state, group),
                       key=lambda d: order.index(d["type"].split("/", 1)[1].lower()))
    for document in documents:
        if document["id"].lower() not in keep:
            try:
                network.delete(state, group, document["type"].split("/", 1)[1], document["name"])
            except AzureError as exc:  # still used by what the template keeps: the Delete fails, as in ARM
                deleted.append((document["id"], exc))
                continue
            deleted.append(document["id"])
    for avset in availability_sets.list_sets(state, group):
        if avset["id"].lower() not in keep:
            availability_sets.delete(state, group, avset["name"])
            deleted.append(avset["id"])
    for config in maintenance.list_configs(state, group):
        if config["id"].lower() not in keep:
            maintenance.delete(state, group, config["name"])
            deleted.append(config["id"])
    return deleted


def put_deployment(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import deployments

    body = _deployment_body(request)
    with router.writer() as state:
        document, created = deployments.run(state, parts["rg"], parts["name"], body, deployers(), _check_api_version,
                                            lookup=reference_lookup(parts["rg"]), prune=prune_group)
        path = f"{document['id']}/operationStatuses/{document['properties']['correlationId']}"
        headers = {"Azure-AsyncOperation": request.url(path, **{"api-version": request.api_version}),
                   "Retry-After": str(router.retry_after)}
    document["properties"]["provisioningState"] = "Accepted"
    return json_response(201 if created else 200, document, headers)


def validate_deployment(router, request: Request, parts: dict) -> ArmResponse:
    """POST .../validate: ARM's preflight alone; nothing is deployed and the store is not written."""
    from ..ops import deployments

    body = _deployment_body(request)
    reader = router.reader()
    deployments.validate_name(parts["name"])
    ordered, shown, template, _ = deployments.plan(reader, parts["rg"], parts["name"], body.get("properties"),
                                                   deployers(), _check_api_version)
    group = reader.section("resourceGroups", {})[parts["rg"].lower()]["name"]
    sub = reader.section("subscription")["id"]
    return json_response(200, {
        "id": f"/subscriptions/{sub}/resourceGroups/{group}/providers/{deployments.DEPLOYMENT_TYPE}/{parts['name']}",
        "name": parts["name"],
        "type": deployments.DEPLOYMENT_TYPE,
        "properties": {
            "templateHash": deployments.template_hash(template),
            "parameters": shown,
            "mode": deployments.mode_of(body["properties"]),
            "provisioningState": "Succeeded",
            "validatedResources": [
                {"id": f"/subscriptions/{sub}/resourceGroups/{group}/providers/{r.type}/{r.name}"} for r in ordered],
        },
    })


def get_deployment(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import deployments

    return json_response(200, deployments.show(router.reader(), parts["rg"], parts["name"]))


def head_deployment(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import deployments

    return ArmResponse(204 if deployments.find(router.reader(), parts["rg"], parts["name"]) else 404)


def list_deployments(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import deployments

    return json_response(200, {"value": deployments.list_deployments(router.reader(), parts["rg"])})


def delete_deployment(router, request: Request, parts: dict) -> ArmResponse:
    """Deleting a deployment removes its history, not the resources it deployed (as in ARM). It is done
    when the answer goes out, so the answer is the spec's final 204, never a 202 to poll."""
    from ..ops import deployments

    with router.writer() as state:
        deployments.delete(state, parts["rg"], parts["name"])
    return ArmResponse(204)


def operation_status(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import deployments

    document = deployments.show(router.reader(), parts["rg"], parts["name"])
    if document["properties"]["correlationId"].lower() != parts["op"].lower():
        raise operation_not_found(parts["op"])
    status = {"status": document["properties"]["provisioningState"]}
    if "error" in document["properties"]:
        status["error"] = document["properties"]["error"]
    return json_response(200, status)


def list_operations(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import deployments

    return json_response(200, {"value": deployments.operations_of(router.reader(), parts["rg"], parts["name"])})


def get_operation(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import deployments

    for operation in deployments.operations_of(router.reader(), parts["rg"], parts["name"]):
        if operation["operationId"].lower() == parts["op"].lower():
            return json_response(200, operation)
    raise deployment_operation_not_found(parts["op"])


def calculate_template_hash(router, request: Request, parts: dict) -> ArmResponse:
    """POST /providers/Microsoft.Resources/calculateTemplateHash: the template minified and autopatch's hash
    of it (the hash deployments carry; ARM's own algorithm is not public)."""
    from ..ops import deployments

    template = request.json_body()
    return json_response(200, {"minifiedTemplate": deployments.minified(template),
                               "templateHash": deployments.template_hash(template)})


_TYPE = "deployments"
ROUTES = [
    Route("POST", "/providers/Microsoft.Resources/calculateTemplateHash", calculate_template_hash, "resources", _TYPE),
    # az deployment operation group list uses the path without /providers/Microsoft.Resources
    Route("GET", _DEPLOYMENTS, list_deployments, "resources", _TYPE),
    Route("PUT", _DEPLOYMENTS + "/{name}", put_deployment, "resources", _TYPE),
    Route("GET", _DEPLOYMENTS + "/{name}", get_deployment, "resources", _TYPE),
    Route("HEAD", _DEPLOYMENTS + "/{name}", head_deployment, "resources", _TYPE),
    Route("DELETE", _DEPLOYMENTS + "/{name}", delete_deployment, "resources", _TYPE),
    Route("POST", _DEPLOYMENTS + "/{name}/validate", validate_deployment, "resources", _TYPE),
    Route("GET", _DEPLOYMENTS + "/{name}/operationStatuses/{op}", operation_status, "resources", _TYPE),
    Route("GET", _DEPLOYMENTS + "/{name}/operations", list_operations, "resources", _TYPE),
    Route("GET", _DEPLOYMENTS + "/{name}/operations/{op}", get_operation, "resources", _TYPE),
    Route("GET", "/subscriptions/{sub}/resourcegroups/{rg}/deployments/{name}/operations", list_operations, "resources", _TYPE),
]
