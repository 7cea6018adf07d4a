"""Linux out-of-band releases: `autopatch catalog publish --package P --version V --os DISTRO` publishes a package
update of one distribution now (an urgent advisory between its usual release days). Its VMs assess it at once, the
platform rolls it out to the AutomaticByPlatform ones as a release of its own (Critical and Security only, a reboot
only when the package needs one), ImageDefault Ubuntu takes it through its own unattended upgrades, a bad package
halts its rollout, and bad input is refused with the store unchanged."""

from __future__ import annotations

import hashlib
import os

import pytest

RSA_KEY = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCkmSJWQfLa1V4cpIKdq+uvmUY+L56o+CIvi1FV+ACYMZ4VEjHXgHjbft05uiH0d5x"
           "O1gQgnUGnw1woZFOEsyhrSKwS2cTdSFwrDaNnh85O7JeM0dwe3SskR/LC7OtNhKccO6ykekQlbCyKGK4Ii5NLXN2Mu8x31xN3ouMJL6GRZw==")
RHEL8 = "RedHat:RHEL:8-lvm-gen2:latest"
OPENSSL = "3.0.2-0ubuntu1.99"


def _vm(cli, name: str, image: str, mode: str = "AutomaticByPlatform") -> None:
    made = cli("vm", "create", "-g", "rg", "-n", name, "--image", image, "--admin-username", "azureuser",
               "--ssh-key-values", RSA_KEY, "--patch-mode", mode)
    assert made.exit_code == 0, made.stderr


@pytest.fixture
def fleet(cli):
    """Two AutomaticByPlatform Ubuntu 22.04 VMs, one RHEL 8, one ImageDefault Ubuntu, one Windows; enabled."""
    assert cli("clock", "set", "2024-06-03T00:00:00Z").exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    for name in ("u1", "u2"):
        _vm(cli, name, "Ubuntu2204")
    _vm(cli, "r1", RHEL8)
    _vm(cli, "d1", "Ubuntu2204", "ImageDefault")
    assert cli("tick", "--days", "2").exit_code == 0
    return cli


def _installed(cli, release: str) -> dict[str, dict]:
    rows = cli("orchestration", "history", "--release", release, "--operation", "installation").json
    return {row["name"]: row for row in rows}


def test_a_linux_package_published_out_of_band_is_assessed_and_rolled_out(fleet):
    cli = fleet
    published = cli("catalog", "publish", "--package", "openssl", "--version", OPENSSL, "--os", "ubuntu-22.04",
                    "--classification", "critical")
    assert published.exit_code == 0, published.stderr
    raw = published.json
    assert raw["release"] == "2024-06-OOB1" and raw["name"] == "openssl" and raw["version"] == OPENSSL
    assert raw["classification"] == "Critical" and raw["rebootBehavior"] == "NeverReboots"  # openssl: no reboot
    assert raw["patchId"] == f"openssl_{OPENSSL}_Ubuntu_22.04" and raw["families"] == ["ubuntu-22.04"]
    assert raw["kbId"] == ""

    assert cli("tick", "--minutes", "5").exit_code == 0
    listed = cli("catalog", "list", "--os", "ubuntu-22.04", "--month", "2024-06").json
    mine = [p for p in listed if p["release"] == "2024-06-OOB1"]
    assert [(p["name"], p["version"], p["classification"]) for p in mine] == [("openssl", OPENSSL, "Critical")]
    assert listed == sorted(listed, key=lambda p: p["publishedDate"])
    assert not [p for p in cli("catalog", "list", "--os", "rhel-8").json if p["release"].endswith("OOB1")]
    assert not [p for p in cli("catalog", "list").json if p["release"].endswith("OOB1")]  # not a Windows KB

    # assessed at once, in the Linux shape
    assessed = cli("vm", "assess-patches", "-g", "rg", "-n", "u1").json
    found = [p for p in assessed["availablePatches"] if p["name"] == "openssl"]
    assert [(p["version"], p["classifications"], p["patchId"]) for p in found] == [
        (OPENSSL, ["Critical"], f"openssl_{OPENSSL}_Ubuntu_22.04")]
    rhel = cli("vm", "assess-patches", "-g", "rg", "-n", "r1").json
    assert not [p for p in rhel["availablePatches"] if p.get("version") == OPENSSL]

    # a release of its own: its rollout installs it on the Ubuntu VMs the platform patches
    assert cli("tick", "--days", "16").exit_code == 0
    rollouts = {r["release"]: r for r in cli("orchestration", "show").json["rollouts"]}
    assert "2024-06-OOB1" in rollouts and rollouts["2024-06-OOB1"]["state"] != "halted"
    installed = _installed(cli, "2024-06-OOB1")
    for name in ("u1", "u2"):
        row = installed[name]
        assert row["result"] == "Succeeded" and f"openssl_{OPENSSL}" in row["kbIds"] and not row["rebooted"], row
    assert f"openssl_{OPENSSL}" not in installed.get("r1", {}).get("kbIds", [])
    assert "d1" not in installed  # ImageDefault: not the platform's
    # ... which took it by its distribution's own unattended upgrades (Ubuntu applies security updates daily)
    after = cli("vm", "assess-patches", "-g", "rg", "-n", "d1").json
    assert not [p for p in after["availablePatches"] if p["name"] == "openssl" and p["version"] == OPENSSL]
    after = cli("vm", "assess-patches", "-g", "rg", "-n", "u1").json
    assert not [p for p in after["availablePatches"] if p["name"] == "openssl"]
    # a distribution publishes no older version after it: the drawn openssl updates of the month that are not
    # newer than the out-of-band one are not published (nor offered, nor installed)
    listed = cli("catalog", "list", "--os", "ubuntu-22.04", "--month", "2024-06").json
    versions = [p["version"] for p in listed if p["name"] == "openssl"]
    assert versions[-1] == OPENSSL and all(v.split(".")[-1] < "99" for v in versions[:-1]), versions
    history = cli("orchestration", "history", "-g", "rg", "-n", "u1", "--operation", "installation").json
    assert [label for row in history for label in row["kbIds"] if label.startswith("openssl_")] == [
        f"openssl_{OPENSSL}"]


