"""The verbs' behaviour through the in-process CLI, plus a few runs of the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import PASSWORD, entry_point

WIN = "Win2019Datacenter"


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result


def _create(cli, name, *extra, group="rg"):
    return ok(cli("vm", "create", "-g", group, "-n", name, "--image", WIN, "--admin-password", PASSWORD, *extra))


@pytest.fixture
def rg(cli):
    ok(cli("group", "create", "-n", "rg", "-l", "eastus"))
    return cli


def _power_code(cli, name):
    return ok(cli("vm", "get-instance-view", "-g", "rg", "-n", name, "--query", "instanceView.statuses[1].code")).json


# ---- create --------------------------------------------------------------------------------------


def test_create_single(rg):
    created = _create(rg, "vm1").json
    assert isinstance(created, dict)
    assert created["id"].endswith("/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1")
    assert created["powerState"] == "VM running" and created["location"] == "eastus"
    assert created["resourceGroup"] == "rg" and created["zones"] == ""
    shown = ok(rg("vm", "show", "-g", "rg", "-n", "vm1")).json
    assert shown["name"] == "vm1" and shown["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] == "AutomaticByOS"
    assert shown["osProfile"]["windowsConfiguration"]["enableAutomaticUpdates"] is True


def test_create_count_names_and_list(rg):
    created = _create(rg, "web", "--count", "3").json
    assert isinstance(created, list) and len(created) == 3
    assert [c["id"].rsplit("/", 1)[1] for c in created] == ["web0", "web1", "web2"]
    assert len({c["privateIpAddress"] for c in created}) == 3
    assert sorted(ok(rg("vm", "list", "--query", "[].name")).json) == ["web0", "web1", "web2"]


def test_create_zone(rg):
    assert _create(rg, "z", "--zone", "2").json["zones"] == "2"
    assert ok(rg("vm", "show", "-g", "rg", "-n", "z")).json["zones"] == ["2"]


def test_availability_set_update_domains_round_robin(rg):
    avset = ok(rg("vm", "availability-set", "create", "-g", "rg", "-n", "as1", "--platform-update-domain-count", "3")).json
    assert avset["platformUpdateDomainCount"] == 3
    _create(rg, "av", "--count", "4", "--availability-set", "as1")
    domains = [
        ok(rg("vm", "get-instance-view", "-g", "rg", "-n", f"av{i}", "--query", "instanceView.platformUpdateDomain")).json
        for i in range(4)
    ]
    assert domains == [0, 1, 2, 0]
    members = ok(rg("vm", "availability-set", "show", "-g", "rg", "-n", "as1")).json["virtualMachines"]
    assert len(members) == 4
    shown = ok(rg("vm", "show", "-g", "rg", "-n", "av0")).json
    assert shown["availabilitySet"]["id"].lower().endswith("/availabilitysets/as1")


def test_create_tags_and_time_zone(rg):
    _create(rg, "t1", "--tags", "env=prod", "team=", "flag", "--time-zone", "pacific standard time")
    shown = ok(rg("vm", "show", "-g", "rg", "-n", "t1")).json
    assert shown["tags"] == {"env": "prod", "team": "", "flag": ""}
    assert shown["osProfile"]["windowsConfiguration"]["timeZone"] == "Pacific Standard Time"


# ---- show, list, --ids ---------------------------------------------------------------------------


def test_show_list_and_ids(rg):
    created = _create(rg, "a", "--count", "2").json
    ids = [c["id"] for c in created]
    one = ok(rg("vm", "show", "--ids", ids[0])).json
    assert isinstance(one, dict) and one["name"] == "a0"
    several = ok(rg("vm", "show", "--ids", *ids)).json
    assert isinstance(several, list) and [v["name"] for v in several] == ["a0", "a1"]
    views = ok(rg("vm", "get-instance-view", "--ids", *ids)).json
    assert [v["instanceView"]["computerName"] for v in views] == ["a0", "a1"]
    ok(rg("group", "create", "-n", "other", "-l", "westeurope"))
    _create(rg, "b", group="other")
    assert len(ok(rg("vm", "list")).json) == 3
    assert [v["name"] for v in ok(rg("vm", "list", "-g", "other")).json] == ["b"]
    detailed = ok(rg("vm", "list", "-d", "-g", "other")).json[0]
    assert detailed["powerState"] == "VM running" and detailed["privateIps"]
    assert ok(rg("vm", "list", "-g", "rg", "--query", "length(@)")).json == 2


# ---- update --------------------------------------------------------------------------------------


def test_update_set_add_remove(rg):
    _create(rg, "u", "--tags", "a=1", "b=2")
    updated = ok(rg("vm", "update", "-g", "rg", "-n", "u", "--set", "tags.c=three", "hardwareProfile.vmSize=Standard_D4s_v5",
                    "--remove", "tags.a")).json
    assert updated["tags"] == {"b": "2", "c": "three"}
    assert updated["hardwareProfile"]["vmSize"] == "Standard_D4s_v5"
    assert ok(rg("vm", "show", "-g", "rg", "-n", "u")).json["tags"] == {"b": "2", "c": "three"}  # persisted
    # az sends tag values as strings
    assert ok(rg("vm", "update", "-g", "rg", "-n", "u", "--set", "tags.n=3")).json["tags"]["n"] == "3"
    # --add: consecutive key=value pairs make one object, as in az
    added = ok(rg("vm", "update", "-g", "rg", "-n", "u", "--add", "storageProfile.dataDisks",
                  "lun=0", "createOption=Empty", "diskSizeGB=8")).json
    assert added["storageProfile"]["dataDisks"] == [{"lun": 0, "createOption": "Empty", "diskSizeGB": 8}]
    ok(rg("vm", "update", "-g", "rg", "-n", "u", "--add", "storageProfile.dataDisks", '{"lun": 1, "createOption": "Empty"}'))
    removed = ok(rg("vm", "update", "-g", "rg", "-n", "u", "--remove", "storageProfile.dataDisks", "0")).json
    assert [d["lun"] for d in removed["storageProfile"]["dataDisks"]] == [1]
    by_size = ok(rg("vm", "update", "-g", "rg", "-n", "u", "--size", "Standard_B2s")).json
    assert by_size["hardwareProfile"]["vmSize"] == "Standard_B2s"
    manual = ok(rg("vm", "update", "-g", "rg", "-n", "u", "--set",
                   "osProfile.windowsConfiguration.patchSettings.patchMode=automaticbyos")).json
    assert manual["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] == "AutomaticByOS"


# ---- power ---------------------------------------------------------------------------------------


def test_power_states(rg):
    _create(rg, "p")
    assert _power_code(rg, "p") == "PowerState/running"
    stopped = ok(rg("vm", "stop", "-g", "rg", "-n", "p"))
    assert stopped.stdout == "" and "billed" in stopped.stderr
    assert _power_code(rg, "p") == "PowerState/stopped"
    ok(rg("vm", "start", "-g", "rg", "-n", "p"))
    assert _power_code(rg, "p") == "PowerState/running"
    ok(rg("vm", "restart", "-g", "rg", "-n", "p"))
    assert _power_code(rg, "p") == "PowerState/running"
    ok(rg("vm", "deallocate", "-g", "rg", "-n", "p"))
    assert _power_code(rg, "p") == "PowerState/deallocated"
    refused = rg("vm", "restart", "-g", "rg", "-n", "p")
    assert refused.exit_code == 1 and "(OperationNotAllowed)" in refused.stderr
    assert _power_code(rg, "p") == "PowerState/deallocated"
    assert ok(rg("vm", "show", "-g", "rg", "-n", "p", "-d")).json["powerState"] == "VM deallocated"
    ok(rg("vm", "start", "-g", "rg", "-n", "p"))
    assert _power_code(rg, "p") == "PowerState/running"


# ---- delete --------------------------------------------------------------------------------------


def test_delete(rg, monkeypatch):
    import io

    _create(rg, "d", "--count", "2")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    refused = rg("vm", "delete", "-g", "rg", "-n", "d0")
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    assert sorted(ok(rg("vm", "list", "--query", "[].name")).json) == ["d0", "d1"]
    deleted = ok(rg("vm", "delete", "-g", "rg", "-n", "d0", "--yes"))
    assert deleted.stdout == ""
    assert ok(rg("vm", "list", "--query", "[].name")).json == ["d1"]
    assert rg("vm", "show", "-g", "rg", "-n", "d0").exit_code == 3


def test_group_delete_cascades_and_exists(rg):
    _create(rg, "g", "--count", "2")
    ok(rg("vm", "availability-set", "create", "-g", "rg", "-n", "as1"))
    assert ok(rg("group", "exists", "-n", "rg")).json is True
    assert ok(rg("group", "exists", "-n", "nope")).json is False
    ok(rg("group", "delete", "-n", "rg", "--yes"))
    assert ok(rg("group", "exists", "-n", "rg")).json is False
    assert ok(rg("vm", "list")).json == []
    assert rg("vm", "show", "-g", "rg", "-n", "g0").exit_code == 3
    # a new group of the same name starts empty
    ok(rg("group", "create", "-n", "rg", "-l", "eastus"))
    assert ok(rg("vm", "list", "-g", "rg")).json == []
    assert ok(rg("vm", "availability-set", "list", "-g", "rg")).json == []


# ---- account, clock, tick, features, providers ---------------------------------------------------


def test_account_show(cli):
    account = ok(cli("account", "show")).json
    assert account["isDefault"] is True and account["state"] == "Enabled"
    assert account["id"] and account["tenantId"] and account["user"]["type"] == "user"
    assert ok(cli("account", "show", "--query", "id")).json == account["id"]


def test_clock_show_set_and_tick(cli):
    shown = ok(cli("clock", "show")).json
    assert shown == {"now": "2020-10-01T00:00:00Z", "start": "2020-10-01T00:00:00Z", "seed": 20201013}
    assert ok(cli("clock", "set", "2021-01-01T00:00:00Z", "--seed", "7")).json["seed"] == 7
    assert ok(cli("clock", "show")).json["now"] == "2021-01-01T00:00:00Z"
    ticked = ok(cli("tick", "--until", "2021-01-02T06:30:00+02:00")).json
    assert ticked["from"] == "2021-01-01T00:00:00Z" and ticked["to"] == "2021-01-02T04:30:00Z"
    ok(cli("tick", "--hours", "1.5"))
    assert ok(cli("clock", "show", "--query", "now")).json == "2021-01-02T06:00:00Z"


def test_feature_register_unregister(cli):
    args = ("--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview")
    assert ok(cli("feature", "register", *args)).json["properties"]["state"] == "Registering"
    ok(cli("tick", "--minutes", "15"))
    assert ok(cli("feature", "show", *args)).json["properties"]["state"] == "Registered"
    unregistered = ok(cli("feature", "unregister", *args))
    assert unregistered.json["properties"]["state"] == "Unregistering"
    assert "autopatch provider register" in unregistered.stderr
    ok(cli("tick", "--minutes", "30"))
    assert ok(cli("feature", "show", *args)).json["properties"]["state"] == "Unregistered"


def test_provider_register_wait_moves_the_clock(cli):
    ns = ("--namespace", "Microsoft.Maintenance")
    assert ok(cli("provider", "show", *ns)).json["registrationState"] == "NotRegistered"
    before = ok(cli("clock", "show", "--query", "now")).json
    waited = ok(cli("provider", "register", *ns, "--wait"))
    assert waited.stdout == "" and "still on-going" not in waited.stderr
    assert ok(cli("provider", "show", *ns)).json["registrationState"] == "Registered"
    after = ok(cli("clock", "show", "--query", "now")).json
    assert after > before
    # without --wait it only starts, and says so
    started = ok(cli("provider", "register", "--namespace", "Microsoft.GuestConfiguration"))
    assert "still on-going" in started.stderr
    assert ok(cli("provider", "show", "--namespace", "Microsoft.GuestConfiguration")).json["registrationState"] == "Registering"


# ---- configuration -------------------------------------------------------------------------------


def test_configure_default_group(rg):
    _create(rg, "x")
    ok(rg("configure", "--defaults", "group=rg"))
    assert ok(rg("vm", "show", "-n", "x")).json["name"] == "x"
    assert ok(rg("configure", "--list-defaults")).json[0]["value"] == "rg"
    created = ok(rg("vm", "create", "-n", "y", "--image", WIN, "--admin-password", PASSWORD)).json
    assert created["resourceGroup"] == "rg"
    config = Path(os.environ["AUTOPATCH_CONFIG_DIR"]) / "config.toml"
    assert "group" in config.read_text()


def test_config_core_output(rg):
    _create(rg, "x")
    ok(rg("config", "set", "core.output=table"))
    table = ok(rg("vm", "show", "-g", "rg", "-n", "x"))
    assert table.stdout.splitlines()[0].split() == ["Name", "ResourceGroup", "Location"]
    # -o still wins over the configured default
    assert ok(rg("vm", "show", "-g", "rg", "-n", "x", "-o", "json")).json["name"] == "x"


# ---- output formats and --query ------------------------------------------------------------------


def test_output_formats(rg):
    _create(rg, "o", "--count", "2")
    one = ("vm", "show", "-g", "rg", "-n", "o0")
    many = ("vm", "list",)
    as_json = ok(rg(*one)).json
    table = ok(rg(*one, "-o", "table")).stdout.splitlines()
    assert table[0].split() == ["Name", "ResourceGroup", "Location"] and set(table[1]) <= {"-", " "}
    assert table[2].split() == ["o0", "rg", "eastus"]
    list_table = ok(rg(*many, "-o", "table")).stdout.splitlines()
    assert len(list_table) == 4 and [row.split()[0] for row in list_table[2:]] == ["o0", "o1"]
    tsv = ok(rg(*one, "-o", "tsv")).stdout
    assert tsv.count("\n") == 1 and "o0" in tsv.split("\t") and "eastus" in tsv.split("\t")
    assert ok(rg(*many, "-o", "tsv", "--query", "[].name")).stdout == "o0\no1\n"
    assert len(ok(rg(*many, "-o", "tsv")).stdout.splitlines()) == 2
    assert yaml.safe_load(ok(rg(*one, "-o", "yaml")).stdout) == as_json
    assert [v["name"] for v in yaml.safe_load(ok(rg(*many, "-o", "yaml")).stdout)] == ["o0", "o1"]
    assert ok(rg(*one, "-o", "none")).stdout == ""
    assert ok(rg(*many, "-o", "none")).stdout == ""
    # knack colours only a terminal: piped, jsonc and yamlc are json and yaml
    assert ok(rg(*one, "-o", "jsonc")).stdout == ok(rg(*one)).stdout
    assert ok(rg(*one, "-o", "yamlc")).stdout == ok(rg(*one, "-o", "yaml")).stdout


def test_tsv_keeps_the_querys_column_order(rg):
    _create(rg, "t", "--tags", "b=2", "a=1")
    shown = ("vm", "show", "-g", "rg", "-n", "t", "-o", "tsv")
    assert ok(rg(*shown, "--query", "{Z:name, A:location, M:resourceGroup}")).stdout == "t\teastus\trg\n"
    # a top-level list is rows (knack), a list inside a row is columns
    assert ok(rg(*shown, "--query", "[name, location]")).stdout == "t\neastus\n"
    assert ok(rg(*shown, "--query", "[[name, location]]")).stdout == "t\teastus\n"
    # an object that is not built by the query keeps knack's sorted keys
    assert ok(rg(*shown, "--query", "tags")).stdout == "1\t2\n"
    listed = ok(rg("vm", "list", "-o", "tsv", "--query", "[].{Z:name, A:location}")).stdout
    assert listed == "t\teastus\n"


def test_tsv_of_nothing_prints_nothing(rg):
    assert ok(rg("vm", "list", "-o", "tsv")).stdout == ""
    assert ok(rg("vm", "list", "-o", "table")).stdout == ""
    _create(rg, "e")
    assert ok(rg("vm", "list", "-o", "tsv", "--query", "[?name=='nope']")).stdout == ""
    assert ok(rg("vm", "show", "-g", "rg", "-n", "e", "-o", "tsv", "--query", "nothing")).stdout == ""
    assert ok(rg("group", "exists", "-n", "rg", "-o", "tsv")).stdout == "true\n"


def test_table_sorts_keys_without_query_and_keeps_query_order(rg):
    _create(rg, "s")
    queried = ok(rg("vm", "show", "-g", "rg", "-n", "s", "-o", "table", "--query", "{Z:name, A:location}"))
    assert queried.stdout.splitlines()[0].split() == ["Z", "A"]
    # az's auto table: no transformer, no query -> sorted keys (feature show has no transformer here)
    shown = ok(rg("vm", "get-instance-view", "-g", "rg", "-n", "s", "-o", "table", "--query", "instanceView.statuses[0]"))
    assert shown.stdout.splitlines()[0].split()[0] == "Code"


def test_jsonc_colours_a_terminal(tmp_path):
    """Run the real entry point on a pseudo-terminal: jsonc is coloured there, not when piped."""
    import pty

    env = {**os.environ, "AUTOPATCH_STATE": str(tmp_path / "s.json")}
    subprocess.run([*entry_point(), "group", "create", "-n", "rg", "-l", "eastus"], env=env, check=True,
                   capture_output=True)
    command = [*entry_point(), "group", "show", "-n", "rg", "-o", "jsonc"]
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(command, env=env, stdout=secondary, stderr=secondary, timeout=60)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(primary)
    assert done.returncode == 0
    coloured = b"".join(chunks).decode()
    assert "\x1b[" in coloured
    import re

    assert json.loads(re.sub(r"\x1b\[[0-9;]*m", "", coloured).replace("\r\n", "\n"))["name"] == "rg"
    piped = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert "\x1b[" not in piped.stdout and json.loads(piped.stdout)["name"] == "rg"


def test_query_jmespath(rg):
    _create(rg, "q", "--count", "3", "--tags", "env=prod")
    ok(rg("vm", "stop", "-g", "rg", "-n", "q1"))
    assert ok(rg("vm", "list", "--query", "[?name=='q1'].name | [0]")).json == "q1"
    assert ok(rg("vm", "list", "-d", "--query", "[?powerState=='VM stopped'].name")).json == ["q1"]
    assert ok(rg("vm", "show", "-g", "rg", "-n", "q0", "--query", "{n:name, env:tags.env}")).json == {"n": "q0", "env": "prod"}
    assert ok(rg("vm", "list", "--query", "sort_by(@, &name)[-1].name", "-o", "tsv")).stdout == "q2\n"
    assert ok(rg("vm", "show", "-g", "rg", "-n", "q0", "--query", "nothing.here")).stdout == ""


# ---- the real entry points -----------------------------------------------------------------------


def _console_script() -> str:
    return str(Path(sys.executable).with_name("autopatch"))


@pytest.mark.parametrize("command", ["console", "module"])
def test_real_entry_points(tmp_path, command):
    base = [_console_script()] if command == "console" else entry_point()
    if command == "console" and not Path(base[0]).exists():
        pytest.skip("the autopatch console script is not installed next to this Python")
    env = dict(os.environ, AUTOPATCH_STATE=str(tmp_path / "ep" / "state.json"),
               AUTOPATCH_CONFIG_DIR=str(tmp_path / "ep" / "config"))

    def run(*args):
        return subprocess.run([*base, *args], env=env, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)

    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("autopatch ") and version.stderr == ""
    from autopatch_cli import __version__

    assert version.stdout.strip() == f"autopatch {__version__}"
    created = run("group", "create", "-n", "rg", "-l", "eastus")
    assert created.returncode == 0 and json.loads(created.stdout)["name"] == "rg"
    missing = run("vm", "show", "-g", "rg", "-n", "nope")
    assert missing.returncode == 3 and missing.stderr.startswith("ERROR: (ResourceNotFound)") and missing.stdout == ""
    usage = run("vm", "show", "-g", "rg", "-n", "x", "--bogus")
    assert usage.returncode == 2 and usage.stderr == ("ERROR: unrecognized arguments: --bogus\n\nhttps://aka.ms/cli_ref\n"
                                                      "Read more about the command in reference docs\n")
    assert run("vm", "list", "-o", "xml").returncode == 2
    assert "Traceback" not in missing.stderr + usage.stderr


def test_help_lists_the_global_arguments_one_per_line(cli):
    shown = cli("vm", "show", "--help")
    assert shown.exit_code == 0
    assert "\n    --only-show-errors  Only show errors, suppressing warnings.\n" in shown.stdout
    assert "\n    --query             JMESPath query string." in shown.stdout


def test_every_size_of_the_spec_is_accepted(cli):
    """Automatic guest patching is for all VM sizes (the guide): every VirtualMachineSizeTypes value creates."""
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    for number, size in enumerate(("Basic_A0", "Standard_A0", "Standard_M128ms", "Standard_NC6", "Standard_D2s_v5")):
        made = cli("vm", "create", "-g", "rg", "-n", f"vm{number}", "--image",
                   "Win2019Datacenter", "--admin-password", PASSWORD, "--size", size)
        assert made.exit_code == 0, (size, made.stderr)
    refused = cli("vm", "create", "-g", "rg", "-n", "nope", "--image", "Win2019Datacenter", "--admin-password",
                  PASSWORD, "--size", "Standard_Imaginary_v9")
    assert refused.exit_code == 1 and "Standard_Imaginary_v9" in refused.stderr


# ---- az 2.91's other options -----------------------------------------------------------------------


def test_create_keeps_what_the_model_has_a_place_for(rg):
    created = _create(
        rg, "full", "--license-type", "windows_server", "--os-disk-name", "fullos", "--storage-sku", "os=StandardSSD_LRS",
        "0=Standard_LRS", "--os-disk-size-gb", "256", "--os-disk-caching", "ReadOnly", "--data-disk-sizes-gb", "10", "20",
        "--data-disk-caching", "ReadWrite", "--nsg-rule", "NONE", "--public-ip-address", "", "--security-type",
        "TrustedLaunch", "--enable-secure-boot", "--enable-vtpm", "true", "--custom-data", "#cloud-config",
        "--assign-identity", "--generate-ssh-keys", "--zone", "1", "--vnet-name", "net", "--subnet", "sub",
        "--private-ip-address", "10.0.0.9", "--boot-diagnostics-storage", "diagstore",
        "--acquire-policy-token", "--change-reference", "ref",
    ).json
    assert created["publicIpAddress"] == "" and created["privateIpAddress"] == "10.0.0.9" and created["zones"] == "1"
    vm = ok(rg("vm", "show", "-g", "rg", "-n", "full")).json
    assert vm["licenseType"] == "Windows_Server"
    os_disk = vm["storageProfile"]["osDisk"]
    assert (os_disk["name"], os_disk["diskSizeGB"], os_disk["caching"]) == ("fullos", 256, "ReadOnly")
    assert os_disk["managedDisk"]["storageAccountType"] == "StandardSSD_LRS"
    data = vm["storageProfile"]["dataDisks"]
    assert [(d["lun"], d["diskSizeGB"], d["caching"], d["managedDisk"]["storageAccountType"]) for d in data] == [
        (0, 10, "ReadWrite", "Standard_LRS"), (1, 20, "ReadWrite", "Premium_LRS")]
    assert vm["diagnosticsProfile"]["bootDiagnostics"] == {
        "enabled": True, "storageUri": "https://diagstore.blob.core.windows.net/"}
    detailed = ok(rg("vm", "show", "-g", "rg", "-n", "full", "-d")).json
    assert detailed["publicIps"] == "" and detailed["privateIps"] == "10.0.0.9"


def test_create_dns_name_gives_the_fqdn(rg):
    created = _create(rg, "dns", "--public-ip-address-dns-name", "mydns").json
    assert created["fqdns"] == "mydns.eastus.cloudapp.azure.com"
    table = ok(rg("vm", "list", "-d", "-o", "table")).stdout.splitlines()
    assert table[0].split() == ["Name", "ResourceGroup", "PowerState", "PublicIps", "Fqdns", "Location"]
    assert table[2].split()[2:4] == ["VM", "running"] and "mydns.eastus.cloudapp.azure.com" in table[2]


def test_create_refuses_as_az_does(rg):
    store_before = ok(rg("vm", "list")).stdout
    cases = [
        # az names every option it refuses with --count, whichever was given (vm/_validators.py _validate_count)
        (("--count", "2", "--os-disk-name", "d"), 1, "When --count is specified, --attach-data-disks, --attach-os-disk, "
         "--boot-diagnostics-storage, --computer-name, --host, --host-group, --nics, --os-disk-name, "
         "--private-ip-address, --public-ip-address, --public-ip-address-dns-name, --storage-account, "
         "--storage-container-name, --subnet, --use-unmanaged-disk, --vnet-name are not allowed\n"),
        (("--count", "1"), 1, "--count should be in [2, 250]. Please make sure your subscription has enough quota"),
        (("--nics", "nic1", "--vnet-name", "v"), 1,
         "When specifying an existing NIC, do not specify NSG, public IP, ASGs, VNet or subnet."),
        (("--host", "h", "--host-group", "g"), 1, "--host and --host-group can't be used together."),
        # the Network provider's refusal of the VNet az's template holds (az sends the prefix unchecked)
        (("--vnet-address-prefix", "10.0.0.0/99"), 1, "(InvalidAddressPrefixFormat) Address prefix 10.0.0.0/99 of "
         "resource /subscriptions/"),
        (("--private-ip-address", "10.0.0.300"), 1, "is not a valid IP address"),
        (("--secrets", "not json"), 1, "Error decoding secrets"),
        (("--count", "x"), 2, "argument --count: invalid int value: 'x'"),
    ]
    for extra, code, message in cases:
        result = rg("vm", "create", "-g", "rg", "-n", "bad", "--image", WIN, "--admin-password", PASSWORD, *extra)
        assert result.exit_code == code, (extra, result.stderr)
        assert message in result.stderr, (extra, result.stderr)
    assert ok(rg("vm", "list")).stdout == store_before


def test_create_validate_keeps_nothing(rg):
    result = ok(rg("vm", "create", "-g", "rg", "-n", "val", "--image", WIN, "--admin-password", PASSWORD, "--validate"))
    # what az vm create --validate prints: ARM's validation of the deployment (tests/test_real_az.py compares)
    assert result.json["properties"]["validatedResources"][-1]["id"].endswith("/virtualMachines/val")
    assert ok(rg("vm", "list", "--query", "length(@)")).json == 0
    bad = rg("vm", "create", "-g", "rg", "-n", "val", "--image", "NoSuchImage", "--validate")
    assert bad.exit_code != 0 and "Invalid image" in bad.stderr


def test_update_license_type_and_force_string(rg):
    _create(rg, "u")
    updated = ok(rg("vm", "update", "-g", "rg", "-n", "u", "--license-type", "Windows_Server")).json
    assert updated["licenseType"] == "Windows_Server"
    forced = ok(rg("vm", "update", "-g", "rg", "-n", "u", "--set", "tags.n=[1]", "--force-string")).json
    assert forced["tags"]["n"] == "[1]"
    parsed = ok(rg("vm", "update", "-g", "rg", "-n", "u", "--set", "tags.m=3", "--priority", "Spot",
                   "--enable-secure-boot", "false", "--user-data", "")).json
    assert parsed["tags"]["m"] == "3"


@pytest.mark.parametrize("value", ["", "true", "yes", "1", "false", "no", "0"])
def test_no_wait_takes_azs_optional_boolean(rg, value):
    _create(rg, "nw")
    extra = [value] if value else []
    for verb in ("deallocate", "start"):
        ok(rg("vm", verb, "-g", "rg", "--vm-name", "nw", "--no-wait", *extra))
    assert _power_code(rg, "nw") == "PowerState/running"
    ok(rg("vm", "deallocate", "-g", "rg", "-n", "nw", "--hibernate", "--force-deallocate", "false"))
    assert _power_code(rg, "nw") == "PowerState/deallocated"
    ok(rg("vm", "delete", "-g", "rg", "-n", "nw", "--yes", "--no-wait", *extra, "--force-deletion", "yes"))
    assert ok(rg("vm", "list", "--query", "length(@)")).json == 0


def test_stop_no_wait_is_a_plain_flag(rg):
    _create(rg, "sf")
    result = rg("vm", "stop", "-g", "rg", "-n", "sf", "--no-wait", "true")
    assert result.exit_code == 2 and "unrecognized arguments: true" in result.stderr


def test_assess_patches_no_wait_value(cli):
    ok(cli("group", "create", "-n", "rg", "-l", "eastus"))
    ok(cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestPatchVMPreview"))
    ok(cli("tick", "--minutes", "15"))
    ok(cli("provider", "register", "--namespace", "Microsoft.Compute"))
    _create(cli, "an")
    assert ok(cli("vm", "assess-patches", "-g", "rg", "--vm-name", "an", "--no-wait", "false")).json["status"]
    ok(cli("tick", "--minutes", "30"))
    assert ok(cli("vm", "assess-patches", "-g", "rg", "-n", "an", "--no-wait")).stdout == ""
    ok(cli("tick", "--minutes", "30"))
    assert ok(cli("vm", "assess-patches", "-g", "rg", "-n", "an", "--no-wait", "y")).stdout == ""


# ---- read verbs as az prints them ------------------------------------------------------------------


def test_group_prints_unset_properties_as_null(cli):
    created = ok(cli("group", "create", "-n", "rg", "-l", "eastus")).json
    assert created["managedBy"] is None and created["tags"] is None
    shown = ok(cli("group", "show", "-n", "rg")).json
    assert shown["managedBy"] is None and shown["tags"] is None
    assert '"managedBy": null' in ok(cli("group", "show", "-n", "rg")).stdout
    assert all(g["tags"] is None for g in ok(cli("group", "list")).json)
    managed = ok(cli("group", "create", "-n", "rg2", "-l", "eastus", "--managed-by", "/subscriptions/x/app",
                     "--tags", "a=1")).json
    assert managed["managedBy"] == "/subscriptions/x/app" and managed["tags"] == {"a": "1"}
    assert ok(cli("group", "show", "-n", "rg2")).json["managedBy"] == "/subscriptions/x/app"


def test_wrong_subscription_fails_reads_too(rg):
    _create(rg, "s")
    subscription = ok(rg("account", "show", "--query", "id")).json
    assert ok(rg("vm", "show", "-g", "rg", "-n", "s", "--subscription", subscription.upper())).json["name"] == "s"
    for args in (("vm", "show", "-g", "rg", "-n", "s"), ("vm", "list"), ("group", "show", "-n", "rg"),
                 ("group", "list"), ("vm", "get-instance-view", "-g", "rg", "-n", "s"), ("account", "show")):
        result = rg(*args, "--subscription", "not-mine")
        assert result.exit_code == 1, (args, result.stderr)
        assert result.stderr.startswith("ERROR: Subscription 'not-mine' not found."), result.stderr
        assert result.stdout == ""


def test_other_verbs_options(rg):
    bad = rg("group", "delete", "-n", "rg", "--yes", "-f", "Microsoft.Storage/storageAccounts")
    assert bad.exit_code == 2 and "is not a valid value for '--force-deletion-types'" in bad.stderr
    assert ok(rg("group", "exists", "-n", "rg")).json is True
    subscription = ok(rg("account", "show")).json
    assert ok(rg("account", "show", "-n", subscription["name"])).json == subscription
    wrong = rg("account", "show", "--name", "other")
    assert wrong.exit_code == 1 and "Subscription 'other' not found" in wrong.stderr
    assert ok(rg("vm", "availability-set", "create", "-g", "rg", "-n", "as1", "--validate")).stdout == ""
    assert ok(rg("vm", "availability-set", "list", "-g", "rg")).json == []
    assert ok(rg("vm", "availability-set", "create", "-g", "rg", "-n", "as1", "--no-wait", "--ppg", "p")).stdout == ""
    assert [a["name"] for a in ok(rg("vm", "availability-set", "list", "-g", "rg")).json] == ["as1"]
    ok(rg("group", "delete", "-n", "rg", "--yes", "--force-deletion-types", "microsoft.compute/virtualmachines",
          "--acquire-policy-token", "--change-reference", "r"))
    assert ok(rg("group", "exists", "-n", "rg")).json is False


RSA_KEY = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCkmSJWQfLa1V4cpIKdq+uvmUY+L56o+CIvi1FV+ACYMZ4VEjHXgHjbft05uiH0d5x"
           "O1gQgnUGnw1woZFOEsyhrSKwS2cTdSFwrDaNnh85O7JeM0dwe3SskR/LC7OtNhKccO6ykekQlbCyKGK4Ii5NLXN2Mu8x31xN3ouMJL6GRZw==")
UBUNTU_2020 = "Canonical:UbuntuServer:18.04-LTS:latest"  # a Linux image the store's October 2020 already has


def test_create_keeps_spot_settings_and_ssh_keys(rg, tmp_path):
    key_file = tmp_path / "id.pub"
    key_file.write_text("ssh-ed25519 AAAAC3Nza user@host\n")
    ok(rg("vm", "create", "-g", "rg", "-n", "lin", "--image", UBUNTU_2020, "--admin-username", "azureuser",
          "--ssh-key-values", f"{RSA_KEY} one@x", str(key_file), "--priority", "spot",
          "--eviction-policy", "delete", "--max-price", "0.5"))
    vm = ok(rg("vm", "show", "-g", "rg", "-n", "lin")).json
    assert (vm["priority"], vm["evictionPolicy"], vm["billingProfile"]) == ("Spot", "Delete", {"maxPrice": 0.5})
    assert vm["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"] == [
        {"keyData": f"{RSA_KEY} one@x", "path": "/home/azureuser/.ssh/authorized_keys"},
        # a key file is sent whole, as az reads it: its line end is key data
        {"keyData": "ssh-ed25519 AAAAC3Nza user@host\n", "path": "/home/azureuser/.ssh/authorized_keys"}]
    bad = rg("vm", "create", "-g", "rg", "-n", "lin2", "--image", UBUNTU_2020, "--ssh-key-values", "not-a-key")
    assert bad.exit_code == 1 and "An RSA key file or key value must be supplied" in bad.stderr
    spotless = rg("vm", "create", "-g", "rg", "-n", "lin3", "--image", UBUNTU_2020, "--eviction-policy", "Delete")
    assert spotless.exit_code == 1 and "--priority Spot" in spotless.stderr
    assert ok(rg("vm", "list", "--query", "length(@)")).json == 1


def test_create_table_has_azs_columns(rg):
    table = ok(rg("vm", "create", "-g", "rg", "-n", "t1", "--image", WIN, "--admin-password", PASSWORD,
                  "-o", "table")).stdout.splitlines()
    assert table[0].split() == ["ResourceGroup", "PowerState", "PublicIpAddress", "Fqdns", "PrivateIpAddress",
                                "MacAddress", "Location", "Zones"]
    assert table[2].split()[:3] == ["rg", "VM", "running"]
