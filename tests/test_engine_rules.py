"""Issue 3: every rule of the patch engine, checked on what autopatch records and prints.

One month-and-a-half fleet (built through the operations layer, module-scoped) carries most rules:
VMs in time zones with a DST change inside the rollout, an availability set large enough that a window
runs out, AutomaticByOS and Manual VMs, failed guest requirements and a VM deallocated over its turn.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest
from helpers import PASSWORD
from rollout_kit import (
    at,
    avset,
    group,
    history,
    inside_window,
    installs,
    opt_in,
    phase_start,
    tick_to,
    tick_until,
    vm,
    window_of,
    zone_of,
)
from spec_check import check

from autopatch_cli.azure.catalog import PATCH_EXTENSION_TYPE
from autopatch_cli.models.versions import API_VERSIONS, NEWEST, for_api_version
from autopatch_cli.ops import ondemand, orchestration, vms
from autopatch_cli.ops import sim as sim_ops
from autopatch_cli.ops.session import Session

SLEEP = datetime(2020, 10, 5, tzinfo=UTC)
WAKE = datetime(2020, 10, 20, 12, tzinfo=UTC)
END = datetime(2020, 12, 8, tzinfo=UTC)  # both releases patched everywhere (the calendar ends on day 29)


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    path = tmp_path_factory.mktemp("month") / "state.json"
    with Session(path).writer() as st:
        opt_in(st)
        group(st, "rg", "eastus"), group(st, "rgw", "westus"), group(st, "rgn", "northeurope")
        vm(st, "rg", "pst", "Pacific Standard Time", zone="1")
        vm(st, "rgn", "cet", "W. Europe Standard Time")
        vm(st, "rgw", "tokyo", "Tokyo Standard Time")
        avset(st, "rgw", "big", "westus", 3)
        for i in range(9):
            vm(st, "rgw", f"b{i}", "UTC", availability_set="big")
        vm(st, "rg", "byos", mode="AutomaticByOS")
        vm(st, "rg", "manual", mode="Manual")
        vm(st, "rg", "nowu", zone="2")
        sim_ops.set_requirements(st, "rg", "nowu", service_running=False)
        vm(st, "rg", "noagent", zone="2")
        sim_ops.set_requirements(st, "rg", "noagent", agent=False)
        vm(st, "rgn", "unreach")
        sim_ops.set_requirements(st, "rgn", "unreach", reachable=False)
        vm(st, "rgn", "sleeper")
        tick_to(st, SLEEP)
        vms.set_power(st, "rgn", "sleeper", "deallocate")
        tick_to(st, WAKE)
        vms.set_power(st, "rgn", "sleeper", "start")
        tick_to(st, END)
    return path


def read(path):
    from autopatch_cli.ops.state import State

    return State(Session(path).reader().full())


def records(path, **filters):
    return history(read(path), **filters)


def published(path) -> dict[str, datetime]:
    return {r["release"]: at(r["published"]) for r in orchestration.show(read(path))["rollouts"]}


# ---- off-peak hours ------------------------------------------------------------------------------


def test_every_platform_operation_inside_the_local_offpeak_window(month):
    rows = [r for r in records(month) if r["startedBy"] == "Platform"]
    # every one, the assessment of a VM started again at noon included (it waits for the VM's window)
    checked = [r for r in rows if not (r["operation"] == "enablement" and r["result"] == "Failed")]
    assert len(installs(checked)) > 30
    outside = [r for r in checked if not inside_window(r)]
    assert outside == [], outside[:3]


@pytest.mark.parametrize("name, change, before_utc, after_utc", [
    ("pst", datetime(2020, 11, 1, 10, tzinfo=UTC), 5, 6),  # PDT -> PST
    ("cet", datetime(2020, 10, 25, 1, tzinfo=UTC), 20, 21),  # CEST -> CET
])
def test_dst_change_moves_the_utc_start_not_the_local_one(month, name, change, before_utc, after_utc):
    rows = [r for r in records(month) if r["name"] == name and r["operation"] in ("assessment", "installation")]
    window_opens = [r for r in rows if datetime.fromisoformat(r["localStartTime"]).time() == time(22, 0)]
    before = {at(r["startTime"]).hour for r in window_opens if at(r["startTime"]) < change}
    after = {at(r["startTime"]).hour for r in window_opens if at(r["startTime"]) > change}
    assert before == {before_utc} and after == {after_utc}
    for r in rows:
        assert inside_window(r), r
    # each release's installation too, at the local offset of its own date (summer or standard time)
    by_release = {r["release"]: r for r in installs(rows)}
    assert set(by_release) == {"2020-10", "2020-11"}
    for r in by_release.values():
        local = datetime.fromisoformat(r["localStartTime"]).time()
        assert local >= time(22) or local < time(1, 55)
        assert datetime.fromisoformat(r["localStartTime"]).utcoffset() == zone_of(r).utcoffset(at(r["startTime"]))


def test_window_arithmetic_of_the_checker():
    """The test's own window check rejects what lies outside 22:00-01:55 local (it can fail)."""
    base = {"timeZone": "Pacific Standard Time"}
    ok = dict(base, startTime="2020-10-14T05:10:00Z", endTime="2020-10-14T06:00:00Z",
              localStartTime="2020-10-13T22:10:00-07:00")
    late = dict(base, startTime="2020-10-14T08:50:00Z", endTime="2020-10-14T09:10:00Z",
                localStartTime="2020-10-14T01:50:00-07:00")
    noon = dict(base, startTime="2020-10-14T19:00:00Z", endTime="2020-10-14T19:30:00Z",
                localStartTime="2020-10-14T12:00:00-07:00")
    assert inside_window(ok) and not inside_window(late) and not inside_window(noon) and window_of(noon) is None