def test_the_kernel_needs_a_reboot_and_other_updates_are_not_installed_by_the_platform(fleet):
    cli = fleet
    kernel = cli("catalog", "publish", "--package", "linux-image-azure", "--version", "6.8.0.1099.159",
                 "--os", "ubuntu-22.04").json
    assert kernel["rebootBehavior"] == "AlwaysRequiresReboot" and kernel["classification"] == "Security"
    other = cli("catalog", "publish", "--package", "tzdata", "--version", "2024a-0ubuntu1.99", "--os",
                "ubuntu-22.04", "--classification", "Other").json
    # two of one distribution at one instant: one advisory, one release
    assert (kernel["uid"], other["uid"]) == ("2024-06-OOB1#0", "2024-06-OOB1#1")
    rhel = cli("catalog", "publish", "--package", "openssl", "--version", "3.0.7-99.el8_10", "--os", "rhel-8").json
    assert rhel["uid"] == "2024-06-OOB2#0"  # another distribution's: a release of its own
    assert cli("tick", "--minutes", "5").exit_code == 0
    pending = cli("vm", "assess-patches", "-g", "rg", "-n", "u1").json["availablePatches"]
    assert [(p["classifications"], p["rebootBehavior"]) for p in pending
            if p["name"] == "tzdata" and p["version"] == "2024a-0ubuntu1.99"] == [(["Other"], "NeverReboots")]
    assert [p["rebootBehavior"] for p in pending if p["name"] == "linux-image-azure"] == ["AlwaysRequiresReboot"]
    assert cli("tick", "--days", "16").exit_code == 0
    for name in ("u1", "u2"):
        # whichever rollout of that instant reaches the VM first installs what it misses up to then
        every = cli("orchestration", "history", "-g", "rg", "-n", name, "--operation", "installation").json
        kernel_rows = [row for row in every if "linux-image-azure_6.8.0.1099.159" in row["kbIds"]]
        assert len(kernel_rows) == 1 and kernel_rows[0]["rebooted"], every
        assert kernel_rows[0]["release"] in ("2024-06-OOB1", "2024-06-OOB2")
        assert not [row for row in every if "tzdata_2024a-0ubuntu1.99" in row["kbIds"]]  # Other: never
        assert not [row for row in every if "openssl_3.0.7-99.el8_10" in row["kbIds"]]  # RHEL's
    rhel = cli("orchestration", "history", "-g", "rg", "-n", "r1", "--operation", "installation").json
    assert [row["release"] for row in rhel if "openssl_3.0.7-99.el8_10" in row["kbIds"]] in (
        ["2024-06-OOB1"], ["2024-06-OOB2"])


