"""Microsoft.Compute's api-versions: the one table of them.

Every stable api-version of virtualMachines (and of their actions, operations and images) from the guide's
2020-06-01 on, each with

- the date it is named after (an api-version is its publication date),
- the modelled wire shape it is answered in (models.versions: the newest modelled version whose VM and patch
  definitions it shares; the shapes differ only in the properties listed there), and
- whether Microsoft.Compute's provider registration advertises it (``az provider show``'s resourceTypes
  apiVersions; autopatch advertises the three versions of the guide's time).

ARM accepts exactly these (arm/apiversions.py refuses the others), the provider advertises the marked ones
(azure/catalog.py), and models/versions.py models the shapes named here.

Sources: Azure/azure-rest-api-specs, specification/compute/resource-manager/Microsoft.Compute/(ComputeRP/)stable/
<version>/ for each version up to 2024-07-01 (Azure's template reference lists them up to 2025-04-01);
azure-cli 2.91 sends 2025-11-01 (vm deallocate) and 2026-04-01, as azure-mgmt-compute 39 does. The patch
definitions: ``automaticByPlatformSettings`` (rebootSetting) first in 2022-03-01,
``bypassPlatformSafetyChecksOnUserSchedule`` first in 2023-03-01 (computeRPCommon.json of each version);
2024-07-01's patch definitions are those of 2024-11-01 and later.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class ComputeApiVersion(NamedTuple):
    version: str
    shape: str  # the modelled api-version whose wire shape answers this one
    advertised: bool = False  # listed in the provider registration's apiVersions

    @property
    def published(self) -> date:
        return date.fromisoformat(self.version)


COMPUTE: tuple[ComputeApiVersion, ...] = (
    ComputeApiVersion("2020-06-01", "2020-06-01", advertised=True),
    ComputeApiVersion("2020-12-01", "2020-12-01", advertised=True),
    ComputeApiVersion("2021-03-01", "2021-03-01", advertised=True),
    ComputeApiVersion("2021-04-01", "2021-03-01"),
    ComputeApiVersion("2021-07-01", "2021-03-01"),
    ComputeApiVersion("2021-11-01", "2021-03-01"),
    ComputeApiVersion("2022-03-01", "2022-03-01"),
    ComputeApiVersion("2022-08-01", "2022-03-01"),
    ComputeApiVersion("2022-11-01", "2022-03-01"),
    ComputeApiVersion("2023-03-01", "2023-03-01"),
    ComputeApiVersion("2023-07-01", "2023-03-01"),
    ComputeApiVersion("2023-09-01", "2023-03-01"),
    ComputeApiVersion("2024-03-01", "2023-03-01"),
    ComputeApiVersion("2024-07-01", "2024-07-01"),
    ComputeApiVersion("2024-11-01", "2024-07-01"),
    ComputeApiVersion("2025-04-01", "2024-07-01"),
    ComputeApiVersion("2025-11-01", "2024-07-01"),
    ComputeApiVersion("2026-04-01", "2024-07-01"),
)
BY_VERSION = {row.version: row for row in COMPUTE}

# Every version accepted, oldest first; the newest is what the current SDK and az 2.91 send for VMs.
ACCEPTED: tuple[str, ...] = tuple(row.version for row in COMPUTE)
NEWEST = ACCEPTED[-1]
# The modelled shapes, oldest first.
SHAPES: tuple[str, ...] = tuple(sorted({row.shape for row in COMPUTE}))
# What the provider registration lists, newest first as ARM lists them.
ADVERTISED: tuple[str, ...] = tuple(row.version for row in reversed(COMPUTE) if row.advertised)


def shape_of(api_version: str) -> str:
    """The modelled shape answering ``api_version``: the table's, or for a version outside it the newest
    modelled one not newer than it (the oldest for anything older)."""
    row = BY_VERSION.get(api_version)
    if row is not None:
        return row.shape
    older = [v for v in SHAPES if v <= api_version]
    return older[-1] if older else SHAPES[0]
