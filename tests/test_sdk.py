"""The official Azure SDK for Python as a real client of ``autopatch serve``.

- azure-mgmt-compute, the current release (the ``sdk`` extra), with azure-mgmt-resource (providers,
  resource groups) and azure-mgmt-resource-features (features), in this process;
- azure-mgmt-compute 35.0.0, whose ``v2020_06_01`` module speaks the guide's api-version. It cannot share
  an environment with the current release, so it is installed once with ``pip install --target`` into a
  cache folder ($AUTOPATCH_SDK35_DIR, or the user cache dir) and driven in a subprocess run with ``-S``
  and only that folder on its path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# The SDKs are the `sdk` extra: without them this module is skipped, not an import error of the whole run.
for _package in ("azure.core", "azure.mgmt.compute", "azure.mgmt.resource", "azure.mgmt.resource.features"):
    pytest.importorskip(_package, reason=f"{_package} is not installed (pip install -e '.[sdk]')")

from azure.core.credentials import AccessToken, AzureKeyCredential  # noqa: E402
from azure.core.pipeline.policies import AzureKeyCredentialPolicy  # noqa: E402
from azure.mgmt.compute import ComputeManagementClient  # noqa: E402
from azure.mgmt.compute import models as m  # noqa: E402
from azure.mgmt.resource.features import FeatureClient  # noqa: E402
from azure.mgmt.resource.resources import ResourceManagementClient  # noqa: E402
from helpers import PASSWORD  # noqa: E402
from test_serve import _openssl_cert, running_server, subscription  # noqa: E402

SDK35 = "azure-mgmt-compute==35.0.0"


class DummyCredential:
    def __init__(self, token: str = "dummy"):
        self.token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self.token, 2**31 - 1)


def clients(url: str, sub: str, **extra):
    """The README's construction: a plain-http endpoint needs a key-credential policy for the bearer header."""
    auth = AzureKeyCredentialPolicy(AzureKeyCredential("dummy"), "Authorization", prefix="Bearer")
    kwargs = dict(credential=DummyCredential(), subscription_id=sub, base_url=url, authentication_policy=auth,
                  polling_interval=0, retry_total=0, **extra)
    return ComputeManagementClient(**kwargs), ResourceManagementClient(**kwargs), FeatureClient(**kwargs)


