"""What the stock az needs of autopatch, checked without az: https, its config folder, the identity and
metadata endpoints, the ARM surface and api-versions az 2.91 uses, PUT keeping what it may not change,
and `az vm create`'s image lookups, network resources and template deployment (tests/test_real_az.py
runs the real az over all of it)."""

from __future__ import annotations

import json
import os
import re
import ssl
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import PASSWORD, entry_point
from spec_check import SPEC_DIR, check
from test_serve import running_server, subscription

from autopatch_cli.arm import apiversions
from autopatch_cli.arm.router import Router

DEPLOYMENT_REQUEST = SPEC_DIR / "az-output" / "az-2.91-vm-create-deployment-request.json"


# ---- helpers -------------------------------------------------------------------------------------------


class Arm:
    """In-process ARM calls on one store (the router autopatch rest and serve share)."""

    def __init__(self, store: Path):
        self.router = Router(store)
        self.sub = self.router.reader().section("subscription")["id"]

    def __call__(self, method: str, path: str, body=None, api: str | None = "2024-11-01", headers=None):
        path = path.replace("{sub}", self.sub)
        if api:
            path += ("&" if "?" in path else "?") + f"api-version={api}"
        raw = json.dumps(body).encode() if body is not None else None
        response = self.router.handle(method, path, headers or {}, raw, "https://127.0.0.1:8443")
        return response.status, response.json(), response.headers


@pytest.fixture
def arm(state_path):
    return Arm(state_path)


@pytest.fixture
def opted(arm, cli):
    """The guide's opt-in done (features registered and propagated), group rg in eastus."""
    assert arm("PUT", "/subscriptions/{sub}/resourcegroups/rg", {"location": "eastus"})[0] == 201
    for feature in ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview"):
        assert cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", feature).exit_code == 0
    assert cli("tick", "--minutes", "30").exit_code == 0
    assert arm("POST", "/subscriptions/{sub}/providers/Microsoft.Compute/register")[0] == 200
    return arm


def vm_body(arm: Arm, storage: dict, os_profile: dict | None = None) -> dict:
    return {
        "location": "eastus",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_D2s_v3"},
            "storageProfile": storage,
            "osProfile": os_profile or {"computerName": "vm", "adminUsername": "azureuser", "adminPassword": PASSWORD,
                                        "windowsConfiguration": {"enableAutomaticUpdates": False,
                                                                 "patchSettings": {"patchMode": "Manual"}}},
            "networkProfile": {"networkInterfaces": [
                {"id": f"/subscriptions/{arm.sub}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic"}]},
        },
    }


WIN2019 = {"imageReference": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2019-Datacenter",
                              "version": "latest"}}
VMS = "/subscriptions/{sub}/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines"


# ---- 1. serve --tls ------------------------------------------------------------------------------------


