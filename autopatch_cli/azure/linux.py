"""Linux facts: the distributions automatic VM guest patching covers, their packages and their update cadence.

Sources (listed in README.md, "The Linux catalog and engine"):
- [A] MicrosoftDocs/azure-compute-docs articles/virtual-machines/automatic-vm-guest-patching.md @0ba239a8
  (ms.date 2024-07-31): the supported Linux images (Canonical UbuntuServer 16.04/18.04, focal, jammy,
  ubuntu-24_04-lts; RedHat RHEL 7.x, 8.x, 9.x; SUSE sles-12-sp5, sles-15-sp2, sles-sap-15; Debian;
  MicrosoftCblMariner azure-linux-3, cbl-mariner-2; AlmaLinux 8), "only Critical and Security patches are
  installed" by the platform, the patch extension ``Microsoft.CPlat.Core.LinuxPatchExtension``, Ubuntu's
  automatic updates turned off by the platform under AutomaticByPlatform.
- [LPE] Azure/LinuxPatchExtension (the open-source Linux patch extension): package masks are fnmatch
  patterns on the package name, optionally ``name=version`` for inclusions (PackageFilter.py); patch ids
  are ``<package>_<version>_<distro>_<release>``; classifications Critical, Security, Other.
- Each distribution's release date: Ubuntu's release notes (wiki.ubuntu.com/Releases), Red Hat's
  (access.redhat.com/articles/3078), SUSE's lifecycle pages, Debian's release announcements, Microsoft's
  Azure Linux / CBL-Mariner release notes, AlmaLinux's release notes.

The cadence (inferred from the distributions' security trackers, which publish advisories on working
days all through the month, not on a fixed day): every distribution has a few release days each month
(Ubuntu Security Notices, Debian DSA/DLA, RHSA errata, SUSE-SU, Azure Linux CVE fixes), each with one to
three package updates; the kernel gets about one security update a month. The engine draws them from the
store's seed (engine/catalog.py): this module holds only the data.

Pure data: no clock, no I/O.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

# The patch extension the platform installs on a Linux VM [A] (Windows: azure/catalog.py).
LINUX_PATCH_EXTENSION_TYPE = "Microsoft.CPlat.Core.LinuxPatchExtension"
LINUX_PATCH_EXTENSION_NAME = "LinuxPatchExtension"
LINUX_PATCH_EXTENSION_VERSION = "1.6.53"
LINUX_VM_AGENT_VERSION = "2.11.1.12"  # waagent; the doc asks for 2.2.53.1 or later [A]

# installPatches' VMGuestPatchClassification_Linux, in the spec's order.
LINUX_CLASSIFICATIONS = ("Critical", "Security", "Other")
PLATFORM_CLASSIFICATIONS = ("Critical", "Security")  # what AutomaticByPlatform installs [A]


class Distro(NamedTuple):
    """One Linux distribution release the catalog and the engine know."""

    key: str  # the catalog's key (`catalog list --os ubuntu-22.04`), also the engine's OS family
    name: str  # how the distribution names itself (instance view osName)
    version: str  # instance view osVersion
    family: str  # ubuntu, debian, rhel, almalinux, sles, azurelinux, cbl-mariner
    package_manager: str  # apt, yum, dnf, zypper, tdnf
    released: datetime  # general availability of the release (its first security update follows)
    kernel: str  # the kernel package the cloud image carries
    kernel_base: str  # the kernel's upstream version in that release
    # Whether the image updates itself with security fixes when the platform does not (ImageDefault): Ubuntu
    # and Debian cloud images ship unattended-upgrades on; RHEL, SUSE, Azure Linux, AlmaLinux do not.
    unattended_security: bool
    # Whether the package metadata carries a severity that tells Critical from Security (RHSA/SUSE-SU/Azure
    # Linux advisories do; apt's archives do not, so an apt distribution classifies Security and Other only).
    severities: bool


def _utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


DISTROS: tuple[Distro, ...] = (
    Distro("ubuntu-16.04", "Ubuntu", "16.04", "ubuntu", "apt", _utc(2016, 4, 21), "linux-image-azure", "4.15.0", True, False),
    Distro("ubuntu-18.04", "Ubuntu", "18.04", "ubuntu", "apt", _utc(2018, 4, 26), "linux-image-azure", "5.4.0", True, False),
    Distro("ubuntu-20.04", "Ubuntu", "20.04", "ubuntu", "apt", _utc(2020, 4, 23), "linux-image-azure", "5.15.0", True, False),
    Distro("ubuntu-22.04", "Ubuntu", "22.04", "ubuntu", "apt", _utc(2022, 4, 21), "linux-image-azure", "6.8.0", True, False),
    Distro("ubuntu-24.04", "Ubuntu", "24.04", "ubuntu", "apt", _utc(2024, 4, 25), "linux-image-azure", "6.8.0", True, False),
    Distro("debian-11", "Debian", "11", "debian", "apt", _utc(2021, 8, 14), "linux-image-cloud-amd64", "5.10.0", True, False),
    Distro("debian-12", "Debian", "12", "debian", "apt", _utc(2023, 6, 10), "linux-image-cloud-amd64", "6.1.0", True, False),
    Distro("rhel-7", "Red Hat Enterprise Linux Server", "7.9", "rhel", "yum", _utc(2014, 6, 10), "kernel", "3.10.0", False, True),
    Distro("rhel-8", "Red Hat Enterprise Linux", "8.10", "rhel", "dnf", _utc(2019, 5, 7), "kernel", "4.18.0", False, True),
    Distro("rhel-9", "Red Hat Enterprise Linux", "9.4", "rhel", "dnf", _utc(2022, 5, 18), "kernel", "5.14.0", False, True),
    Distro("almalinux-8", "AlmaLinux", "8.10", "almalinux", "dnf", _utc(2021, 3, 30), "kernel", "4.18.0", False, True),
    Distro("almalinux-9", "AlmaLinux", "9.4", "almalinux", "dnf", _utc(2022, 5, 26), "kernel", "5.14.0", False, True),
    Distro("sles-12", "SUSE Linux Enterprise Server", "12.5", "sles", "zypper", _utc(2014, 10, 27), "kernel-azure", "4.12.14", False, True),
    Distro("sles-15", "SUSE Linux Enterprise Server", "15.5", "sles", "zypper", _utc(2018, 7, 16), "kernel-azure", "5.14.21", False, True),
    Distro("cbl-mariner-2", "Common Base Linux Mariner", "2.0", "cbl-mariner", "tdnf", _utc(2022, 5, 31), "kernel", "5.15.0", False, True),
    Distro("azurelinux-3", "Microsoft Azure Linux", "3.0", "azurelinux", "tdnf", _utc(2024, 8, 27), "kernel", "6.6.0", False, True),
)
DISTRO_KEYS: tuple[str, ...] = tuple(d.key for d in DISTROS)
DISTROS_BY_KEY = {d.key: d for d in DISTROS}


class Package(NamedTuple):
    """A package of a distribution's security and bug-fix stream."""

    name: str
    upstream: str  # the upstream version the release ships (the distribution's revision follows it)
    reboot: bool  # installing it needs a restart (the kernel, the C library, the init system, microcode)
    weight: int  # how often it gets an update, relative to the others
    security: bool = True  # False: only bug-fix (Other) updates


