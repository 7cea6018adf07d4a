"""The ARM request router: one request in, one response out, over the operations layer.

``Router(store).handle(method, url, headers, body, base_url)`` is everything ``autopatch rest`` and
``autopatch serve`` share. It finds the route in the route table (urls.py: path segments match
case-insensitively, as ARM matches them), checks ``api-version`` as ARM does (apiversions.py), runs the operation on a store session, and
leaves the rest to the handler (features.py, resources.py, compute.py). Errors are ARM's ``{"error": {"code", "message"}}`` with the matching status.

Long-running operations are answered as ARM answers them (operations.py): a PUT gives 200/201 with
``provisioningState`` and an ``Azure-AsyncOperation`` monitor; POST actions and deletes give 202 with
``Azure-AsyncOperation``, ``Location`` and ``Retry-After``, all on the server's own scheme, host and port
(``base_url``). The operation itself has already run when the 202 is sent, so a poller finishes at its
first poll.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ..errors import (
    AutopatchError,
    AzureError,
    StoreError,
    internal_server_error,
    invalid_parameter,
    service_unavailable,
    subscription_not_found,
)
from . import apiversions
from .framework import (
    ARM_ENDPOINT,
    ArmResponse,
    Request,
    error_response,
    json_response,
    method_not_allowed,
    not_found,
    parse_request,
)
from .urls import TABLE

DEFAULT_RETRY_AFTER = 1

__all__ = [
    "ARM_ENDPOINT", "DEFAULT_RETRY_AFTER", "ArmResponse", "Request", "Router", "error_response", "handle",
    "json_response", "parse_request",
]


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
    """The store's resident view (store.Resident) is the same object while the files are unchanged, so
    what was decoded from it is kept until a write."""

    def __init__(self, resident):
        self.resident = resident
        self._lock = threading.Lock()
        self._files: object | None = None
        self._reader: _MemoReader | None = None

    def get(self) -> _MemoReader:
        from ..ops.state import new_state

        files = self.resident.files()
        with self._lock:
            if files is self._files and self._reader is not None:
                return self._reader
        reader = _MemoReader(self.resident.reader(new_state) if files.exists else _new_reader(self.resident))
        with self._lock:
            self._files, self._reader = files, reader
        return reader


def _new_reader(resident):
    from ..ops.session import Session

    return Session(resident.shown).reader()


# ---- the router ----------------------------------------------------------------------------------


class Router:
    """Routes ARM requests to the operations layer over one store."""

    def __init__(self, store_path: Path | str | None = None, *, retry_after: int = DEFAULT_RETRY_AFTER):
        from .. import store

        self.path = Path(store_path) if store_path else store.default_path()
        self.retry_after = retry_after
        self.resident = store.Resident(self.path)
        self._readers = _ReaderCache(self.resident)
        # Writers of this process queue here rather than poll the file lock (filelock polls every 50 ms);
        # the file lock still orders them with other processes (the CLI on the same store).
        self._write_lock = threading.Lock()

    # -- store access --

    def reader(self):
        return self._readers.get()

    def writer(self):
        from contextlib import contextmanager

        from .. import store
        from ..ops.session import Session

        @contextmanager
        def locked():
            # Bounded as the store's own file lock is: a writer queued behind a stuck one gets an answer.
            if not self._write_lock.acquire(timeout=store.LOCK_TIMEOUT_SECONDS):
                raise service_unavailable(
                    f"The store is busy: another request held it for over {store.LOCK_TIMEOUT_SECONDS:.0f} seconds; "
                    "try again.")
            try:
                with Session(self.path).writer(self.resident) as state:
                    yield state
            finally:
                self._write_lock.release()
            self.resident.durable()  # the answer waits for the line to be on disk (a shared fsync)

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
            response = error_response(internal_server_error(exc.message))
        except AutopatchError as exc:  # a client-side check of the ops layer: still the caller's fault
            response = error_response(invalid_parameter(None, exc.message))
        except Exception as exc:  # an autopatch bug: an ARM 500, never a dropped connection
            response = error_response(
                internal_server_error(f"autopatch failed to serve the request: {type(exc).__name__}: {exc}")
            )
        if method.upper() == "HEAD":
            response.body = b""
        return response

    def _dispatch(self, request: Request) -> ArmResponse:
        found = TABLE.match(request.path)
        route = found[0].get(request.method) if found else None
        if found is not None and route is not None and route.family is None:  # a path outside ARM's api-versions
            return route.handler(self, request, found[1])
        if not request.api_version:
            raise apiversions.missing()
        if found is None:
            raise not_found(request.path)
        if route is None:
            raise method_not_allowed(request.method)
        parts = found[1]
        reader = self.reader()
        if "sub" in parts:
            self._check_subscription(reader, parts["sub"])
        if route.family == "compute" and request.api_version not in apiversions.COMPUTE_API_VERSIONS:
            location = parts.get("loc") or "global"
            if parts.get("rg"):
                from ..ops import groups

                location = groups.require(reader, parts["rg"])["location"]
            apiversions.check("compute", request.api_version, location=location, resource_type=route.resource_type)
        assert route.family is not None  # family-less routes were served above
        apiversions.check(route.family, request.api_version)
        return route.handler(self, request, parts)

    @staticmethod
    def _check_subscription(reader, subscription: str) -> None:
        if subscription.lower() != reader.section("subscription")["id"].lower():
            raise subscription_not_found(subscription)

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
