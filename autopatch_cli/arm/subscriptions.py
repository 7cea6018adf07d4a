"""``GET /subscriptions``, ``/subscriptions/{id}`` and ``/tenants``: the one subscription and tenant of a store.

az lists them when it signs in (``az login --identity``, ``--service-principal``) and ``az account``
reads them; the shapes are those of the Subscriptions API at 2022-12-01 (what az 2.91 sends), the same
fields in every version autopatch accepts.
"""

from __future__ import annotations

from ..errors import subscription_not_found
from .framework import ArmResponse, Request, Route, json_response

# The subscription's policies as Azure shows a pay-as-you-go subscription.
_POLICIES = {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"}
TENANT_DOMAIN = "autopatch.onmicrosoft.com"


def subscription_document(subscription: dict) -> dict:
    return {
        "id": f"/subscriptions/{subscription['id']}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": subscription["id"],
        "tenantId": subscription["tenantId"],
        "displayName": subscription["name"],
        "state": "Enabled",
        "subscriptionPolicies": dict(_POLICIES),
    }


def tenant_document(subscription: dict) -> dict:
    return {
        "id": f"/tenants/{subscription['tenantId']}",
        "tenantId": subscription["tenantId"],
        "countryCode": "US",
        "displayName": "autopatch simulated tenant",
        "domains": [TENANT_DOMAIN],
        "tenantCategory": "Home",
        "defaultDomain": TENANT_DOMAIN,
        "tenantType": "AAD",
    }


def list_subscriptions(router, request: Request, parts: dict) -> ArmResponse:
    subscription = router.reader().section("subscription")
    return json_response(200, {"value": [subscription_document(subscription)], "count": {"type": "Total", "value": 1}})


def get_subscription(router, request: Request, parts: dict) -> ArmResponse:
    subscription = router.reader().section("subscription")
    if parts["sub"].lower() != subscription["id"].lower():
        raise subscription_not_found(parts["sub"])
    return json_response(200, subscription_document(subscription))


def list_tenants(router, request: Request, parts: dict) -> ArmResponse:
    subscription = router.reader().section("subscription")
    return json_response(200, {"value": [tenant_document(subscription)]})


ROUTES = [
    Route("GET", "/subscriptions", list_subscriptions, "subscriptions", "subscriptions"),
    Route("GET", "/subscriptions/{sub}", get_subscription, "subscriptions", "subscriptions"),
    Route("GET", "/tenants", list_tenants, "subscriptions", "tenants"),
]