# Per family: the packages of a cloud image that get updates, most of them security fixes. The kernel is
# drawn on its own cadence (Distro.kernel); the upstream versions are those of the newest release of the
# family, adjusted per release in _RELEASE_VERSIONS.
_APT = (
    Package("openssl", "3.0.2", False, 3), Package("libssl3", "3.0.2", False, 3),
    Package("curl", "7.81.0", False, 2), Package("libcurl4", "7.81.0", False, 2),
    Package("sudo", "1.9.9", False, 1), Package("openssh-server", "8.9p1", False, 2),
    Package("openssh-client", "8.9p1", False, 2), Package("python3.10", "3.10.12", False, 2),
    Package("libc6", "2.35", True, 2), Package("libc-bin", "2.35", True, 1),
    Package("systemd", "249.11", True, 1), Package("libsystemd0", "249.11", True, 1),
    Package("git", "2.34.1", False, 1), Package("vim", "8.2.3995", False, 2),
    Package("libxml2", "2.9.13", False, 2), Package("libgnutls30", "3.7.3", False, 1),
    Package("bind9-libs", "9.18.28", False, 1), Package("libexpat1", "2.4.7", False, 1),
    Package("libsqlite3-0", "3.37.2", False, 1), Package("libpam0g", "1.4.0", False, 1),
    Package("zlib1g", "1.2.11.dfsg", False, 1), Package("tar", "1.34", False, 1),
    Package("wget", "1.21.2", False, 1), Package("rsync", "3.2.7", False, 1),
    Package("less", "590", False, 1), Package("libglib2.0-0", "2.72.4", False, 1),
    Package("intel-microcode", "3.20240514.0", True, 1),
    Package("tzdata", "2024a", False, 2, security=False), Package("cloud-init", "24.1.3", False, 2, security=False),
    Package("walinuxagent", "2.2.46", False, 1, security=False), Package("ca-certificates", "20230311", False, 1, security=False),
    Package("apt", "2.4.12", False, 1, security=False),
)
_RPM = (
    Package("openssl", "3.0.7", False, 3), Package("openssl-libs", "3.0.7", False, 3),
    Package("curl", "7.76.1", False, 2), Package("libcurl", "7.76.1", False, 2),
    Package("sudo", "1.9.5p2", False, 1), Package("openssh-server", "8.7p1", False, 2),
    Package("openssh-clients", "8.7p1", False, 2), Package("python3", "3.9.18", False, 2),
    Package("python3-libs", "3.9.18", False, 2), Package("glibc", "2.34", True, 2),
    Package("glibc-common", "2.34", True, 1), Package("systemd", "252", True, 1),
    Package("systemd-libs", "252", True, 1), Package("git", "2.43.5", False, 1),
    Package("vim-minimal", "8.2.2637", False, 2), Package("libxml2", "2.9.13", False, 2),
    Package("gnutls", "3.8.3", False, 1), Package("bind-libs", "9.16.23", False, 1),
    Package("expat", "2.5.0", False, 1), Package("sqlite-libs", "3.34.1", False, 1),
    Package("pam", "1.5.1", False, 1), Package("zlib", "1.2.11", False, 1),
    Package("tar", "1.34", False, 1), Package("wget", "1.21.1", False, 1),
    Package("rsync", "3.2.3", False, 1), Package("glib2", "2.68.4", False, 1),
    Package("microcode_ctl", "20240531", True, 1), Package("linux-firmware", "20240716", True, 1),
    Package("tzdata", "2024a", False, 2, security=False), Package("cloud-init", "23.4", False, 2, security=False),
    Package("WALinuxAgent", "2.7.0.6", False, 1, security=False), Package("ca-certificates", "2024.2.69_v8.0.303", False, 1, security=False),
    Package("dnf", "4.14.0", False, 1, security=False),
)
_ZYPPER = (
    Package("openssl-3", "3.0.8", False, 3), Package("libopenssl3", "3.0.8", False, 3),
    Package("curl", "8.0.1", False, 2), Package("libcurl4", "8.0.1", False, 2),
    Package("sudo", "1.9.12p1", False, 1), Package("openssh-server", "9.6p1", False, 2),
    Package("openssh-clients", "9.6p1", False, 2), Package("python311", "3.11.9", False, 2),
    Package("glibc", "2.31", True, 2), Package("glibc-locale-base", "2.31", True, 1),
    Package("systemd", "254.10", True, 1), Package("libsystemd0", "254.10", True, 1),
    Package("git-core", "2.43.0", False, 1), Package("vim", "9.1.0330", False, 2),
    Package("libxml2-2", "2.10.3", False, 2), Package("libgnutls30", "3.7.3", False, 1),
    Package("bind-utils", "9.16.50", False, 1), Package("libexpat1", "2.4.4", False, 1),
    Package("libsqlite3-0", "3.44.0", False, 1), Package("pam", "1.3.0", False, 1),
    Package("libz1", "1.2.13", False, 1), Package("tar", "1.34", False, 1),
    Package("wget", "1.20.3", False, 1), Package("rsync", "3.2.3", False, 1),
    Package("glib2-tools", "2.70.5", False, 1), Package("ucode-intel", "20240514", True, 1),
    Package("timezone", "2024a", False, 2, security=False), Package("cloud-init", "23.3", False, 2, security=False),
    Package("python-azure-agent", "2.9.1.1", False, 1, security=False),
    Package("ca-certificates-mozilla", "2.68", False, 1, security=False), Package("zypper", "1.14.73", False, 1, security=False),
)
_TDNF = (
    Package("openssl", "3.3.0", False, 3), Package("openssl-libs", "3.3.0", False, 3),
    Package("curl", "8.8.0", False, 2), Package("curl-libs", "8.8.0", False, 2),
    Package("sudo", "1.9.15p5", False, 1), Package("openssh-server", "9.8p1", False, 2),
    Package("openssh-clients", "9.8p1", False, 2), Package("python3", "3.12.3", False, 2),
    Package("glibc", "2.38", True, 2), Package("systemd", "255", True, 1),
    Package("git", "2.45.2", False, 1), Package("vim", "9.1.0791", False, 2),
    Package("libxml2", "2.11.5", False, 2), Package("gnutls", "3.8.3", False, 1),
    Package("expat", "2.6.3", False, 1), Package("sqlite-libs", "3.44.0", False, 1),
    Package("pam", "1.5.3", False, 1), Package("zlib", "1.3.1", False, 1),
    Package("tar", "1.35", False, 1), Package("wget", "2.1.0", False, 1),
    Package("rsync", "3.3.0", False, 1), Package("glib", "2.78.1", False, 1),
    Package("microcode_ctl", "20240531", True, 1),
    Package("tzdata", "2024a", False, 2, security=False), Package("cloud-init", "24.2", False, 2, security=False),
    Package("WALinuxAgent", "2.9.1.1", False, 1, security=False), Package("ca-certificates", "3.0.0", False, 1, security=False),
    Package("tdnf", "3.5.8", False, 1, security=False),
)
PACKAGES_BY_MANAGER = {"apt": _APT, "yum": _RPM, "dnf": _RPM, "zypper": _ZYPPER, "tdnf": _TDNF}