# ---- what is installed, and when --------------------------------------------------------------------


def test_only_critical_and_security_of_the_release_are_installed(month):
    catalog = sim_ops.catalog_list(read(month), os_family="2019")
    by_release: dict[str, dict[str, set]] = {}
    for patch in catalog:
        bucket = by_release.setdefault(patch["release"], {"cs": set(), "other": set()})
        bucket["cs" if patch["classification"] in ("Critical", "Security") else "other"].add(patch["kbId"])
    done = [r for r in installs(records(month)) if r["startedBy"] == "Platform"]
    assert done
    per_vm: dict[tuple, set] = {}
    for r in done:
        cs = by_release[r["release"]]["cs"]
        assert set(r["kbIds"]) <= cs, (r["name"], r["kbIds"], cs)
        assert not set(r["kbIds"]) & (by_release[r["release"]]["other"] - cs)
        per_vm.setdefault((r["name"], r["release"]), set()).update(r["kbIds"])
    # a VM that finished its release got all of the release's Critical and Security patches
    finished = {(r["name"], r["release"]) for r in done if r["result"] == "Succeeded"}
    for key in finished:
        assert per_vm[key] == by_release[key[1]]["cs"], key


def test_installations_within_30_days_of_their_release(month):
    releases = published(month)
    for r in installs(records(month)):
        if r["release"]:
            assert releases[r["release"]] <= at(r["startTime"]) < releases[r["release"]] + timedelta(days=30), r


def test_a_vm_started_after_the_30_days_waits_for_the_next_release(tmp_path):
    with Session(tmp_path / "s.json").writer() as st:
        opt_in(st)
        group(st, "rg", "eastus")
        vm(st, "rg", "late")
        tick_to(st, datetime(2020, 10, 10, tzinfo=UTC))
        vms.set_power(st, "rg", "late", "deallocate")
        tick_to(st, datetime(2020, 11, 13, tzinfo=UTC))  # 2020-10's 30 days ended on 11-12
        vms.set_power(st, "rg", "late", "start")
        tick_to(st, datetime(2020, 11, 25, tzinfo=UTC))
        done = installs(history(st))
    assert [r["release"] for r in done] == ["2020-11"]


def test_window_overrun_is_retried_in_the_next_window(month):
    rows = installs(records(month))
    exceeded = [r for r in rows if r["maintenanceWindowExceeded"]]
    assert exceeded, "the 9-VM availability set should run out of window at least once"
    for r in exceeded:
        assert r["result"] == "CompletedWithWarnings"
        later = [x for x in rows if x["name"] == r["name"] and x["release"] == r["release"]
                 and at(x["startTime"]) > at(r["endTime"])]
        assert later, r
        nxt = later[0]
        assert window_of(nxt)[0] == window_of(r)[0] + timedelta(days=1)  # the very next window
        assert nxt["result"] == "Succeeded" and not set(nxt["kbIds"]) & set(r["kbIds"])


# ---- power, requirements, enablement ---------------------------------------------------------------


