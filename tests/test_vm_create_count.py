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


@pytest.mark.parametrize("copy", [False, True])
def test_a_count_refuses_what_each_body_would(cli, monkeypatch, tmp_path, copy):
    """az's checks of each name still run: the 16-character computer name of the tenth Windows VM, an
    existing VM of a generated name (an update of it, as az's PUT is), and nothing is kept on a refusal."""
    monkeypatch.setattr(vm_create, "COPY_COUNT", copy)
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    before = Path(tmp_path / "state.json").read_bytes()
    result = cli("vm", "create", "-g", "rg", "-n", "abcdefghijklmn", "--count", "11", "--image", "Win2019Datacenter",
                 "--admin-password", PASSWORD)
    assert result.exit_code != 0
    assert "Windows computer name cannot be more than 15 characters long" in result.stderr
    assert Path(tmp_path / "state.json").read_bytes() == before
    assert cli("vm", "create", "-g", "rg", "-n", "x1", "--image", "Win2019Datacenter", "--admin-password",
               PASSWORD, "--tags", "old=1").exit_code == 0
    # x1 exists with its own NIC (x1VMNic); the count's PUT of x1 names xVMNic1, a change Azure refuses
    before = Path(tmp_path / "state.json").read_bytes()
    result = cli("vm", "create", "-g", "rg", "-n", "x", "--count", "3", "--image", "Win2019Datacenter",
                 "--admin-password", PASSWORD)
    assert result.exit_code == 1
    assert "(PropertyChangeNotAllowed) Changing property 'networkProfile.networkInterfaces' is not allowed." in result.stderr
    assert Path(tmp_path / "state.json").read_bytes() == before


def test_a_copy_is_refused_when_its_nics_would_differ(cli, monkeypatch):
    """vms.put_copy renames the first VM's NIC ("{name}VMNic"); a caller that knows the NICs the VM's own body
    would name gets None (and builds that body) when they are not those."""
    from autopatch_cli.ops import ids, vms
    from autopatch_cli.ops.session import Session

    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    with Session().writer() as state:
        template: dict = {}
        body = vm_create.apply_options(vm_create.build_body(state, "rg", "t0", "Win2019Datacenter",
                                                            admin_password=PASSWORD), {})
        vms.put(state, "rg", "t0", body, template)
        sub = state.section("subscription")["id"]
        nic = ids.resource_id(sub, "rg", "Microsoft.Network/networkInterfaces", "t1VMNic")
        assert vms.put_copy(state, "rg", "t1", template, [nic.replace("t1VMNic", "otherNic")]) is None
        assert vms.find(state, "rg", "t1") is None
        copied = vms.put_copy(state, "rg", "t1", template, [nic])
        assert copied is not None and copied["vm"]["properties"]["networkProfile"]["networkInterfaces"][0]["id"] == nic
        assert vms.put_copy(state, "rg", "t1", template) is None  # it exists now: put() decides
