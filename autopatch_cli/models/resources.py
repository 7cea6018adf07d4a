"""Microsoft.Resources and Microsoft.Features shapes: resource groups, providers, preview features."""

from __future__ import annotations

from .base import WireModel


class ResourceGroupProperties(WireModel):
    provisioningState: str | None = None


class ResourceGroup(WireModel):
    id: str | None = None
    name: str | None = None
    type: str | None = None
    properties: ResourceGroupProperties | None = None
    location: str | None = None
    managedBy: str | None = None
    tags: dict[str, str] | None = None


class ZoneMapping(WireModel):
    location: str | None = None
    zones: list[str] | None = None


class ProviderResourceType(WireModel):
    resourceType: str | None = None
    locations: list[str] | None = None
    apiVersions: list[str] | None = None
    zoneMappings: list[ZoneMapping] | None = None
    capabilities: str | None = None


class Provider(WireModel):
    id: str | None = None
    namespace: str | None = None
    registrationState: str | None = None
    registrationPolicy: str | None = None
    resourceTypes: list[ProviderResourceType] | None = None


class FeatureProperties(WireModel):
    state: str | None = None


class FeatureResult(WireModel):
    name: str | None = None
    properties: FeatureProperties | None = None
    id: str | None = None
    type: str | None = None