def test_tls_certificate_is_made_once_beside_the_store_and_verifies_for_loopback(state_path):
    from cryptography import x509

    from autopatch_cli.arm import tls

    made = tls.ensure(state_path)
    assert made.created and made.certfile.parent == state_path.parent / "state.json.tls"
    assert oct(made.keyfile.stat().st_mode & 0o777) == "0o600"
    again = tls.ensure(state_path)
    assert not again.created and again.certfile.read_bytes() == made.certfile.read_bytes()
    names = x509.load_pem_x509_certificate(made.certfile.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert {str(a) for a in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    # a damaged certificate is replaced, not served
    made.certfile.write_text("not a certificate")
    assert tls.ensure(state_path).created
    # and a client that trusts only this file talks to the server over https
    with running_server(state_path, certfile=str(made.certfile), keyfile=str(made.keyfile)) as server:
        context = ssl.create_default_context(cafile=str(made.certfile))
        for host in ("127.0.0.1", "localhost"):
            url = f"https://{host}:{server.server_address[1]}/subscriptions?api-version=2022-12-01"
            with urllib.request.urlopen(url, context=context, timeout=30) as answer:
                assert json.load(answer)["value"][0]["subscriptionId"] == subscription(state_path)


def test_serve_tls_prints_the_certificate_and_refuses_with_certfile(cli, state_path):
    process = subprocess.Popen([*entry_point(), "serve", "--tls", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        first, second = process.stdout.readline(), process.stdout.readline()
    finally:
        process.terminate()
        process.wait(10)
    assert re.match(r"TLS certificate \(made, self-signed for 127\.0\.0\.1, ::1 and localhost\): (\S+)$", first.strip())
    assert first.split(": ", 1)[1].strip() == str(state_path.parent / "state.json.tls" / "tls-cert.pem")
    assert second.startswith("Serving the ARM REST API on https://127.0.0.1:")
    refused = cli("serve", "--tls", "--certfile", "x.pem")
    assert refused.exit_code == 2 and "--tls makes its own certificate" in refused.stderr


# ---- 2. az-env --------------------------------------------------------------------------------------------


def test_az_env_writes_a_config_folder_and_prints_the_environment(cli, state_path, tmp_path, monkeypatch):
    import configparser

    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    done = cli("az-env", "--url", "https://127.0.0.1:8443")
    assert done.exit_code == 0, done.stderr
    exports = dict(re.findall(r"^export (\w+)=(\S+)$", done.stdout, re.MULTILINE))
    folder = Path(exports["AZURE_CONFIG_DIR"])
    assert folder == state_path.parent / "state.json.azure"
    assert exports["IDENTITY_ENDPOINT"] == "https://127.0.0.1:8443/msi/token"
    assert len(exports["IDENTITY_HEADER"]) >= 24
    assert exports["REQUESTS_CA_BUNDLE"] == str(state_path.parent / "state.json.tls" / "tls-cert.pem")
    assert Path(exports["REQUESTS_CA_BUNDLE"]).is_file()
    clouds = configparser.ConfigParser()
    clouds.read(folder / "clouds.config")
    assert clouds["Autopatch"]["endpoint_resource_manager"] == "https://127.0.0.1:8443/"
    assert clouds["Autopatch"]["endpoint_vm_image_alias_doc"] == "https://127.0.0.1:8443/metadata/vmImageAliasDoc"
    config = configparser.ConfigParser()
    config.read(folder / "config")
    assert config["cloud"]["name"] == "Autopatch"
    assert {k: config["core"][k] for k in ("collect_telemetry", "survey_message", "instance_discovery")} == {
        "collect_telemetry": "false", "survey_message": "false", "instance_discovery": "false"}
    profile = json.loads((folder / "azureProfile.json").read_text())["subscriptions"]
    assert [(p["id"], p["isDefault"], p["user"]["assignedIdentityInfo"]) for p in profile] == [
        (subscription(state_path), True, "MSI")]
    version_check = json.loads((folder / "versionCheck.json").read_text())
    assert version_check["update_time"].startswith("9999-")
    assert not home.exists()  # nothing of ~/.azure is read or written
    # again: the same secret and folder; a user's `az config set` in that folder is kept
    config["defaults"] = {"group": "rg"}
    with open(folder / "config", "w") as handle:
        config.write(handle)
    again = cli("az-env", "--url", "https://127.0.0.1:8443")
    assert dict(re.findall(r"^export (\w+)=(\S+)$", again.stdout, re.MULTILINE)) == exports
    kept = configparser.ConfigParser()
    kept.read(folder / "config")
    assert kept["defaults"]["group"] == "rg" and kept["cloud"]["name"] == "Autopatch"


@pytest.mark.parametrize(("shell", "line", "undo"), [
    ("fish", r"^set -gx AZURE_CONFIG_DIR \S+;$", "set -e AZURE_CONFIG_DIR;"),
    ("pwsh", r"^\$env:AZURE_CONFIG_DIR = '\S+'$", "Remove-Item Env:AZURE_CONFIG_DIR -ErrorAction SilentlyContinue"),
    ("zsh", r"^export AZURE_CONFIG_DIR=\S+$", "unset AZURE_CONFIG_DIR IDENTITY_ENDPOINT IDENTITY_HEADER REQUESTS_CA_BUNDLE"),
])
def test_az_env_shells_and_undo(cli, shell, line, undo):
    done = cli("az-env", "--shell", shell, "--url", "https://localhost:9443")
    assert done.exit_code == 0 and re.search(line, done.stdout, re.MULTILINE), done.stdout
    assert undo in cli("az-env", "--undo", "--shell", shell).stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--url", "http://127.0.0.1:8080"), "az refuses to send bearer tokens over plain http"),
    (("--url", "https://127.0.0.1:8443/subscriptions"), "must be the server's root"),
    (("--shell", "cmd"), "invalid choice: 'cmd'"),
    (("--ca-bundle", "/nonexistent.pem"), "no such file"),
])
def test_az_env_refuses_bad_input(cli, state_path, args, message):
    done = cli("az-env", *args)
    assert done.exit_code != 0 and message in done.stderr and done.stderr.startswith("ERROR: ")
    assert not (state_path.parent / "state.json.azure").exists()


# ---- identity and metadata endpoints ------------------------------------------------------------------------


def _get(url: str, headers: dict | None = None, context=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_identity_endpoint_hands_out_tokens_as_app_service_does(state_path):
    import base64

    with running_server(state_path) as server:
        token_url = f"{server.url}/msi/token?resource=https://management.core.windows.net/&api-version=2019-08-01"
        assert _get(token_url)[0] == 401
        status, token = _get(token_url, {"X-IDENTITY-HEADER": "secret"})
        assert status == 200 and token["token_type"] == "Bearer" and token["resource"] == "https://management.core.windows.net/"
        assert int(token["expires_on"]) > 0
        claims = json.loads(base64.urlsafe_b64decode(token["access_token"].split(".")[1] + "=="))
        assert claims["tid"] == Router(state_path).reader().section("subscription")["tenantId"] and claims["oid"]
    with running_server(state_path, token="t0ken") as server:
        token_url = f"{server.url}/msi/token?resource=https://management.core.windows.net/&api-version=2019-08-01"
        assert _get(token_url, {"X-IDENTITY-HEADER": "guess"})[0] == 401
        status, token = _get(token_url, {"X-IDENTITY-HEADER": "t0ken"})
        # az login --identity decodes the token's claims: a plain secret comes back JWT-shaped, carrying it
        assert status == 200 and token["access_token"].count(".") == 2
        claims = json.loads(base64.urlsafe_b64decode(token["access_token"].split(".")[1] + "=="))
        assert claims["tid"] and claims["oid"] and claims["autopatch_token"] == "t0ken"
        # the ARM API itself still wants the token (the secret or the token handed out for it); metadata does not
        subscriptions = f"{server.url}/subscriptions?api-version=2022-12-01"
        assert _get(subscriptions)[0] == 401
        assert _get(subscriptions, {"Authorization": f"Bearer {token['access_token']}"})[0] == 200
        assert _get(subscriptions, {"Authorization": "Bearer t0ken"})[0] == 200
        forged = token["access_token"].split(".")
        forged[1] = base64.urlsafe_b64encode(json.dumps({**claims, "autopatch_token": "guess"}).encode()).decode().rstrip("=")
        assert _get(subscriptions, {"Authorization": f"Bearer {'.'.join(forged)}"})[0] == 401
        assert _get(f"{server.url}/metadata/endpoints?api-version=2022-09-01")[0] == 200
    jwt = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ0In0."  # a secret that is a JWT already is handed out as it is
    with running_server(state_path, token=jwt) as server:
        token_url = f"{server.url}/msi/token?resource=https://management.core.windows.net/&api-version=2019-08-01"
        assert _get(token_url, {"X-IDENTITY-HEADER": jwt})[1]["access_token"] == jwt


def test_metadata_endpoints_and_image_alias_document(state_path):
    from autopatch_cli.azure import images

    with running_server(state_path) as server:
        status, cloud = _get(f"{server.url}/metadata/endpoints?api-version=2022-09-01")
        assert status == 200
        assert cloud["resourceManager"] == f"{server.url}/" and cloud["authentication"]["loginEndpoint"] == server.url
        assert cloud["vmImageAliasDoc"] == f"{server.url}/metadata/vmImageAliasDoc"
        assert _get(f"{server.url}/metadata/endpoints?api-version=1999-01-01")[1]["error"]["code"] == "InvalidApiVersionParameter"
        status, aliases = _get(cloud["vmImageAliasDoc"])
    assert status == 200
    windows = aliases["outputs"]["aliases"]["value"]["Windows"]
    expected = images.ALIASES["Win2019Datacenter"]
    assert windows["Win2019Datacenter"] == {"publisher": expected.publisher, "offer": expected.offer, "sku": expected.sku,
                                            "version": "latest", "architecture": "x64"}


# ---- 3. the ARM surface and api-versions --------------------------------------------------------------------


def test_subscriptions_and_tenants(arm, state_path):
    subscription_doc = arm("GET", "/subscriptions", api="2022-12-01")[1]["value"][0]
    assert subscription_doc["subscriptionId"] == arm.sub and subscription_doc["state"] == "Enabled"
    assert arm("GET", "/subscriptions/{sub}", api="2022-12-01")[1] == subscription_doc
    assert arm("GET", "/subscriptions/00000000-0000-0000-0000-000000000000", api="2022-12-01")[1]["error"]["code"] == \
        "SubscriptionNotFound"
    tenant = arm("GET", "/tenants", api="2022-12-01")[1]["value"][0]
    assert tenant["tenantId"] == subscription_doc["tenantId"]
    assert arm("GET", "/tenants", api="2099-01-01")[1]["error"]["code"] == "InvalidApiVersionParameter"


def test_every_version_az_2_91_sends_is_accepted(opted):
    arm = opted
    assert arm("PUT", f"{VMS}/vm", vm_body(arm, WIN2019), api="2026-04-01")[0] == 201
    sent = [("GET", "/subscriptions/{sub}/resourcegroups/rg", None, "2024-11-01"),
            ("GET", "/subscriptions/{sub}/providers/Microsoft.Compute", None, "2024-11-01"),
            ("GET", "/subscriptions/{sub}/providers/Microsoft.Features/providers/Microsoft.Compute/features/"
                    "InGuestPatchVMPreview", None, "2021-07-01"),
            ("GET", f"{VMS}/vm?$expand=instanceView", None, "2026-04-01"),
            ("POST", f"{VMS}/vm/assessPatches", None, "2022-11-01"),
            ("POST", f"{VMS}/vm/installPatches", {"maximumDuration": "PT2H", "rebootSetting": "IfRequired",
                                                  "windowsParameters": {"classificationsToInclude": ["Critical"]}},
             "2024-11-01"),
            ("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/locations/eastus/publishers/MicrosoftWindowsServer"
                    "/artifacttypes/vmimage/offers/WindowsServer/skus/2019-Datacenter/versions?$top=1", None, "2024-11-01")]
    for method, path, body, version in sent:
        status, document, _ = arm(method, path, body, api=version)
        assert status in (200, 202), (path, version, document)


@pytest.mark.parametrize("version", apiversions.COMPUTE_API_VERSIONS)
def test_each_stable_compute_version_answers_in_the_nearest_modelled_shape(opted, version):
    from autopatch_cli.models.versions import API_VERSIONS

    arm = opted
    assert arm("PUT", f"{VMS}/vm", vm_body(arm, WIN2019), api="2021-03-01")[0] == 201
    assert arm("POST", f"{VMS}/vm/assessPatches", api=version)[0] == 202
    view = arm("GET", f"{VMS}/vm/instanceView", api=version)[1]
    shape = max(v for v in API_VERSIONS if v <= version)
    assert apiversions.compute_shape(version) == shape
    if shape == "2020-06-01":
        assert "configurationStatuses" not in view["patchStatus"]
    if shape >= "2021-03-01":
        assert "assessmentMode" in arm("GET", f"{VMS}/vm", api=version)[1]["properties"]["osProfile"][
            "windowsConfiguration"]["patchSettings"]
    problems = check(f"compute-{shape}.json", "VirtualMachineInstanceView", view)
    assert not problems, problems


@pytest.mark.parametrize(("family_path", "version", "code"), [
    (VMS + "/vm", "2019-07-01", "NoRegisteredProviderFound"),  # before 2020-06-01
    (VMS + "/vm", "2024-11-01-preview", "NoRegisteredProviderFound"),
    (VMS + "/vm", "2099-01-01", "NoRegisteredProviderFound"),
    ("/subscriptions/{sub}/resourcegroups/rg", "2019-10-01", "InvalidApiVersionParameter"),
    ("/subscriptions/{sub}/resourcegroups/rg/providers/Microsoft.Network/virtualNetworks", "2014-01-01",
     "NoRegisteredProviderFound"),
])
def test_other_versions_are_refused_as_arm_does(opted, family_path, version, code):
    status, document, headers = opted("GET", family_path, api=version)
    assert (status, document["error"]["code"]) == (400, code)
    assert headers.get("x-ms-failure-cause") == "gateway"


# ---- 4. PUT keeps what it may not change, and no stored VM crashes an operation ------------------------------


def test_put_without_image_reference_keeps_the_image(opted):
    arm = opted
    by_os = {"computerName": "vm", "adminUsername": "azureuser", "adminPassword": PASSWORD,
             "windowsConfiguration": {"enableAutomaticUpdates": True, "patchSettings": {"patchMode": "AutomaticByOS"}}}
    assert arm("PUT", f"{VMS}/vm", vm_body(arm, WIN2019, by_os), api="2026-04-01")[0] == 201
    shown = arm("GET", f"{VMS}/vm", api="2026-04-01")[1]
    sent_back = json.loads(json.dumps(shown))
    del sent_back["properties"]["storageProfile"]["imageReference"]  # what az vm update sends
    sent_back["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] = "AutomaticByPlatform"
    status, updated, _ = arm("PUT", f"{VMS}/vm", sent_back, api="2026-04-01")
    assert status == 200, updated
    assert updated["properties"]["storageProfile"]["imageReference"] == shown["properties"]["storageProfile"]["imageReference"]
    assert arm("POST", f"{VMS}/vm/assessPatches", api="2022-11-01")[0] == 202


STORAGE_CASES = {
    "custom-image": {"imageReference": {"id": "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/images/i"}},
    "attached-disk": {"osDisk": {"osType": "Windows", "createOption": "Attach", "managedDisk": {
        "id": "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/disks/d"}}},
    # (a SKU of the store's date that autopatch does not model: Windows Server 2025 does not exist in 2020)
    "unmodelled-sku": {"imageReference": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                                          "sku": "datacenter-core-20h2-with-containers-smalldisk", "version": "latest"}},
    "other-publisher": {"imageReference": {"publisher": "Contoso", "offer": "Server", "sku": "1", "version": "1.0.0"}},
    "linux": {"imageReference": {"publisher": "Canonical", "offer": "UbuntuServer", "sku": "18.04-LTS", "version": "latest"}},
}


@pytest.mark.parametrize("case", STORAGE_CASES)
def test_no_stored_vm_makes_a_later_operation_crash(opted, cli, case):
    arm = opted
    storage = json.loads(json.dumps(STORAGE_CASES[case]).replace("{sub}", arm.sub))
    os_profile = {"computerName": "vm", "adminUsername": "azureuser", "adminPassword": PASSWORD,
                  "linuxConfiguration": {}} if case == "linux" else None
    status, created, _ = arm("PUT", f"{VMS}/vm", vm_body(arm, storage, os_profile), api="2024-11-01")
    assert status == 201, created
    # a later PUT without the storage profile's parts, as az vm update sends it
    assert arm("PUT", f"{VMS}/vm", {"location": "eastus", "properties": {"storageProfile": {}}}, api="2026-04-01")[0] == 200
    install = {"maximumDuration": "PT2H", "rebootSetting": "IfRequired",
               ("linuxParameters" if case == "linux" else "windowsParameters"): {"classificationsToInclude": ["Critical"]}}
    for method, path, body in [("POST", f"{VMS}/vm/assessPatches", None), ("POST", f"{VMS}/vm/installPatches", install),
                               ("POST", f"{VMS}/vm/restart", None), ("GET", f"{VMS}/vm?$expand=instanceView", None),
                               ("PATCH", f"{VMS}/vm", {"tags": {"a": "b"}})]:
        status, document, _ = arm(method, path, body, api="2024-11-01")
        assert status < 500, (method, path, document)
    for verb in (("tick", "--days", "40"), ("vm", "assess-patches", "-g", "rg", "-n", "vm"),
                 ("vm", "get-instance-view", "-g", "rg", "-n", "vm")):
        done = cli(*verb)
        assert "unexpected error" not in done.stderr and "Traceback" not in done.stderr, (verb, done.stderr)


# ---- 5. az vm create: image versions, network, deployments --------------------------------------------------


def deployment_request(arm: Arm) -> dict:
    return json.loads(DEPLOYMENT_REQUEST.read_text().replace("{subscriptionId}", arm.sub).replace("myResourceGroup", "rg"))


DEPLOYMENTS = "/subscriptions/{sub}/resourcegroups/rg/providers/Microsoft.Resources/deployments"
NETWORK = "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network"


def test_image_versions_as_az_reads_them(arm):
    base = ("/subscriptions/{sub}/providers/Microsoft.Compute/locations/eastus/publishers/MicrosoftWindowsServer"
            "/artifacttypes/vmimage/offers/WindowsServer/skus/2019-Datacenter/versions")
    status, versions, _ = arm("GET", base + "?$expand=properties&$orderby=name desc&$top=1")
    assert status == 200 and len(versions) == 1 and versions[0]["properties"]["hyperVGeneration"] == "V1"
    status, shown, _ = arm("GET", f"{base}/{versions[0]['name']}")
    assert status == 200 and shown["properties"]["osDiskImage"]["operatingSystem"] == "Windows"
    problems = check(SPEC_DIR / "compute-2024-07-01/ComputeRP/stable/2024-07-01/virtualMachineImage.json",
                     "VirtualMachineImage", shown)
    assert not problems, problems
    assert arm("GET", f"{base}/1.2.3")[1]["error"]["code"] == "NotFound"


def test_the_deployment_az_vm_create_sends(opted, cli):
    arm = opted
    status, accepted, headers = arm("PUT", f"{DEPLOYMENTS}/vm_deploy_1", deployment_request(arm))
    assert status == 201 and accepted["properties"]["provisioningState"] == "Accepted"
    monitor = headers["Azure-AsyncOperation"]
    assert monitor.startswith("https://127.0.0.1:8443/") and "/operationStatuses/" in monitor
    assert arm("GET", monitor.split("8443", 1)[1], api=None)[1] == {"status": "Succeeded"}
    deployment = arm("GET", f"{DEPLOYMENTS}/vm_deploy_1", api="2025-04-01")[1]
    assert deployment["properties"]["provisioningState"] == "Succeeded"
    assert deployment["properties"]["parameters"] == {"adminPassword": {"type": "SecureString"}}
    problems = check(SPEC_DIR / "resources-2024-07-01" / "resources.json", "DeploymentExtended", deployment)
    assert not problems, problems
    outputs = [r["id"].rsplit("/providers/", 1)[1] for r in deployment["properties"]["outputResources"]]
    assert outputs[-1] == "Microsoft.Compute/virtualMachines/myVM" and len(outputs) == 5
    assert outputs.index("Microsoft.Network/networkInterfaces/myVMVMNic") > outputs.index(
        "Microsoft.Network/virtualNetworks/myVMVNET")
    assert PASSWORD not in json.dumps(deployment) and "Str0ng!Passw0rd" not in opted.router.path.read_text()
    # the VM is a VM of autopatch: the CLI shows it, with the template's patch settings
    shown = cli("vm", "show", "-g", "rg", "-n", "myVM")
    assert shown.exit_code == 0 and shown.json["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] == \
        "AutomaticByPlatform"
    # network resources with their ids, and the NIC names its VM
    nic = arm("GET", f"{NETWORK}/networkInterfaces/myVMVMNic", api="2015-06-15")[1]
    assert nic["properties"]["virtualMachine"]["id"].endswith("/virtualMachines/myVM")
    assert nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] == "10.0.0.4"
    public_ip = arm("GET", f"{NETWORK}/publicIPAddresses/myVMPublicIP", api="2022-01-01")[1]
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", public_ip["properties"]["ipAddress"])
    assert [v["name"] for v in arm("GET", f"{NETWORK}/virtualNetworks", api="2022-01-01")[1]["value"]] == ["myVMVNET"]
    operations = arm("GET", f"{DEPLOYMENTS}/vm_deploy_1/operations")[1]["value"]
    assert [o["properties"]["provisioningState"] for o in operations] == ["Succeeded"] * 5
    # deleted with their group
    assert arm("DELETE", "/subscriptions/{sub}/resourcegroups/rg")[0] == 202
    state = json.loads(opted.router.path.read_text())
    assert state["networkResources"] == {} and state["deployments"] == {} and state["vms"] == {}


def test_a_refused_resource_fails_the_deployment(arm):
    """Before the guide's opt-in the VM is refused: the deployment fails with the VM's error in its details."""
    assert arm("PUT", "/subscriptions/{sub}/resourcegroups/rg", {"location": "eastus"})[0] == 201
    arm("POST", "/subscriptions/{sub}/providers/Microsoft.Compute/register")
    status, _, headers = arm("PUT", f"{DEPLOYMENTS}/d", deployment_request(arm))
    assert status == 201
    result = arm("GET", headers["Azure-AsyncOperation"].split("8443", 1)[1], api=None)[1]
    assert result["status"] == "Failed" and result["error"]["code"] == "DeploymentFailed"
    assert result["error"]["details"][0]["code"] == "SubscriptionNotRegisteredForFeature"
    operations = arm("GET", f"{DEPLOYMENTS}/d/operations")[1]["value"]
    assert operations[-1]["properties"]["provisioningState"] == "Failed"


def _template(resources, parameters=None, variables=None, outputs=None):
    return {"properties": {"mode": "Incremental", "parameters": parameters or {}, "template": {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0", "parameters": {"prefix": {"type": "string", "defaultValue": "web"}},
        "variables": variables or {}, "resources": resources, "outputs": outputs or {}}}}


def test_template_functions_copy_and_outputs(arm):
    assert arm("PUT", "/subscriptions/{sub}/resourcegroups/rg", {"location": "eastus"})[0] == 201
    body = _template(
        [{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2022-01-01",
          "name": "[concat(parameters('prefix'), '-ip', copyIndex(1))]", "location": "[resourceGroup().location]",
          "copy": {"name": "ips", "count": "[variables('count')]"}, "properties": {"publicIPAllocationMethod": "Static"}},
         {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2015-06-15",
          "name": "[format('{0}-nsg', toUpper(parameters('prefix')))]", "condition": "[equals(variables('count'), 2)]",
          "dependsOn": ["ips"], "properties": {}}],
        variables={"count": 2},
        outputs={"ip": {"type": "string", "value": "[resourceId('Microsoft.Network/publicIPAddresses', 'web-ip2')]"}})
    status, document, _ = arm("PUT", f"{DEPLOYMENTS}/t", body)
    assert status == 201, document
    shown = arm("GET", f"{DEPLOYMENTS}/t")[1]["properties"]
    assert shown["provisioningState"] == "Succeeded"
    assert [r["id"].rsplit("/", 1)[1] for r in shown["outputResources"]] == ["web-ip1", "web-ip2", "WEB-nsg"]
    assert shown["outputs"]["ip"]["value"].endswith("/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/web-ip2")
    assert shown["parameters"] == {"prefix": {"type": "String", "value": "web"}}


@pytest.mark.parametrize(("resources", "parameters", "fragment"), [
    ([{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2015-06-15", "name": "[reverse('x')]"}], None,
     "The template function 'reverse' is not valid"),
    ([{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2015-06-15", "name": "[parameters('nope')]"}],
     None, "The template parameter 'nope' is not found"),
    ([{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2015-06-15", "name": "[concat('a', ]"}], None,
     "is not valid"),
    ([{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2015-06-15", "name": "a", "dependsOn": ["b"]},
      {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2015-06-15", "name": "b", "dependsOn": ["a"]}],
     None, "Circular dependency"),
    ([{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2015-06-15", "name": "a", "dependsOn": ["zz"]}],
     None, "is not defined in the template"),
    ([], {"other": {"value": 1}}, "are not valid; they are not present in the original template"),
    ([{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2015-06-15", "name": "[length(1)]"}], None,
     "cannot take these arguments"),
])
def test_bad_templates_get_invalid_template_and_deploy_nothing(arm, resources, parameters, fragment):
    assert arm("PUT", "/subscriptions/{sub}/resourcegroups/rg", {"location": "eastus"})[0] == 201
    before = arm.router.path.read_text()
    status, document, _ = arm("PUT", f"{DEPLOYMENTS}/bad", _template(resources, parameters))
    assert status == 400 and document["error"]["code"] == "InvalidTemplate", document
    assert fragment in document["error"]["message"]
    assert arm.router.path.read_text() == before


def test_unemulated_types_and_versions_are_refused_before_deploying(arm):
    assert arm("PUT", "/subscriptions/{sub}/resourcegroups/rg", {"location": "eastus"})[0] == 201
    storage = _template([{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "s"}])
    assert arm("PUT", f"{DEPLOYMENTS}/s", storage)[1]["error"]["code"] == "InvalidTemplateDeployment"
    old = _template([{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2014-01-01", "name": "n"}])
    assert arm("PUT", f"{DEPLOYMENTS}/s", old)[1]["error"]["code"] == "NoRegisteredProviderFound"
    partial = _template([])
    partial["properties"]["mode"] = "Partial"  # ARM knows Incremental and Complete only
    refused = arm("PUT", f"{DEPLOYMENTS}/s", partial)
    assert refused[0] == 400 and refused[1]["error"]["code"] == "InvalidRequestContent"
    assert arm("GET", f"{DEPLOYMENTS}/s")[1]["error"]["code"] == "DeploymentNotFound"


def test_autopatch_rest_answers_the_metadata_documents_as_serve_does(cli):
    cloud = cli("rest", "--method", "get", "--url", "/metadata/endpoints?api-version=2022-09-01")
    assert cloud.exit_code == 0 and cloud.json["resourceManager"] == "https://management.azure.com/"
    aliases = cli("rest", "--method", "get", "--url", "/metadata/vmImageAliasDoc",
                  "--query", "outputs.aliases.value.Windows.Win2019Datacenter.publisher", "-o", "tsv")
    assert aliases.stdout.strip() == "MicrosoftWindowsServer"


def test_deployment_bodies_are_read_as_arm_reads_them_jsonc(arm):
    """az splices the template file into the body as ``template:{...}`` with its comments (JSON.NET reads it)."""
    from autopatch_cli.arm.deployments import lenient_json

    assert json.loads(lenient_json('{"a": 1, b: "x // not a comment", /* c */ "d": [1, 2,], // e\n "f": true,}')) == {
        "a": 1, "b": "x // not a comment", "d": [1, 2], "f": True}
    assert arm("PUT", "/subscriptions/{sub}/resourcegroups/rg", {"location": "eastus"})[0] == 201
    body = ('{"properties": {"mode": "Incremental", "parameters": {}, template:{\r\n  // made by hand\r\n'
            '  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\r\n'
            '  "contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.Network/networkSecurityGroups",'
            ' "apiVersion": "2015-06-15", "name": "n", "properties": {}},]}}}')
    path = DEPLOYMENTS.replace("{sub}", arm.sub) + "/jsonc?api-version=2025-04-01"
    response = arm.router.handle("PUT", path, {}, body.encode(), "https://127.0.0.1:8443")
    assert response.status == 201, response.json()
    broken = arm.router.handle("PUT", path, {}, b'{"properties": {template: [}', "https://127.0.0.1:8443")
    assert broken.status == 400 and broken.json()["error"]["code"] == "InvalidRequestContent"
