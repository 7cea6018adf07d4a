"""Requests and responses as ARM puts them on the wire, and the shape of a route.

Nothing here knows a resource: the handlers (features.py, resources.py, compute.py) build on these
pieces, the route table (urls.py) lists them, and the router (router.py) matches and runs them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, overload
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from .. import errors
from ..errors import AzureError, invalid_request_content, method_not_allowed

ARM_ENDPOINT = "https://management.azure.com"
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


_GATEWAY_CODES = frozenset({"MissingApiVersionParameter", "InvalidApiVersionParameter", "NoRegisteredProviderFound"})


def error_response(exc: AzureError) -> ArmResponse:
    headers = {"x-ms-failure-cause": "gateway"} if exc.code in _GATEWAY_CODES else {}
    return json_response(exc.status, exc.body(), headers)


def not_found(path: str) -> AzureError:
    return errors.not_found(
        f"No ARM operation emulated by autopatch matches the path '{path}'. autopatch serves features, "
        "providers, resource groups and virtual machines (see 'autopatch rest --help')."
    )


__all__ = ["method_not_allowed"]  # re-exported for the router




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
    def api_version(self) -> str:
        """The api-version of the query, empty when it has none (the router refuses that for ARM's paths)."""
        return self.query.get("api-version", "")

    @overload
    def json_body(self, required: Literal[True] = True) -> dict: ...
    @overload
    def json_body(self, required: bool) -> dict | None: ...

    def json_body(self, required: bool = True) -> dict | None:
        """The body as a JSON object; ARM's InvalidRequestContent when it is not one."""
        text = (self.body or b"").strip()
        if not text:
            if required:
                raise invalid_request_content("The request content was invalid: the body is empty.")
            return None
        try:
            value = json.loads(text)
        except RecursionError:
            raise _too_deep() from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            detail = getattr(exc, "msg", None) or str(exc)
            position = f" Line {exc.lineno}, position {exc.colno}." if isinstance(exc, json.JSONDecodeError) else ""
            raise invalid_request_content(
                f"The request content was invalid and could not be deserialized: '{detail}.{position}'."
            ) from None
        if not isinstance(value, dict):
            raise invalid_request_content(
                "The request content was invalid and could not be deserialized: 'the body must be a JSON object'."
            )
        if _depth_over(value, MAX_JSON_DEPTH):
            raise _too_deep()
        if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
            raise invalid_request_content(
                "The request content was invalid and could not be deserialized: 'a \\u escape names a lone UTF-16 "
                "surrogate, which is no Unicode character; escape a character outside the BMP as a surrogate pair.'."
            )
        return value

    def url(self, path: str, **query: str) -> str:
        """An absolute URL on the server's own scheme, host and port (``base_url``)."""
        return f"{self.base_url.rstrip('/')}{path}?{urlencode(query)}"


# A \uD800-\uDFFF escape: JSON lets one stand alone, but a lone surrogate is no character (it cannot be
# stored, printed or sent back as UTF-8), so such a body is refused as content that cannot be read.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


# Deeper bodies are refused before any code walks them recursively; no ARM body nests more than a dozen levels.
MAX_JSON_DEPTH = 64


def _too_deep() -> AzureError:
    return invalid_request_content(
        f"The request content was invalid and could not be deserialized: 'the JSON nests deeper than "
        f"{MAX_JSON_DEPTH} levels'.")


def _depth_over(value: Any, limit: int) -> bool:
    """Whether ``value`` nests objects or arrays more than ``limit`` deep (iteratively: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def parse_request(method: str, url: str, headers: dict[str, str] | None, body: bytes | None, base_url: str) -> Request:
    parts = urlsplit(url)
    path = unquote(parts.path).rstrip("/") or "/"
    query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    return Request(method.upper(), path, query, {k.lower(): v for k, v in (headers or {}).items()}, body, base_url)


# ---- routes --------------------------------------------------------------------------------------

class RouterApi(Protocol):
    """What a handler may ask of the router (router.Router) that runs it."""

    retry_after: int

    def reader(self) -> Any: ...

    def writer(self) -> Any: ...

    def async_headers(self, request: Request, state: Any, op: dict, location_header: bool = True) -> dict[str, str]: ...


# handler(router, request, parts) -> ArmResponse; ``parts`` are the template's ``{name}`` segments.
Handler = Callable[["RouterApi", Request, dict], ArmResponse]


@dataclass(frozen=True)
class Route:
    """One row of the route table: ``method`` on ``template`` runs ``handler``.

    ``template`` is an ARM URL path whose ``{name}`` segments match any one segment (literal segments
    match case-insensitively, as ARM does). ``family`` names the api-versions it accepts
    (apiversions.FAMILIES); None for a path that takes no api-version. ``resource_type`` is the type
    ARM names when it refuses a Compute api-version. ``body_types``: the media types a body may have
    (the server refuses others with 415 before the handler runs); JSON unless a route says otherwise, such
    as a token endpoint that takes ``application/x-www-form-urlencoded`` as OAuth 2.0 sends it.
    """

    method: str
    template: str
    handler: Handler
    family: str | None
    resource_type: str = "virtualMachines"
    body_types: tuple[str, ...] = ("application/json",)

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.template.strip("/").split("/"))