def test_no_assessment_while_deallocated_and_one_at_the_first_window_after_start(month):
    """Started again, a VM is assessed at its first off-peak window (the guide: assessments and installs happen
    only in off-peak hours; a VM that was off is assessed and patched at its next periodic assessment)."""
    rows = records(month, group="rgn", name="sleeper")
    asleep = [r for r in rows if SLEEP <= at(r["startTime"]) < WAKE]
    assert asleep == []
    after = [r for r in rows if at(r["startTime"]) >= WAKE]
    assert after[0]["operation"] == "assessment" and after[0]["timeZone"] == "UTC"
    next_opening = datetime.combine(WAKE.date(), time(22, 0), tzinfo=UTC)  # WAKE is at noon UTC
    assert window_of(after[0]) == (next_opening, next_opening + timedelta(minutes=235))
    assert at(after[0]["startTime"]) == next_opening
    # and it still got its release within the 30 days
    assert any(r["release"] == "2020-10" and r["result"] == "Succeeded" for r in installs(rows))


@pytest.mark.parametrize("name, code", [
    ("rg/nowu", "WindowsUpdateServiceNotRunning"),
    ("rgn/unreach", "WindowsUpdateEndpointUnreachable"),
])
def test_requirement_failures_surface_in_patch_status(month, name, code):
    st = read(month)
    view = vms.instance_view(st.data["vms"][name])
    available = view["patchStatus"]["availablePatchSummary"]
    last = view["patchStatus"]["lastPatchInstallationSummary"]
    assert available["status"] == "Failed" and available["error"]["code"] == code
    assert last["status"] == "Failed" and last["error"]["code"] == code
    rg, vm_name = name.split("/")
    tries = [r for r in installs(records(month, group=rg, name=vm_name)) if r["release"] == "2020-10"]
    assert [r["result"] for r in tries] == ["Failed"] * 3  # three attempts, then it leaves the rollout
    assert orchestration.why(st, rg, vm_name)["reason"] in ("requirement-failed",)


def test_missing_agent_fails_enablement_in_the_instance_view(month):
    st = read(month)
    view = vms.instance_view(st.data["vms"]["rg/noagent"])
    ext = [e for e in view.get("extensions", []) if e["type"] == PATCH_EXTENSION_TYPE]
    assert ext and ext[0]["statuses"][0]["code"] == "ProvisioningState/failed"
    assert not installs(records(month, group="rg", name="noagent"))


def test_enablement_takes_three_hours_and_resumes_next_window(month):
    rows = [r for r in records(month, group="rgw", name="b0") if r["operation"] == "enablement"]
    assert [r["result"] for r in rows] == ["Paused", "Succeeded"]
    first, second = rows
    assert at(first["endTime"]) == window_of(first)[1]  # joined mid-window, paused when it closed
    assert window_of(second)[0] == window_of(first)[0] + timedelta(days=1) == at(second["startTime"])
    spent = sum((at(r["endTime"]) - at(r["startTime"]) for r in rows), timedelta())
    assert timedelta(hours=3) <= spent <= timedelta(hours=3, minutes=40)
    single = [r for r in records(month, group="rg", name="pst") if r["operation"] == "enablement"]
    assert len(single) == 1 and timedelta(hours=3) <= at(single[0]["endTime"]) - at(single[0]["startTime"])


def test_patch_extension_in_the_instance_view(opted_in):
    cli = opted_in
    assert cli("vm", "create", "-g", "rg", "-n", "v", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
               "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform").exit_code == 0

    def extension():
        view = json.loads(cli("vm", "get-instance-view", "-g", "rg", "-n", "v").stdout)["instanceView"]
        found = [e for e in view.get("extensions") or () if e["type"] == PATCH_EXTENSION_TYPE]
        return found[0]["statuses"][0]["code"] if found else None

    assert extension() == "ProvisioningState/transitioning"
    assert cli("tick", "--days", "2").exit_code == 0
    assert extension() == "ProvisioningState/succeeded"


def test_automatic_by_os_and_manual_never_installed_by_the_platform(month):
    names = {r["name"] for r in installs(records(month))}
    assert "byos" not in names and "manual" not in names
    st = read(month)
    assert "lastPatchInstallationSummary" not in vms.instance_view(st.data["vms"]["rg/manual"]).get("patchStatus", {})
    assert orchestration.why(st, "rg", "manual")["reason"] == "manual"
    assert orchestration.why(st, "rg", "byos")["reason"] == "automatic-by-os"


# ---- determinism -------------------------------------------------------------------------------------


