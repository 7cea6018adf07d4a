"""Marketplace images: az's URN aliases and the SKUs automatic VM guest patching supports."""

from __future__ import annotations

from typing import NamedTuple


class Urn(NamedTuple):
    publisher: str
    offer: str
    sku: str
    version: str

    def __str__(self) -> str:
        return ":".join(self)


WINDOWS_SERVER = ("MicrosoftWindowsServer", "WindowsServer")

# az vm create's aliases (azure-cli vm/aliases.json, 2.91), Windows and the common Linux ones.
ALIASES: dict[str, Urn] = {
    "Win2022Datacenter": Urn(*WINDOWS_SERVER, "2022-datacenter-g2", "latest"),
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

# The platform images automatic VM guest patching supports in the preview the guide documents.
AUTO_PATCH_SKUS: frozenset[str] = frozenset(
    s.lower()
    for s in (
        "2012-R2-Datacenter",
        "2016-Datacenter",
        "2016-Datacenter-Server-Core",
        "2019-Datacenter",
        "2019-Datacenter-Server-Core",
    )
)

# Operating system facts shown in the instance view, by Windows Server SKU prefix.
WINDOWS_OS: dict[str, tuple[str, str]] = {
    "2012-r2": ("Windows Server 2012 R2 Datacenter", "Microsoft Windows NT 6.3.9600.0"),
    "2012": ("Windows Server 2012 Datacenter", "Microsoft Windows NT 6.2.9200.0"),
    "2016": ("Windows Server 2016 Datacenter", "Microsoft Windows NT 10.0.14393.0"),
    "2019": ("Windows Server 2019 Datacenter", "Microsoft Windows NT 10.0.17763.0"),
    "2022": ("Windows Server 2022 Datacenter", "Microsoft Windows NT 10.0.20348.0"),
}


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


def supports_auto_patch(urn: Urn) -> bool:
    return is_windows(urn) and urn.sku.lower() in AUTO_PATCH_SKUS


def windows_os(sku: str) -> tuple[str, str]:
    sku = sku.lower()
    for prefix in sorted(WINDOWS_OS, key=len, reverse=True):
        if sku.startswith(prefix):
            return WINDOWS_OS[prefix]
    return ("Windows Server", "Microsoft Windows NT 10.0.17763.0")