# Package names and upstream versions that differ in one release from its family's newest.
_RELEASE_VERSIONS: dict[str, dict[str, tuple[str, str]]] = {
    "ubuntu-16.04": {"libssl3": ("libssl1.0.0", "1.0.2g"), "openssl": ("openssl", "1.0.2g"),
                     "python3.10": ("python3.5", "3.5.2"), "libc6": ("libc6", "2.23"), "libc-bin": ("libc-bin", "2.23"),
                     "systemd": ("systemd", "229"), "libsystemd0": ("libsystemd0", "229")},
    "ubuntu-18.04": {"libssl3": ("libssl1.1", "1.1.1"), "openssl": ("openssl", "1.1.1"),
                     "python3.10": ("python3.6", "3.6.9"), "libc6": ("libc6", "2.27"), "libc-bin": ("libc-bin", "2.27"),
                     "systemd": ("systemd", "237"), "libsystemd0": ("libsystemd0", "237")},
    "ubuntu-20.04": {"libssl3": ("libssl1.1", "1.1.1f"), "openssl": ("openssl", "1.1.1f"),
                     "python3.10": ("python3.8", "3.8.10"), "libc6": ("libc6", "2.31"), "libc-bin": ("libc-bin", "2.31"),
                     "systemd": ("systemd", "245.4"), "libsystemd0": ("libsystemd0", "245.4")},
    "ubuntu-24.04": {"libssl3": ("libssl3t64", "3.0.13"), "openssl": ("openssl", "3.0.13"),
                     "python3.10": ("python3.12", "3.12.3"), "libc6": ("libc6", "2.39"), "libc-bin": ("libc-bin", "2.39"),
                     "systemd": ("systemd", "255.4"), "libsystemd0": ("libsystemd0", "255.4")},
    "debian-11": {"libssl3": ("libssl1.1", "1.1.1w"), "openssl": ("openssl", "1.1.1w"),
                  "python3.10": ("python3.9", "3.9.2"), "libc6": ("libc6", "2.31"), "libc-bin": ("libc-bin", "2.31"),
                  "systemd": ("systemd", "247.3"), "libsystemd0": ("libsystemd0", "247.3")},
    "debian-12": {"openssl": ("openssl", "3.0.15"), "libssl3": ("libssl3", "3.0.15"),
                  "python3.10": ("python3.11", "3.11.2"), "libc6": ("libc6", "2.36"), "libc-bin": ("libc-bin", "2.36"),
                  "systemd": ("systemd", "252.30"), "libsystemd0": ("libsystemd0", "252.30")},
    "rhel-7": {"openssl": ("openssl", "1.0.2k"), "openssl-libs": ("openssl-libs", "1.0.2k"),
               "python3": ("python", "2.7.5"), "python3-libs": ("python-libs", "2.7.5"), "glibc": ("glibc", "2.17"),
               "glibc-common": ("glibc-common", "2.17"), "systemd": ("systemd", "219"), "systemd-libs": ("systemd-libs", "219"),
               "dnf": ("yum", "3.4.3")},
    "rhel-8": {"openssl": ("openssl", "1.1.1k"), "openssl-libs": ("openssl-libs", "1.1.1k"),
               "python3": ("python3", "3.6.8"), "python3-libs": ("python3-libs", "3.6.8"), "glibc": ("glibc", "2.28"),
               "glibc-common": ("glibc-common", "2.28"), "systemd": ("systemd", "239"), "systemd-libs": ("systemd-libs", "239")},
    "almalinux-8": {"openssl": ("openssl", "1.1.1k"), "openssl-libs": ("openssl-libs", "1.1.1k"),
                    "python3": ("python3", "3.6.8"), "python3-libs": ("python3-libs", "3.6.8"), "glibc": ("glibc", "2.28"),
                    "glibc-common": ("glibc-common", "2.28"), "systemd": ("systemd", "239"),
                    "systemd-libs": ("systemd-libs", "239")},
    "sles-12": {"openssl-3": ("openssl-1_0_0", "1.0.2p"), "libopenssl3": ("libopenssl1_0_0", "1.0.2p"),
                "python311": ("python3", "3.4.10"), "glibc": ("glibc", "2.22"), "glibc-locale-base": ("glibc-locale", "2.22"),
                "systemd": ("systemd", "228"), "libsystemd0": ("libsystemd0", "228")},
    "cbl-mariner-2": {"openssl": ("openssl", "1.1.1k"), "openssl-libs": ("openssl-libs", "1.1.1k"),
                      "python3": ("python3", "3.9.19"), "glibc": ("glibc", "2.35"), "systemd": ("systemd", "250.3")},
}