def _scenario(cli, path, seed=None):
    outputs = []

    def run(*args):
        result = cli("--state", str(path), *args)
        assert result.exit_code == 0, (args, result.stderr)
        outputs.append(result.stdout)

    if seed is not None:
        run("clock", "set", "2020-10-01T00:00:00Z", "--seed", str(seed))
    run("group", "create", "-n", "rg", "-l", "eastus")
    run("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview")
    run("tick", "--minutes", "20")
    run("provider", "register", "--namespace", "Microsoft.Compute")
    for name, zone in (("a", "1"), ("b", "2"), ("c", "3")):
        run("vm", "create", "-g", "rg", "-n", name, "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
            "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform", "--zone", zone,
            "--time-zone", "Pacific Standard Time")
    run("tick", "--days", "40")
    run("orchestration", "history", "-o", "json")
    run("orchestration", "show", "-o", "json")
    run("vm", "get-instance-view", "-g", "rg", "-n", "b")
    return outputs


def test_same_seed_same_bytes_other_seed_other_results(cli, tmp_path):
    first = _scenario(cli, tmp_path / "one.json")
    second = _scenario(cli, tmp_path / "two.json")
    assert first == second
    history_rows = json.loads(first[-3])
    assert len(installs(history_rows)) == 3 and all(r["activityId"] for r in history_rows)
    other = _scenario(cli, tmp_path / "three.json", seed=7)
    other_rows = json.loads(other[-3])
    assert [r["activityId"] for r in other_rows] != [r["activityId"] for r in history_rows]
    assert {r["kbIds"][0] for r in installs(other_rows)} != {r["kbIds"][0] for r in installs(history_rows)}


# ---- Azure's shapes ------------------------------------------------------------------------------------


def test_every_instance_view_fits_the_spec(month, cli):
    st = read(month)
    for key, record in st.data["vms"].items():
        rg, name = key.split("/")
        shown = cli("--state", str(month), "vm", "get-instance-view", "-g", rg, "-n", name)
        assert shown.exit_code == 0, shown.stderr
        problems = check("compute", "VirtualMachine", json.loads(shown.stdout), az_view=True, api_version=NEWEST,
                         extra_enum_values={"VirtualMachineSizeTypes": {"Standard_D2s_v5"}})
        assert problems == [], (key, problems)
        for version in API_VERSIONS:
            view = for_api_version(vms.instance_view(record), version, root="instanceView")
            problems = check("compute", "VirtualMachineInstanceView", view, az_view=False, api_version=version)
            assert problems == [], (key, version, problems)


def test_in_flight_installation_instance_view_fits_the_spec(tmp_path):
    with Session(tmp_path / "s.json").writer() as st:
        opt_in(st)
        group(st, "rg", "eastus")
        vm(st, "rg", "v")
        tick_to(st, phase_start(st, "eastus"))
        tick_until(st, lambda: "lastPatchInstallationSummary" in vms.instance_view(st.data["vms"]["rg/v"]).get(
            "patchStatus", {}))  # mid-installation
        view = vms.instance_view(st.data["vms"]["rg/v"])
    assert view["patchStatus"]["lastPatchInstallationSummary"]["status"] == "InProgress"
    for version in API_VERSIONS:
        wire = for_api_version(view, version, root="instanceView")
        assert check("compute", "VirtualMachineInstanceView", wire, az_view=False, api_version=version) == []


def test_on_demand_results_fit_the_spec(tmp_path):
    with Session(tmp_path / "s.json").writer() as st:
        opt_in(st)
        group(st, "rg", "eastus")
        vm(st, "rg", "v", mode="Manual")
        tick_to(st, datetime(2020, 10, 14, 12, tzinfo=UTC))
        assessed = ondemand.assess(st, "rg", "v")
        installed = ondemand.install(st, "rg", "v", {
            "maximumDuration": "PT2H", "rebootSetting": "IfRequired",
            "windowsParameters": {"classificationsToInclude": ["Critical", "Security"]},
        })
        rows = history(st, group="rg", name="v")
    catalog_cs = {p["kbId"] for p in sim_ops.catalog_list(read(tmp_path / "s.json"), month="2020-10", os_family="2019")
                  if p["classification"] in ("Critical", "Security")}
    assert assessed["status"] == "Succeeded" and assessed["criticalAndSecurityPatchCount"] == len(catalog_cs)
    assert installed["status"] == "Succeeded" and installed["installedPatchCount"] == len(catalog_cs)
    assert {p["kbId"] for p in installed["patches"] if p["installationState"] == "Installed"} == catalog_cs
    assert [(r["operation"], r["startedBy"]) for r in rows] == [("assessment", "User"), ("installation", "User")]
    for version in API_VERSIONS:
        problems = check("compute", "VirtualMachineAssessPatchesResult", for_api_version(assessed, version),
                         az_view=False, api_version=version)
        assert problems == [], (version, problems)
    for version in API_VERSIONS[1:]:
        problems = check("compute", "VirtualMachineInstallPatchesResult", for_api_version(installed, version),
                         az_view=False, api_version=version)
        assert problems == [], (version, problems)


