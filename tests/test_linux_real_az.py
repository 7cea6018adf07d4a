"""The real azure-cli 2.91 against `autopatch serve --tls` for a Linux VM: `az vm create` from an alias with an SSH
key and AutomaticByPlatform, `az vm update --set` of the Linux patch settings, `az vm assess-patches`, and
`az vm install-patches` with Linux classifications and package masks. Skipped without azure-cli
($AUTOPATCH_AZ or az on PATH), as tests/test_real_az.py is."""

from __future__ import annotations

import json

import pytest
from test_real_az import az_env, ours  # noqa: F401 - az_env is the fixture (serve --tls, az-env, no egress)

pytestmark = pytest.mark.azcli
RSA_KEY = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCkmSJWQfLa1V4cpIKdq+uvmUY+L56o+CIvi1FV+ACYMZ4VEjHXgHjbft05uiH0d5x"
           "O1gQgnUGnw1woZFOEsyhrSKwS2cTdSFwrDaNnh85O7JeM0dwe3SskR/LC7OtNhKccO6ykekQlbCyKGK4Ii5NLXN2Mu8x31xN3ouMJL6GRZw==")


def test_a_linux_vm_through_the_real_az(az_env, cli, tmp_path):  # noqa: F811 - the imported fixture
    az = az_env
    ours(cli, "clock", "set", "2024-06-01T00:00:00Z")
    az("group", "create", "-n", "rg", "-l", "eastus", "-o", "none")
    key_file = tmp_path / "id.pub"
    key_file.write_text(RSA_KEY + " me@host\n")
    created = az("vm", "create", "-g", "rg", "-n", "lin", "--image", "Ubuntu2204", "--admin-username", "azureuser",
                 "--ssh-key-values", str(key_file), "--patch-mode", "AutomaticByPlatform", "--enable-agent", "true",
                 "-o", "json")
    assert json.loads(created.stdout)["powerState"] == "VM running"
    shown = az.json("vm", "show", "-g", "rg", "-n", "lin")
    assert shown == ours(cli, "vm", "show", "-g", "rg", "-n", "lin")
    linux = shown["osProfile"]["linuxConfiguration"]
    assert linux["patchSettings"]["patchMode"] == "AutomaticByPlatform"
    assert linux["disablePasswordAuthentication"] is True
    assert linux["ssh"]["publicKeys"][0]["keyData"].startswith(RSA_KEY)
    assert shown["storageProfile"]["imageReference"]["offer"] == "0001-com-ubuntu-server-jammy"

    # az's generic update creates no missing intermediate object: the settings object is set whole
    az("vm", "update", "-g", "rg", "-n", "lin", "--set",
       "osProfile.linuxConfiguration.patchSettings.assessmentMode=AutomaticByPlatform",
       'osProfile.linuxConfiguration.patchSettings.automaticByPlatformSettings={"rebootSetting": "Never"}', "-o", "none")
    settings = az.json("vm", "show", "-g", "rg", "-n", "lin")["osProfile"]["linuxConfiguration"]["patchSettings"]
    assert settings["assessmentMode"] == "AutomaticByPlatform"
    assert settings["automaticByPlatformSettings"]["rebootSetting"] == "Never"
    refused = az("vm", "update", "-g", "rg", "-n", "lin", "--set",
                 "osProfile.linuxConfiguration.patchSettings.patchMode=AutomaticByOS", check=False)
    assert refused.returncode == 1 and "InvalidParameter" in refused.stderr

    ours(cli, "tick", "--days", "20")
    assessed = az.json("vm", "assess-patches", "-g", "rg", "-n", "lin")
    assert assessed["status"] == "Succeeded" and assessed["availablePatches"]
    assert all("kbId" not in p or p["kbId"] is None for p in assessed["availablePatches"])
    target = assessed["availablePatches"][0]
    installed = az.json("vm", "install-patches", "-g", "rg", "-n", "lin", "--maximum-duration", "PT2H",
                        "--reboot-setting", "IfRequired", "--classifications-to-include-linux", "Critical",
                        "--package-name-masks-to-include", f"{target['name']}_{target['version']}",
                        "--package-name-masks-to-exclude", "tzdata")
    states = {p["name"]: p["installationState"] for p in installed["patches"]}
    assert states[target["name"]] in ("Installed", "Pending")
    assert states.get("tzdata", "Excluded") == "Excluded"
    wrong = az("vm", "install-patches", "-g", "rg", "-n", "lin", "--maximum-duration", "PT2H", "--reboot-setting",
               "Never", "--classifications-to-include-win", "Critical", check=False)
    assert wrong.returncode == 1 and "not allowed for a Linux VM" in wrong.stderr


def test_key_data_is_what_az_sends_whoever_creates_the_vm(az_env, cli, tmp_path, monkeypatch):  # noqa: F811
    """az reads a key file whole (its line end is key data), strips an @file's trailing line ends, and sends a key
    it generates as the library writes it; `autopatch vm create` stores the same keyData for the same input. The
    key pairs in ~/.ssh are shared: the one az generates is reused by autopatch and the other way round."""
    az = az_env
    home = tmp_path / "home"  # az's HOME (the fixture's); autopatch's too from here on
    monkeypatch.setenv("HOME", str(home))
    ours(cli, "clock", "set", "2024-06-01T00:00:00Z")
    az("group", "create", "-n", "rg", "-l", "eastus", "-o", "none")
    key_file = tmp_path / "id.pub"
    key_file.write_text(RSA_KEY + " me@host\n")

    def key_data(name: str) -> list[str]:
        shown = az.json("vm", "show", "-g", "rg", "-n", name)
        return [k["keyData"] for k in shown["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"]]

    def both(name: str, *extra: str) -> None:
        common = ("--image", "Ubuntu2204", "--admin-username", "azureuser", *extra)
        az("vm", "create", "-g", "rg", "-n", f"{name}-az", *common, "-o", "none")
        ours(cli, "vm", "create", "-g", "rg", "-n", f"{name}-ours", *common)

    both("file", "--ssh-key-values", str(key_file), f"@{key_file}")
    assert key_data("file-az") == key_data("file-ours") == [RSA_KEY + " me@host\n", RSA_KEY + " me@host"]

    # Ed25519: az generates the pair, autopatch reuses it
    az("vm", "create", "-g", "rg", "-n", "ed-az", "--image", "Ubuntu2204", "--admin-username", "azureuser",
       "--ssh-key-type", "Ed25519", "--generate-ssh-keys", "-o", "none")
    public = (home / ".ssh" / "id_ed25519.pub").read_text()
    assert public.startswith("ssh-ed25519 ")
    assert (home / ".ssh" / "id_ed25519").read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    ours(cli, "vm", "create", "-g", "rg", "-n", "ed-ours", "--image", "Ubuntu2204", "--admin-username", "azureuser",
         "--ssh-key-type", "Ed25519", "--generate-ssh-keys")
    assert key_data("ed-az") == key_data("ed-ours") == [public]

    # RSA: autopatch generates the pair, az reuses it
    assert not (home / ".ssh" / "id_rsa.pub").exists()
    ours(cli, "vm", "create", "-g", "rg", "-n", "rsa-ours", "--image", "Ubuntu2204", "--admin-username", "azureuser",
         "--generate-ssh-keys")
    public = (home / ".ssh" / "id_rsa.pub").read_text()
    az("vm", "create", "-g", "rg", "-n", "rsa-az", "--image", "Ubuntu2204", "--admin-username", "azureuser",
       "--generate-ssh-keys", "-o", "none")
    assert public.startswith("ssh-rsa ") and key_data("rsa-az") == key_data("rsa-ours") == [public]