def packages(distro: Distro) -> tuple[Package, ...]:
    """The packages of one release that get updates (the kernel apart), with the release's own names."""
    renamed = _RELEASE_VERSIONS.get(distro.key, {})
    out = []
    for package in PACKAGES_BY_MANAGER[distro.package_manager]:
        if package.name in renamed:
            name, upstream = renamed[package.name]
            package = package._replace(name=name, upstream=upstream)
        out.append(package)
    return tuple(out)


def version_string(distro: Distro, upstream: str, revision: int, update: int = 0) -> str:
    """A package version in the release's own format, growing with ``revision`` (the months since the
    release) and ``update`` (the package's earlier updates that month).

    dpkg: Ubuntu ``3.0.2-0ubuntu1.27``, Debian ``3.0.15-1~deb12u13``; rpm: RHEL and AlmaLinux
    ``1.1.1k-62.el8_10``, SUSE ``3.0.8-150500.5.23.1``, CBL-Mariner ``1.1.1k-26.cm2``, Azure Linux ``3.3.0-4.azl3``.
    """
    major, _, point = distro.version.partition(".")
    if distro.family == "ubuntu":
        return f"{upstream}-0ubuntu1.{revision}" + (f".{update}" if update else "")
    if distro.family == "debian":
        return f"{upstream}-1~deb{major}u{revision}" + (f"+{update}" if update else "")
    if distro.family in ("rhel", "almalinux"):
        return f"{upstream}-{revision}" + (f".{update}" if update else "") + f".el{major}_{point}"
    if distro.family == "sles":
        if major == "15":
            return f"{upstream}-{major}0{point}00.5.{revision}.{update + 1}"
        return f"{upstream}-27.{revision}.{update + 1}"
    suffix = "cm2" if distro.family == "cbl-mariner" else "azl3"
    return f"{upstream}-{revision}" + (f".{update}" if update else "") + f".{suffix}"