def test_same_seed_same_bytes_across_processes(tmp_path):
    """Determinism does not hang on Python's per-process string hashing: two processes with different
    PYTHONHASHSEED run the demo month and print the same bytes (rollout, patch status, history)."""
    import os
    import subprocess

    from helpers import entry_point

    outputs = []
    for hash_seed in ("1", "2"):
        store = tmp_path / hash_seed / "state.json"
        store.parent.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = [*entry_point(), "--state", str(store)]
        demo = subprocess.run([*run, "demo", "-o", "json", "--query", "{tick: tick, rollout: rollout, vms: vms}"],
                              capture_output=True, text=True, env=env, check=True)
        history = subprocess.run([*run, "orchestration", "history", "-o", "json"], capture_output=True, text=True,
                                 env=env, check=True)
        outputs.append((demo.stdout, history.stdout))
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0][0])["rollout"]["halt"] is not None


def test_a_hung_reboot_stays_owed_until_a_later_window_reboots(tmp_path):
    """A reboot that hangs fails the installation (RebootTimedOut); the reboot is still owed (rebootPending)
    and the retry in the next window performs it."""
    path = tmp_path / "state.json"
    with Session(path).writer() as st:
        opt_in(st)
        group(st, "rg", "eastus")
        vm(st, "rg", "e")
        sim_ops.add_fault(st, "rg", "e", "reboot-hang")
        tick_to(st, phase_start(st, "eastus") + timedelta(hours=20))  # the first night of its phase
        failed = installs(history(st, group="rg", name="e"))
        assert [(r["result"], r["rebooted"]) for r in failed] == [("Failed", False)]
        view = vms.instance_view(vms.require(st, "rg", "e"))["patchStatus"]
        assert view["lastPatchInstallationSummary"]["error"]["code"] == "RebootTimedOut"
        assert view["availablePatchSummary"]["rebootPending"] is True
        tick_to(st, phase_start(st, "eastus") + timedelta(days=6))
        done = installs(history(st, group="rg", name="e"))
        view = vms.instance_view(vms.require(st, "rg", "e"))["patchStatus"]
    assert [(r["result"], r["rebooted"]) for r in done] == [("Failed", False), ("Succeeded", True)]
    assert view["lastPatchInstallationSummary"]["rebootStatus"] == "Completed"
    assert view["availablePatchSummary"]["rebootPending"] is False


def test_switching_modes_shows_in_the_instance_view_at_once(opted_in):
    """Turning AutomaticByPlatform on for an existing VM starts its enablement (extension transitioning,
    configuration Pending) before any tick; turning it off again before it finished removes the extension."""
    cli = opted_in
    made = cli("vm", "create", "-g", "rg", "-n", "flip", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
               "--enable-auto-update")
    assert made.exit_code == 0, made.stderr
    query = "instanceView.{ext: extensions[?name=='WindowsPatchExtension'].statuses[0].code, config: " \
            "patchStatus.configurationStatuses[0].code}"
    assert cli("vm", "get-instance-view", "-g", "rg", "-n", "flip", "--query", query).json == {
        "ext": None, "config": "PatchModeConfigurationState/Ready"}
    setting = "osProfile.windowsConfiguration.patchSettings.patchMode="
    assert cli("vm", "update", "-g", "rg", "-n", "flip", "--set", setting + "AutomaticByPlatform").exit_code == 0
    assert cli("vm", "get-instance-view", "-g", "rg", "-n", "flip", "--query", query).json == {
        "ext": ["ProvisioningState/transitioning"], "config": "PatchModeConfigurationState/Pending"}
    assert cli("vm", "update", "-g", "rg", "-n", "flip", "--set", setting + "AutomaticByOS").exit_code == 0
    assert cli("vm", "get-instance-view", "-g", "rg", "-n", "flip", "--query", query).json == {
        "ext": None, "config": "PatchModeConfigurationState/Ready"}


