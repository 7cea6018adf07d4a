"""Marketplace image versions: what ``az vm create --image`` reads before it deploys (ops/image_versions.py)."""

from __future__ import annotations

from .framework import ArmResponse, Request, Route, json_response

_VERSIONS = ("/subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/publishers/{publisher}"
             "/artifacttypes/vmimage/offers/{offer}/skus/{sku}/versions")
_TYPE = "locations/publishers/artifacttypes/offers/skus/versions"


def list_versions(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import image_versions

    expand = (request.query.get("$expand") or "").lower() == "properties"
    found = image_versions.list_versions(parts["sub"], parts["loc"], parts["publisher"], parts["offer"], parts["sku"],
                                         expand=expand)
    top = request.query.get("$top")
    if top is not None and top.isdigit():
        found = found[: int(top)]
    return json_response(200, found)


def show_version(router, request: Request, parts: dict) -> ArmResponse:
    from ..ops import image_versions

    return json_response(200, image_versions.show_version(parts["sub"], parts["loc"], parts["publisher"], parts["offer"],
                                                          parts["sku"], parts["version"]))


ROUTES = [
    Route("GET", _VERSIONS, list_versions, "compute", _TYPE),
    Route("GET", _VERSIONS + "/{version}", show_version, "compute", _TYPE),
]
