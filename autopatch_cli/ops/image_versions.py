"""Marketplace image versions (Microsoft.Compute/locations/publishers/.../versions), as az vm create reads them.

``az vm create --image ALIAS`` lists the newest version of the image's SKU (``$orderby=name desc&$top=1``)
and reads that version (for its plan, Hyper-V generation and features) before it builds its template.
Each SKU has one version here: the build an image reference with ``version: latest`` resolves to when a
VM is created (the same ``exactVersion`` the VM then shows), so both views agree.
"""

from __future__ import annotations

from typing import Any

from ..azure import images, regions
from ..errors import no_registered_provider_found, not_found


def _location(location: str) -> str:
    normalized = regions.normalize(location)
    if normalized is None:
        raise no_registered_provider_found(location, "locations/publishers")
    return normalized


def latest_version(publisher: str, offer: str, sku: str) -> str:
    from .vm_defaults import exact_version

    return exact_version({"publisher": publisher, "offer": offer, "sku": sku, "version": "latest"})


def _version_id(subscription: str, location: str, publisher: str, offer: str, sku: str, version: str) -> str:
    # CRP spells these ids with capitalised segments, as Azure returns them.
    return (f"/Subscriptions/{subscription}/Providers/Microsoft.Compute/Locations/{location}/Publishers/{publisher}"
            f"/ArtifactTypes/VMImage/Offers/{offer}/Skus/{sku}/Versions/{version}")


def _generation(sku: str) -> str:
    lowered = sku.lower()
    return "V2" if any(mark in lowered for mark in ("-g2", "gen2", "gensecond")) or lowered in ("server",) else "V1"


def image_properties(publisher: str, offer: str, sku: str) -> dict:
    """The VirtualMachineImage properties of a marketplace image (the 2024-07-01 spec's shape)."""
    windows = images.is_windows(images.Urn(publisher, offer, sku, ""))
    architecture = "Arm64" if "arm64" in sku.lower() else "x64"
    return {
        "hyperVGeneration": _generation(sku),
        "architecture": architecture,
        "disallowed": {"vmDiskType": "Unmanaged"},
        "automaticOSUpgradeProperties": {"automaticOSUpgradeSupported": windows},
        "imageDeprecationStatus": {"imageState": "Active"},
        "features": [{"name": "IsAcceleratedNetworkSupported", "value": "True"},
                     {"name": "DiskControllerTypes", "value": "SCSI"}],
        "osDiskImage": {"operatingSystem": "Windows" if windows else "Linux"},
        "dataDiskImages": [],
    }


def list_versions(subscription: str, location: str, publisher: str, offer: str, sku: str, *, expand: bool) -> list[dict]:
    location = _location(location)
    version = latest_version(publisher, offer, sku)
    entry: dict[str, Any] = {"location": location, "name": version,
             "id": _version_id(subscription, location, publisher, offer, sku, version)}
    if expand:
        entry["properties"] = image_properties(publisher, offer, sku)
    return [entry]


def show_version(subscription: str, location: str, publisher: str, offer: str, sku: str, version: str) -> dict:
    location = _location(location)
    known = latest_version(publisher, offer, sku)
    if version.lower() == "latest":
        version = known
    if version != known:
        raise not_found("Artifact: VMImage was not found.")
    return {"location": location, "name": version, "properties": image_properties(publisher, offer, sku),
            "id": _version_id(subscription, location, publisher, offer, sku, version)}
