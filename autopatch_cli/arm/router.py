"""The ARM request router: one request in, one response out, over the operations layer.

``Router(store).handle(method, url, headers, body, base_url)`` is everything ``autopatch rest`` and
``autopatch serve`` share. It matches Azure's URL templates (path segments case-insensitively, as ARM
does), checks ``api-version`` as ARM does (apiversions.py), runs the operation on a store session, and
draws each document in the requested api-version's wire shape (models.versions.for_api_version; the store
keeps the newest superset). Errors are ARM's ``{"error": {"code", "message"}}`` with the matching status.

Long-running operations are answered as ARM answers them (operations.py): a PUT gives 200/201 with
``provisioningState`` and an ``Azure-AsyncOperation`` monitor; POST actions and deletes give 202 with
``Azure-AsyncOperation``, ``Location`` and ``Retry-After``, all on the caller's own scheme, host and port
(``base_url``). The operation itself has already run when the 202 is sent, so a poller finishes at its
first poll.
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ..errors import AutopatchError, AzureError, StoreError
from . import apiversions

ARM_ENDPOINT = "https://management.azure.com"
DEFAULT_RETRY_AFTER = 1
JSON_TYPE = "application/json; charset=utf-8"


# ---- responses -----------------------------------------------------------------------------------


@dataclass
class ArmResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def dumps(document: Any) -> bytes:
    """JSON as ARM sends it: compact, UTF-8."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(status: int, document: Any, headers: dict[str, str] | None = None) -> ArmResponse:
    return ArmResponse(status, {"Content-Type": JSON_TYPE, **(headers or {})}, dumps(document))


def error_response(exc: AzureError) -> ArmResponse:
    headers = {"x-ms-failure-cause": "gateway"} if exc.code in _GATEWAY_CODES else {}
    return json_response(exc.status, exc.body(), headers)


_GATEWAY_CODES = frozenset({"MissingApiVersionParameter", "InvalidApiVersionParameter", "NoRegisteredProviderFound"})


def not_found(path: str) -> AzureError:
    return AzureError(
        "NotFound",
        f"No ARM operation emulated by autopatch matches the path '{path}'. autopatch serves features, "
        "providers, resource groups and virtual machines (see 'autopatch rest --help').",
        404,
    )


def method_not_allowed(method: str) -> AzureError:
    return AzureError("MethodNotAllowed", f"The requested resource does not support http method '{method}'.", 405)


# ---- requests ------------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes | None
    base_url: str

    @property
    def api_version(self) -> str | None:
        return self.query.get("api-version")

    def json_body(self, required: bool = True) -> dict | None:
        """The body as a JSON object; ARM's InvalidRequestContent when it is not one."""
        text = (self.body or b"").strip()
        if not text:
            if required:
                raise AzureError("InvalidRequestContent", "The request content was invalid: the body is empty.", 400)
            return None
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            detail = getattr(exc, "msg", None) or ("nested too deeply" if isinstance(exc, RecursionError) else str(exc))
            position = f" Line {exc.lineno}, position {exc.colno}." if isinstance(exc, json.JSONDecodeError) else ""
            raise AzureError(
                "InvalidRequestContent",
                f"The request content was invalid and could not be deserialized: '{detail}.{position}'.",
                400,
            ) from None
        if not isinstance(value, dict):
            raise AzureError(
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized: 'the body must be a JSON object'.",
                400,
            )
        return value

    def url(self, path: str, **query: str) -> str:
        """An absolute URL on the caller's own scheme, host and port."""
        from urllib.parse import urlencode

        return f"{self.base_url.rstrip('/')}{path}?{urlencode(query)}"


def parse_request(method: str, url: str, headers: dict[str, str] | None, body: bytes | None, base_url: str) -> Request:
    parts = urlsplit(url)
    path = unquote(parts.path).rstrip("/") or "/"
    query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    return Request(method.upper(), path, query, {k.lower(): v for k, v in (headers or {}).items()}, body, base_url)


# ---- reading the store: one decode per store version -----------------------------------------------


class _MemoReader:
    """A StoreReader whose decoded sections and entries are kept while the file is unchanged."""

    _MISSING = object()

    def __init__(self, reader):
        self._reader = reader
        self._sections: dict[str, Any] = {}
        self._entries: dict[tuple[str, str], Any] = {}

    def section(self, name: str, default: Any = None) -> Any:
        value = self._sections.get(name, self._MISSING)
        if value is self._MISSING:
            value = self._reader.section(name, self._MISSING)
            self._sections[name] = value
        return default if value is self._MISSING else value

    def entry(self, collection: str, key: str) -> Any:
        try:
            return self._entries[(collection, key)]
        except KeyError:
            value = self._entries[(collection, key)] = self._reader.entry(collection, key)
            return value

    def full(self) -> dict[str, Any]:
        return self._reader.full()


