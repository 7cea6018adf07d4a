"""Microsoft.Features: preview features of a subscription (show, list, register, unregister)."""

from __future__ import annotations

from .framework import ArmResponse, Request, Route, RouterApi, json_response, not_found

_FEATURES = "/subscriptions/{sub}/providers/Microsoft.Features"


def feature_action(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import features

    action = parts["action"].lower()
    if action not in ("register", "unregister"):
        raise not_found(request.path)
    with router.writer() as state:
        result = getattr(features, action)(state, parts["ns"], parts["feature"])
    return json_response(200, result)


def feature_get(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import features

    return json_response(200, features.show(router.reader(), parts["ns"], parts["feature"]))


def feature_list(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import features

    return json_response(200, {"value": features.list_features(router.reader(), parts["ns"])})


def feature_list_all(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import features

    return json_response(200, {"value": features.list_features(router.reader())})


ROUTES = [
    Route("POST", _FEATURES + "/providers/{ns}/features/{feature}/{action}", feature_action, "features"),
    Route("GET", _FEATURES + "/providers/{ns}/features/{feature}", feature_get, "features"),
    Route("GET", _FEATURES + "/providers/{ns}/features", feature_list, "features"),
    Route("GET", _FEATURES + "/features", feature_list_all, "features"),
]