def kernel_version(distro: Distro, revision: int) -> str:
    """The kernel package's version after ``revision`` updates (the ABI number grows with each)."""
    base = distro.kernel_base
    if distro.family == "ubuntu":
        abi = 1000 + revision
        return f"{base}.{abi}.{abi - 940}"
    if distro.family == "debian":
        return f"{base[:-2]}.{100 + revision}-1"
    if distro.family in ("rhel", "almalinux"):
        first = {"7": 1160, "8": 477, "9": 362}[distro.version.split(".")[0]]
        point = distro.version.split(".")[1]
        return f"{base}-{first + revision}.el{distro.version.split('.')[0]}_{point}"
    if distro.family == "sles":
        return f"{base}-150500.33.{revision}.1" if distro.version.startswith("15") else f"{base}-16.{revision}.1"
    if distro.family == "cbl-mariner":
        return f"5.15.{100 + revision}.1-1.cm2"
    return f"6.6.{40 + revision}.1-1.azl3"


def _order(char: str) -> int:
    """dpkg's order of a non-digit character: '~' before everything (even the end), then the end, letters,
    and the other characters after letters."""
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _compare_part(a: str, b: str) -> int:
    """dpkg's ``verrevcmp``: alternating non-digit runs (by ``_order``) and digit runs (numerically)."""
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            bc = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ac != bc:
                return -1 if ac < bc else 1
            i, j = i + 1, j + 1
        start_a, start_b = i, j
        while i < len(a) and a[i].isdigit():
            i += 1
        while j < len(b) and b[j].isdigit():
            j += 1
        na, nb = int(a[start_a:i] or 0), int(b[start_b:j] or 0)
        if na != nb:
            return -1 if na < nb else 1
    return 0