def test_a_bad_linux_package_halts_its_rollout(fleet):
    cli = fleet
    assert cli("catalog", "publish", "--package", "openssl", "--version", OPENSSL, "--os", "ubuntu-22.04",
               "--fault", "fails").exit_code == 0
    assert cli("tick", "--days", "16").exit_code == 0
    rollout = next(r for r in cli("orchestration", "show").json["rollouts"] if r["release"] == "2024-06-OOB1")
    assert rollout["state"] == "halted" and rollout["halt"]["status"] == "failed"
    assert rollout["halt"]["vm"].split("/")[1] in ("u1", "u2")


def _digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.mark.parametrize(("args", "message", "code"), [
    (("--package", "openssl", "--version", OPENSSL), "--os is required with --package", 1),
    (("--package", "openssl", "--version", OPENSSL, "--os", "2019"), "--os must be a Linux distribution", 1),
    (("--package", "openssl", "--version", OPENSSL, "--os", "linux"), "--os must be a Linux distribution", 1),
    (("--package", "openssl", "--os", "ubuntu-22.04"), "required with --package: --version", 1),
    (("--package", "openssl", "--version", "1 2", "--os", "ubuntu-22.04"), "--version must be a package version", 1),
    (("--package", "open ssl", "--version", "1", "--os", "ubuntu-22.04"), "--package must be a package name", 1),
    (("--package", "openssl", "--version", OPENSSL, "--os", "ubuntu-22.04", "--classification", "UpdateRollUp"),
     "--classification must be one of: Critical, Security, Other", 1),
    (("--package", "openssl", "--version", OPENSSL, "--os", "ubuntu-22.04", "--reboot-behavior", "Sometimes"),
     "--reboot-behavior must be one of", 1),
    (("--package", "openssl", "--version", OPENSSL, "--os", "ubuntu-22.04", "--fault", "explodes"), "--fault", 1),
    (("--package", "openssl", "--version", OPENSSL, "--os", "azurelinux-3"), "not released yet", 1),
    (("--package", "openssl", "--version", OPENSSL, "--os", "ubuntu-22.04", "--kb", "5000001"),
     "--package cannot be used with --kb or --name", 2),
    (("--kb", "5000001", "--version", OPENSSL), "--version goes with --package", 2),
    # what dpkg's parseversion and rpm refuse
    (("--package", "openssl", "--version", "1:", "--os", "ubuntu-22.04"),
     "--version: version '1:' has bad syntax (dpkg, ubuntu-22.04): nothing after colon in version number", 1),
    (("--package", "openssl", "--version", "0:", "--os", "ubuntu-22.04"), "nothing after colon in version number", 1),
    (("--package", "openssl", "--version", "99999999999999999999:1.0", "--os", "ubuntu-22.04"),
     "epoch in version is too big", 1),
    (("--package", "openssl", "--version", "2147483648:1.0", "--os", "ubuntu-22.04"), "epoch in version is too big", 1),
    (("--package", "openssl", "--version", "1.0-", "--os", "ubuntu-22.04"), "revision number is empty", 1),
    (("--package", "openssl", "--version", "a1:1.0", "--os", "ubuntu-22.04"), "epoch in version is empty", 1),
    (("--package", "openssl", "--version", "1a:1.0", "--os", "ubuntu-22.04"), "epoch in version is not number", 1),
    (("--package", "openssl", "--version", "1:-1", "--os", "ubuntu-22.04"), "version number is empty", 1),
    (("--package", "openssl", "--version", "v3.0.2-1", "--os", "ubuntu-22.04"),
     "version number does not start with digit", 1),
    (("--package", "openssl", "--version", "3.0_2-1", "--os", "ubuntu-22.04"),
     "invalid character in version number", 1),
    (("--package", "openssl", "--version", "3.0-1_2", "--os", "ubuntu-22.04"),
     "invalid character in revision number", 1),
    (("--package", "openssl", "--version", "1.0-", "--os", "rhel-8"),
     "--version: version '1.0-' has bad syntax (rpm, rhel-8): revision number is empty", 1),
    (("--package", "openssl", "--version", "1:", "--os", "rhel-8"), "nothing after colon in version number", 1),
    (("--package", "openssl", "--version", "4294967296:1", "--os", "rhel-8"), "epoch in version is too big", 1),
    (("--package", "openssl", "--version", "1.0-1-2", "--os", "rhel-8"), "invalid character in version number",
     1),
])
def test_bad_linux_publications_are_refused_and_change_nothing(fleet, state_path, args, message, code):
    before = _digest(str(state_path))
    refused = fleet("catalog", "publish", *args)
    assert refused.exit_code == code and message in refused.stderr and refused.stderr.startswith("ERROR: "), (
        refused.stderr)
    assert _digest(str(state_path)) == before and os.path.exists(state_path)


