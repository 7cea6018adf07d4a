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
    # Linux: azure-cli 2.91's own copy of the alias document (vm/_alias.py) ...
    "AzureLinux4": Urn("microsoftazurelinux", "azurelinux-4", "4", "latest"),
    "AzureLinux4Arm64": Urn("microsoftazurelinux", "azurelinux-4", "4-arm64", "latest"),
    "AzureLinux4Gen1": Urn("microsoftazurelinux", "azurelinux-4", "4-gen1", "latest"),
    "CentOS85Gen2": Urn("OpenLogic", "CentOS", "8_5-gen2", "latest"),
    "Debian11": Urn("Debian", "debian-11", "11-backports-gen2", "latest"),
    "FlatcarLinuxFreeGen2": Urn("kinvolk", "flatcar-container-linux-free", "stable-gen2", "latest"),
    "OpenSuseLeap154Gen2": Urn("SUSE", "openSUSE-leap-15-4", "gen2", "latest"),
    "RHELRaw8LVMGen2": Urn("RedHat", "RHEL", "8-lvm-gen2", "latest"),
    "SuseSles15SP3": Urn("SUSE", "sles-15-sp3", "gen2", "latest"),
    "Ubuntu2204": Urn("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "latest"),
    # ... and the ones the published document adds (Azure/azure-rest-api-specs, arm-compute/quickstart-templates/
    # aliases.json, which az reads first: its "Invalid image" error lists them)
    "Debian12": Urn("Debian", "debian-12", "12-gen2", "latest"),
    "SuseSles15SP5": Urn("SUSE", "sles-15-sp5", "gen2", "latest"),
    "Ubuntu2404": Urn("Canonical", "ubuntu-24_04-lts", "server", "latest"),
    "Ubuntu2404Pro": Urn("Canonical", "ubuntu-24_04-lts", "ubuntu-pro", "latest"),
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
    """When a Windows Server or Linux image first appears on the marketplace; None for images we know no date of."""
    if not is_windows(urn):
        image = linux_image(urn)
        return image.available if image else None
    version = windows_version(urn.sku)
    if version is None:
        return None
    return version.available


def supports_auto_patch(urn: Urn, when: datetime | None = None) -> bool:
    """Whether the platform patches this image at ``when`` (the preview's list before general availability);
    with no date, whether it ever does (today's list holds the preview's)."""
    if not is_windows(urn):
        return supports_linux_patching(urn, when)
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


# ---- Linux ---------------------------------------------------------------------------------------
# Automatic VM guest patching for Linux came with Compute api-version 2020-12-01 as a preview (azure/eras.py,
# LINUX_PREVIEW) and became generally available with Windows in November 2021. Which marketplace images the
# platform patches (automatically, and through assessPatches/installPatches) is today's documentation's list
# ([A] in azure/eras.py, "Supported OS images": only exact publisher/offer/SKU matches); every other Linux image
# can be created (with patchMode ImageDefault: the distribution's own configuration). The preview's list is
# inferred: the distributions the preview documentation named (Ubuntu 16.04/18.04 LTS, RHEL 7, SLES 12 SP5 and
# 15 SP2). Each image is available from its distribution's release date (the vendors' release notes: Ubuntu
# releases wiki, Red Hat's "RHEL release dates" article, SUSE lifecycle, Debian release pages, AlmaLinux,
# CBL-Mariner/Azure Linux announcements); the Azure image appears with it or shortly after (inferred), and
# a Gen2 image cannot predate Azure's Gen2 VMs (November 2019).


class LinuxImage(NamedTuple):
    """One Linux marketplace image: its URN (without version), the distribution it runs, its dates and support."""

    publisher: str
    offer: str
    sku: str
    distro: str  # the Linux package catalog's distribution key (azure/linux.py), e.g. "ubuntu-22.04"
    available: datetime
    patched: bool  # in today's list of images automatic VM guest patching supports [A]
    preview: bool = False  # supported in the 2020-12 Linux preview too (inferred)
    latest_image: str = ""  # the image version "latest" resolves to (the distribution's build scheme)


GEN2_VMS = _utc(2019, 11, 1)  # Azure's generation 2 VMs, generally available (Azure updates, 2019-11)


def _rows(publisher: str, offer: str, skus: str, distro: str, available: datetime, patched: bool,
          preview: bool = False, latest: str = "") -> list[LinuxImage]:
    rows = []
    for sku in skus.split():
        gen2 = any(mark in sku.lower() for mark in ("gen2", "-g2", "cvm", "arm64")) or sku in ("server", "ubuntu-pro")
        since = max(available, GEN2_VMS) if gen2 else available
        rows.append(LinuxImage(publisher, offer, sku, distro, since, patched, preview and not gen2, latest))
    return rows


_RHEL_MINOR = {  # RHEL minor release dates (Red Hat, "Red Hat Enterprise Linux Release Dates")
    "7.2": _utc(2015, 11, 19), "7.3": _utc(2016, 11, 3), "7.4": _utc(2017, 8, 1), "7.5": _utc(2018, 4, 10),
    "7.6": _utc(2018, 10, 30), "7.7": _utc(2019, 8, 6), "7.8": _utc(2020, 3, 31), "7.9": _utc(2020, 9, 29),
    "8.0": _utc(2019, 5, 7), "8.1": _utc(2019, 11, 5), "8.2": _utc(2020, 4, 28), "8.3": _utc(2020, 11, 3),
    "8.4": _utc(2021, 5, 18), "8.5": _utc(2021, 11, 9), "8.6": _utc(2022, 5, 10), "8.7": _utc(2022, 11, 9),
    "8.8": _utc(2023, 5, 16), "8.9": _utc(2023, 11, 14), "8.10": _utc(2024, 5, 22),
    "9.0": _utc(2022, 5, 17), "9.1": _utc(2022, 11, 15), "9.2": _utc(2023, 5, 10), "9.3": _utc(2023, 11, 7),
    "9.4": _utc(2024, 4, 30),
}


def _rhel_rows() -> list[LinuxImage]:
    rows: list[LinuxImage] = []
    for minor, since in _RHEL_MINOR.items():
        major, _, number = minor.partition(".")
        distro = f"rhel-{major}"
        latest = f"{minor}.{since:%Y%m%d}00"
        if major == "7":
            skus = (minor if number != "9" else "7_9") + (f" {major}{number}-gen2" if number >= "4" else "")
        elif minor in ("8.0",):
            skus = "8 8-gen2"
        elif minor in ("8.1", "8.2"):
            skus = f"{minor} {major}{number}gen2"
        else:
            skus = f"{major}_{number} {major}{number}-gen2"
        rows += _rows("RedHat", "RHEL", skus, distro, since, True, preview=major == "7" and minor != "7.9",
                      latest=latest)
    first = {"7": _RHEL_MINOR["7.2"], "8": _RHEL_MINOR["8.0"], "9": _RHEL_MINOR["9.0"]}
    for major, since in first.items():
        latest = f"{major}.0.{since:%Y%m%d}00"
        rows += _rows("RedHat", "RHEL", f"{major}-lvm {major}-lvm-gen2", f"rhel-{major}", since, True, latest=latest)
        rows += _rows("RedHat", "rhel-raw", f"{major}-raw {major}-raw-gen2", f"rhel-{major}", since, True,
                      latest=latest)
    rows += _rows("RedHat", "RHEL", "7-RAW", "rhel-7", _RHEL_MINOR["7.2"], True, latest="7.2.2015111900")
    rows += _rows("RedHat", "rhel-arm64", "8_8-arm64", "rhel-8", _RHEL_MINOR["8.8"], True, latest="8.8.2023051600")
    rows += _rows("RedHat", "rhel-arm64", "9_2-arm64", "rhel-9", _RHEL_MINOR["9.2"], True, latest="9.2.2023051000")
    rows += _rows("RedHat", "RHEL-SAP-HA", "86sapha-gen2 88sapha-gen2", "rhel-8", _RHEL_MINOR["8.6"], True,
                  latest="8.6.2022051000")
    rows += _rows("RedHat", "RHEL-SAP-APPS", "86sapapps-gen2 88sapapps-gen2", "rhel-8", _RHEL_MINOR["8.6"], True,
                  latest="8.6.2022051000")
    return rows


LINUX_IMAGES: tuple[LinuxImage, ...] = tuple(
    # Canonical: Ubuntu LTS releases (Ubuntu releases wiki)
    _rows("Canonical", "UbuntuServer", "16.04-LTS 16_04-lts-gen2", "ubuntu-16.04", _utc(2016, 4, 21), True,
          preview=True, latest="16.04.202009010")
    + _rows("Canonical", "UbuntuServer", "18.04-LTS 18_04-lts-gen2 18_04-lts-arm64", "ubuntu-18.04",
            _utc(2018, 4, 26), True, preview=True, latest="18.04.202009080")
    + _rows("Canonical", "0001-com-ubuntu-server-focal", "20_04-lts 20_04-lts-gen2 20_04-lts-arm64", "ubuntu-20.04",
            _utc(2020, 4, 23), True, latest="20.04.202009080")
    + _rows("Canonical", "0001-com-ubuntu-pro-focal", "pro-20_04-lts pro-20_04-lts-gen2", "ubuntu-20.04",
            _utc(2020, 4, 23), True, latest="20.04.202009080")
    + _rows("Canonical", "0001-com-ubuntu-confidential-vm-focal", "20_04-lts-cvm", "ubuntu-20.04",
            _utc(2020, 4, 23), True, latest="20.04.202009080")
    + _rows("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts 22_04-lts-gen2 22_04-lts-arm64", "ubuntu-22.04",
            _utc(2022, 4, 21), True, latest="22.04.202204200")
    + _rows("Canonical", "0001-com-ubuntu-pro-jammy", "pro-22_04-lts pro-22_04-lts-gen2", "ubuntu-22.04",
            _utc(2022, 4, 21), True, latest="22.04.202204200")
    + _rows("Canonical", "0001-com-ubuntu-confidential-vm-jammy", "22_04-lts-cvm", "ubuntu-22.04",
            _utc(2022, 4, 21), True, latest="22.04.202204200")
    + _rows("Canonical", "ubuntu-24_04-lts", "server server-gen1 server-arm64 cvm ubuntu-pro ubuntu-pro-cvm",
            "ubuntu-24.04", _utc(2024, 4, 25), True, latest="24.04.202404230")
    # Red Hat
    + _rhel_rows()
    # SUSE (SUSE product lifecycle): supported ones, then the ones az's aliases name that are not
    + _rows("SUSE", "sles-12-sp5", "gen1 gen2", "sles-12", _utc(2019, 12, 9), True, preview=True,
            latest="2020.09.01")
    + _rows("SUSE", "sles-15-sp2", "gen1 gen2", "sles-15", _utc(2020, 7, 21), True, preview=True,
            latest="2020.09.01")
    + _rows("SUSE", "sles-sap-15-sp4", "gen1 gen2", "sles-15", _utc(2022, 6, 21), True, latest="2022.06.21")
    + _rows("SUSE", "sles-sap-15-sp5", "gen1 gen2", "sles-15", _utc(2023, 6, 20), True, latest="2023.06.20")
    + _rows("SUSE", "sles-15-sp3", "gen1 gen2", "sles-15", _utc(2021, 6, 22), False, latest="2021.06.22")
    + _rows("SUSE", "sles-15-sp5", "gen1 gen2", "sles-15", _utc(2023, 6, 20), False, latest="2023.06.20")
    + _rows("SUSE", "openSUSE-leap-15-4", "gen1 gen2", "opensuse-leap-15", _utc(2022, 6, 8), False,
            latest="2022.06.08")
    # Microsoft's own distributions (CBL-Mariner 1.0 and 2.0, Azure Linux 3.0 announcements; Azure Linux 4
    # has no published date before azure-cli's alias document named it: inferred)
    # CBL-Mariner 1.0 is on the doc's list but reached its end of life in July 2023 and has no package catalog
    # here: accepted with ImageDefault, refused for AutomaticByPlatform rather than accepted and never patched
    + _rows("MicrosoftCBLMariner", "cbl-mariner", "cbl-mariner-1", "cbl-mariner-1", _utc(2021, 6, 1), False,
            latest="1.20210601.01")
    + _rows("MicrosoftCBLMariner", "cbl-mariner", "cbl-mariner-2 cbl-mariner-2-gen2 cbl-mariner-2-arm64",
            "cbl-mariner-2", _utc(2022, 5, 26), True, latest="2.20220526.01")
    + _rows("MicrosoftCBLMariner", "azure-linux-3", "azure-linux-3 azure-linux-3-gen2 azure-linux-3-arm64",
            "azurelinux-3", _utc(2024, 8, 28), True, latest="3.20240828.01")
    + _rows("microsoftazurelinux", "azurelinux-4", "4 4-gen1 4-arm64", "azurelinux-4", _utc(2026, 1, 1), False,
            latest="4.20260101.01")
    # AlmaLinux: the HPC images are supported, the plain ones are not
    + _rows("almalinux", "almalinux-hpc", "8_5-hpc 8_5-hpc-gen2 8_6-hpc-gen2 8_7-hpc-gen2", "almalinux-8",
            _utc(2021, 11, 12), True, latest="8.5.2021111200")
    + _rows("almalinux", "almalinux-x86_64", "8-gen2", "almalinux-8", _utc(2021, 3, 30), False,
            latest="8.3.2021033000")
    + _rows("almalinux", "almalinux-x86_64", "9-gen2", "almalinux-9", _utc(2022, 5, 26), False,
            latest="9.0.2022052600")
    # Debian (Debian release pages): creatable, not in the supported list
    + _rows("Debian", "debian-11", "11 11-gen2 11-backports 11-backports-gen2", "debian-11", _utc(2021, 8, 14),
            False, latest="0.20210814.0")
    + _rows("Debian", "debian-12", "12 12-gen2 12-arm64", "debian-12", _utc(2023, 6, 10), False,
            latest="0.20230610.0")
    # CentOS 8.5 (end of life) and Flatcar: az aliases, never in the supported list
    + _rows("OpenLogic", "CentOS", "8_5 8_5-gen2", "centos-8", _utc(2021, 11, 16), False, latest="8.5.2021111600")
    + _rows("kinvolk", "flatcar-container-linux-free", "stable stable-gen2", "flatcar", _utc(2020, 3, 1), False,
            latest="2605.12.4")
)
_LINUX_BY_URN = {(i.publisher.lower(), i.offer.lower(), i.sku.lower()): i for i in LINUX_IMAGES}


def linux_image(urn: Urn) -> LinuxImage | None:
    """The Linux marketplace image a URN names (publisher, offer and SKU match case-insensitively)."""
    return _LINUX_BY_URN.get((urn.publisher.lower(), urn.offer.lower(), urn.sku.lower()))


def distro_key(urn: Urn) -> str | None:
    """The Linux package catalog's distribution key of an image, None for an image we do not know."""
    image = linux_image(urn)
    return image.distro if image else None


def supports_linux_patching(urn: Urn, when: datetime | None = None) -> bool:
    """Whether the platform patches this Linux image at ``when``: never before the Linux preview, the preview's
    images until general availability, today's list from then on (with no date: whether it ever does)."""
    from .eras import LINUX_PREVIEW

    image = linux_image(urn)
    if image is None or not image.patched:
        return False
    if when is None:
        return True
    if when < LINUX_PREVIEW:
        return False
    if when < GENERAL_AVAILABILITY:
        return image.preview
    return True


# ---- what the Linux guest agent reports ---------------------------------------------------------------
# A Linux VM's instance view osName/osVersion are what the Azure Linux agent (WALinuxAgent) reports in its
# status blob's guestOSInfo (protocol/wire.py ga_status_to_guest_info: VMAgentStatus.osname/osversion are
# version.py's DISTRO_NAME/DISTRO_VERSION, from get_distro()): no agent, nothing reported. get_distro()
# lower-cases the first field of the Python library's answer, which depends on the image's Python:
# - up to Python 3.7 platform.linux_distribution(full_distribution_name=0): the name of the first supported
#   /etc/<name>-release file ("redhat" on RHEL 7/8 and AlmaLinux 8, "centos", "suse" on SLES 12 with its
#   SuSE-release) or, on Ubuntu (Debian's Python reads /etc/lsb-release first), "ubuntu"; the version is
#   the release file's number ("8.10", "12", "8.5.2111");
# - from Python 3.8 (and where the release file is missing, SLES 15) the distro module: os-release's ID and
#   VERSION_ID ("ubuntu" "22.04", "debian" "12", "rhel" "9.4", "sles" "15.5", "almalinux" "9.4",
#   "opensuse-leap" "15.4", "azurelinux" "3.0", "flatcar" "<build>"); version.py names a CBL-Mariner image
#   "mariner" (/etc/mariner-release).
# WALinuxAgent's own telemetry shows "redhat-8.2", "sles-15.2" and "suse-12" (WALinuxAgent PR #2462), and
# azure-cli issue #9284 an Ubuntu VM's "ubuntu" / "18.10". Inferred: AlmaLinux 8 (RHEL 8's Python and release
# files: "redhat"), Azure Linux 4 ("azurelinux" "4.0").
_AGENT_OS_NAMES = {
    "ubuntu": "ubuntu", "debian": "debian", "rhel-7": "redhat", "rhel-8": "redhat", "rhel-9": "rhel",
    "almalinux-8": "redhat", "almalinux-9": "almalinux", "sles-12": "suse", "sles-15": "sles",
    "opensuse-leap": "opensuse-leap", "centos": "centos", "cbl-mariner": "mariner", "azurelinux": "azurelinux",
    "flatcar": "flatcar",
}


def _agent_os_name(distro: str) -> str | None:
    for prefix, name in _AGENT_OS_NAMES.items():
        if distro == prefix or distro.startswith(prefix + "-") or distro.startswith(prefix + "."):
            return name
    return None


def _agent_os_version(image: LinuxImage) -> str:
    distro, offer = image.distro, image.offer.lower()
    if distro.startswith(("ubuntu-", "debian-")):
        return distro.split("-", 1)[1]
    if distro.startswith(("sles-", "opensuse-leap")):
        major, _, service_pack = offer.rpartition("-sp")
        if distro == "sles-12":
            return "12"  # SuSE-release's first line names the major release only
        if distro.startswith("opensuse-leap"):
            return offer.rsplit("-", 2)[-2] + "." + offer.rsplit("-", 1)[-1]  # openSUSE-leap-15-4: 15.4
        return f"{major.rsplit('-', 1)[-1]}.{service_pack}"  # sles-15-sp5, sles-sap-15-sp4: 15.5, 15.4
    if distro.startswith(("cbl-mariner-", "azurelinux-")):
        return distro.rsplit("-", 1)[1] + ".0"
    if distro == "centos-8":
        return "8.5.2111"  # /etc/centos-release: "CentOS Linux release 8.5.2111"
    if distro == "flatcar":
        return image.latest_image
    # RHEL and AlmaLinux: the minor release the image carries (its version's first two numbers)
    return ".".join(image.latest_image.split(".")[:2])


def linux_os(urn: Urn) -> tuple[str, str] | None:
    """The instance view's (osName, osVersion) the Linux agent reports for a marketplace image; None for an
    image we do not know (a custom image reports whatever its distribution is)."""
    image = linux_image(urn)
    if image is None:
        return None
    name = _agent_os_name(image.distro)
    return (name, _agent_os_version(image)) if name else None
