"""The documents a client reads before it calls ARM: the cloud's endpoints and az's VM image aliases.

- ``GET /metadata/endpoints?api-version=...`` is what ``az cloud register --endpoint-resource-manager URL``
  reads (at 2022-09-01) to learn a cloud: the public cloud's document with the resource manager, the
  login endpoint and the image alias document all on the emulator's own URL, so nothing az derives from it
  points away from loopback. ARM serves it without authentication.
- ``GET /metadata/vmImageAliasDoc`` is the image alias document ``az vm create --image ALIAS`` resolves
  aliases with (the cloud's ``endpoint_vm_image_alias_doc``): autopatch's own alias table, so the stock az
  and ``autopatch vm create`` turn an alias into the same image.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import AzureError, method_not_allowed
from . import apiversions
from .framework import ArmResponse, Request, Route, error_response, json_response

ENDPOINTS_PATH = "/metadata/endpoints"
ALIAS_DOC_PATH = "/metadata/vmimagealiasdoc"
CLOUD_NAME = "AzureCloud"
# The token audience az asks for: the public cloud's, which the identity endpoint accepts as any other.
ARM_AUDIENCES = ["https://management.core.windows.net/", "https://management.azure.com/"]


def is_metadata_request(path: str) -> bool:
    return urlsplit(path).path.rstrip("/").lower() in (ENDPOINTS_PATH, ALIAS_DOC_PATH)


def answer(method: str, path: str, query: dict[str, str], base_url: str) -> ArmResponse:
    if method.upper() not in ("GET", "HEAD"):
        return error_response(method_not_allowed(method))
    if urlsplit(path).path.rstrip("/").lower() == ALIAS_DOC_PATH:
        return json_response(200, alias_document())
    try:
        apiversions.check("metadata", query.get("api-version"))
    except AzureError as exc:
        return error_response(exc)
    return json_response(200, endpoints_document(base_url))


def endpoints_document(base_url: str) -> dict:
    """The cloud metadata document (the 2022-09-01 shape az maps), with the emulator's own URLs."""
    root = base_url.rstrip("/")
    return {
        "portal": "https://portal.azure.com",
        "authentication": {
            "loginEndpoint": root,
            "audiences": list(ARM_AUDIENCES),
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "media": "https://rest.media.azure.net",
        "graphAudience": "https://graph.windows.net/",
        "graph": "https://graph.windows.net/",
        "name": CLOUD_NAME,
        "suffixes": {
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "keyVaultDns": "vault.azure.net",
            "storage": "core.windows.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "storageSyncEndpointSuffix": "afs.azure.net",
            "mhsmDns": "managedhsm.azure.net",
            "mysqlServerEndpoint": "mysql.database.azure.com",
            "postgresqlServerEndpoint": "postgres.database.azure.com",
            "mariadbServerEndpoint": "mariadb.database.azure.com",
            "synapseAnalytics": "dev.azuresynapse.net",
            "attestationEndpoint": "attest.azure.net",
        },
        "batch": "https://batch.core.windows.net/",
        "resourceManager": root + "/",
        "vmImageAliasDoc": root + "/metadata/vmImageAliasDoc",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "microsoftGraphResourceId": "https://graph.microsoft.com/",
        "appInsightsResourceId": "https://api.applicationinsights.io",
        "appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
        "attestationResourceId": "https://attest.azure.net",
        "synapseAnalyticsResourceId": "https://dev.azuresynapse.net",
        "logAnalyticsResourceId": "https://api.loganalytics.io",
        "ossrDbmsResourceId": "https://ossrdbms-aad.database.windows.net",
        "gallery": "https://gallery.azure.com/",
    }


def alias_document() -> dict:
    """az's alias document format (an ARM template whose ``aliases`` output maps OS -> alias -> image)."""
    from ..azure import images

    by_os: dict[str, dict[str, dict]] = {"Linux": {}, "Windows": {}}
    for alias, urn in images.ALIASES.items():
        family = "Windows" if images.is_windows(urn) else "Linux"
        by_os[family][alias] = {"publisher": urn.publisher, "offer": urn.offer, "sku": urn.sku, "version": urn.version,
                                "architecture": "Arm64" if "arm64" in urn.sku.lower() else "x64"}
    return {
        "$schema": "http://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json",
        "contentVersion": "1.0.0.0",
        "parameters": {},
        "variables": {},
        "resources": [],
        "outputs": {"aliases": {"type": "object", "value": by_os}},
    }


def public_response(router, required_token: str | None, method: str, path: str, headers: dict[str, str],
                    base_url: str) -> ArmResponse | None:
    """The answer to a request that needs no bearer token (metadata, the identity endpoint), else None."""
    from urllib.parse import parse_qsl

    from . import identity

    if identity.is_token_request(path):
        return identity.answer(router, required_token, method, path, headers)
    if is_metadata_request(path):
        query = {k.lower(): v for k, v in parse_qsl(urlsplit(path).query, keep_blank_values=True)}
        return answer(method, path, query, base_url)
    return None


def _route_handler(router, request: Request, parts: dict) -> ArmResponse:
    """The same documents through the router, so `autopatch rest` answers them as `serve` does."""
    return answer(request.method, request.path, request.query, request.base_url)


ROUTES = [
    Route("GET", ENDPOINTS_PATH, _route_handler, None, "metadata"),
    Route("GET", "/metadata/vmImageAliasDoc", _route_handler, None, "metadata"),
]
