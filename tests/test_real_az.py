"""The real azure-cli against `autopatch serve --tls`, set up by `autopatch az-env`, as a user runs it.

az is found through $AUTOPATCH_AZ or PATH (.ci/run installs azure-cli 2.91.0 into a venv of its own and
sets AUTOPATCH_AZ); without it these tests are skipped. Every az call runs with a fresh HOME (so ~/.azure
cannot be used) and with HTTPS_PROXY/HTTP_PROXY pointing at a proxy that refuses and records every
request, NO_PROXY covering only loopback: the proxy's log must stay empty, which proves nothing left the
machine. Each read verb's output is compared with autopatch's own verb on the same store.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import entry_point

pytestmark = pytest.mark.azcli
PASSWORD = "Str0ng!Passw0rd"


def az_executable() -> str | None:
    return os.environ.get("AUTOPATCH_AZ") or shutil.which("az")


class RefusingProxy(ThreadingHTTPServer):
    """An HTTP(S) proxy that refuses every request and remembers where it was meant to go."""

    daemon_threads = True

    def __init__(self):
        self.attempts: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def _refuse(handler):  # noqa: N805 - the handler instance
                self.attempts.append(f"{handler.command} {handler.path}")
                handler.send_response(403, "autopatch test: no traffic may leave loopback")
                handler.send_header("Content-Length", "0")
                handler.end_headers()

            do_CONNECT = do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _refuse

            def log_message(handler, *args):  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)


class AzSession:
    def __init__(self, az: str, env: dict[str, str]):
        self.az, self.env, self.timings = az, env, []

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        started = time.monotonic()
        done = subprocess.run([self.az, *args], capture_output=True, text=True, env=self.env, timeout=300)
        self.timings.append((" ".join(args[:3]), time.monotonic() - started))
        if check:
            assert done.returncode == 0, f"az {' '.join(args)}\n{done.stderr}"
            assert "Traceback" not in done.stderr, done.stderr
        return done

    def json(self, *args: str):
        return json.loads(self(*args, "-o", "json").stdout)


@pytest.fixture
def az_env(state_path, tmp_path):
    """`autopatch serve --tls` in a process of its own, az set up by `autopatch az-env`, a refusing proxy."""
    az = az_executable()
    if az is None:
        pytest.skip("azure-cli is not installed: set AUTOPATCH_AZ or put az on PATH (.ci/run installs azure-cli "
                    "2.91.0 into .ci/azvenv)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "MSI_", "REQUESTS_CA"))}
    server = subprocess.Popen([*entry_point(), "serve", "--tls", "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env)
    proxy = RefusingProxy()
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    try:
        certificate_line, serving_line = server.stdout.readline(), server.stdout.readline()
        port = re.search(r"https://127\.0\.0\.1:(\d+) ", serving_line)
        assert certificate_line.startswith("TLS certificate") and port, (certificate_line, serving_line)
        url = f"https://127.0.0.1:{port.group(1)}"
        printed = subprocess.run([*entry_point(), "az-env", "--url", url], capture_output=True, text=True, env=env,
                                 timeout=120)
        assert printed.returncode == 0, printed.stderr
        exported = dict(re.findall(r"^export (\w+)=(\S+)$", printed.stdout, re.MULTILINE))
        home = tmp_path / "home"
        home.mkdir()
        az_environment = {**env, **exported, "HOME": str(home), "HTTPS_PROXY": f"http://127.0.0.1:{proxy.server_port}",
                          "HTTP_PROXY": f"http://127.0.0.1:{proxy.server_port}", "NO_PROXY": "127.0.0.1,localhost",
                          "AZURE_CORE_NO_COLOR": "true"}
        session = AzSession(az, az_environment)
        yield session
        assert proxy.attempts == [], f"az tried to leave loopback: {proxy.attempts}"
        assert not (home / ".azure").exists(), "az used ~/.azure"
    finally:
        proxy.shutdown()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        timings = getattr(locals().get("session"), "timings", [])
        if timings:
            total = sum(t for _, t in timings)
            print(f"\n{len(timings)} az calls, {total:.1f} s, slowest: "
                  + ", ".join(f"{name} {t:.2f} s" for name, t in sorted(timings, key=lambda x: -x[1])[:3]))


def ours(cli, *args: str):
    done = cli(*args, "-o", "json")
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def without_nulls(document):
    """az prints the provider's unset properties as nulls (``"aliases": null``...) where autopatch's
    `provider show` leaves them out: the one difference of the read verbs left, set aside here."""
    if isinstance(document, dict):
        return {k: without_nulls(v) for k, v in document.items() if v is not None}
    if isinstance(document, list):
        return [without_nulls(v) for v in document]
    return document


# What differs between any two VMs however they are made: Azure's own id of each VM and its creation time.
# Everything else of a VM made by `az vm create` (through its template deployment) and of one made by
# `autopatch vm create` with the same options must be the same, names aside.
AZ_TEMPLATE_ONLY = ("vmId", "timeCreated")


def as_created(document: dict, name: str) -> dict:
    """A VM document with its own name and ids made neutral, for comparing two VMs made alike."""
    text = json.dumps({k: v for k, v in document.items() if k not in AZ_TEMPLATE_ONLY}).replace(name, "{name}")
    return json.loads(text)


def differences(ours_: object, theirs: object, path: str = "") -> list[str]:
    """Where two documents differ, one line a path (what autopatch has -> what az has)."""
    if isinstance(ours_, dict) and isinstance(theirs, dict):
        return [line for key in sorted(set(ours_) | set(theirs), key=str)
                for line in differences(ours_.get(key, "<absent>"), theirs.get(key, "<absent>"), f"{path}.{key}")]
    if isinstance(ours_, list) and isinstance(theirs, list) and len(ours_) == len(theirs):
        return [line for i, (a, b) in enumerate(zip(ours_, theirs, strict=True)) for line in differences(a, b, f"{path}[{i}]")]
    return [] if ours_ == theirs else [f"{path}: {ours_!r} -> {theirs!r}"]


def test_the_guide_through_the_real_az(az_env, cli):
    az = az_env
    # az sees the store's subscription, signed in through the managed identity (no az login)
    account = az.json("account", "show")
    assert account["id"] == ours(cli, "account", "show")["id"] and account["user"]["assignedIdentityInfo"] == "MSI"
    group = az.json("group", "create", "-n", "myResourceGroup", "-l", "eastus")
    assert group == ours(cli, "group", "show", "-n", "myResourceGroup")
    # the 2020 guide's opt-in (a new store starts on 2020-10-01)
    for feature in ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview"):
        registered = az.json("feature", "register", "--namespace", "Microsoft.Compute", "--name", feature)
        assert registered["properties"]["state"] == "Registering"
    ours(cli, "tick", "--minutes", "30")
    for feature in ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview"):
        assert az.json("feature", "show", "--namespace", "Microsoft.Compute", "--name", feature) == ours(
            cli, "feature", "show", "--namespace", "Microsoft.Compute", "--name", feature)
    az("provider", "register", "--namespace", "Microsoft.Compute")
    assert without_nulls(az.json("provider", "show", "-n", "Microsoft.Compute")) == ours(
        cli, "provider", "show", "-n", "Microsoft.Compute")

    created = az("vm", "create", "-g", "myResourceGroup", "-n", "myVM", "--image", "Win2019Datacenter",
                 "--admin-username", "azureuser", "--admin-password", PASSWORD, "--enable-agent", "--enable-auto-update",
                 "--patch-mode", "AutomaticByPlatform", "-o", "json")
    summary = json.loads(created.stdout)
    assert summary["powerState"] == "VM running" and summary["privateIpAddress"] == "10.0.0.4"
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", summary["publicIpAddress"]) and summary["macAddress"]
    assert "endpoint_vm_image_alias_doc" not in created.stderr  # the alias document was served
    # the same keys as autopatch's own vm create prints (az leaves out "zones" when the VM has none)
    own = ours(cli, "vm", "create", "-g", "myResourceGroup", "-n", "ownVM", "--image", "Win2019Datacenter",
               "--admin-username", "azureuser", "--admin-password", PASSWORD, "--enable-agent", "--enable-auto-update",
               "--patch-mode", "AutomaticByPlatform")
    assert set(summary) == set(own) - {"zones"}
    own_shown = ours(cli, "vm", "show", "-g", "myResourceGroup", "-n", "ownVM")
    ours(cli, "vm", "delete", "-g", "myResourceGroup", "-n", "ownVM", "--yes")
    shown = az.json("vm", "show", "-g", "myResourceGroup", "-n", "myVM")
    assert shown == ours(cli, "vm", "show", "-g", "myResourceGroup", "-n", "myVM")
    # the VM autopatch's vm create makes is the VM az's makes, but for what az's template itself adds
    unlike = differences(as_created(own_shown, "ownVM"), as_created(shown, "myVM"))
    assert not unlike, "\n".join(unlike)
    assert shown["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] == "AutomaticByPlatform"
    assert shown["storageProfile"]["imageReference"]["sku"] == "2019-Datacenter"

    assessed = az.json("vm", "assess-patches", "-g", "myResourceGroup", "-n", "myVM")
    assert assessed["status"] == "Succeeded"
    view = az.json("vm", "get-instance-view", "-g", "myResourceGroup", "-n", "myVM",
                   "--query", "instanceView.patchStatus")
    assert view == ours(cli, "vm", "get-instance-view", "-g", "myResourceGroup", "-n", "myVM",
                        "--query", "instanceView.patchStatus")
    assert view["availablePatchSummary"]["assessmentActivityId"] == assessed["assessmentActivityId"]
    ours(cli, "tick", "--days", "35")  # time still moves only when told
    for verb in (("vm", "get-instance-view", "-g", "myResourceGroup", "-n", "myVM"),
                 ("vm", "list", "-g", "myResourceGroup"), ("vm", "show", "-g", "myResourceGroup", "-n", "myVM")):
        assert az.json(*verb) == ours(cli, *verb), verb
    assert az.json("group", "list") == ours(cli, "group", "list")

    # az vm update sends the VM back without its image; the VM keeps it, and patching still works
    az("vm", "update", "-g", "myResourceGroup", "-n", "myVM", "--set",
       "osProfile.windowsConfiguration.patchSettings.assessmentMode=AutomaticByPlatform", "-o", "none")
    updated = az.json("vm", "show", "-g", "myResourceGroup", "-n", "myVM")
    assert updated["storageProfile"]["imageReference"] == shown["storageProfile"]["imageReference"]
    assert updated == ours(cli, "vm", "show", "-g", "myResourceGroup", "-n", "myVM")
    installed = az.json("vm", "install-patches", "-g", "myResourceGroup", "-n", "myVM", "--maximum-duration", "PT2H",
                        "--reboot-setting", "IfRequired", "--classifications-to-include-win", "Critical", "Security")
    assert installed["status"] in ("Succeeded", "CompletedWithWarnings", "Failed")
    assert az.json("vm", "get-instance-view", "-g", "myResourceGroup", "-n", "myVM") == ours(
        cli, "vm", "get-instance-view", "-g", "myResourceGroup", "-n", "myVM")

    # the deployment behind vm create, and the network resources it made
    deployments = az.json("deployment", "group", "list", "-g", "myResourceGroup")
    assert [d["properties"]["provisioningState"] for d in deployments] == ["Succeeded"]
    deployment = az.json("deployment", "group", "show", "-g", "myResourceGroup", "-n", deployments[0]["name"])
    assert len(deployment["properties"]["outputResources"]) == 5
    nics = az.json("network", "nic", "list", "-g", "myResourceGroup")
    # ownVM (autopatch's own vm create) joined myVM's VNet with a NIC of its own, left behind by vm delete
    assert [n["name"] for n in nics] == ["myVMVMNic", "ownVMVMNic"] and nics[0]["virtualMachine"]["id"] == shown["id"]
    assert "virtualMachine" not in nics[1] and nics[1]["ipConfigurations"][0]["subnet"]["id"] == \
        nics[0]["ipConfigurations"][0]["subnet"]["id"]

    # power verbs, then the group goes with everything in it
    az("vm", "deallocate", "-g", "myResourceGroup", "-n", "myVM")
    assert az.json("vm", "get-instance-view", "-g", "myResourceGroup", "-n", "myVM",
                   "--query", "instanceView.statuses[1].code") == "PowerState/deallocated"
    az("vm", "start", "-g", "myResourceGroup", "-n", "myVM")
    az("group", "delete", "-n", "myResourceGroup", "--yes")
    assert az.json("group", "list") == [] == ours(cli, "group", "list")
    assert az.json("network", "vnet", "list") == []


def test_cloud_discovery_login_and_refusals(az_env, cli):
    az = az_env
    # az cloud register reads /metadata/endpoints (no --skip-endpoint-discovery), az login --identity lists
    # /subscriptions through the identity endpoint's token
    url = az.env["IDENTITY_ENDPOINT"].rsplit("/msi/token", 1)[0]
    az("cloud", "register", "-n", "Discovered", "--endpoint-resource-manager", url + "/", "-o", "none")
    assert az.json("cloud", "show", "-n", "Discovered", "--query", "endpoints.resourceManager") == url + "/"
    logged_in = az.json("login", "--identity")
    assert [(a["id"], a["user"]["name"]) for a in logged_in] == [(ours(cli, "account", "show")["id"],
                                                                  "systemAssignedIdentity")]
    missing = az("vm", "show", "-g", "nowhere", "-n", "x", check=False)
    assert missing.returncode == 3 and "ResourceGroupNotFound" in missing.stderr
    az("group", "create", "-n", "rg", "-l", "eastus", "-o", "none")
    # --validate: az prints ARM's validation of the deployment it would send; autopatch's vm create prints the same
    create = ("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-username", "azureuser",
              "--admin-password", PASSWORD, "--validate")
    validated, own = az.json(*create), ours(cli, *create)

    def neutral(document):  # az names the deployment at random, and its template is its own
        return {**document, "id": None, "name": None, "properties": {**document["properties"], "templateHash": None}}

    assert neutral(own) == neutral(validated) and validated["name"].startswith("vm_deploy_")
    assert ours(cli, "vm", "list") == [] and az.json("deployment", "group", "list", "-g", "rg") == []
    # before the 2020 opt-in, the deployment of vm create fails with the VM's own error
    az("provider", "register", "--namespace", "Microsoft.Compute")
    refused = az("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-username", "azureuser",
                 "--admin-password", PASSWORD, "--patch-mode", "AutomaticByPlatform", "--enable-agent",
                 "--enable-auto-update", check=False)
    assert refused.returncode == 1 and "SubscriptionNotRegisteredForFeature" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert ours(cli, "vm", "list") == []
    # az deployment group create: the template file goes out as JSONC (comments, `template:` unquoted)
    template = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "contentVersion": "1.0.0.0", "parameters": {"prefix": {"type": "string"}},
                "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01",
                               "name": "[concat(parameters('prefix'), '-nsg')]", "location": "[resourceGroup().location]",
                               "properties": {}}],
                "outputs": {"id": {"type": "string", "value": "[resourceId('Microsoft.Network/networkSecurityGroups', "
                                                              "concat(parameters('prefix'), '-nsg'))]"}}}
    path = Path(az.env["AZURE_CONFIG_DIR"]).parent / "template.jsonc"
    path.write_text("// a template with a comment, as az users write them\n" + json.dumps(template, indent=2))
    deployed = az.json("deployment", "group", "create", "-g", "rg", "-n", "nsg", "--template-file", str(path),
                       "--parameters", "prefix=web")
    assert deployed["properties"]["provisioningState"] == "Succeeded"
    assert deployed["properties"]["outputs"]["id"]["value"].endswith("/networkSecurityGroups/web-nsg")
    assert az.json("network", "nsg", "show", "-g", "rg", "-n", "web-nsg")["provisioningState"] == "Succeeded"
    template["resources"][0]["name"] = "[reverse(parameters('prefix'))]"
    path.write_text(json.dumps(template))
    invalid = az("deployment", "group", "create", "-g", "rg", "-n", "bad", "--template-file", str(path),
                 "--parameters", "prefix=web", check=False)
    assert invalid.returncode == 1 and "InvalidTemplate" in invalid.stderr and "'reverse' is not valid" in invalid.stderr


def test_mirrored_verbs_print_what_autopatch_prints(az_env, cli):
    """VMs made by autopatch's own verbs, read and changed through the real az, read back both ways."""
    az = az_env
    ours(cli, "group", "create", "-n", "rg", "-l", "eastus")
    for feature in ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview"):
        ours(cli, "feature", "register", "--namespace", "Microsoft.Compute", "--name", feature)
    ours(cli, "tick", "--minutes", "30")
    ours(cli, "provider", "register", "--namespace", "Microsoft.Compute")
    ours(cli, "vm", "create", "-g", "rg", "-n", "auto", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
         "--patch-mode", "AutomaticByPlatform", "--enable-agent", "--enable-auto-update")
    ours(cli, "vm", "create", "-g", "rg", "-n", "manual", "--image", "Win2016Datacenter", "--admin-password", PASSWORD,
         "--patch-mode", "Manual", "--enable-auto-update", "false")
    ours(cli, "tick", "--days", "14")
    assert az.json("group", "show", "-n", "rg") == ours(cli, "group", "show", "-n", "rg")
    assert az("group", "exists", "-n", "rg").stdout.strip() == "true"
    assert az.json("feature", "list", "--namespace", "Microsoft.Compute") == ours(
        cli, "feature", "list", "--namespace", "Microsoft.Compute")
    for verb in (("vm", "list"), ("vm", "list", "-g", "rg"), ("vm", "show", "-g", "rg", "-n", "manual"),
                 ("vm", "get-instance-view", "-g", "rg", "-n", "auto")):
        assert az.json(*verb) == ours(cli, *verb), verb
    # changes through az, read back by autopatch
    az("vm", "stop", "-g", "rg", "-n", "manual", "-o", "none")
    az("vm", "restart", "-g", "rg", "-n", "auto", "-o", "none")
    az("vm", "update", "-g", "rg", "-n", "manual", "--set", "tags={\"ring\": \"1\"}", "-o", "none")
    for verb in (("vm", "get-instance-view", "-g", "rg", "-n", "manual"), ("vm", "show", "-g", "rg", "-n", "manual")):
        assert az.json(*verb) == ours(cli, *verb), verb
    assert ours(cli, "vm", "show", "-g", "rg", "-n", "manual")["tags"] == {"ring": "1"}
    refused = az("vm", "assess-patches", "-g", "rg", "-n", "manual", check=False)  # a stopped VM: refused, as in Azure
    assert refused.returncode == 1 and "OperationNotAllowed" in refused.stderr
    az("vm", "start", "-g", "rg", "-n", "manual", "-o", "none")
    assessed = az.json("vm", "assess-patches", "-g", "rg", "-n", "manual")
    assert assessed["status"] == "Succeeded" and assessed["availablePatches"]  # after October's Patch Tuesday
    assert assessed["assessmentActivityId"] == ours(cli, "vm", "get-instance-view", "-g", "rg", "-n", "manual", "--query",
                                                    "instanceView.patchStatus.availablePatchSummary.assessmentActivityId")
    az("vm", "delete", "-g", "rg", "-n", "manual", "--yes")
    assert [v["name"] for v in az.json("vm", "list", "-g", "rg")] == ["auto"] == [
        v["name"] for v in ours(cli, "vm", "list", "-g", "rg")]
    # az vm availability-set create deploys a template; az vm create --availability-set checks the set by GET
    made = az.json("vm", "availability-set", "create", "-g", "rg", "-n", "mySet", "--platform-update-domain-count", "3")
    assert made == ours(cli, "vm", "availability-set", "show", "-g", "rg", "-n", "mySet")
    az("vm", "create", "-g", "rg", "-n", "inSet", "--image", "Win2019Datacenter", "--admin-username", "azureuser",
       "--admin-password", PASSWORD, "--availability-set", "mySet", "--patch-mode", "AutomaticByPlatform", "-o", "none")
    members = az.json("vm", "availability-set", "show", "-g", "rg", "-n", "mySet", "--query", "virtualMachines[].id")
    assert [m.rsplit("/", 1)[1] for m in members] == ["inSet"]
    missing = az("vm", "create", "-g", "rg", "-n", "x", "--image", "Win2019Datacenter", "--admin-username", "azureuser",
                 "--admin-password", PASSWORD, "--availability-set", "noSuchSet", check=False)
    assert missing.returncode == 1 and "Availability set 'noSuchSet' does not exist." in missing.stderr


