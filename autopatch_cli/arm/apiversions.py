"""Which api-versions each provider family accepts, and how ARM refuses the others.

ARM checks ``api-version`` before anything else: a request without it gets ``MissingApiVersionParameter``
(even at the root path), and a version the resource provider's manifest does not list gets
``InvalidApiVersionParameter`` (Microsoft.Resources, Microsoft.Features) or ``NoRegisteredProviderFound``
(every other provider, here Microsoft.Compute), both HTTP 400, with the texts ARM uses.
"""

from __future__ import annotations

from ..errors import AzureError

# Compute: the versions the guide and its follow-ups use, plus the one the current azure-mgmt-compute
# (39.x, every virtual_machines call) sends. That one is served in the newest shape we model.
SDK_COMPUTE_API_VERSION = "2026-04-01"
COMPUTE_API_VERSIONS = ("2020-06-01", "2020-12-01", "2021-03-01", SDK_COMPUTE_API_VERSION)
COMPUTE_RENDER_AS = {SDK_COMPUTE_API_VERSION: "2024-07-01"}  # today's patch definitions
# installPatches is defined from 2020-12-01 on (azure-fidelity.md section 1).
INSTALL_PATCHES_SINCE = "2020-12-01"

# Microsoft.Features: the spec's 2015-12-01 and what azure-mgmt-resource-features 1.0.0 sends.
FEATURES_API_VERSIONS = ("2015-12-01", "2021-07-01")
# Microsoft.Resources (resource groups, providers): the spec's 2020-06-01; 2016-02-01, which azure-mgmt-core's
# automatic provider registration hard-codes; 2021-04-01, common in Azure's docs; and 2025-04-01, which
# azure-mgmt-resource 26.0.0 sends. The shapes we serve are the same in all of them.
RESOURCES_API_VERSIONS = ("2016-02-01", "2020-06-01", "2021-04-01", "2025-04-01")

# Microsoft.Maintenance: the 2023-04-01 of the spec, which the az maintenance extension sends.
MAINTENANCE_API_VERSIONS = ("2023-04-01",)

FAMILIES = {
    "maintenance": MAINTENANCE_API_VERSIONS,
    "compute": COMPUTE_API_VERSIONS,
    "features": FEATURES_API_VERSIONS,
    "resources": RESOURCES_API_VERSIONS,
}


def missing() -> AzureError:
    return AzureError(
        "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.", 400
    )


def check(family: str, api_version: str | None, *, location: str = "global", resource_type: str = "virtualMachines") -> str:
    """The accepted ``api_version``, or ARM's refusal."""
    if not api_version:
        raise missing()
    supported = FAMILIES[family]
    if api_version in supported:
        return api_version
    newest_first = sorted(supported, reverse=True)
    if family == "compute":
        from ..azure import regions

        raise AzureError(
            "NoRegisteredProviderFound",
            f"No registered resource provider found for location '{location}' and API version '{api_version}' "
            f"for type '{resource_type}'. The supported api-versions are '{', '.join(sorted(supported))}'. "
            f"The supported locations are '{', '.join(regions.REGIONS)}'.",
            400,
        )
    raise AzureError(
        "InvalidApiVersionParameter",
        f"The api-version '{api_version}' is invalid. The supported versions are '{','.join(newest_first)}'.",
        400,
    )


def compute_shape(api_version: str) -> str:
    """The api-version whose wire shape a Compute response takes (the SDK's is drawn as our newest)."""
    return COMPUTE_RENDER_AS.get(api_version, api_version)
