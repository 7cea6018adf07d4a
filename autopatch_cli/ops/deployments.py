"""Template deployments (Microsoft.Resources/deployments) at resource-group scope, incremental or complete.

A deployment is validated first, as ARM's preflight does (the template's shape, its parameters, every
expression, the resource types and api-versions, ``dependsOn``): any fault there is a 400 with ARM's code
(``InvalidTemplate``, ``InvalidRequestContent``...) and nothing is deployed. Then the resources are deployed
in dependency order, each through the same operation a direct PUT uses (the caller passes one deployer per
resource type), so a VM deployed here is a VM of autopatch with all of its rules. A resource refused there
fails the deployment (``DeploymentFailed`` with the resource's error in ``details``); what was deployed
before stays, as in Azure. The deployment record keeps what ``az deployment group show`` prints; secure
parameters are never stored.

``reference()`` is evaluated when its resource's turn comes, as in ARM (at preflight the resource it names
may not exist yet), and a reference to a resource of the same template orders the two as ``dependsOn``
would. In ``Complete`` mode, once every resource is deployed, the group's resources the template does not
hold are deleted (the caller says how: ``prune``), as ARM does.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import (
    AzureError,
    deployment_not_found,
    invalid_deployment_mode,
    invalid_deployment_name,
    invalid_request_content,
    invalid_template,
    invalid_template_deployment,
)
from . import groups
from .state import next_guid, now_text, subscription_id
from .templates import Context, Pending, evaluate

SECTION = "deployments"
DEPLOYMENT_TYPE = "Microsoft.Resources/deployments"
MODES = ("Incremental", "Complete")
PARAMETER_TYPES = ("string", "securestring", "int", "bool", "object", "secureobject", "array")
MAX_RESOURCES = 800  # ARM's limit of resources in one template

# A deployer: (state, group, resource name, evaluated resource body, api-version) -> the resource's id.
Deployer = Callable[[Any, str, str, dict, str], str]
# A lookup for reference(): (state, resource name or id, api-version or None, full) -> what reference() gives.
Lookup = Callable[[Any, str, "str | None", bool], Any]
# Complete mode's pruning: (state, group, ids of the resources to keep, lower case) -> ids of those deleted.
Pruner = Callable[[Any, str, set], list]


@dataclass
class PlannedResource:
    type: str
    name: str
    api_version: str
    body: dict
    depends_on: list[str]
    loop: str | None = None  # the copy loop that made it: dependsOn may name the loop
    pending: dict | None = None  # the template resource, when its body uses reference(): evaluated at its turn
    copy_index: dict | None = None  # the copy index it was made with (for that later evaluation)
    references: tuple[str, ...] = ()  # what its reference() calls name (same-template ones order it)

    @property
    def key(self) -> str:
        return f"{self.type}/{self.name}".lower()


def _key(group: str, name: str) -> str:
    return f"{group.lower()}/{name.lower()}"


def deployment_id(state, group: str, name: str) -> str:
    return f"/subscriptions/{subscription_id(state)}/resourceGroups/{group}/providers/{DEPLOYMENT_TYPE}/{name}"


def find(state, group: str, name: str) -> dict | None:
    return state.section(SECTION, {}).get(_key(group, name))


def require(state, group: str, name: str) -> dict:
    groups.require(state, group)
    found = find(state, group, name)
    if found is None:
        raise deployment_not_found(name)
    return found


def list_deployments(state, group: str) -> list[dict]:
    groups.require(state, group)
    prefix = f"{group.lower()}/"
    return [copy.deepcopy(d["deployment"]) for k, d in state.section(SECTION, {}).items() if k.startswith(prefix)]


def delete(state, group: str, name: str) -> bool:
    groups.require(state, group)
    return state.data.get(SECTION, {}).pop(_key(group, name), None) is not None


def validate_name(name: str) -> None:
    import re

    if not re.fullmatch(r"[-\w._()]{1,64}", name):
        raise invalid_deployment_name(name)


# ---- preflight ---------------------------------------------------------------------------------------


def _parameters(template: dict, given: Any) -> tuple[dict[str, Any], dict[str, dict]]:
    """The parameter values (given or default) and the parameters as the deployment shows them."""
    definitions = template.get("parameters") or {}
    if not isinstance(definitions, dict):
        raise invalid_template("The template 'parameters' must be an object")
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise invalid_request_content("The request content was invalid: 'parameters' must be an object.")
    unknown = [name for name in given if name.lower() not in {d.lower() for d in definitions}]
    if unknown:
        raise invalid_template(f"The template parameters '{', '.join(unknown)}' in the parameters file are not valid; "
                               "they are not present in the original template and can therefore not be provided at "
                               "deployment time. The only supported parameters for this template are "
                               f"'{', '.join(definitions)}'")
    values: dict[str, Any] = {}
    shown: dict[str, dict] = {}
    lowered_given = {k.lower(): v for k, v in given.items()}
    for name, definition in definitions.items():
        if not isinstance(definition, dict):
            raise invalid_template(f"The template parameter '{name}' must be an object")
        kind = str(definition.get("type", "")).lower()
        if kind not in PARAMETER_TYPES:
            raise invalid_template(f"The template parameter '{name}' has the type '{definition.get('type')}', which "
                                   f"is not one of '{', '.join(PARAMETER_TYPES)}'")
        supplied = lowered_given.get(name.lower())
        if supplied is not None:
            if not isinstance(supplied, dict) or ("value" not in supplied and "reference" not in supplied):
                raise invalid_request_content(f"The request content was invalid: the parameter '{name}' "
                                              "must be an object with a 'value'.")
            if "reference" in supplied:
                raise invalid_template(f"The parameter '{name}' is a Key Vault reference, which autopatch does not "
                                       "emulate")
            value = supplied["value"]
        elif "defaultValue" in definition:
            value = definition["defaultValue"]
        else:
            raise invalid_template(f"The value for the template parameter '{name}' at line '1' and column '1' is not "
                                   "provided. Please see https://aka.ms/arm-create-parameter-file for usage details")
        values[name] = value
        shown[name] = {"type": _shown_type(kind)} if kind.startswith("secure") else {"type": _shown_type(kind), "value": value}
    return values, shown


def _shown_type(kind: str) -> str:
    return {"string": "String", "securestring": "SecureString", "int": "Int", "bool": "Bool", "object": "Object",
            "secureobject": "SecureObject", "array": "Array"}[kind]


def _check_values(template: dict, values: dict[str, Any], context: Context) -> None:
    for name, definition in (template.get("parameters") or {}).items():
        value = values[name]
        if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
            value = values[name] = evaluate(value, context)  # a default value may be an expression
        allowed = definition.get("allowedValues")
        if isinstance(allowed, list) and value not in allowed:
            raise invalid_template(f"The provided value '{value}' for the template parameter '{name}' is not valid. "
                                   f"The parameter value is not part of the allowed value(s): '{','.join(map(str, allowed))}'")
        kind = str(definition.get("type", "")).lower()
        expected = {"string": str, "securestring": str, "int": int, "bool": bool, "object": dict,
                    "secureobject": dict, "array": list}[kind]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise invalid_template(f"Template parameter '{name}' was provided an invalid value. Expected a value of "
                                   f"type '{_shown_type(kind)}'")


def mode_of(properties: dict) -> str:
    """The deployment's mode, spelled as ARM shows it; ARM's error for any other."""
    mode = properties.get("mode")
    if not mode:
        raise invalid_request_content("The request content was invalid: 'properties.mode' is required.")
    found = next((m for m in MODES if isinstance(mode, str) and m.lower() == mode.lower()), None)
    if found is None:
        raise invalid_request_content("The request content was invalid and could not be deserialized: "
                                      f"'Error converting value \"{mode}\" to type 'DeploymentMode'. Path "
                                      "'properties.mode'.'.")
    return found


def plan(state, group: str, name: str, properties: object, deployers: dict[str, Deployer],
         api_versions: Callable[[str, str], None]) -> tuple[list[PlannedResource], dict, dict, Context]:
    """Validate a deployment and return its resources in deployment order (ARM's preflight)."""
    rg = groups.require(state, group)
    if not isinstance(properties, dict):
        raise invalid_request_content("The request content was invalid: 'properties' is required.")
    mode_of(properties)
    if "templateLink" in properties:
        raise invalid_template("'templateLink' would have ARM download the template from the internet; give the "
                               "template inline ('template').", quoted=False)
    template = properties.get("template")
    if not isinstance(template, dict):
        raise invalid_request_content("The request content was invalid: 'properties.template' must be a "
                                      "template object.")
    values, shown = _parameters(template, properties.get("parameters"))
    variables = template.get("variables") or {}
    if not isinstance(variables, dict):
        raise invalid_template("The template 'variables' must be an object")
    context = Context(subscription=subscription_id(state), tenant=state.section("subscription")["tenantId"], group=rg,
                      deployment_name=name, parameters=values, variable_definitions=variables)
    _check_values(template, values, context)
    resources = template.get("resources") or []
    if not isinstance(resources, list):
        raise invalid_template("The template 'resources' must be an array")
    planned: list[PlannedResource] = []
    for index, resource in enumerate(resources):
        planned.extend(_expand(resource, index, context, deployers, api_versions))
    if len(planned) > MAX_RESOURCES:
        raise invalid_template(f"The number of template resources ({len(planned)}) exceeds the limit of {MAX_RESOURCES}")
    return _order(planned), shown, template, context


def _expand(resource: Any, index: int, context: Context, deployers: dict[str, Deployer],
            api_versions: Callable[[str, str], None]) -> list[PlannedResource]:
    where = f"The resource at index {index} of the template"
    if not isinstance(resource, dict):
        raise invalid_template(f"{where} must be an object")
    copy_spec = resource.get("copy")
    instances: list[dict[str, int]] = [{}]
    if copy_spec is not None:
        if not isinstance(copy_spec, dict) or not copy_spec.get("name"):
            raise invalid_template(f"{where} has a 'copy' without a name")
        count = evaluate(copy_spec.get("count"), context)
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_RESOURCES:
            raise invalid_template(f"The copy count of '{copy_spec['name']}' must be an integer from 0 to {MAX_RESOURCES}")
        instances = [{str(copy_spec["name"]): i} for i in range(count)]
    result = []
    for loop in instances:
        context.copy_index = loop
        referenced: list[str] = []
        context.reference = lambda target, version, full, seen=referenced: seen.append(target) or Pending()
        try:
            if "condition" in resource and not evaluate(resource["condition"], context):
                continue
            evaluated = evaluate({k: v for k, v in resource.items() if k not in ("copy", "condition", "comments")}, context)
        finally:
            context.copy_index = {}
            context.reference = None
        kind, name, api_version = evaluated.get("type"), evaluated.get("name"), evaluated.get("apiVersion")
        if any(isinstance(evaluated.get(k), Pending) for k in ("type", "name", "apiVersion", "dependsOn")):
            raise invalid_template("The template function 'reference' is not expected at this location. Please see "
                                   "https://aka.ms/arm-functions#reference for usage details")
        if not all(isinstance(v, str) and v for v in (kind, name, api_version)):
            raise invalid_template(f"{where} must have a 'type', a 'name' and an 'apiVersion'")
        deployer_key = next((k for k in deployers if k.lower() == kind.lower()), None)
        if deployer_key is None:
            raise invalid_template_deployment(
                f"the resource type '{kind}' of resource '{name}' is not emulated by "
                f"autopatch (it deploys {', '.join(sorted(deployers))}).")
        api_versions(deployer_key, api_version)
        depends = evaluated.get("dependsOn") or []
        if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
            raise invalid_template(f"The 'dependsOn' of resource '{name}' must be an array of strings")
        body = {k: v for k, v in evaluated.items() if k not in ("type", "name", "apiVersion", "dependsOn")}
        loop_name = str(copy_spec["name"]) if copy_spec is not None else None
        planned = PlannedResource(deployer_key, name, api_version, _without_nulls(body), depends, loop_name)
        if referenced:
            planned.pending, planned.copy_index, planned.references = resource, dict(loop), tuple(referenced)
        result.append(planned)
    return result


def _evaluate_pending(resource: PlannedResource, context: Context) -> dict:
    """The body of a resource that uses reference(), evaluated now that what it names is deployed."""
    assert resource.pending is not None
    context.copy_index = resource.copy_index or {}
    try:
        evaluated = evaluate({k: v for k, v in resource.pending.items() if k not in ("copy", "condition", "comments")},
                             context)
    finally:
        context.copy_index = {}
    return _without_nulls({k: v for k, v in evaluated.items() if k not in ("type", "name", "apiVersion", "dependsOn")})


def _without_nulls(value: Any) -> Any:
    """Null template values are left out of the resource PUT, as a property that is not given."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _reference_key(reference: str) -> str:
    """``Microsoft.X/type/name`` or a full resource id -> ``microsoft.x/type/name`` (lower case)."""
    text = reference.strip("/")
    if "/providers/" in text.lower():
        text = text[text.lower().rindex("/providers/") + len("/providers/"):]
    return text.lower()


def _order(planned: list[PlannedResource]) -> list[PlannedResource]:
    by_key: dict[str, PlannedResource] = {}
    for resource in planned:
        if resource.key in by_key:
            raise invalid_template(f"The resource '{resource.type}/{resource.name}' is defined multiple times in a template")
        by_key[resource.key] = resource
    names: dict[str, list[str]] = {}
    loops: dict[str, list[PlannedResource]] = {}
    for resource in planned:
        names.setdefault(resource.name.lower(), []).append(resource.key)
        if resource.loop:
            loops.setdefault(resource.loop.lower(), []).append(resource)
    ordered: list[PlannedResource] = []
    state: dict[str, str] = {}

    def _targets(dependency: str) -> list[PlannedResource]:
        key = _reference_key(dependency)
        if key in by_key:
            return [by_key[key]]
        if "/" not in key and key in loops:  # a copy loop's name: every resource it makes
            return loops[key]
        if "/" not in key and len(names.get(key, [])) == 1:  # a resource named by its name alone
            return [by_key[names[key][0]]]
        raise invalid_template(f"The resource '{dependency}' is not defined in the template")

    def _referenced(reference: str) -> list[PlannedResource]:
        key = _reference_key(reference)
        if key in by_key:
            return [by_key[key]]
        if "/" not in key and len(names.get(key, [])) == 1:
            return [by_key[names[key][0]]]
        return []  # a resource outside the template: read when its turn comes

    def visit(resource: PlannedResource, trail: list[str]) -> None:
        mark = state.get(resource.key)
        if mark == "done":
            return
        if mark == "visiting":
            raise invalid_template(f"Circular dependency detected on resource: '{resource.type}/{resource.name}'")
        state[resource.key] = "visiting"
        for dependency in resource.depends_on:
            for target in _targets(dependency):
                visit(target, [*trail, resource.key])
        for reference in resource.references:  # an implicit dependency on a resource of the same template
            for target in _referenced(reference):
                visit(target, [*trail, resource.key])
        state[resource.key] = "done"
        ordered.append(resource)

    for resource in planned:
        visit(resource, [])
    return ordered


# ---- running -----------------------------------------------------------------------------------------


def template_hash(template: dict) -> str:
    """autopatch's own templateHash (ARM's algorithm is not public): the first 8 bytes of the SHA-256 of the
    template's canonical JSON (keys sorted, no whitespace, UTF-8, non-ASCII characters as they are), read as
    a big-endian unsigned 64-bit integer and written in decimal, the form ARM's hashes take. The same
    template gives the same hash whatever its key order or layout."""
    digest = hashlib.sha256(_canonical(template).encode("utf-8", "surrogatepass")).digest()
    return str(int.from_bytes(digest[:8], "big"))


def _canonical(template: dict) -> str:
    return json.dumps(template, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def minified(template: dict) -> str:
    """The template as calculateTemplateHash returns it: its JSON without whitespace, keys in their order."""
    return json.dumps(template, separators=(",", ":"), ensure_ascii=False)


def run(state, group: str, name: str, body: dict, deployers: dict[str, Deployer],
        api_versions: Callable[[str, str], None], lookup: Lookup | None = None,
        prune: Pruner | None = None) -> tuple[dict, bool]:
    """Validate and deploy; returns the deployment document and whether it is new. Preflight errors raise."""
    validate_name(name)
    if not isinstance(body, dict):
        raise invalid_request_content("The request content was invalid: the body must be an object.")
    rg = groups.require(state, group)
    existing = find(state, group, name)
    properties = body.get("properties")
    ordered, shown, template, context = plan(state, group, name, properties, deployers, api_versions)
    assert isinstance(properties, dict)  # plan checked it
    mode = mode_of(properties)
    if lookup is not None:
        context.reference = lambda target, version, full: lookup(state, target, version, full)
    started = now_text(state)
    correlation = next_guid(state)
    deployed: list[str] = []
    operations: list[dict] = []
    error = None
    for resource in ordered:
        try:
            if resource.pending is not None:
                resource.body = _evaluate_pending(resource, context)
            resource_id = deployers[resource.type](state, rg["name"], resource.name, copy.deepcopy(resource.body),
                                                   resource.api_version)
        except AzureError as exc:
            operations.append(_operation(state, resource, None, exc))
            error = _failed([exc])
            break
        deployed.append(resource_id)
        operations.append(_operation(state, resource, resource_id, None))
    if error is None and mode == "Complete":
        if prune is None:
            raise invalid_deployment_mode("Complete mode needs a way to delete the group's resources.")
        failures: list[AzureError] = []
        for deleted in prune(state, rg["name"], {resource_id.lower() for resource_id in deployed}):
            failure = deleted[1] if isinstance(deleted, tuple) else None
            operations.append(_deletion(state, deleted[0] if isinstance(deleted, tuple) else deleted, failure))
            if failure is not None:
                failures.append(failure)
        if failures:  # a deletion the provider refused fails the deployment (its operation a failed Delete)
            error = _failed(failures)
    outputs = None
    if error is None and template.get("outputs"):
        try:
            outputs = {key: {"type": _output_type(spec), "value": evaluate(spec.get("value"), context)}
                       for key, spec in template["outputs"].items() if isinstance(spec, dict)}
        except AzureError as exc:
            error = {"code": "DeploymentOutputEvaluationFailed", "message": exc.message}
    document: dict[str, Any] = {
        "id": deployment_id(state, rg["name"], existing["deployment"]["name"] if existing else name),
        "name": existing["deployment"]["name"] if existing else name,
        "type": DEPLOYMENT_TYPE,
        "properties": {
            "templateHash": template_hash(template),
            "parameters": shown,
            "mode": mode,
            "provisioningState": "Failed" if error else "Succeeded",
            "timestamp": now_text(state),
            "duration": "PT0S",
            "correlationId": correlation,
            "providers": _providers(ordered, rg["location"]),
            "dependencies": _dependencies(state, rg["name"], ordered),
            "outputResources": [{"id": resource_id} for resource_id in deployed],
        },
    }
    if outputs is not None:
        document["properties"]["outputs"] = outputs
    if error is not None:
        document["properties"]["error"] = error
    if body.get("tags") is not None:
        document["tags"] = body["tags"]
    # The store keeps the document and its operations (a group's deletion removes both with the group).
    state.data.setdefault(SECTION, {})[_key(group, name)] = {"deployment": document, "operations": operations,
                                                             "started": started}
    return copy.deepcopy(document), existing is None


def show(state, group: str, name: str) -> dict:
    return copy.deepcopy(require(state, group, name)["deployment"])


def operations_of(state, group: str, name: str) -> list[dict]:
    record = require(state, group, name)
    deployment_path = record["deployment"]["id"]
    return [{"id": f"{deployment_path}/operations/{op['operationId']}", **copy.deepcopy(op)} for op in record["operations"]]


def _output_type(spec: dict) -> str:
    return {"string": "String", "int": "Int", "bool": "Bool", "object": "Object", "array": "Array",
            "securestring": "SecureString"}.get(str(spec.get("type", "string")).lower(), "String")


def _operation(state, resource: PlannedResource, resource_id: str | None, error: AzureError | None) -> dict:
    operation_id = next_guid(state).replace("-", "").upper()[:16]
    properties: dict[str, Any] = {
        "provisioningOperation": "Create",
        "provisioningState": "Failed" if error else "Succeeded",
        "timestamp": now_text(state),
        "duration": "PT0S",
        "trackingId": next_guid(state),
        "statusCode": error.status if error else "OK",
        "targetResource": {"id": resource_id, "resourceType": resource.type, "resourceName": resource.name}
        if resource_id else {"resourceType": resource.type, "resourceName": resource.name},
    }
    if error is not None:
        properties["statusCode"] = {400: "BadRequest", 404: "NotFound", 409: "Conflict"}.get(error.status, "BadRequest")
        properties["statusMessage"] = {"error": {"code": error.code, "message": error.message}}
    return {"operationId": operation_id, "properties": properties}


def _failed(errors: list[AzureError]) -> dict:
    """The deployment's error when operations failed (ARM's DeploymentFailed, each failure a detail)."""
    return {
        "code": "DeploymentFailed",
        "message": "At least one resource deployment operation failed. Please list deployment operations for "
                   "details. Please see https://aka.ms/arm-deployment-operations for usage details.",
        "details": [{"code": exc.code, "message": exc.message} for exc in errors],
    }


def _deletion(state, resource_id: str, error: AzureError | None = None) -> dict:
    """The operation of a resource a Complete deployment deleted (ARM lists each as ``Delete``), failed when
    the provider refused the deletion (``error``)."""
    provider = resource_id.split("/providers/", 1)[1].split("/")
    resource_type = "/".join([provider[0], *provider[1::2]])
    properties: dict[str, Any] = {
        "provisioningOperation": "Delete",
        "provisioningState": "Failed" if error else "Succeeded",
        "timestamp": now_text(state),
        "duration": "PT0S",
        "trackingId": next_guid(state),
        "statusCode": "OK",
        "targetResource": {"id": resource_id, "resourceType": resource_type, "resourceName": "/".join(provider[2::2])},
    }
    if error is not None:
        properties["statusCode"] = {400: "BadRequest", 404: "NotFound", 409: "Conflict"}.get(error.status, "BadRequest")
        properties["statusMessage"] = {"error": {"code": error.code, "message": error.message}}
    return {"operationId": next_guid(state).replace("-", "").upper()[:16], "properties": properties}


def _providers(ordered: list[PlannedResource], location: str) -> list[dict]:
    providers: dict[str, dict[str, set]] = {}
    for resource in ordered:
        namespace, _, kind = resource.type.partition("/")
        locations = providers.setdefault(namespace, {}).setdefault(kind, set())
        body_location = resource.body.get("location")
        locations.add(str(body_location).lower().replace(" ", "") if body_location else location)
    return [{"namespace": namespace, "resourceTypes": [{"resourceType": kind, "locations": sorted(locations)}
                                                        for kind, locations in kinds.items()]}
            for namespace, kinds in providers.items()]


def _dependencies(state, group: str, ordered: list[PlannedResource]) -> list[dict]:
    sub = subscription_id(state)

    def entry(type_name: str, name: str) -> dict:
        return {"id": f"/subscriptions/{sub}/resourceGroups/{group}/providers/{type_name}/{name}",
                "resourceType": type_name, "resourceName": name}

    by_key = {r.key: r for r in ordered}
    result = []
    for resource in ordered:
        if not resource.depends_on:
            continue
        targets = [by_key.get(_reference_key(d)) for d in resource.depends_on]
        result.append({"dependsOn": [entry(t.type, t.name) for t in targets if t is not None],
                       **entry(resource.type, resource.name)})
    return result


def vm_create_validation(state, group: str, secure_password: bool, made: list[tuple[str, str]]) -> dict:
    """What `az vm create --validate` prints: ARM's validation of the deployment az would send (named as az
    names it), with the null properties az's SDK model shows. ``made``: the resources az's template holds
    for these options (vm_create.create lists them: the VNet, NSG, public IP and NIC it makes, then the VM)."""
    rg = groups.require(state, group)
    name = f"vm_deploy_{next_guid(state).replace('-', '')}"
    sub = subscription_id(state)
    parameters = {"adminPassword": {"type": "SecureString"}} if secure_password else {}
    nulls = ("correlationId", "debugSetting", "dependencies", "diagnostics", "duration", "error", "onErrorDeployment",
             "outputResources", "outputs", "parametersLink", "providers", "templateLink", "timestamp",
             "validationLevel")
    properties: dict[str, Any] = dict.fromkeys(nulls)
    properties.update({
        "mode": "Incremental", "parameters": parameters, "provisioningState": "Succeeded",
        "templateHash": template_hash({"resources": made, "parameters": sorted(parameters)}),
        "validatedResources": [{"id": f"/subscriptions/{sub}/resourceGroups/{rg['name']}/providers/{kind}/{resource}",
                                "resourceGroup": rg["name"]} for kind, resource in made],
    })
    return {"error": None, "id": deployment_id(state, rg["name"], name), "name": name,
            "properties": dict(sorted(properties.items())), "resourceGroup": rg["name"], "type": DEPLOYMENT_TYPE}