def test_the_network_of_autopatchs_own_vm_create_through_the_real_az(az_env, cli):
    """A VM made by `autopatch vm create` points at a NIC that exists: the real az reads it, its public IP,
    VNet and NSG, and `az vm show -d` (which reads the NIC and the public IP) prints autopatch's addresses."""
    az = az_env
    ours(cli, "group", "create", "-n", "rg", "-l", "eastus")
    made = ours(cli, "vm", "create", "-g", "rg", "-n", "own", "--image", "Win2019Datacenter", "--admin-password",
                PASSWORD)
    vm = ours(cli, "vm", "show", "-g", "rg", "-n", "own")
    nic_id = vm["networkProfile"]["networkInterfaces"][0]["id"]
    nic = az.json("network", "nic", "show", "--ids", nic_id)
    assert nic["id"] == nic_id and nic["virtualMachine"]["id"] == vm["id"] and nic["macAddress"] == made["macAddress"]
    assert nic["ipConfigurations"][0]["privateIPAddress"] == made["privateIpAddress"]
    public_ip = az.json("network", "public-ip", "show", "-g", "rg", "-n", "ownPublicIP")
    assert public_ip["ipAddress"] == made["publicIpAddress"] and public_ip["sku"]["name"] == "Standard"
    assert [v["name"] for v in az.json("network", "vnet", "list", "-g", "rg")] == ["ownVNET"]
    rules = az.json("network", "nsg", "show", "-g", "rg", "-n", "ownNSG")["securityRules"]
    assert [(r["name"], r["destinationPortRange"]) for r in rules] == [("rdp", "3389")]
    details = az.json("vm", "show", "-d", "-g", "rg", "-n", "own")
    own_details = ours(cli, "vm", "show", "-d", "-g", "rg", "-n", "own")
    for key in ("privateIps", "publicIps", "macAddresses", "fqdns", "powerState"):
        assert details[key] == own_details[key], key
    # vm delete leaves the NIC (az's default), the group takes everything with it
    az("vm", "delete", "-g", "rg", "-n", "own", "--yes")
    assert "virtualMachine" not in az.json("network", "nic", "show", "--ids", nic_id)
    # the real az's own vm create, --nic-delete-option Delete: its deployment's VM keeps it, vm delete takes the NIC
    az("vm", "create", "-g", "rg", "-n", "azvm", "--image", "Win2019Datacenter", "--admin-username", "azureuser",
       "--admin-password", PASSWORD, "--nic-delete-option", "Delete", "-o", "none")
    shown = az.json("vm", "show", "-g", "rg", "-n", "azvm")
    assert shown["networkProfile"]["networkInterfaces"][0]["deleteOption"] == "Delete"
    assert shown == ours(cli, "vm", "show", "-g", "rg", "-n", "azvm")
    assert [n["name"] for n in az.json("network", "nic", "list", "-g", "rg")] == ["ownVMNic", "azvmVMNic"]
    az("vm", "delete", "-g", "rg", "-n", "azvm", "--yes")
    assert [n["name"] for n in az.json("network", "nic", "list", "-g", "rg")] == ["ownVMNic"]
    az("group", "delete", "-n", "rg", "--yes")
    assert az.json("network", "nic", "list") == []
