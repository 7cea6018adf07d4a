"""Microsoft.Maintenance shapes (api-version 2023-04-01): maintenance configurations and their assignments."""

from __future__ import annotations

from .base import WireModel


class SystemData(WireModel):
    createdBy: str | None = None
    createdByType: str | None = None
    createdAt: str | None = None
    lastModifiedBy: str | None = None
    lastModifiedByType: str | None = None
    lastModifiedAt: str | None = None


class MaintenanceWindow(WireModel):
    startDateTime: str | None = None
    expirationDateTime: str | None = None
    duration: str | None = None
    timeZone: str | None = None
    recurEvery: str | None = None


class InputWindowsParameters(WireModel):
    kbNumbersToExclude: list[str] | None = None
    kbNumbersToInclude: list[str] | None = None
    classificationsToInclude: list[str] | None = None
    excludeKbsRequiringReboot: bool | None = None


class InputLinuxParameters(WireModel):
    packageNameMasksToExclude: list[str] | None = None
    packageNameMasksToInclude: list[str] | None = None
    classificationsToInclude: list[str] | None = None


class TaskProperties(WireModel):
    parameters: dict[str, str] | None = None
    source: str | None = None
    taskScope: str | None = None


class SoftwareUpdateConfigurationTasks(WireModel):
    preTasks: list[TaskProperties] | None = None
    postTasks: list[TaskProperties] | None = None


class InputPatchConfiguration(WireModel):
    rebootSetting: str | None = None
    windowsParameters: InputWindowsParameters | None = None
    linuxParameters: InputLinuxParameters | None = None
    tasks: SoftwareUpdateConfigurationTasks | None = None


class MaintenanceConfigurationProperties(WireModel):
    namespace: str | None = None
    extensionProperties: dict[str, str] | None = None
    maintenanceScope: str | None = None
    maintenanceWindow: MaintenanceWindow | None = None
    visibility: str | None = None
    installPatches: InputPatchConfiguration | None = None


class MaintenanceConfiguration(WireModel):
    id: str | None = None
    name: str | None = None
    type: str | None = None
    systemData: SystemData | None = None
    location: str | None = None
    tags: dict[str, str] | None = None
    properties: MaintenanceConfigurationProperties | None = None


class ConfigurationAssignmentProperties(WireModel):
    maintenanceConfigurationId: str | None = None
    resourceId: str | None = None


class ConfigurationAssignment(WireModel):
    id: str | None = None
    name: str | None = None
    type: str | None = None
    systemData: SystemData | None = None
    location: str | None = None
    properties: ConfigurationAssignmentProperties | None = None