class _ReaderCache:
    """Writers replace the store atomically (a new inode), so (inode, mtime, size) names one version."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._signature: tuple[int, int, int] | None = None
        self._reader: _MemoReader | None = None

    def get(self) -> _MemoReader:
        from ..ops.session import Session

        try:
            stat = os.stat(self.path)
            signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            signature = None
        with self._lock:
            if signature is not None and signature == self._signature and self._reader is not None:
                return self._reader
        reader = _MemoReader(Session(self.path).reader())
        if signature is not None:
            with self._lock:
                self._signature, self._reader = signature, reader
        return reader


# ---- routes --------------------------------------------------------------------------------------

_SEGMENT = r"[^/]+"


@dataclass
class Route:
    pattern: re.Pattern
    family: str  # api-version family: compute, features, resources
    methods: dict[str, Callable]
    resource_type: str = "virtualMachines"


ROUTES: list[Route] = []


def route(template: str, family: str, resource_type: str = "virtualMachines"):
    """Register handlers for an ARM URL template; ``{name}`` parts are captured."""
    regex = "^" + re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>{_SEGMENT})", template) + "$"
    entry = next((r for r in ROUTES if r.pattern.pattern == regex), None)
    if entry is None:
        entry = Route(re.compile(regex, re.IGNORECASE), family, {}, resource_type)
        ROUTES.append(entry)

    def register(*methods: str):
        def decorate(func):
            for method in methods:
                entry.methods[method] = func
            return func

        return decorate

    return register


def _match(path: str) -> tuple[Route, dict[str, str]] | None:
    for candidate in ROUTES:
        found = candidate.pattern.match(path)
        if found:
            return candidate, found.groupdict()
    return None


# ---- the router ----------------------------------------------------------------------------------


class Router:
    """Routes ARM requests to the operations layer over one store."""

    def __init__(self, store_path: Path | str | None = None, *, retry_after: int = DEFAULT_RETRY_AFTER):
        from .. import store

        self.path = Path(store_path) if store_path else store.default_path()
        self.retry_after = retry_after
        self._readers = _ReaderCache(self.path)
        # Writers of this process queue here rather than poll the file lock (filelock polls every 50 ms);
        # the file lock still orders them with other processes (the CLI on the same store).
        self._write_lock = threading.Lock()

    # -- store access --

    def reader(self):
        return self._readers.get()

    def writer(self):
        from contextlib import contextmanager

        from ..ops.session import Session

        @contextmanager
        def locked():
            with self._write_lock, Session(self.path).writer() as state:
                yield state

        return locked()

    # -- entry point --

    def handle(self, method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None,
               base_url: str = ARM_ENDPOINT) -> ArmResponse:
        try:
            request = parse_request(method, url, headers, body, base_url)
            response = self._dispatch(request)
        except AzureError as exc:
            response = error_response(exc)
        except StoreError as exc:
            response = error_response(AzureError("InternalServerError", exc.message, 500))
        except AutopatchError as exc:  # a client-side check of the ops layer: still the caller's fault
            response = error_response(AzureError("InvalidParameter", exc.message, 400))
        except Exception as exc:  # an autopatch bug: an ARM 500, never a dropped connection
            response = error_response(
                AzureError("InternalServerError", f"autopatch failed to serve the request: {type(exc).__name__}: {exc}", 500)
            )
        if method.upper() == "HEAD":
            response.body = b""
        return response

    def _dispatch(self, request: Request) -> ArmResponse:
        found = _match(request.path)
        if not request.api_version:
            raise apiversions.missing()
        if found is None:
            raise not_found(request.path)
        entry, parts = found
        handler = entry.methods.get(request.method)
        if handler is None:
            raise method_not_allowed(request.method)
        reader = self.reader()
        self._check_subscription(reader, parts["sub"])
        if entry.family == "compute" and request.api_version not in apiversions.COMPUTE_API_VERSIONS:
            location = parts.get("loc") or "global"
            if parts.get("rg"):
                from ..ops import groups

                location = groups.require(reader, parts["rg"])["location"]
            apiversions.check("compute", request.api_version, location=location, resource_type=entry.resource_type)
        apiversions.check(entry.family, request.api_version)
        return handler(self, request, parts)

    @staticmethod
    def _check_subscription(reader, subscription: str) -> None:
        if subscription.lower() != reader.section("subscription")["id"].lower():
            raise AzureError("SubscriptionNotFound", f"The subscription '{subscription}' could not be found.", 404)

    # -- LRO headers --

    def async_headers(self, request: Request, state, op: dict, location_header: bool = True) -> dict[str, str]:
        from . import operations

        path = operations.status_path(state, op)
        headers = {"Azure-AsyncOperation": request.url(path, **{"api-version": request.api_version})}
        if location_header:
            headers["Location"] = request.url(path, monitor="true", **{"api-version": request.api_version})
        headers["Retry-After"] = str(self.retry_after)
        return headers


_ROUTERS: dict[Path, Router] = {}


def handle(store_path, method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None,
           base_url: str = ARM_ENDPOINT) -> ArmResponse:
    """One request against the store at ``store_path`` (a Router per store, kept for its read cache)."""
    path = Path(store_path) if store_path else None
    from .. import store

    key = path or store.default_path()
    router = _ROUTERS.get(key)
    if router is None:
        router = _ROUTERS[key] = Router(key)
    return router.handle(method, url, headers, body, base_url)


# ---- shapes --------------------------------------------------------------------------------------


def render(document: Any, api_version: str) -> Any:
    """A Compute document in ``api_version``'s wire shape."""
    from ..models.versions import for_api_version

    return for_api_version(document, apiversions.compute_shape(api_version))


