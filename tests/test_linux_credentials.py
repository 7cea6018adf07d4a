"""A Linux VM's credentials as az 2.91 handles them (vm/_validators.py, core/keys.py): the authentication type
and its defaults, SSH keys given, read from files or generated into ~/.ssh, and a password that is checked and
never stored. HOME points at a temporary folder in every test: nothing touches the user's own ~/.ssh."""

from __future__ import annotations

import os
import stat

import pytest
from conftest import PASSWORD

UBUNTU = "Canonical:UbuntuServer:18.04-LTS:latest"  # on the marketplace in the store's October 2020
RSA_KEY = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCkmSJWQfLa1V4cpIKdq+uvmUY+L56o+CIvi1FV+ACYMZ4VEjHXgHjbft05uiH0d5x"
           "O1gQgnUGnw1woZFOEsyhrSKwS2cTdSFwrDaNnh85O7JeM0dwe3SskR/LC7OtNhKccO6ykekQlbCyKGK4Ii5NLXN2Mu8x31xN3ouMJL6GRZw==")
ED25519_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMRdqMFaAXXatvTgZ+LNAmAMoa6DpT/wW3f+9+L7vh2L me@host"


@pytest.fixture
def home(tmp_path, monkeypatch):
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


@pytest.fixture
def rg(cli, home):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    return cli


def _create(cli, name: str, *extra: str, image: str = UBUNTU):
    return cli("vm", "create", "-g", "rg", "-n", name, "--image", image, "--admin-username", "azureuser", *extra)


def _linux(cli, name: str) -> dict:
    return cli("vm", "show", "-g", "rg", "-n", name).json["osProfile"]["linuxConfiguration"]