def test_the_store_is_the_same_whatever_the_tick_size(tmp_path):
    """Every time in the store is the time its event happened: 1 x 40 days, 4 x 10 days and 40 x 1 day give
    byte-identical stores (status times, history rows and their order, in-flight operations, rollouts)."""
    import shutil

    from rollout_kit import mixed_fleet

    from autopatch_cli.ops.clock import tick
    from autopatch_cli.ops.state import now

    base = tmp_path / "base.json"
    with Session(base).writer() as state:
        opt_in(state)
        mixed_fleet(state, 45, ["eastus", "westus", "westeurope", "northeurope", "japaneast", "centralindia"], seed=5,
                    faults=True)
    stores = {}
    for label, days in (("1x40", [40]), ("4x10", [10] * 4), ("40x1", [1] * 40)):
        path = tmp_path / f"{label}.json"
        shutil.copyfile(base, path)
        for step in days:
            with Session(path).writer() as state:
                tick(state, now(state) + timedelta(days=step))
        stores[label] = path.read_bytes()
    data = json.loads(stores["1x40"])
    assert data["engine"]["rollouts"] and len(data["history"]["rows"]) > 300  # the fleet was patched meanwhile
    assert any(r["halt"] for r in data["engine"]["rollouts"])  # and a halt happened
    assert stores["4x10"] == stores["1x40"]
    assert stores["40x1"] == stores["1x40"]


def test_write_back_shapes_equal_the_models_own():
    """ops.patching writes the instance view's patch documents without pydantic (the hot path of a big tick):
    each equals the model's own wire(), errors included."""
    from autopatch_cli.engine.lifecycle import _api_error
    from autopatch_cli.models.compute import (
        ApiError,
        AvailablePatchSummary,
        InstanceViewStatus,
        LastPatchInstallationSummary,
        VirtualMachineExtensionHandlerInstanceView,
        VirtualMachineExtensionInstanceView,
        VirtualMachineHealthStatus,
    )
    from autopatch_cli.ops import patching

    error = {"code": "PatchInstallationFailed", "message": "1 patch(es) failed to install: KB1",
             "details": [{"code": "PatchInstallationFailed", "target": "KB1", "message": "x"}]}
    guest_error = _api_error({"code": "VMAgentStatusCommunicationError", "message": "no agent"})
    for err in (None, error, guest_error):
        fields = {"status": "Failed" if err else "Succeeded", "assessmentActivityId": "a", "rebootPending": False,
                  "criticalAndSecurityPatchCount": 0, "otherPatchCount": 3, "startTime": "2020-10-13T22:00:00Z",
                  "lastModifiedTime": "2020-10-13T22:04:00Z"}
        assert (patching.wire_of(AvailablePatchSummary, **fields, error=patching._error(err))
                == AvailablePatchSummary(**fields, error=err).wire())
        fields = {"status": "Failed", "installationActivityId": "i", "maintenanceWindowExceeded": True,
                  "rebootStatus": "Completed", "notSelectedPatchCount": 1, "excludedPatchCount": 0,
                  "pendingPatchCount": 2, "installedPatchCount": 0, "failedPatchCount": 1, "startedBy": "Platform",
                  "startTime": "2020-10-13T22:00:00Z", "lastModifiedTime": "2020-10-13T23:00:00Z"}
        assert (patching.wire_of(LastPatchInstallationSummary, **fields, error=patching._error(err))
                == LastPatchInstallationSummary(**fields, error=err).wire())
    assert patching._error(error) == ApiError.model_validate(error).wire()
    status = InstanceViewStatus(code="c", level="Error", displayStatus="d", message="m", time="2020-10-13T22:00:00Z")
    assert patching._status("c", "d", "2020-10-13T22:00:00Z", "Error", "m") == status.wire()
    assert patching._status("c", "d", None) == InstanceViewStatus(code="c", level="Info", displayStatus="d").wire()
    assert patching.health_status(False, "t") == VirtualMachineHealthStatus(status=InstanceViewStatus(
        code="HealthState/unhealthy", level="Error", displayStatus="The VM is unhealthy", time="t")).wire()
    assert (patching.wire_of(VirtualMachineExtensionInstanceView, name="n", type="t", typeHandlerVersion="1",
                             statuses=[status.wire()])
            == VirtualMachineExtensionInstanceView(name="n", type="t", typeHandlerVersion="1", statuses=[status]).wire())
    assert (patching.wire_of(VirtualMachineExtensionHandlerInstanceView, type="t", typeHandlerVersion="1",
                             status=status.wire())
            == VirtualMachineExtensionHandlerInstanceView(type="t", typeHandlerVersion="1", status=status).wire())
