"""Marketplace images: az's URN aliases, the Windows Server versions and the SKUs the platform patches.

Which images automatic VM guest patching supports depends on the date (azure/eras.py): the 2020 preview
of the guide supported five SKUs; today's documentation ([A] in azure/eras.py, "Supported OS images")
lists every Windows Server from 2008 R2 to 2025 with their -Core, -smalldisk, -gensecond/-g2 and Azure
Edition SKUs, and the Azure Edition ones are hotpatchable. Each Windows Server version appears on the
marketplace on its own date (Microsoft's lifecycle pages, https://learn.microsoft.com/lifecycle/products/
windows-server-2022 and windows-server-2025: 2021-08-18 and 2024-11-01); a SKU of that version is
available from then on; hotpatching itself (enableHotpatching) only from its general availability
(2022-02-16, [L] in azure/eras.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from .eras import GENERAL_AVAILABILITY, HOTPATCH_AVAILABLE


class Urn(NamedTuple):
    publisher: str
    offer: str
    sku: str
    version: str

    def __str__(self) -> str:
        return ":".join(self)


WINDOWS_SERVER = ("MicrosoftWindowsServer", "WindowsServer")

# az vm create's aliases (azure-cli vm/aliases.json, 2.91), Windows and the common Linux ones. The
# Windows Server 2019, 2016 and 2012 aliases keep the SKUs the guide's examples use.
ALIASES: dict[str, Urn] = {
    "Win2025Datacenter": Urn(*WINDOWS_SERVER, "2025-datacenter-azure-edition", "latest"),
    "Win2022Datacenter": Urn(*WINDOWS_SERVER, "2022-datacenter-g2", "latest"),
    "Win2022AzureEdition": Urn(*WINDOWS_SERVER, "2022-datacenter-azure-edition", "latest"),
    "Win2022AzureEditionCore": Urn(*WINDOWS_SERVER, "2022-datacenter-azure-edition-core", "latest"),
    "Win2019Datacenter": Urn(*WINDOWS_SERVER, "2019-Datacenter", "latest"),
    "Win2016Datacenter": Urn(*WINDOWS_SERVER, "2016-Datacenter", "latest"),
    "Win2012R2Datacenter": Urn(*WINDOWS_SERVER, "2012-R2-Datacenter", "latest"),
    "Win2012Datacenter": Urn(*WINDOWS_SERVER, "2012-Datacenter", "latest"),
    "Ubuntu2204": Urn("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "latest"),
    "Ubuntu2404": Urn("Canonical", "ubuntu-24_04-lts", "server", "latest"),
    "Debian11": Urn("Debian", "debian-11", "11-backports-gen2", "latest"),
    "CentOS85Gen2": Urn("OpenLogic", "CentOS", "8_5-gen2", "latest"),
    "RHELRaw8LVMGen2": Urn("RedHat", "RHEL", "8-lvm-gen2", "latest"),
    "SuseSles15SP5": Urn("SUSE", "sles-15-sp5", "gen2", "latest"),
}


class WindowsServerVersion(NamedTuple):
    """One Windows Server version: its SKU prefix, the names it goes by, and when Azure first offered it."""

    prefix: str  # SKU prefix, lower case; also the patch catalog's family key
    name: str  # how Windows Update names it
    os_name: str  # instance view osName
    os_version: str  # instance view osVersion
    latest_image: str  # the image version "latest" resolved to in the guide's time (build.revision.date)
    available: datetime


def _utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


WINDOWS_SERVER_VERSIONS: tuple[WindowsServerVersion, ...] = (
    WindowsServerVersion("2008-r2", "Windows Server 2008 R2", "Windows Server 2008 R2 Datacenter",
                         "Microsoft Windows NT 6.1.7601.0", "7601.24556.2009040031", _utc(2009, 10, 22)),
    WindowsServerVersion("2012", "Windows Server 2012", "Windows Server 2012 Datacenter",
                         "Microsoft Windows NT 6.2.9200.0", "9200.23127.2009040132", _utc(2012, 10, 30)),
    WindowsServerVersion("2012-r2", "Windows Server 2012 R2", "Windows Server 2012 R2 Datacenter",
                         "Microsoft Windows NT 6.3.9600.0", "9600.19816.2009041836", _utc(2013, 11, 25)),
    WindowsServerVersion("2016", "Windows Server 2016", "Windows Server 2016 Datacenter",
                         "Microsoft Windows NT 10.0.14393.0", "14393.3930.2009041834", _utc(2016, 10, 15)),
    WindowsServerVersion("2019", "Windows Server 2019", "Windows Server 2019 Datacenter",
                         "Microsoft Windows NT 10.0.17763.0", "17763.1457.2009030514", _utc(2018, 11, 13)),
    WindowsServerVersion("2022", "Windows Server 2022", "Windows Server 2022 Datacenter",
                         "Microsoft Windows NT 10.0.20348.0", "20348.2527.240606", _utc(2021, 8, 18)),
    WindowsServerVersion("2025", "Windows Server 2025", "Windows Server 2025 Datacenter",
                         "Microsoft Windows NT 10.0.26100.0", "26100.2314.241107", _utc(2024, 11, 1)),
)
VERSIONS_BY_PREFIX = {v.prefix: v for v in WINDOWS_SERVER_VERSIONS}

# The platform images automatic VM guest patching supports in the preview the guide documents.
PREVIEW_AUTO_PATCH_SKU_NAMES: tuple[str, ...] = (
    "2012-R2-Datacenter",
    "2016-Datacenter",
    "2016-Datacenter-Server-Core",
    "2019-Datacenter",
    "2019-Datacenter-Server-Core",
)
PREVIEW_AUTO_PATCH_SKUS: frozenset[str] = frozenset(s.lower() for s in PREVIEW_AUTO_PATCH_SKU_NAMES)
AUTO_PATCH_SKUS = PREVIEW_AUTO_PATCH_SKUS  # the guide's name for them

# Today's documentation [A], "Supported OS images", publisher MicrosoftWindowsServer, offer WindowsServer.
HOTPATCH_SKUS: frozenset[str] = frozenset((
    "2025-datacenter-azure-edition", "2025-datacenter-azure-edition-core",
    "2025-datacenter-azure-edition-smalldisk", "2025-datacenter-azure-edition-core-smalldisk",
    "2022-datacenter-azure-edition-core", "2022-datacenter-azure-edition-core-smalldisk",
    "2022-datacenter-azure-edition-hotpatch", "2022-datacenter-azure-edition-hotpatch-smalldisk",
))
# Of them, the ones hotpatching is on by default for (the Server Core ones, [J] in README's sources).
HOTPATCH_BY_DEFAULT_SKUS: frozenset[str] = frozenset(s for s in HOTPATCH_SKUS if "-core" in s)
# (as the doc spells them: README's supported-image table is generated from these names, azure/image_docs.py)
GA_AUTO_PATCH_SKU_NAMES: tuple[str, ...] = (
    "2008-R2-SP1",
    "2012-R2-Datacenter", "2012-R2-Datacenter-gensecond", "2012-R2-Datacenter-smalldisk",
    "2012-R2-Datacenter-smalldisk-g2",
    "2016-Datacenter", "2016-Datacenter-gensecond", "2016-Datacenter-Server-Core", "2016-Datacenter-smalldisk",
    "2016-Datacenter-with-containers",
    "2019-Datacenter", "2019-Datacenter-Core", "2019-Datacenter-gensecond", "2019-Datacenter-smalldisk",
    "2019-Datacenter-smalldisk-g2", "2019-Datacenter-with-containers",
    # the preview's spelling of the 2019 Server Core SKU stays supported
    "2019-Datacenter-Server-Core",
    "2022-datacenter", "2022-datacenter-azure-edition", "2022-datacenter-azure-edition-smalldisk",
    "2022-datacenter-core", "2022-datacenter-core-g2", "2022-datacenter-g2", "2022-datacenter-smalldisk",
    "2022-datacenter-smalldisk-g2",
    "2025-datacenter", "2025-datacenter-core", "2025-datacenter-core-smalldisk", "2025-datacenter-smalldisk",
    "2025-datacenter-g2",
)
GA_AUTO_PATCH_SKUS: frozenset[str] = HOTPATCH_SKUS | frozenset(s.lower() for s in GA_AUTO_PATCH_SKU_NAMES)


def resolve(image: str) -> Urn | None:
    """An alias (case-insensitive, as az matches them) or a full URN; None when neither."""
    for alias, urn in ALIASES.items():
        if alias.lower() == image.lower():
            return urn
    parts = image.split(":")
    if len(parts) == 4 and all(parts):
        return Urn(*parts)
    return None


def is_windows(urn: Urn) -> bool:
    return (urn.publisher.lower(), urn.offer.lower()) == tuple(x.lower() for x in WINDOWS_SERVER)


def windows_version(sku: str) -> WindowsServerVersion | None:
    """The Windows Server version a SKU belongs to (longest prefix: 2012-r2 before 2012)."""
    sku = sku.lower()
    for prefix in sorted(VERSIONS_BY_PREFIX, key=len, reverse=True):
        if sku.startswith(prefix):
            return VERSIONS_BY_PREFIX[prefix]
    return None


def available_from(urn: Urn) -> datetime | None:
    """When a Windows Server image first appears on the marketplace; None for images we know no date of."""
    if not is_windows(urn):
        return None
    version = windows_version(urn.sku)
    if version is None:
        return None
    return version.available


def supports_auto_patch(urn: Urn, when: datetime | None = None) -> bool:
    """Whether the platform patches this image at ``when`` (the preview's list before general availability);
    with no date, whether it ever does (today's list holds the preview's)."""
    if not is_windows(urn):
        return False
    sku = urn.sku.lower()
    if when is not None and when < GENERAL_AVAILABILITY:
        return sku in PREVIEW_AUTO_PATCH_SKUS
    return sku in GA_AUTO_PATCH_SKUS


# Hotpatching's cadence (MicrosoftDocs/windowsserverdocs, WindowsServerDocs/get-started/hotpatch.md @093f0bfa;
# learn.microsoft.com/en-us/training/modules/hotpatch-updates/3-update-schedules): a cumulative "baseline"
# in January, April, July and October needs a restart; the two months after each get hotpatches, installed
# without one. A hotpatched VM follows a patch catalog family of its own (its KBs differ from the baseline
# track's), named by this suffix.
BASELINE_MONTHS = (1, 4, 7, 10)
HOTPATCH_FAMILY_SUFFIX = "-hotpatch"
HOTPATCH_VERSIONS = ("2022", "2025")  # the Windows Server versions with hotpatchable images


def hotpatch_family(prefix: str) -> str:
    return prefix + HOTPATCH_FAMILY_SUFFIX


def is_hotpatch_family(family: str | None) -> bool:
    return family is not None and family.endswith(HOTPATCH_FAMILY_SUFFIX)


def is_baseline_month(month: int) -> bool:
    return month in BASELINE_MONTHS


def supports_hotpatch(urn: Urn) -> bool:
    return is_windows(urn) and urn.sku.lower() in HOTPATCH_SKUS


def hotpatch_by_default(urn: Urn) -> bool:
    return is_windows(urn) and urn.sku.lower() in HOTPATCH_BY_DEFAULT_SKUS


def windows_os(sku: str) -> tuple[str, str]:
    version = windows_version(sku)
    if version is None:
        return ("Windows Server", "Microsoft Windows NT 10.0.17763.0")
    name = version.os_name
    if "azure-edition" in sku.lower():
        name += " Azure Edition"
    return (name, version.os_version)


def latest_version(sku: str) -> str | None:
    version = windows_version(sku)
    return version.latest_image if version else None


PREVIEW_CATALOG_FAMILIES = ("2012-r2", "2016", "2019")


def catalog_families(when: datetime | None = None) -> list[str]:
    """The Windows Server versions whose monthly releases the catalog shows as of ``when``: the preview's
    three before general availability, then every version on the marketplace by then."""
    if when is None or when < GENERAL_AVAILABILITY:
        return list(PREVIEW_CATALOG_FAMILIES)
    families = [v.prefix for v in WINDOWS_SERVER_VERSIONS if v.available <= when]
    if when >= HOTPATCH_AVAILABLE:
        families += [hotpatch_family(p) for p in HOTPATCH_VERSIONS if p in families]
    return families