def test_generate_ssh_keys_creates_the_pair_once_and_reuses_it(rg, home):
    made = _create(rg, "a", "--generate-ssh-keys")
    assert made.exit_code == 0, made.stderr
    private, public = home / ".ssh" / "id_rsa", home / ".ssh" / "id_rsa.pub"
    assert stat.S_IMODE(os.stat(home / ".ssh").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600 and stat.S_IMODE(os.stat(public).st_mode) == 0o644
    assert private.read_text().startswith("-----BEGIN RSA PRIVATE KEY-----")
    key = public.read_text()
    assert key.startswith("ssh-rsa ") and "have been generated under ~/.ssh" in made.stderr
    linux = _linux(rg, "a")
    assert linux["ssh"]["publicKeys"] == [{"path": "/home/azureuser/.ssh/authorized_keys", "keyData": key}]
    assert linux["disablePasswordAuthentication"] is True
    before = private.read_bytes()
    again = _create(rg, "b", "--generate-ssh-keys")
    assert again.exit_code == 0 and "generated" not in again.stderr
    assert private.read_bytes() == before and _linux(rg, "b")["ssh"]["publicKeys"][0]["keyData"] == key
    # the store holds the public key only
    store = open(os.environ["AUTOPATCH_STATE"]).read()
    assert "PRIVATE KEY" not in store and "MII" not in store


def test_without_keys_az_reads_the_default_public_key_or_says_how_to_make_one(rg, home):
    refused = _create(rg, "a")
    assert refused.exit_code == 1
    assert "An RSA key file or key value must be supplied to SSH Key Value" in refused.stderr
    assert not (home / ".ssh").exists() and rg("vm", "list").json == []
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa.pub").write_text(RSA_KEY + " me@host\n")
    assert _create(rg, "a").exit_code == 0
    # az reads the file whole and sends it so: the line end is part of the key data
    assert _linux(rg, "a")["ssh"]["publicKeys"][0]["keyData"] == RSA_KEY + " me@host\n"


def test_ssh_key_values_text_files_and_at_files_with_a_destination(rg, tmp_path):
    key_file = tmp_path / "ed.pub"
    key_file.write_text(ED25519_KEY + "\n")
    made = _create(rg, "a", "--ssh-key-values", RSA_KEY, str(key_file), f"@{key_file}",
                   "--ssh-dest-key-path", "/home/azureuser/.ssh/other_keys")
    assert made.exit_code == 0, made.stderr
    keys = _linux(rg, "a")["ssh"]["publicKeys"]
    # a file path is read whole (line end kept), an @file loses its trailing line ends (az's @ expansion)
    assert [k["keyData"] for k in keys] == [RSA_KEY, ED25519_KEY + "\n", ED25519_KEY]
    assert {k["path"] for k in keys} == {"/home/azureuser/.ssh/other_keys"}
    crlf = tmp_path / "crlf.pub"
    crlf.write_bytes((RSA_KEY + " me@host\r\n").encode())
    assert _create(rg, "c", "--ssh-key-values", str(crlf), f"@{crlf}").exit_code == 0
    assert [k["keyData"] for k in _linux(rg, "c")["ssh"]["publicKeys"]] == [RSA_KEY + " me@host\n",
                                                                          RSA_KEY + " me@host"]
    bad = _create(rg, "b", "--ssh-key-values", "ssh-rsa not-base64!")
    assert bad.exit_code == 1 and "An RSA key file or key value must be supplied" in bad.stderr


def test_generate_with_a_named_public_key_path_writes_there(rg, tmp_path):
    target = tmp_path / "keys" / "mine.pub"
    made = _create(rg, "a", "--ssh-key-values", str(target), "--generate-ssh-keys")
    assert made.exit_code == 0, made.stderr
    assert target.read_text().startswith("ssh-rsa ")
    assert (tmp_path / "keys" / "mine").read_text().startswith("-----BEGIN RSA PRIVATE KEY-----")
    ed = tmp_path / "keys" / "ed.pub"
    made = _create(rg, "b", "--ssh-key-values", str(ed), "--generate-ssh-keys", "--ssh-key-type", "Ed25519")
    assert made.exit_code == 0, made.stderr
    assert ed.read_text().startswith("ssh-ed25519 ")
    assert (tmp_path / "keys" / "ed").read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert _linux(rg, "b")["ssh"]["publicKeys"][0]["keyData"] == ed.read_text()


def test_authentication_types_and_their_defaults(rg):
    # a password alone: password authentication, no key
    made = _create(rg, "pw", "--admin-password", PASSWORD)
    assert made.exit_code == 0, made.stderr
    linux = _linux(rg, "pw")
    assert linux["disablePasswordAuthentication"] is False and "ssh" not in linux
    # a key and a password: both ("all")
    assert _create(rg, "both", "--admin-password", PASSWORD, "--ssh-key-values", RSA_KEY).exit_code == 0
    linux = _linux(rg, "both")
    assert linux["disablePasswordAuthentication"] is False and linux["ssh"]["publicKeys"][0]["keyData"] == RSA_KEY
    # az's refusals
    for extra, message in [
        (("--authentication-type", "ssh", "--admin-password", PASSWORD, "--ssh-key-values", RSA_KEY),
         "Admin password cannot be used with SSH authentication type."),
        (("--authentication-type", "password", "--admin-password", PASSWORD, "--ssh-key-values", RSA_KEY),
         "SSH key cannot be used with password authentication type."),
        (("--authentication-type", "password",), "Please specify password in non-interactive mode."),
        (("--authentication-type", "all", "--ssh-key-values", RSA_KEY), "Please specify password in non-interactive"),
        (("--admin-password", "short1A!"), "The password length must be between 12 and 72"),
    ]:
        refused = _create(rg, "x", *extra)
        assert refused.exit_code == 1 and message in refused.stderr, (extra, refused.stderr)
    windows = rg("vm", "create", "-g", "rg", "-n", "w", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
                 "--authentication-type", "ssh")
    assert windows.exit_code == 1 and "SSH not supported for Windows VMs." in windows.stderr
    for extra, message in [
        (("--authentication-type", "all"), "SSH not supported for Windows VMs. Use password authentication."),
        (("--ssh-key-values", RSA_KEY), "SSH key cannot be used with password authentication type."),
        (("--ssh-dest-key-path", "/home/x/.ssh/k"), "SSH key cannot be used with password authentication type."),
    ]:
        refused = rg("vm", "create", "-g", "rg", "-n", "w", "--image", "Win2019Datacenter", "--admin-password",
                     PASSWORD, *extra)
        assert refused.exit_code == 1 and message in refused.stderr, (extra, refused.stderr)
    assert sorted(vm["name"] for vm in rg("vm", "list").json) == ["both", "pw"]


def test_the_password_is_checked_then_never_stored_or_printed(rg):
    made = _create(rg, "a", "--admin-password", PASSWORD, "-o", "json")
    assert made.exit_code == 0
    shown = rg("vm", "show", "-g", "rg", "-n", "a")
    assert PASSWORD not in made.stdout + shown.stdout
    assert PASSWORD not in open(os.environ["AUTOPATCH_STATE"]).read()


def test_ed25519_keys_are_generated_into_id_ed25519_and_reused(rg, home):
    made = _create(rg, "a", "--ssh-key-type", "Ed25519", "--generate-ssh-keys")
    assert made.exit_code == 0, made.stderr
    private, public = home / ".ssh" / "id_ed25519", home / ".ssh" / "id_ed25519.pub"
    assert not (home / ".ssh" / "id_rsa").exists() and not (home / ".ssh" / "id_rsa.pub").exists()
    assert stat.S_IMODE(os.stat(home / ".ssh").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600 and stat.S_IMODE(os.stat(public).st_mode) == 0o644
    assert private.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    key = public.read_text()
    assert key.startswith("ssh-ed25519 ") and not key.endswith("\n") and len(key.split()) == 2
    assert f"SSH key files '{private}' and '{public}' have been generated" in made.stderr
    from cryptography.hazmat.primitives import serialization

    loaded = serialization.load_ssh_private_key(private.read_bytes(), password=None)
    assert loaded.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                            serialization.PublicFormat.OpenSSH).decode() == key
    assert _linux(rg, "a")["ssh"]["publicKeys"] == [{"path": "/home/azureuser/.ssh/authorized_keys", "keyData": key}]
    # the next create reuses the pair; a lower-case type is az's Ed25519 too
    before = private.read_bytes()
    again = _create(rg, "b", "--ssh-key-type", "ed25519", "--generate-ssh-keys")
    assert again.exit_code == 0 and "generated" not in again.stderr, again.stderr
    assert private.read_bytes() == before and _linux(rg, "b")["ssh"]["publicKeys"][0]["keyData"] == key
    # a lone private key: its public half is written beside it
    public.unlink()
    third = _create(rg, "c", "--ssh-key-type", "Ed25519", "--generate-ssh-keys")
    assert third.exit_code == 0 and "was found in the directory" in third.stderr
    assert public.read_text() == key and private.read_bytes() == before
    # without --generate-ssh-keys, Ed25519 reads ~/.ssh/id_ed25519.pub; RSA still wants id_rsa.pub
    assert _create(rg, "d", "--ssh-key-type", "Ed25519").exit_code == 0
    refused = _create(rg, "e")
    assert refused.exit_code == 1 and "An RSA key file or key value must be supplied" in refused.stderr
    bad = _create(rg, "f", "--ssh-key-type", "DSA", "--generate-ssh-keys")
    assert bad.exit_code == 2 and "DSA" in bad.stderr
    assert sorted(vm["name"] for vm in rg("vm", "list").json) == ["a", "b", "c", "d"]


def test_windows_vms_ignore_key_generation_as_az_does(rg, home):
    made = rg("vm", "create", "-g", "rg", "-n", "w", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
              "--generate-ssh-keys", "--ssh-key-type", "Ed25519")
    assert made.exit_code == 0, made.stderr
    assert not (home / ".ssh").exists()
    shown = rg("vm", "show", "-g", "rg", "-n", "w").json["osProfile"]
    assert "linuxConfiguration" not in shown and "ssh" not in shown["windowsConfiguration"]
