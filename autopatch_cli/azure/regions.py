"""Azure public regions, their geo-pairs and availability zones.

Pairs: Azure's published list (reliability docs, paired-regions include, 2026-06), directional, so the
one-way pairs are kept as they are: brazilsouth -> southcentralus, westindia -> southindia,
indiasouthcentral -> centralindia, westus3 -> eastus (none of these is paired back).
Zones: the regions list's "Availability zone support" column (2025-09); zoned regions have zones 1-3.
"""

from __future__ import annotations

# name: (display name, paired region or None, has availability zones)
REGIONS: dict[str, tuple[str, str | None, bool]] = {
    "australiacentral": ("Australia Central", "australiacentral2", False),
    "australiacentral2": ("Australia Central 2", "australiacentral", False),
    "australiaeast": ("Australia East", "australiasoutheast", True),
    "australiasoutheast": ("Australia Southeast", "australiaeast", False),
    "austriaeast": ("Austria East", None, True),
    "belgiumcentral": ("Belgium Central", None, True),
    "brazilsouth": ("Brazil South", "southcentralus", True),
    "brazilsoutheast": ("Brazil Southeast", "brazilsouth", False),
    "canadacentral": ("Canada Central", "canadaeast", True),
    "canadaeast": ("Canada East", "canadacentral", False),
    "centralindia": ("Central India", "southindia", True),
    "centralus": ("Central US", "eastus2", True),
    "centraluseuap": ("Central US EUAP", "eastus2euap", True),
    "chilecentral": ("Chile Central", None, True),
    "denmarkeast": ("Denmark East", None, True),
    "eastasia": ("East Asia", "southeastasia", True),
    "eastus": ("East US", "westus", True),
    "eastus2": ("East US 2", "centralus", True),
    "eastus2euap": ("East US 2 EUAP", "centraluseuap", True),
    "francecentral": ("France Central", "francesouth", True),
    "francesouth": ("France South", "francecentral", False),
    "germanynorth": ("Germany North", "germanywestcentral", False),
    "germanywestcentral": ("Germany West Central", "germanynorth", True),
    "indiasouthcentral": ("India South Central", "centralindia", True),
    "indonesiacentral": ("Indonesia Central", None, True),
    "israelcentral": ("Israel Central", None, True),
    "italynorth": ("Italy North", None, True),
    "japaneast": ("Japan East", "japanwest", True),
    "japanwest": ("Japan West", "japaneast", True),
    "koreacentral": ("Korea Central", "koreasouth", True),
    "koreasouth": ("Korea South", "koreacentral", False),
    "malaysiawest": ("Malaysia West", None, True),
    "mexicocentral": ("Mexico Central", None, True),
    "newzealandnorth": ("New Zealand North", None, True),
    "northcentralus": ("North Central US", "southcentralus", False),
    "northeurope": ("North Europe", "westeurope", True),
    "norwayeast": ("Norway East", "norwaywest", True),
    "norwaywest": ("Norway West", "norwayeast", False),
    "polandcentral": ("Poland Central", None, True),
    "qatarcentral": ("Qatar Central", None, True),
    "southafricanorth": ("South Africa North", "southafricawest", True),
    "southafricawest": ("South Africa West", "southafricanorth", False),
    "southcentralus": ("South Central US", "northcentralus", True),
    "southeastasia": ("Southeast Asia", "eastasia", True),
    "southindia": ("South India", "centralindia", False),
    "spaincentral": ("Spain Central", None, True),
    "swedencentral": ("Sweden Central", "swedensouth", True),
    "swedensouth": ("Sweden South", "swedencentral", False),
    "switzerlandnorth": ("Switzerland North", "switzerlandwest", True),
    "switzerlandwest": ("Switzerland West", "switzerlandnorth", False),
    "uaecentral": ("UAE Central", "uaenorth", False),
    "uaenorth": ("UAE North", "uaecentral", True),
    "uksouth": ("UK South", "ukwest", True),
    "ukwest": ("UK West", "uksouth", False),
    "westcentralus": ("West Central US", "westus2", False),
    "westeurope": ("West Europe", "northeurope", True),
    "westindia": ("West India", "southindia", False),
    "westus": ("West US", "eastus", False),
    "westus2": ("West US 2", "westcentralus", True),
    "westus3": ("West US 3", "eastus", True),
}

ZONES = ("1", "2", "3")


def normalize(location: str) -> str | None:
    """Azure accepts 'East US', 'eastus' and 'EastUS' alike; None when unknown."""
    key = location.replace(" ", "").lower()
    return key if key in REGIONS else None


def display_name(name: str) -> str:
    return REGIONS[name][0]


def paired(name: str) -> str | None:
    return REGIONS[name][1]


def pair_partners(name: str) -> set[str]:
    """Every region that must never be patched together with ``name``: its pair, and who pairs to it."""
    partners = {p for p in (REGIONS[name][1],) if p}
    partners.update(other for other, (_, pair, _) in REGIONS.items() if pair == name)
    partners.discard(name)
    return partners


def has_zones(name: str) -> bool:
    return REGIONS[name][2]
