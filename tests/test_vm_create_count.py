"""``vm create --count``: the VMs after the first are the first's checked request renamed (vm_create.COPY_COUNT),
which must give exactly the store and the output that building and checking each VM's body gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PASSWORD
from test_linux_settings import RSA_KEY, UBUNTU_1804

from autopatch_cli.ops import vm_create

CASES = {
    "windows": ("--image", "Win2019Datacenter", "--admin-password", PASSWORD),
    "windows-options": ("--image", "Win2019Datacenter", "--admin-password", PASSWORD, "--patch-mode",
                        "Manual", "--size", "Standard_D2s_v3", "--tags", "a=1", "b=2",
                        "--data-disk-sizes-gb", "8", "16", "--storage-sku", "StandardSSD_LRS",
                        "--os-disk-size-gb", "200", "--license-type", "Windows_Server", "--zone", "2"),
    "windows-avset": ("--image", "Win2016Datacenter", "--admin-password", PASSWORD, "--availability-set", "av",
                      "--enable-agent", "true"),
    "linux": ("--image", UBUNTU_1804, "--admin-username", "azureuser", "--ssh-key-values", RSA_KEY,
              "--patch-mode", "ImageDefault"),
    "linux-password": ("--image", UBUNTU_1804, "--admin-username", "azureuser", "--admin-password", PASSWORD,
                       "--authentication-type", "password"),
}


def _run(cli, monkeypatch, folder: Path, copy: bool, args: tuple[str, ...]) -> tuple[list, str]:
    monkeypatch.setenv("AUTOPATCH_STATE", str(folder / "state.json"))
    monkeypatch.setattr(vm_create, "COPY_COUNT", copy)
    outputs = []
    for argv in (("group", "create", "-n", "rg", "-l", "eastus"),
                 ("vm", "availability-set", "create", "-g", "rg", "-n", "av"),
                 ("vm", "create", "-g", "rg", "-n", "one", *args),  # a VM before, so the count is not the first
                 ("vm", "create", "-g", "rg", "-n", "fleet", "--count", "7", *args),
                 ("vm", "create", "-g", "rg", "-n", "one", "--count", "3", *args),  # "one0".."one2": new names
                 ("vm", "list", "-g", "rg", "-d"),
                 ("vm", "get-instance-view", "-g", "rg", "-n", "fleet4")):
        result = cli(*argv)
        outputs.append((argv[:3], result.exit_code, result.stdout, result.stderr))
    text = (folder / "state.json").read_text(encoding="utf-8")
    journal = folder / "state.json.journal"
    return outputs, text + (journal.read_text(encoding="utf-8") if journal.exists() else "")


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_count_makes_the_vms_each_body_would(cli, monkeypatch, tmp_path, case):
    (tmp_path / "built").mkdir()
    (tmp_path / "copied").mkdir()
    built = _run(cli, monkeypatch, tmp_path / "built", False, CASES[case])
    copied = _run(cli, monkeypatch, tmp_path / "copied", True, CASES[case])
    assert [o[1] for o in built[0]] == [0] * len(built[0]), built[0]
    assert copied[0] == built[0]
    assert copied[1] == built[1]


def _refusals(cli, monkeypatch, folder: Path, copy: bool) -> tuple[list, str]:
    monkeypatch.setenv("AUTOPATCH_STATE", str(folder / "state.json"))
    monkeypatch.setattr(vm_create, "COPY_COUNT", copy)
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    before = (folder / "state.json").read_bytes()
    outputs = []
    long_name = cli("vm", "create", "-g", "rg", "-n", "abcdefghijklmn", "--count", "11", "--image",
                    "Win2019Datacenter", "--admin-password", PASSWORD)
    # the eleventh VM's computer name has 16 characters: refused, and nothing of the first ten is kept
    assert long_name.exit_code != 0
    assert "Windows computer name cannot be more than 15 characters long" in long_name.stderr
    assert (folder / "state.json").read_bytes() == before
    for argv in (("vm", "create", "-g", "rg", "-n", "x1", "--image", "Win2019Datacenter", "--admin-password",
                  PASSWORD, "--tags", "old=1"),
                 # x1 exists: its PUT is put()'s (an update), whatever that answers
                 ("vm", "create", "-g", "rg", "-n", "x", "--count", "3", "--image", "Win2019Datacenter",
                  "--admin-password", PASSWORD),
                 # y0, the first of the count, exists: there is no new first VM to copy
                 ("vm", "create", "-g", "rg", "-n", "y0", "--image", "Win2019Datacenter", "--admin-password",
                  PASSWORD),
                 ("vm", "create", "-g", "rg", "-n", "y", "--count", "3", "--image", "Win2019Datacenter",
                  "--admin-password", PASSWORD),
                 ("vm", "list", "-g", "rg", "--query", "[].[name, vmId, tags]", "-o", "tsv")):
        result = cli(*argv)
        outputs.append((result.exit_code, result.stdout, result.stderr))
    return outputs, (folder / "state.json").read_text(encoding="utf-8")


def test_a_count_refuses_what_each_body_would(cli, monkeypatch, tmp_path):
    """az's checks of each name still run when the VMs are copies (the 16-character computer name of the
    eleventh Windows VM), and a generated name that is an existing VM goes through put() as its own body
    would: the same answers and the same store both ways."""
    (tmp_path / "built").mkdir()
    (tmp_path / "copied").mkdir()
    built = _refusals(cli, monkeypatch, tmp_path / "built", False)
    copied = _refusals(cli, monkeypatch, tmp_path / "copied", True)
    assert copied == built


def test_a_copy_takes_the_nics_its_body_names(cli):
    """vms.put_copy renames the first VM's NIC ("{name}VMNic"), or puts the NICs its caller names in the
    template's NICs' places; it declines (the caller builds the body) for a different number of NICs or a
    VM that exists."""
    from autopatch_cli.ops import ids, vms
    from autopatch_cli.ops.session import Session

    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    with Session().writer() as state:
        template: dict = {}
        body = vm_create.apply_options(vm_create.build_body(state, "rg", "t0", "Win2019Datacenter",
                                                            admin_password=PASSWORD), {})
        vms.put(state, "rg", "t0", body, template)
        sub = state.section("subscription")["id"]
        nic = ids.resource_id(sub, "rg", "Microsoft.Network/networkInterfaces", "tVMNic1")
        assert vms.put_copy(state, "rg", "t1", template, [nic, nic]) is None
        assert vms.find(state, "rg", "t1") is None
        copied = vms.put_copy(state, "rg", "t1", template, [nic])
        assert copied is not None and copied["vm"]["properties"]["networkProfile"]["networkInterfaces"] == [{"id": nic}]
        assert vms.put_copy(state, "rg", "t1", template) is None  # it exists now: put() decides
        renamed = vms.put_copy(state, "rg", "t2", template)
        assert renamed is not None and renamed["vm"]["properties"]["networkProfile"]["networkInterfaces"] == \
            [{"id": nic.replace("tVMNic1", "t2VMNic")}]