def _carry_unversioned(body: dict, existing: dict | None, api_version: str) -> dict:
    """Fields the request's api-version does not know are kept from the existing resource, as ARM keeps
    them; a body at that version cannot set them (they are dropped from it)."""
    from ..models.versions import _DROPPED, for_api_version

    shape = apiversions.compute_shape(api_version)
    body = for_api_version(body, shape)
    dropped = _DROPPED.get(shape, {})
    if existing is None or not dropped:
        return body

    def walk(new: dict, old: dict) -> None:
        for key, old_value in old.items():
            new_value = new.get(key)
            if not (isinstance(old_value, dict) and isinstance(new_value, dict)):
                continue
            for inner in dropped.get(key, ()):
                if inner in old_value and inner not in new_value:
                    new_value[inner] = copy.deepcopy(old_value[inner])
            walk(new_value, old_value)

    walk(body, existing)
    return body


def _merge_patch(target: dict, patch: dict, top: bool = True) -> dict:
    """PATCH as ARM applies it: objects merge, other values (and ``tags`` as a whole) replace, null clears."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict) and not (top and key == "tags"):
            _merge_patch(target[key], value, top=False)
        else:
            target[key] = copy.deepcopy(value)
    return target


# ---- Microsoft.Features ----------------------------------------------------------------------------

_FEATURES = "/subscriptions/{sub}/providers/Microsoft\\.Features"


@route(_FEATURES + "/providers/{ns}/features/{feature}/{action}", "features")("POST")
def feature_action(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import features

    action = parts["action"].lower()
    if action not in ("register", "unregister"):
        raise not_found(request.path)
    with router.writer() as state:
        result = getattr(features, action)(state, parts["ns"], parts["feature"])
    return json_response(200, result)


@route(_FEATURES + "/providers/{ns}/features/{feature}", "features")("GET")
def feature_get(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import features

    return json_response(200, features.show(router.reader(), parts["ns"], parts["feature"]))


@route(_FEATURES + "/providers/{ns}/features", "features")("GET")
def feature_list(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import features

    return json_response(200, {"value": features.list_features(router.reader(), parts["ns"])})


@route(_FEATURES + "/features", "features")("GET")
def feature_list_all(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import features

    return json_response(200, {"value": features.list_features(router.reader())})


# ---- Compute: operation monitors (before the generic provider routes) -----------------------------

_COMPUTE = "/subscriptions/{sub}/providers/Microsoft\\.Compute"


@route(_COMPUTE + "/locations/{loc}/operations/{op}", "compute", "locations/operations")("GET")
def operation_get(router: Router, request: Request, parts: dict) -> ArmResponse:
    from . import operations

    reader = router.reader()
    op = operations.find(reader, parts["op"])
    if op is None or op["location"].lower() != parts["loc"].lower():
        raise AzureError("NotFound", f"The operation '{parts['op']}' could not be found.", 404)
    output = render(op["output"], request.api_version) if "output" in op else None
    if request.query.get("monitor", "").lower() == "true":
        # The Location monitor: the response the synchronous call would have given.
        if op["status"] != "Succeeded":
            return error_response(AzureError(op["error"]["code"], op["error"]["message"], 400))
        return json_response(200, output) if output is not None else ArmResponse(200)
    return json_response(200, operations.status_document(op, output))


@route(_COMPUTE + "/virtualMachines", "compute")("GET")
def vm_list_all(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms

    reader = router.reader()
    return json_response(200, {"value": [render(vm, request.api_version) for vm in vms.list_vms(reader)]})


# ---- Microsoft.Resources: providers -----------------------------------------------------------------


@route("/subscriptions/{sub}/providers/{ns}/{action}", "resources")("POST")
def provider_action(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import providers

    action = parts["action"].lower()
    if action not in ("register", "unregister"):
        raise not_found(request.path)
    with router.writer() as state:
        result = getattr(providers, action)(state, parts["ns"])
    return json_response(200, result)


@route("/subscriptions/{sub}/providers/{ns}", "resources")("GET")
def provider_get(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import providers

    return json_response(200, providers.show(router.reader(), parts["ns"]))


@route("/subscriptions/{sub}/providers", "resources")("GET")
def provider_list(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import providers

    return json_response(200, {"value": providers.list_providers(router.reader())})


# ---- Microsoft.Resources: resource groups -------------------------------------------------------------


@route("/subscriptions/{sub}/resourcegroups", "resources")("GET")
def group_list(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups

    return json_response(200, {"value": groups.list_groups(router.reader())})


@route("/subscriptions/{sub}/resourcegroups/{rg}", "resources")("PUT")
def group_put(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups

    body = request.json_body()
    location = body.get("location")
    if not isinstance(location, str) or not location:
        raise AzureError("LocationRequired", "The location property is required for this definition.", 400)
    tags = body.get("tags")
    if tags is not None and not (isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values())):
        raise AzureError("InvalidRequestContent", "The request content was invalid: 'tags' must map names to strings.", 400)
    with router.writer() as state:
        existed = groups.exists(state, parts["rg"])
        result = groups.create(state, parts["rg"], location, tags)
    return json_response(200 if existed else 201, result)


@route("/subscriptions/{sub}/resourcegroups/{rg}", "resources")("GET")
def group_get(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups

    return json_response(200, groups.show(router.reader(), parts["rg"]))


@route("/subscriptions/{sub}/resourcegroups/{rg}", "resources")("HEAD")
def group_head(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups

    return ArmResponse(204 if groups.exists(router.reader(), parts["rg"]) else 404)


@route("/subscriptions/{sub}/resourcegroups/{rg}", "resources")("DELETE")
def group_delete(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups
    from ..ops.state import now_text
    from . import operations

    with router.writer() as state:
        group = groups.require(state, parts["rg"])
        start = now_text(state)
        groups.delete(state, parts["rg"])
        op = operations.record(state, kind="group.delete", location=group["location"],
                               resource_id=f"/subscriptions/{parts['sub']}/resourceGroups/{group['name']}", start=start)
        location = request.url(operations.group_result_path(state, op), **{"api-version": request.api_version})
    return ArmResponse(202, {"Location": location, "Retry-After": str(router.retry_after)})


@route("/subscriptions/{sub}/operationresults/{op}", "resources")("GET")
def group_operation_result(router: Router, request: Request, parts: dict) -> ArmResponse:
    from . import operations

    if operations.find(router.reader(), parts["op"]) is None:
        raise AzureError("NotFound", f"The operation '{parts['op']}' could not be found.", 404)
    return ArmResponse(200)


# ---- Compute: virtual machines ------------------------------------------------------------------

_VMS = "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft\\.Compute/virtualMachines"


@route(_VMS, "compute")("GET")
def vm_list(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms

    reader = router.reader()
    return json_response(200, {"value": [render(vm, request.api_version) for vm in vms.list_vms(reader, parts["rg"])]})


@route(_VMS + "/{vm}", "compute")("GET")
def vm_get(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms

    record = vms.require(router.reader(), parts["rg"], parts["vm"])
    expand = request.query.get("$expand")
    if expand is None:
        document = vms.resource(record)
    elif expand.lower() == "instanceview":
        document = vms.with_instance_view(record)
    else:
        raise AzureError(
            "InvalidParameter", f"The value '{expand}' of parameter '$expand' is not allowed. Allowed values are 'instanceView'.",
            400, "$expand",
        )
    return json_response(200, render(document, request.api_version))


def _vm_write_response(router: Router, request: Request, state, record: dict, created: bool, start: str) -> ArmResponse:
    """200/201 with the VM, provisioningState Creating/Updating, and the Azure-AsyncOperation monitor."""
    from ..ops import vms
    from . import operations

    vm = vms.resource(record)
    op = operations.record(state, kind="vm.put", location=vm["location"], resource_id=vm["id"], start=start)
    headers = router.async_headers(request, state, op, location_header=False)
    vm["properties"]["provisioningState"] = "Creating" if created else "Updating"
    return json_response(201 if created else 200, render(vm, request.api_version), headers)


@route(_VMS + "/{vm}", "compute")("PUT")
def vm_put(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms
    from ..ops.state import now_text

    body = request.json_body()
    with router.writer() as state:
        existing = vms.find(state, parts["rg"], parts["vm"])
        start = now_text(state)
        body = _carry_unversioned(body, existing["vm"] if existing else None, request.api_version)
        record = vms.put(state, parts["rg"], parts["vm"], body)
        return _vm_write_response(router, request, state, record, existing is None, start)


@route(_VMS + "/{vm}", "compute")("PATCH")
def vm_patch(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..models.versions import for_api_version
    from ..ops import vms
    from ..ops.state import now_text

    body = request.json_body()
    with router.writer() as state:
        record = vms.require(state, parts["rg"], parts["vm"])
        start = now_text(state)
        patch = for_api_version(body, apiversions.compute_shape(request.api_version))
        merged = _merge_patch(vms.resource(record), patch)
        record = vms.put(state, parts["rg"], parts["vm"], merged)
        return _vm_write_response(router, request, state, record, False, start)


@route(_VMS + "/{vm}", "compute")("DELETE")
def vm_delete(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups, vms
    from ..ops.state import now_text
    from . import operations

    with router.writer() as state:
        record = vms.find(state, parts["rg"], parts["vm"])
        if record is None:
            groups.require(state, parts["rg"])
            return ArmResponse(204)
        start = now_text(state)
        vm = record["vm"]
        vms.delete(state, parts["rg"], parts["vm"])
        op = operations.record(state, kind="vm.delete", location=vm["location"], resource_id=vm["id"], start=start)
        return ArmResponse(202, router.async_headers(request, state, op))


@route(_VMS + "/{vm}/instanceView", "compute")("GET")
def vm_instance_view(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms

    record = vms.require(router.reader(), parts["rg"], parts["vm"])
    return json_response(200, render(record["iv"], request.api_version))


_POWER_ACTIONS = {"start": "start", "poweroff": "stop", "deallocate": "deallocate", "restart": "restart"}
_PATCH_ACTIONS = ("assesspatches", "installpatches")


@route(_VMS + "/{vm}/{action}", "compute")("POST")
def vm_action(router: Router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms
    from ..ops.state import now_text
    from . import operations

    action = parts["action"].lower()
    if action not in _POWER_ACTIONS and action not in _PATCH_ACTIONS:
        raise not_found(request.path)
    parameters = None
    if action == "installpatches":
        if apiversions.compute_shape(request.api_version) < apiversions.INSTALL_PATCHES_SINCE:
            raise AzureError(
                "InvalidResourceType",
                "The resource type 'virtualMachines/installPatches' could not be found in the namespace "
                f"'Microsoft.Compute' for api version '{request.api_version}'.",
                404,
            )
        parameters = request.json_body()
    with router.writer() as state:
        record = vms.require(state, parts["rg"], parts["vm"])
        start = now_text(state)
        output = None
        if action in _POWER_ACTIONS:
            vms.set_power(state, parts["rg"], parts["vm"], _POWER_ACTIONS[action])
        else:
            from ..ops import ondemand

            if action == "assesspatches":
                output = ondemand.assess(state, parts["rg"], parts["vm"])
            else:
                output = ondemand.install(state, parts["rg"], parts["vm"], parameters)
        vm = record["vm"]
        op = operations.record(state, kind=f"vm.{action}", location=vm["location"], resource_id=vm["id"],
                               start=start, output=output)
        return ArmResponse(202, router.async_headers(request, state, op))