def _rpmvercmp(a: str, b: str) -> int:
    """rpm's ``rpmvercmp``: alphanumeric segments, numbers numerically (and newer than letters), '~' before
    everything, '^' after the end but before anything else, other characters only separate."""
    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and not a[i].isalnum() and a[i] not in "~^":
            i += 1
        while j < len(b) and not b[j].isalnum() and b[j] not in "~^":
            j += 1
        ta, tb = a[i] if i < len(a) else "", b[j] if j < len(b) else ""
        if ta == "~" or tb == "~":
            if ta != "~":
                return 1
            if tb != "~":
                return -1
            i, j = i + 1, j + 1
            continue
        if ta == "^" or tb == "^":
            if not ta:
                return -1
            if not tb:
                return 1
            if ta != "^":
                return 1
            if tb != "^":
                return -1
            i, j = i + 1, j + 1
            continue
        if not ta or not tb:
            break
        numeric = ta.isdigit()
        kind = str.isdigit if numeric else str.isalpha
        start_a, start_b = i, j
        while i < len(a) and kind(a[i]):
            i += 1
        while j < len(b) and kind(b[j]):
            j += 1
        seg_a, seg_b = a[start_a:i], b[start_b:j]
        if not seg_b:
            return 1 if numeric else -1
        if numeric:
            seg_a, seg_b = seg_a.lstrip("0"), seg_b.lstrip("0")
            if len(seg_a) != len(seg_b):
                return 1 if len(seg_a) > len(seg_b) else -1
        if seg_a != seg_b:
            return 1 if seg_a > seg_b else -1
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


def compare_versions(a: str, b: str, rpm: bool = False) -> int:
    """-1, 0 or 1 as package version ``a`` is older than, the same as or newer than ``b``:
    ``[epoch:]version[-release]`` by dpkg's rules ('~' sorting before the end), or rpm's (``rpm=True``, for
    yum, dnf, zypper and tdnf: numbers newer than letters, ``1.1.azl3`` newer than ``1.azl3``)."""
    def split(version: str) -> tuple[int, str, str]:
        epoch, sep, rest = version.partition(":")
        if not sep or not epoch.isdigit():
            epoch, rest = "0", version
        upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
        return int(epoch), upstream, revision

    ea, ua, ra = split(a)
    eb, ub, rb = split(b)
    if ea != eb:
        return -1 if ea < eb else 1
    part = _rpmvercmp if rpm else _compare_part
    return part(ua, ub) or part(ra, rb)


def is_rpm(distro: Distro) -> bool:
    return distro.package_manager in ("yum", "dnf", "zypper", "tdnf")


def newer_each_time(updates: list[tuple[str, str]], distro: Distro) -> list[bool]:
    """For (package, version) updates in publication order: whether each is newer than every earlier version
    of its package. A distribution never publishes an older version as an update, so after an out-of-band
    version the drawn ones not newer than it are not published."""
    rpm = is_rpm(distro)
    newest: dict[str, str] = {}
    keep = []
    for name, version in updates:
        top = newest.get(name)
        if top is not None and compare_versions(version, top, rpm) <= 0:
            keep.append(False)
            continue
        newest[name] = version
        keep.append(True)
    return keep


def patch_id(distro: Distro, name: str, version: str) -> str:
    """The patch id the Linux patch extension reports: ``<package>_<version>_<distro>_<release>`` [LPE]."""
    return f"{name}_{version}_{distro.name.replace(' ', '_')}_{distro.version}"


# ---- images ------------------------------------------------------------------------------------------


