"""Other service facts: VM sizes, preview features, resource providers, the agent and extension."""

from __future__ import annotations

DEFAULT_VM_SIZE = "Standard_D2s_v5"  # az vm create's default (2.91 help)
VM_SIZES = frozenset(
    {
        "Standard_B1s", "Standard_B1ms", "Standard_B2s", "Standard_B2ms", "Standard_B4ms",
        "Standard_D1_v2", "Standard_D2_v2", "Standard_D3_v2", "Standard_D4_v2",
        "Standard_DS1_v2", "Standard_DS2_v2", "Standard_DS3_v2", "Standard_DS4_v2",
        "Standard_D2s_v3", "Standard_D4s_v3", "Standard_D8s_v3", "Standard_D16s_v3",
        "Standard_D2s_v5", "Standard_D4s_v5", "Standard_D8s_v5", "Standard_D16s_v5",
        "Standard_D2as_v5", "Standard_D4as_v5", "Standard_E2s_v5", "Standard_E4s_v5",
        "Standard_F2s_v2", "Standard_F4s_v2", "Standard_A1_v2", "Standard_A2_v2",
    }
)

AUTO_PATCH_FEATURE = "InGuestAutoPatchVMPreview"
ON_DEMAND_FEATURE = "InGuestPatchVMPreview"
# Preview features of the scenario (and a few neighbours), by namespace.
FEATURES: dict[str, tuple[str, ...]] = {
    "Microsoft.Compute": (
        AUTO_PATCH_FEATURE,
        ON_DEMAND_FEATURE,
        "InGuestHotPatchVMPreview",
        "GalleryPreview",
        "EncryptionAtHost",
    ),
}
FEATURE_TYPE = "Microsoft.Features/providers/features"

# Providers and whether a new subscription has them registered.
PROVIDERS: dict[str, bool] = {
    "Microsoft.Compute": True,
    "Microsoft.Network": True,
    "Microsoft.Storage": True,
    "Microsoft.Resources": True,
    "Microsoft.Features": True,
    "Microsoft.GuestConfiguration": False,
    "Microsoft.Maintenance": False,
}
COMPUTE_API_VERSIONS = ("2021-03-01", "2020-12-01", "2020-06-01")
COMPUTE_RESOURCE_TYPES = ("virtualMachines", "availabilitySets", "virtualMachines/extensions")

VM_AGENT_VERSION = "2.7.41491.993"
PATCH_EXTENSION_TYPE = "Microsoft.CPlat.Core.WindowsPatchExtension"
PATCH_EXTENSION_NAME = "WindowsPatchExtension"
PATCH_EXTENSION_VERSION = "1.5.48"
