"""Linux VMs in the engine: the Linux catalog's cadence and formats, the Linux patch extension, periodic
assessment, Critical and Security only by the platform, reboots only when a package needs one, ImageDefault
left to the distribution, mixed Windows/Linux rollouts, determinism, and the Linux documents' shapes."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from spec_check import check

from autopatch_cli.azure import linux
from autopatch_cli.engine import catalog, lifecycle
from autopatch_cli.ops import clock, demo, groups, orchestration, vms
from autopatch_cli.ops.state import State, new_state

TODAY = datetime(2024, 6, 1, tzinfo=UTC)
COMPUTE = "compute"
NEWEST = "2024-07-01"


def _store(seed: int = 5) -> State:
    state = State(new_state(seed))
    clock.set_clock(state, TODAY)
    return state


def _fleet(state: State, *vms_: tuple[str, str, str]) -> None:
    """VMs (name, image, mode) in rg/eastus."""
    if groups.find(state, "rg") is None:
        groups.create(state, "rg", "eastus")
    for name, image, mode in vms_:
        if image.startswith("Win"):
            demo.windows_vm(state, "rg", name, image=image, mode=mode)
        else:
            demo.linux_vm(state, "rg", name, image, mode)


def _view(state: State, name: str) -> dict:
    return vms.require(state, "rg", name)["iv"]


def _rows(state: State, name: str, operation: str | None = None) -> list[dict]:
    return orchestration.history(state, group="rg", name=name, operation=operation)


def _published(key: str, seed: int = 5) -> dict[str, catalog.Patch]:
    """Every package update of a distribution from 2024 on, by name_version."""
    out = {}
    for _, patches in catalog.linux_releases_between(seed, datetime(2024, 1, 1, tzinfo=UTC),
                                                     datetime(2025, 1, 1, tzinfo=UTC), key):
        for patch in patches:
            out[patch.label] = patch
    return out


# ---- the catalog ----------------------------------------------------------------------------------


def test_every_distribution_publishes_on_several_working_days_a_month_not_on_patch_tuesday():
    for key in linux.DISTRO_KEYS:
        days_of_month = Counter()
        for month in range(1, 13):
            days = catalog.linux_release_days(3, 2025, month, key)
            assert 4 <= len(days) <= 7, (key, month, days)
            assert len({d.date() for d in days}) == len(days)
            assert all(d.weekday() < 5 for d in days), "advisories come out on working days"
            assert days == sorted(days)
            days_of_month.update(d.day for d in days)
        # through the month: the days spread over the month, not one fixed day such as Patch Tuesday
        assert len(days_of_month) >= 15, (key, days_of_month)
        tuesdays = [catalog.patch_tuesday(2025, m).date() for m in range(1, 13)]
        on_patch_tuesday = sum(d.date() in tuesdays for m in range(1, 13)
                               for d in catalog.linux_release_days(3, 2025, m, key))
        assert on_patch_tuesday <= 7  # a working day like any other: about a quarter of the months


def test_the_catalog_is_deterministic_from_the_seed():
    first = catalog.linux_release(11, 2024, 9, "ubuntu-22.04")
    again = catalog.linux_release(11, 2024, 9, "ubuntu-22.04")
    other = catalog.linux_release(12, 2024, 9, "ubuntu-22.04")
    assert first == again
    assert first != other
    # nothing before a release exists: Azure Linux 3.0 came out in August 2024
    assert catalog.linux_release(11, 2024, 6, "azurelinux-3") == []
    assert catalog.linux_release(11, 2024, 9, "azurelinux-3")


VERSION_FORMATS = {
    "ubuntu-22.04": r"^\d[\w.+~]*-0ubuntu1\.\d+(\.\d+)?$",
    "debian-12": r"^\d[\w.+~]*-1~deb12u\d+(\+\d+)?$",
    "rhel-8": r"^\d[\w.]*-\d+(\.\d+)?\.el8_10$",
    "rhel-9": r"^\d[\w.]*-\d+(\.\d+)?\.el9_4$",
    "almalinux-8": r"^\d[\w.]*-\d+(\.\d+)?\.el8_10$",
    "sles-15": r"^\d[\w.]*-150500\.\d+\.\d+\.\d+$",
    "cbl-mariner-2": r"^\d[\w.]*-\d+(\.\d+)?\.cm2$",
    "azurelinux-3": r"^\d[\w.]*-\d+(\.\d+)?\.azl3$",
}
KERNELS = {"ubuntu-22.04": "linux-image-azure", "debian-12": "linux-image-cloud-amd64", "rhel-8": "kernel",
           "sles-15": "kernel-azure", "azurelinux-3": "kernel"}


@pytest.mark.parametrize("key", sorted(VERSION_FORMATS))
def test_versions_use_the_distributions_own_format_and_grow(key):
    patches = [p for _, ps in catalog.linux_releases_between(5, datetime(2024, 9, 1, tzinfo=UTC),
                                                             datetime(2025, 9, 1, tzinfo=UTC), key) for p in ps]
    assert len(patches) > 60
    distro = linux.DISTROS_BY_KEY[key]
    for patch in patches:
        assert patch.kb_id == "" and patch.is_linux
        assert patch.classification in linux.LINUX_CLASSIFICATIONS
        assert patch.patch_id == f"{patch.name}_{patch.version}_{distro.name.replace(' ', '_')}_{distro.version}"
        if patch.name != distro.kernel:
            assert re.match(VERSION_FORMATS[key], patch.version), (patch.name, patch.version)
    # one package's versions never repeat, and they grow release after release
    by_name: dict[str, list[str]] = {}
    for patch in patches:
        by_name.setdefault(patch.name, []).append(patch.version)
    for versions in by_name.values():
        assert len(set(versions)) == len(versions)
    numbers = [tuple(int(n) for n in re.findall(r"\d+", v)) for v in by_name[distro.kernel]]
    assert numbers == sorted(numbers)


def test_packages_are_each_familys_and_only_the_kernel_c_library_init_and_microcode_need_a_reboot():
    names = {key: {p.name for _, ps in catalog.linux_releases_between(5, datetime(2023, 1, 1, tzinfo=UTC),
                                                                      datetime(2025, 1, 1, tzinfo=UTC), key)
                   for p in ps} for key in ("ubuntu-22.04", "rhel-8", "sles-15")}
    assert {"openssl", "libssl3", "libc6", "linux-image-azure", "sudo", "curl"} <= names["ubuntu-22.04"]
    assert {"openssl-libs", "glibc", "kernel", "openssh-server"} <= names["rhel-8"]
    assert {"kernel-azure", "libopenssl3", "glibc"} <= names["sles-15"]
    rebooting = {"linux-image-azure", "libc6", "libc-bin", "systemd", "libsystemd0", "intel-microcode", "kernel",
                 "glibc", "glibc-common", "systemd-libs", "microcode_ctl", "linux-firmware", "kernel-azure",
                 "glibc-locale-base", "ucode-intel"}
    for key in ("ubuntu-22.04", "rhel-8", "sles-15"):
        for _, patches in catalog.linux_releases_between(5, datetime(2024, 1, 1, tzinfo=UTC),
                                                         datetime(2025, 1, 1, tzinfo=UTC), key):
            for patch in patches:
                expected = "AlwaysRequiresReboot" if patch.name in rebooting else "NeverReboots"
                assert patch.reboot_behavior == expected, (key, patch.name)


def test_classifications_critical_only_where_advisories_carry_a_severity():
    def classes(key):
        return Counter(p.classification for p in _published(key).values())

    apt = classes("ubuntu-22.04")
    assert apt["Critical"] == 0 and apt["Security"] > 20 and apt["Other"] > 5
    rpm = classes("rhel-8")
    assert rpm["Critical"] > 0 and rpm["Security"] > rpm["Critical"] and rpm["Other"] > 5


def test_images_map_to_their_distribution():
    assert catalog.image_family("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2") == "ubuntu-22.04"
    assert catalog.image_family("Canonical", "ubuntu-24_04-lts", "server") == "ubuntu-24.04"
    assert catalog.image_family("Canonical", "UbuntuServer", "18.04-LTS") == "ubuntu-18.04"
    assert catalog.image_family("RedHat", "RHEL", "8-lvm-gen2") == "rhel-8"
    assert catalog.image_family("RedHat", "RHEL", "9_4") == "rhel-9"
    assert catalog.image_family("SUSE", "sles-15-sp5", "gen2") == "sles-15"
    assert catalog.image_family("Debian", "debian-11", "11-backports-gen2") == "debian-11"
    assert catalog.image_family("MicrosoftCblMariner", "azure-linux-3", "azure-linux-3-gen2") == "azurelinux-3"
    assert catalog.image_family("OpenLogic", "CentOS", "8_5-gen2") is None
    assert catalog.image_family("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter") == "2019"
    assert linux.supports_auto_patch("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2")
    assert not linux.supports_auto_patch("Debian", "debian-11", "11-backports-gen2")


def test_package_masks_match_name_name_version_and_wildcards_as_the_extension_does():
    assert lifecycle.mask_matches("openssl", "openssl", "3.0.2-0ubuntu1.27")
    assert lifecycle.mask_matches("libssl*", "libssl3", "3.0.2-0ubuntu1.27")
    assert lifecycle.mask_matches("openssl_3.0.2-0ubuntu1.2?", "openssl", "3.0.2-0ubuntu1.27")
    assert not lifecycle.mask_matches("openssl_3.0.2-0ubuntu1.3*", "openssl", "3.0.2-0ubuntu1.27")
    assert lifecycle.mask_matches("openssl=3.0.2*", "openssl", "3.0.2-0ubuntu1.27")
    assert not lifecycle.mask_matches("openssl=9*", "openssl", "3.0.2-0ubuntu1.27")
    assert lifecycle.mask_matches("openssl=9*", "openssl", "3.0.2-0ubuntu1.27", exclusion=True)  # names only
    assert not lifecycle.mask_matches("OpenSSL", "openssl", "3.0.2")  # package names are case-sensitive
    patch = catalog.Patch("id", "", "openssl", "Other", "NeverReboots", TODAY, uid="x#0", version="3.0.2-1")
    assert lifecycle.linux_selection(("Security",)).verdict(patch) == "NotSelected"
    assert lifecycle.linux_selection(("Security",), include=("openssl",)).verdict(patch) == "Selected"
    assert lifecycle.linux_selection(("Other",), exclude=("open*",)).verdict(patch) == "Excluded"


# ---- the engine --------------------------------------------------------------------------------------


def test_automatic_by_platform_linux_vms_get_the_linux_patch_extension_and_periodic_assessment():
    state = _store()
    _fleet(state, ("u1", "Ubuntu2204", "AutomaticByPlatform"), ("w1", "Win2022Datacenter", "AutomaticByPlatform"))
    view = _view(state, "u1")
    assert [e["type"] for e in view["extensions"]] == [linux.LINUX_PATCH_EXTENSION_TYPE]
    assert view["extensions"][0]["statuses"][0]["code"] == "ProvisioningState/transitioning"
    clock.tick(state, datetime(2024, 6, 10, tzinfo=UTC))
    view = _view(state, "u1")
    extension = view["extensions"][0]
    assert extension["name"] == "LinuxPatchExtension" and extension["type"] == "Microsoft.CPlat.Core.LinuxPatchExtension"
    assert extension["statuses"][0]["code"] == "ProvisioningState/succeeded"
    assert "WindowsPatchExtension" not in str(view)
    assert [e["type"] for e in _view(state, "w1")["extensions"]] == ["Microsoft.CPlat.Core.WindowsPatchExtension"]
    statuses = view["patchStatus"]["configurationStatuses"]
    assert statuses[0]["code"] == "PatchModeConfigurationState/Ready"
    assessments = _rows(state, "u1", "assessment")
    assert len(assessments) >= 2
    gaps = {(datetime.fromisoformat(b["startTime"]) - datetime.fromisoformat(a["startTime"])).days
            for a, b in zip(assessments, assessments[1:], strict=False)}
    assert gaps <= {1, 2, 3}  # "every few days"
    summary = view["patchStatus"]["availablePatchSummary"]
    assert summary["status"] == "Succeeded"
    assert summary["criticalAndSecurityPatchCount"] + summary["otherPatchCount"] > 0


def test_the_platform_installs_only_critical_and_security_packages_in_the_monthly_rollout():
    state = _store()
    _fleet(state, ("u1", "Ubuntu2204", "AutomaticByPlatform"),
           ("r1", "RedHat:RHEL:8-lvm-gen2:latest", "AutomaticByPlatform"))
    clock.tick(state, datetime(2024, 8, 20, tzinfo=UTC))
    for name, key in (("u1", "ubuntu-22.04"), ("r1", "rhel-8")):
        published = _published(key)
        installs = _rows(state, name, "installation")
        assert installs and all(row["release"] in ("2024-06", "2024-07", "2024-08") for row in installs)
        assert all(row["phase"] and row["batch"] for row in installs)
        labels = [label for row in installs for label in row["kbIds"]]
        assert labels, installs
        for label in labels:
            assert published[label].classification in ("Critical", "Security"), label
        # each rollout installs what was published up to its release (the repositories' snapshot), no later
        for row in installs:
            release = next(r for r in orchestration.show(state)["rollouts"] if r["release"] == row["release"])
            for label in row["kbIds"]:
                assert published[label].published <= datetime.fromisoformat(release["published"])
        summary = _view(state, name)["patchStatus"]["lastPatchInstallationSummary"]
        assert summary["status"] == "Succeeded"
        record = vms.require(state, "rg", name)
        others = [p for p in published.values() if p.uid in record["sim"]["patch"]["installed"]
                  and p.classification == "Other"]
        assert others == []


def test_a_linux_vm_reboots_only_when_an_installed_package_needs_it():
    state = _store()
    names = [f"u{i}" for i in range(6)] + [f"r{i}" for i in range(6)]
    _fleet(state, *[(n, "Ubuntu2204" if n[0] == "u" else "RedHat:RHEL:8-lvm-gen2:latest", "AutomaticByPlatform")
                    for n in names])
    clock.tick(state, datetime(2024, 10, 1, tzinfo=UTC))
    seen = Counter()
    for name in names:
        key = "ubuntu-22.04" if name[0] == "u" else "rhel-8"
        published = _published(key)
        for row in _rows(state, name, "installation"):
            needs = any(published[label].reboot_behavior == "AlwaysRequiresReboot" for label in row["kbIds"])
            assert row["rebooted"] == needs, row
            seen[needs] += 1
    assert seen[True] and seen[False]  # both cases happened


def test_reboot_setting_never_leaves_the_reboot_pending():
    state = _store()
    _fleet(state, ("r1", "RedHat:RHEL:8-lvm-gen2:latest", "AutomaticByPlatform"))
    vms.require(state, "rg", "r1")["vm"]["properties"]["osProfile"]["linuxConfiguration"]["patchSettings"][
        "automaticByPlatformSettings"] = {"rebootSetting": "Never"}
    clock.tick(state, datetime(2024, 10, 1, tzinfo=UTC))
    published = _published("rhel-8")
    rows = _rows(state, "r1", "installation")
    assert rows and not any(row["rebooted"] for row in rows)
    if any(published[label].reboot_behavior == "AlwaysRequiresReboot" for row in rows for label in row["kbIds"]):
        assert _view(state, "r1")["patchStatus"]["availablePatchSummary"]["rebootPending"] is True


def test_image_default_vms_are_left_to_their_distribution():
    state = _store()
    _fleet(state, ("plain", "RedHat:RHEL:8-lvm-gen2:latest", "ImageDefault"),
           ("ubuntu-assessed", "Ubuntu2204", "ImageDefault"),
           ("rhel-assessed", "RedHat:RHEL:8-lvm-gen2:latest", "ImageDefault"))
    for name in ("ubuntu-assessed", "rhel-assessed"):
        record = vms.require(state, "rg", name)
        record["vm"]["properties"]["osProfile"]["linuxConfiguration"]["patchSettings"]["assessmentMode"] = \
            "AutomaticByPlatform"
        from autopatch_cli.ops import patching

        patching.on_configuration_change(state, record, "ImageDefault")
    clock.tick(state, datetime(2024, 8, 1, tzinfo=UTC))
    # no platform installs, no rollout turn, no patch extension turned to automatic patching
    for name in ("plain", "ubuntu-assessed", "rhel-assessed"):
        assert _rows(state, name, "installation") == []
        assert _rows(state, name, "enablement") == []
        assert "extensions" not in _view(state, name)
        rollout_vms = [key for r in state.data["engine"]["rollouts"] for key in r["vms"]]
        assert not any(key.endswith(f"/{name}") for key in rollout_vms)
    # assessment only when assessmentMode says so: daily
    assert _rows(state, "plain", "assessment") == []
    assert "availablePatchSummary" not in _view(state, "plain").get("patchStatus", {})
    daily = _rows(state, "rhel-assessed", "assessment")
    assert len(daily) >= 50
    # RHEL installs nothing by itself; Ubuntu's unattended-upgrades takes its security updates (no restart)
    rhel = _view(state, "rhel-assessed")["patchStatus"]["availablePatchSummary"]
    ubuntu = _view(state, "ubuntu-assessed")["patchStatus"]["availablePatchSummary"]
    assert rhel["criticalAndSecurityPatchCount"] >= 8
    assert ubuntu["criticalAndSecurityPatchCount"] <= 3
    assert ubuntu["otherPatchCount"] > 0
    installed = vms.require(state, "rg", "ubuntu-assessed")["sim"]["patch"]["installed"]
    published = {p.uid: p for p in _published("ubuntu-22.04").values()}
    assert installed and all(published[uid].classification == "Security" for uid in installed)


def test_mixed_fleet_rollout_keeps_the_availability_rules():
    state = _store()
    for region, zones in (("eastus", ("1", "2")), ("westus", (None,)), ("northeurope", ("1", "2"))):
        groups.create(state, f"rg-{region}", region)
        for zone in zones:
            demo.windows_vm(state, f"rg-{region}", f"w-{region}-{zone}", zone=zone)
            demo.linux_vm(state, f"rg-{region}", f"u-{region}-{zone}", "Ubuntu2204", zone=zone)
            demo.linux_vm(state, f"rg-{region}", f"r-{region}-{zone}", "RedHat:RHEL:8-lvm-gen2:latest", zone=zone)
    clock.tick(state, datetime(2024, 7, 10, tzinfo=UTC))
    rows = [r for r in orchestration.history(state, operation="installation") if r["release"] == "2024-06"]
    names = {r["name"] for r in rows}
    assert {n for n in names if n[0] == "u"} and {n for n in names if n[0] == "r"} and {n for n in names if n[0] == "w"}
    phase_of = {}
    for row in rows:
        phase_of.setdefault(row["region"], set()).add(row["phase"])
    assert all(len(phases) == 1 for phases in phase_of.values())  # one phase per region, whatever the OS
    assert phase_of["eastus"] != phase_of["westus"]  # paired regions in different phases

    def overlaps(a, b):
        return a["startTime"] < b["endTime"] and b["startTime"] < a["endTime"]

    for a in rows:
        for b in rows:
            if a is b:
                continue
            if {a["region"], b["region"]} == {"eastus", "westus"}:
                assert not overlaps(a, b), (a["name"], b["name"])
            if a["region"] == b["region"] and a["zone"] != b["zone"]:
                assert not overlaps(a, b), (a["name"], b["name"])


def test_same_seed_same_linux_history():
    def run():
        state = _store(seed=9)
        _fleet(state, ("u1", "Ubuntu2204", "AutomaticByPlatform"),
               ("s1", "SUSE:sles-15-sp5:gen2:latest", "AutomaticByPlatform"))
        clock.tick(state, datetime(2024, 7, 20, tzinfo=UTC))
        return orchestration.history(state), _view(state, "u1")

    assert run() == run()


def test_linux_documents_match_the_spec():
    from autopatch_cli.models.versions import for_api_version

    state = _store()
    _fleet(state, ("u1", "Ubuntu2204", "AutomaticByPlatform"))
    clock.tick(state, datetime(2024, 7, 20, tzinfo=UTC))
    record = vms.require(state, "rg", "u1")
    for api_version in ("2021-03-01", NEWEST):
        view = for_api_version(vms.instance_view(record), api_version, root="instanceView")
        assert check(COMPUTE, "VirtualMachineInstanceView", view, api_version=api_version) == []
        assert view["patchStatus"]["lastPatchInstallationSummary"]["installedPatchCount"] > 0
        assert view["extensions"][0]["type"] == "Microsoft.CPlat.Core.LinuxPatchExtension"
        expanded = for_api_version(vms.with_instance_view(record), api_version)
        assert check(COMPUTE, "VirtualMachineInstanceView", expanded["properties"]["instanceView"],
                     api_version=api_version) == []
