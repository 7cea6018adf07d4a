"""Which api-versions each provider family accepts, and how ARM refuses the others.

ARM checks ``api-version`` before anything else: a request without it gets ``MissingApiVersionParameter``
(even at the root path), and a version the resource provider's manifest does not list gets
``InvalidApiVersionParameter`` (Microsoft.Resources, Microsoft.Features, subscriptions) or
``NoRegisteredProviderFound`` (every other provider: Microsoft.Compute, Microsoft.Network), both HTTP 400,
with the texts ARM uses.

Each family accepts the published stable api-versions of the operations autopatch emulates, from
2020-06-01 (the guide's) on, and every document is drawn in the shape of the nearest version autopatch
models (Compute's table in azure/compute_api.py says which). So az 2.91
(VMs at 2026-04-01, assessPatches at 2022-11-01, installPatches at 2024-11-01, images at 2024-11-01,
Microsoft.Resources at 2024-11-01) and the current SDKs are answered, and so is a script pinned to any
stable version in between.
"""

from __future__ import annotations

from ..azure import compute_api
from ..errors import invalid_api_version, missing_api_version, no_registered_provider_found

# ARM's refusal of a request without api-version (the router raises it before routing).
missing = missing_api_version

# Microsoft.Compute: the one table of its api-versions (azure/compute_api.py).
SDK_COMPUTE_API_VERSION = compute_api.NEWEST
COMPUTE_API_VERSIONS = compute_api.ACCEPTED
# installPatches is defined from 2020-12-01 on (azure-fidelity.md section 1).
INSTALL_PATCHES_SINCE = "2020-12-01"

# Microsoft.Features: the spec's 2015-12-01 and 2021-07-01, what az and azure-mgmt-resource-features send
# (the only two stable versions).
FEATURES_API_VERSIONS = ("2015-12-01", "2021-07-01")
# Microsoft.Resources (resource groups, providers, deployments): its stable versions from 2020-06-01 on,
# plus 2016-02-01, which azure-mgmt-core's automatic provider registration hard-codes. az 2.91 sends
# 2024-11-01 (groups, providers, the deployment of `vm create`) and 2025-04-01 (`az deployment group`).
RESOURCES_API_VERSIONS = (
    "2016-02-01", "2020-06-01", "2020-08-01", "2020-10-01", "2021-01-01", "2021-04-01", "2022-09-01",
    "2023-07-01", "2024-03-01", "2024-07-01", "2024-11-01", "2025-01-01", "2025-03-01", "2025-04-01",
)
# Subscriptions and tenants (Microsoft.Resources' subscription API): az login and `az account` send 2022-12-01.
SUBSCRIPTIONS_API_VERSIONS = (
    "2016-06-01", "2018-06-01", "2019-06-01", "2019-11-01", "2020-01-01", "2021-01-01", "2022-12-01",
)
# Microsoft.Network: the versions az vm create's template and its existence checks use (2015-06-15 for the
# VNet, NSG and NIC, 2022-01-01 for the public IP), those `az network nic/vnet/public-ip/nsg` send
# (2023-11-01 to 2025-09-01) and the stable ones between.
NETWORK_API_VERSIONS = (
    "2015-06-15", "2016-09-01", "2017-09-01", "2018-01-01", "2018-11-01", "2019-11-01", "2020-06-01",
    "2020-11-01", "2021-02-01", "2021-05-01", "2021-08-01", "2022-01-01", "2022-05-01", "2022-07-01",
    "2022-09-01", "2022-11-01", "2023-02-01", "2023-04-01", "2023-05-01", "2023-06-01", "2023-09-01",
    "2023-11-01", "2024-01-01", "2024-03-01", "2024-05-01", "2024-07-01", "2024-10-01", "2025-01-01",
    "2025-03-01", "2025-05-01", "2025-07-01", "2025-09-01",
)
# /metadata/endpoints: ARM answers every version; az asks 2022-09-01, older tools 2015-01-01 and 2019-05-01.
METADATA_API_VERSIONS = ("2015-01-01", "2019-05-01", "2020-06-01", "2022-09-01")

# Microsoft.Maintenance: the 2023-04-01 of the spec, which the az maintenance extension sends.
MAINTENANCE_API_VERSIONS = ("2023-04-01",)

FAMILIES = {
    "maintenance": MAINTENANCE_API_VERSIONS,
    "compute": COMPUTE_API_VERSIONS,
    "features": FEATURES_API_VERSIONS,
    "resources": RESOURCES_API_VERSIONS,
    "subscriptions": SUBSCRIPTIONS_API_VERSIONS,
    "network": NETWORK_API_VERSIONS,
    "metadata": METADATA_API_VERSIONS,
}
# Families whose refusal is the resource provider's (NoRegisteredProviderFound), not ARM's own.
PROVIDER_FAMILIES = {"compute": "Microsoft.Compute", "network": "Microsoft.Network"}


def accepts(family: str, api_version: str | None) -> bool:
    return bool(api_version) and api_version in FAMILIES[family]


def check(family: str, api_version: str | None, *, location: str = "global", resource_type: str = "virtualMachines") -> str:
    """The accepted ``api_version``, or ARM's refusal."""
    if not api_version:
        raise missing_api_version()
    supported = FAMILIES[family]
    if api_version in supported:
        return api_version
    newest_first = sorted(supported, reverse=True)
    if family in PROVIDER_FAMILIES:
        from ..azure import regions

        raise no_registered_provider_found(location, resource_type, api_version, sorted(supported), regions.REGIONS)
    raise invalid_api_version(api_version, newest_first)


def compute_shape(api_version: str) -> str:
    """The modelled api-version whose wire shape a Compute response takes (azure/compute_api.py)."""
    return compute_api.shape_of(api_version)