def test_only_a_newer_version_can_be_published(fleet):
    cli = fleet
    listed = cli("catalog", "list", "--os", "rhel-8").json
    seeded = listed[-1]
    name, newest = seeded["name"], [p["version"] for p in listed if p["name"] == seeded["name"]][-1]
    again = cli("catalog", "publish", "--package", name, "--version", newest, "--os", "rhel-8")
    assert again.exit_code == 1 and f"{name} {newest} is already published" in again.stderr
    assert f"--version must be newer than {newest}, the newest {name} published for rhel-8" in again.stderr
    assert f"{name} {newest}:" not in again.stderr  # no "openssl 0:: --version ..."
    # rpm's order: 62.1.el8_10 is newer than 62.el8_10, 9 older than 62
    base, release = newest.rsplit("-", 1)
    number, _, tail = release.partition(".")
    older = cli("catalog", "publish", "--package", name, "--version", f"{base}-1.{tail}", "--os", "rhel-8")
    assert older.exit_code == 1 and "must be newer than" in older.stderr
    newer = cli("catalog", "publish", "--package", name, "--version", f"{base}-{number}.1.{tail}", "--os", "rhel-8")
    assert newer.exit_code == 0, newer.stderr
    assert cli("catalog", "publish", "--package", "openssl", "--version", OPENSSL, "--os", "ubuntu-22.04").exit_code == 0
    twice = cli("catalog", "publish", "--package", "openssl", "--version", OPENSSL, "--os", "ubuntu-22.04")
    assert twice.exit_code == 1 and "already published" in twice.stderr
    # dpkg's order: '~' sorts before the end
    tilde = cli("catalog", "publish", "--package", "openssl", "--version", OPENSSL + "~1", "--os", "ubuntu-22.04")
    assert tilde.exit_code == 1 and "must be newer than" in tilde.stderr
    # a package the distribution never updated takes any version
    assert cli("catalog", "publish", "--package", "mypkg", "--version", "0.1-1", "--os", "ubuntu-22.04").exit_code == 0


@pytest.mark.parametrize(("a", "b", "rpm", "order"), [
    ("3.0.2-0ubuntu1.27", "3.0.2-0ubuntu1.100", False, -1), ("1.0~rc1", "1.0", False, -1),
    ("1:0.9", "2.0", False, 1), ("3.0.15-1~deb12u13", "3.0.15-1~deb12u2", False, 1), ("1.0a", "1.0", False, 1),
    ("2.11.5-9.azl3", "2.11.5-9.1.azl3", True, -1), ("1.1.1k-62.el8_10", "1.1.1k-7.el8_10", True, 1),
    ("1.0^git1", "1.0", True, 1), ("1.0^git1", "1.0.1", True, -1), ("1.05", "1.5", True, 0), ("2.0a", "2.0", True, 1),
])
def test_package_versions_compare_as_dpkg_and_rpm_do(a, b, rpm, order):
    from autopatch_cli.azure.linux import compare_versions

    assert compare_versions(a, b, rpm) == order and compare_versions(b, a, rpm) == -order


def test_the_drawn_catalog_grows_each_packages_version_in_its_package_managers_order():
    from datetime import UTC, datetime

    from autopatch_cli.azure import linux
    from autopatch_cli.engine.catalog import linux_releases_between

    for key in linux.DISTRO_KEYS:
        distro = linux.DISTROS_BY_KEY[key]
        updates = [(p.name, p.version) for _, ps in linux_releases_between(
            5, datetime(2023, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC), key) for p in ps]
        assert updates and all(linux.newer_each_time(updates, distro)), key
