"""The ARM front-end: Azure Resource Manager's REST API over the local store.

``framework`` holds requests, responses and the shape of a route; ``urls`` is the route table, gathered
from the handler modules (``features``, ``resources``, ``compute``); ``router`` turns one request into one
response; ``autopatch rest`` calls it in-process and ``autopatch serve`` (``server``) puts it behind a real
HTTP server, so both answer alike.
"""

from __future__ import annotations

from .router import ARM_ENDPOINT, ArmResponse, Router, handle

__all__ = ["ARM_ENDPOINT", "ArmResponse", "Router", "handle"]