def vm_parameters(sub: str, patch_mode: str = "AutomaticByPlatform", name: str = "vm1"):
    return m.VirtualMachine(
        location="eastus",
        hardware_profile=m.HardwareProfile(vm_size="Standard_D2s_v3"),
        storage_profile=m.StorageProfile(image_reference=m.ImageReference(
            publisher="MicrosoftWindowsServer", offer="WindowsServer", sku="2019-Datacenter", version="latest")),
        os_profile=m.OSProfile(
            computer_name=name, admin_username="azureuser", admin_password=PASSWORD,
            windows_configuration=m.WindowsConfiguration(
                provision_vm_agent=True, enable_automatic_updates=patch_mode != "Manual",
                patch_settings=m.PatchSettings(patch_mode=patch_mode))),
        network_profile=m.NetworkProfile(network_interfaces=[m.NetworkInterfaceReference(
            id=f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/{name}VMNic")]),
    )


def tick(server_url: str, arguments: dict) -> None:
    request = urllib.request.Request(f"{server_url}/autopatch/tick", data=json.dumps(arguments).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).read()


def opt_in(server_url: str, resources: ResourceManagementClient, features: FeatureClient) -> None:
    """The guide's opt-in through the SDK, with a tick on the emulator control in between."""
    resources.resource_groups.create_or_update("rg", {"location": "eastus"})
    for feature in ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview"):
        assert features.features.register("Microsoft.Compute", feature).properties.state == "Registering"
    tick(server_url, {"minutes": 20})
    assert features.features.get("Microsoft.Compute", "InGuestPatchVMPreview").properties.state == "Registered"
    assert resources.providers.register("Microsoft.Compute").registration_state == "Registered"


def test_current_sdk_drives_the_guide(state_path):
    with running_server(state_path) as server:
        sub = subscription(state_path)
        compute, resources, features = clients(server.url, sub)
        opt_in(server.url, resources, features)
        vm = compute.virtual_machines.begin_create_or_update("rg", "vm1", vm_parameters(sub)).result()
        assert vm.provisioning_state == "Succeeded"
        assert vm.os_profile.windows_configuration.patch_settings.patch_mode == "AutomaticByPlatform"
        assert vm.os_profile.admin_password is None and PASSWORD not in state_path.read_text()
        updated = compute.virtual_machines.begin_update("rg", "vm1", m.VirtualMachineUpdate(tags={"ring": "1"})).result()
        assert updated.tags == {"ring": "1"}
        # a Manual VM, after Patch Tuesday, has patches to find and install
        compute.virtual_machines.begin_create_or_update("rg", "vm2", vm_parameters(sub, "Manual", "vm2")).result()
        tick(server.url, {"until": "2020-10-14T00:00:00Z"})
        assessed = compute.virtual_machines.begin_assess_patches("rg", "vm2").result()
        assert assessed.status == "Succeeded" and assessed.available_patches
        assert all(p.kb_id for p in assessed.available_patches)
        view = compute.virtual_machines.instance_view("rg", "vm2")
        assert view.patch_status.available_patch_summary.assessment_activity_id == assessed.assessment_activity_id
        installed = compute.virtual_machines.begin_install_patches("rg", "vm2", m.VirtualMachineInstallPatchesParameters(
            maximum_duration="PT2H", reboot_setting="IfRequired",
            windows_parameters=m.WindowsParameters(classifications_to_include=["Critical", "Security"]))).result()
        assert installed.status in ("Succeeded", "CompletedWithWarnings") and installed.installed_patch_count > 0
        summary = compute.virtual_machines.instance_view("rg", "vm2").patch_status.last_patch_installation_summary
        assert summary.installation_activity_id == installed.installation_activity_id
        compute.virtual_machines.begin_deallocate("rg", "vm1").result()
        assert compute.virtual_machines.instance_view("rg", "vm1").statuses[1].code == "PowerState/deallocated"


def test_the_sdks_api_version_is_the_one_we_accept(state_path):
    from autopatch_cli.arm.apiversions import SDK_COMPUTE_API_VERSION

    with running_server(state_path) as server:
        sub = subscription(state_path)
        compute, resources, _ = clients(server.url, sub)
        resources.resource_groups.create_or_update("rg", {"location": "eastus"})
        compute.virtual_machines.begin_create_or_update("rg", "vm1", vm_parameters(sub, "AutomaticByOS")).result()
        url = compute.virtual_machines.instance_view("rg", "vm1", cls=lambda response, *_: response.http_request.url)
    assert f"api-version={SDK_COMPUTE_API_VERSION}" in url


def test_default_polling_finishes_within_seconds(state_path):
    """No polling_interval on the client: Retry-After (1 s by default) paces the poll."""
    auth = AzureKeyCredentialPolicy(AzureKeyCredential("dummy"), "Authorization", prefix="Bearer")
    with running_server(state_path, retry_after=1) as server:
        sub = subscription(state_path)
        kwargs = {"credential": DummyCredential(), "subscription_id": sub, "base_url": server.url,
                  "authentication_policy": auth}
        compute, resources = ComputeManagementClient(**kwargs), ResourceManagementClient(**kwargs)
        resources.resource_groups.create_or_update("rg", {"location": "eastus"})
        started = time.monotonic()
        compute.virtual_machines.begin_create_or_update("rg", "vm1", vm_parameters(sub, "AutomaticByOS")).result()
        compute.virtual_machines.begin_restart("rg", "vm1").result()
        assert time.monotonic() - started < 8


def test_https_with_the_sdks_default_bearer_policy(state_path, tmp_path):
    import shutil

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = _openssl_cert(tmp_path)
    with running_server(state_path, certfile=str(cert), keyfile=str(key), token="t0ken") as server:
        sub = subscription(state_path)
        assert server.url.startswith("https://")
        kwargs = {"subscription_id": sub, "base_url": server.url, "connection_verify": str(cert),
                  "polling_interval": 0, "retry_total": 0}
        resources = ResourceManagementClient(credential=DummyCredential("t0ken"), **kwargs)
        assert resources.resource_groups.create_or_update("rg", {"location": "eastus"}).name == "rg"
        compute = ComputeManagementClient(credential=DummyCredential("t0ken"), **kwargs)
        vm = compute.virtual_machines.begin_create_or_update("rg", "vm1", vm_parameters(sub, "AutomaticByOS")).result()
        assert vm.provisioning_state == "Succeeded"
        from azure.core.exceptions import ClientAuthenticationError

        wrong = ResourceManagementClient(credential=DummyCredential("nope"), **kwargs)
        with pytest.raises(ClientAuthenticationError) as refused:
            wrong.resource_groups.get("rg")
        assert refused.value.error.code == "InvalidAuthenticationToken"


# ---- azure-mgmt-compute 35.0.0, api-version 2020-06-01 ---------------------------------------------------


_UNREACHABLE = ("NewConnectionError", "Max retries exceeded", "Temporary failure in name resolution",
                "Name or service not known", "Network is unreachable", "Connection refused", "ConnectTimeout",
                "ReadTimeout", "No matching distribution found", "Could not find a version that satisfies")


def _index_unreachable(pip_stderr: str) -> bool:
    """pip failed because it could not reach the index (or the index does not hold the package), not
    because the package is broken."""
    return any(marker in pip_stderr for marker in _UNREACHABLE)


def sdk35_dir() -> Path:
    """azure-mgmt-compute 35.0.0 and its dependencies, installed once with pip --target."""
    configured = os.environ.get("AUTOPATCH_SDK35_DIR")
    if configured:
        folder = Path(configured)
    else:
        from platformdirs import user_cache_dir

        folder = Path(user_cache_dir("autopatch-tests", appauthor=False)) / "azure-mgmt-compute-35.0.0"
    if (folder / ".complete").exists():
        return folder
    partial = folder.with_name(folder.name + f".partial-{os.getpid()}")
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               "--target", str(partial), SDK35], capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        pytest.skip(f"pip install {SDK35} did not finish in 10 minutes: the package index is unreachable or too slow")
    if done.returncode != 0 and _index_unreachable(done.stderr):
        pytest.skip(f"the package index is unreachable, so {SDK35} cannot be installed: {done.stderr.strip()[-300:]}")
    assert done.returncode == 0, f"pip install {SDK35} failed:\n{done.stderr}"
    (partial / ".complete").write_text(SDK35)
    folder.parent.mkdir(parents=True, exist_ok=True)
    if not (folder / ".complete").exists():
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        partial.rename(folder)
    return folder


DRIVER35 = r'''
import json, sys
from azure.core.credentials import AccessToken, AzureKeyCredential
from azure.core.pipeline.policies import AzureKeyCredentialPolicy
import azure.mgmt.compute
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute.v2020_06_01 import models as m
from azure.core.rest import HttpRequest
import urllib.request

url, sub, password = sys.argv[1:4]

class Cred:
    def get_token(self, *a, **k):
        return AccessToken("dummy", 2**31 - 1)

auth = AzureKeyCredentialPolicy(AzureKeyCredential("dummy"), "Authorization", prefix="Bearer")
def client(version):
    return ComputeManagementClient(credential=Cred(), subscription_id=sub, api_version=version, base_url=url,
                                   authentication_policy=auth, polling_interval=0, retry_total=0)

out = {"package": azure.mgmt.compute.__file__}
compute = client("2020-06-01")

def params(name, mode):
    return m.VirtualMachine(
        location="eastus",
        hardware_profile=m.HardwareProfile(vm_size="Standard_D2s_v3"),
        storage_profile=m.StorageProfile(image_reference=m.ImageReference(
            publisher="MicrosoftWindowsServer", offer="WindowsServer", sku="2019-Datacenter", version="latest")),
        os_profile=m.OSProfile(computer_name=name, admin_username="azureuser", admin_password=password,
            windows_configuration=m.WindowsConfiguration(provision_vm_agent=True,
                enable_automatic_updates=mode != "Manual", patch_settings=m.PatchSettings(patch_mode=mode))),
        network_profile=m.NetworkProfile(network_interfaces=[m.NetworkInterfaceReference(
            id="/subscriptions/%s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/%s" % (sub, name))]),
    )

vm = compute.virtual_machines.begin_create_or_update("rg", "auto35", params("auto35", "AutomaticByPlatform")).result()
out["created"] = vm.provisioning_state
out["patchMode"] = vm.os_profile.windows_configuration.patch_settings.patch_mode
vm = compute.virtual_machines.begin_update("rg", "auto35", m.VirtualMachineUpdate(tags={"ring": "0"})).result()
out["tags"] = vm.tags
compute.virtual_machines.begin_create_or_update("rg", "vm35", params("vm35", "Manual")).result()
tick = urllib.request.Request(url + "/autopatch/tick", data=b'{"until": "2020-10-14T00:00:00Z"}', method="POST",
                              headers={"Content-Type": "application/json"})
urllib.request.urlopen(tick).read()
out["assess"] = compute.virtual_machines.begin_assess_patches("rg", "vm35").result().as_dict()
out["view"] = compute.virtual_machines.instance_view("rg", "vm35").patch_status.as_dict()
# 2020-06-01 has no installPatches: the SDK has no method, and the service refuses the call at that version
out["hasInstall"] = hasattr(compute.virtual_machines, "begin_install_patches")
path = "/subscriptions/%s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm35/installPatches" % sub
refused = compute._client.send_request(HttpRequest("POST", url + path + "?api-version=2020-06-01",
                                                   json={"maximumDuration": "PT2H", "rebootSetting": "IfRequired"}))
out["install2020"] = [refused.status_code, refused.json()]
accepted = compute._client.send_request(HttpRequest("POST", url + path + "?api-version=2020-12-01", json={
    "maximumDuration": "PT2H", "rebootSetting": "IfRequired",
    "windowsParameters": {"classificationsToInclude": ["Critical", "Security"]}}))
out["install2020_12"] = [accepted.status_code, dict(accepted.headers), accepted.text()]
print(json.dumps(out))
'''


def test_compute_35_at_api_version_2020_06_01(state_path):
    folder = sdk35_dir()
    with running_server(state_path) as server:
        sub = subscription(state_path)
        _, resources, features = clients(server.url, sub)
        opt_in(server.url, resources, features)
        done = subprocess.run([sys.executable, "-S", "-c", DRIVER35, server.url, sub, PASSWORD],
                              env={**os.environ, "PYTHONPATH": str(folder)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["package"].startswith(str(folder))
    assert out["created"] == "Succeeded" and out["patchMode"] == "AutomaticByPlatform"
    assert out["tags"] == {"ring": "0"}
    # the 2020-06-01 shape reached the 2020-06-01 models: patches / kbid, not availablePatches / kbId
    assert out["assess"]["status"] == "Succeeded" and out["assess"]["patches"]
    assert all("kbid" in patch for patch in out["assess"]["patches"])
    assert "configuration_statuses" not in out["view"]
    assert out["view"]["available_patch_summary"]["assessment_activity_id"] == out["assess"]["assessment_activity_id"]
    assert out["hasInstall"] is False
    assert out["install2020"][0] == 404 and out["install2020"][1]["error"]["code"] == "InvalidResourceType"
    assert out["install2020_12"][0] == 202, out["install2020_12"]
    assert out["install2020_12"][1]["Location"].startswith(server.url)


# ---- az rest (azure-cli is a large install: run with `pytest -m azcli` where `az` is on PATH) ----------


@pytest.mark.azcli
def test_az_rest_against_the_server_without_login(state_path, tmp_path):
    import shutil

    az = os.environ.get("AUTOPATCH_AZ") or shutil.which("az")
    if az is None:
        pytest.skip("azure-cli is not installed (pip install azure-cli, or set AUTOPATCH_AZ)")
    env = {**os.environ, "AZURE_CONFIG_DIR": str(tmp_path / "azure"), "AZURE_CORE_COLLECT_TELEMETRY": "false",
           "AZURE_CORE_NO_COLOR": "true"}
    with running_server(state_path) as server:
        sub = subscription(state_path)  # written out: {subscriptionId} would need az login
        feature = f"{server.url}/subscriptions/{sub}/providers/Microsoft.Features/providers/Microsoft.Compute/features/InGuestPatchVMPreview"
        done = subprocess.run([az, "rest", "--method", "post", "--url", f"{feature}/register?api-version=2015-12-01"],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["properties"]["state"] == "Registering"
        refused = subprocess.run([az, "rest", "--method", "get", "--url", f"{feature}?api-version=2099-01-01"],
                                 capture_output=True, text=True, env=env, timeout=300)
    assert refused.returncode == 1
    assert "Bad Request(" in refused.stderr and "InvalidApiVersionParameter" in refused.stderr