def distro_of(publisher: str, offer: str, sku: str) -> str | None:
    """The distribution release a marketplace image runs (its catalog key), or None for an image the
    catalog does not model (a custom image, CentOS, a distribution not listed above)."""
    publisher, offer, sku = publisher.lower(), offer.lower(), sku.lower()
    both = f"{offer} {sku}"
    if publisher == "canonical":
        for version, marks in (("16.04", ("16.04", "16_04", "xenial")), ("18.04", ("18.04", "18_04", "bionic")),
                               ("20.04", ("20.04", "20_04", "focal")), ("22.04", ("22.04", "22_04", "jammy")),
                               ("24.04", ("24.04", "24_04", "noble"))):
            if any(mark in both for mark in marks):
                return f"ubuntu-{version}"
        return None
    if publisher == "debian":
        for major in ("11", "12"):
            if offer.startswith(f"debian-{major}") or sku.startswith(major):
                return f"debian-{major}"
        return None
    if publisher == "redhat" and offer.startswith("rhel"):
        return _major_of(sku, "rhel", ("7", "8", "9"))
    if publisher == "almalinux":
        return _major_of(sku, "almalinux", ("8", "9"))
    if publisher == "suse":
        for major in ("12", "15"):
            if f"sles-{major}" in offer or f"sles-sap-{major}" in offer or sku.startswith(f"{major}-"):
                return f"sles-{major}"
        return None
    if publisher == "microsoftcblmariner":
        if "azure-linux-3" in both:
            return "azurelinux-3"
        if "cbl-mariner-2" in both:
            return "cbl-mariner-2"
    return None


def _major_of(sku: str, family: str, majors: tuple[str, ...]) -> str | None:
    digits = sku.removeprefix("rhel-").removeprefix("almalinux-").removeprefix("raw").lstrip("-_")
    for major in majors:
        if digits.startswith(major):
            return f"{family}-{major}"
    return None


def distro(key: str | None) -> Distro | None:
    return DISTROS_BY_KEY.get(key) if key else None


def is_linux_family(family: str | None) -> bool:
    """Whether an engine OS family is a Linux distribution (Windows families are SKU prefixes)."""
    return family in DISTROS_BY_KEY


def catalog_distros(when: datetime | None = None) -> list[str]:
    """The distribution releases out by ``when`` (all of them with no date)."""
    return [d.key for d in DISTROS if when is None or d.released <= when]


# The Linux images automatic VM guest patching supports, by distribution: the offers of the doc's list [A]
# (exact SKUs vary with generation and architecture: -gen2, -arm64, lvm, raw, pro, cvm variants are all listed).
# Debian and AlmaLinux 9 are not on it: such VMs keep their distribution's own updates.
_SUPPORTED_OFFERS: dict[str, tuple[str, ...]] = {
    "ubuntu-16.04": ("ubuntuserver",),
    "ubuntu-18.04": ("ubuntuserver",),
    "ubuntu-20.04": ("0001-com-ubuntu-server-focal", "0001-com-ubuntu-pro-focal", "0001-com-ubuntu-confidential-vm-focal"),
    "ubuntu-22.04": ("0001-com-ubuntu-server-jammy", "0001-com-ubuntu-pro-jammy", "0001-com-ubuntu-confidential-vm-jammy"),
    "ubuntu-24.04": ("ubuntu-24_04-lts",),
    "rhel-7": ("rhel", "rhel-raw", "rhel-sap-ha", "rhel-sap-apps", "rhel-arm64"),
    "rhel-8": ("rhel", "rhel-raw", "rhel-sap-ha", "rhel-sap-apps", "rhel-arm64"),
    "rhel-9": ("rhel", "rhel-raw", "rhel-sap-ha", "rhel-sap-apps", "rhel-arm64"),
    "sles-12": ("sles-12-sp5",),
    "sles-15": ("sles-15-sp2", "sles-sap-15-sp4", "sles-sap-15-sp5"),
    "cbl-mariner-2": ("cbl-mariner",),
    "azurelinux-3": ("azure-linux-3",),
    "almalinux-8": ("almalinux-hpc",),
}


def supports_auto_patch(publisher: str, offer: str, sku: str) -> bool:
    """Whether automatic VM guest patching supports a Linux marketplace image [A]."""
    key = distro_of(publisher, offer, sku)
    return key is not None and offer.lower() in _SUPPORTED_OFFERS.get(key, ())
