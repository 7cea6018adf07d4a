"""Microsoft.Compute shapes: virtual machines, their instance view and patch results, availability sets."""

from __future__ import annotations

from pydantic import Field

from .base import WireModel


class SubResource(WireModel):
    id: str | None = None


class InstanceViewStatus(WireModel):
    code: str | None = None
    level: str | None = None  # StatusLevelTypes: Info, Warning, Error
    displayStatus: str | None = None
    message: str | None = None
    time: str | None = None


class ApiErrorBase(WireModel):
    code: str | None = None
    target: str | None = None
    message: str | None = None


class InnerError(WireModel):
    exceptiontype: str | None = None
    errordetail: str | None = None


class ApiError(WireModel):
    details: list[ApiErrorBase] | None = None
    innererror: InnerError | None = None
    code: str | None = None
    target: str | None = None
    message: str | None = None


# ---- VM configuration -------------------------------------------------------------------------


class WindowsVMGuestPatchAutomaticByPlatformSettings(WireModel):
    rebootSetting: str | None = None  # 2022-03-01+: Unknown, IfRequired, Never, Always
    bypassPlatformSafetyChecksOnUserSchedule: bool | None = None  # 2023-03-01+


class LinuxVMGuestPatchAutomaticByPlatformSettings(WireModel):
    rebootSetting: str | None = None  # 2022-03-01+
    bypassPlatformSafetyChecksOnUserSchedule: bool | None = None  # 2023-03-01+


class PatchSettings(WireModel):
    patchMode: str | None = None
    enableHotpatching: bool | None = None  # 2020-12-01+
    assessmentMode: str | None = None  # 2021-03-01+
    automaticByPlatformSettings: WindowsVMGuestPatchAutomaticByPlatformSettings | None = None  # 2022-03-01+


class LinuxPatchSettings(WireModel):
    patchMode: str | None = None
    assessmentMode: str | None = None
    automaticByPlatformSettings: LinuxVMGuestPatchAutomaticByPlatformSettings | None = None  # 2022-03-01+


class WindowsConfiguration(WireModel):
    provisionVMAgent: bool | None = None
    enableAutomaticUpdates: bool | None = None
    timeZone: str | None = None
    patchSettings: PatchSettings | None = None


class SshPublicKey(WireModel):
    path: str | None = None
    keyData: str | None = None


class SshConfiguration(WireModel):
    publicKeys: list[SshPublicKey] | None = None


class LinuxConfiguration(WireModel):
    disablePasswordAuthentication: bool | None = None
    ssh: SshConfiguration | None = None
    provisionVMAgent: bool | None = None
    patchSettings: LinuxPatchSettings | None = None


class OSProfile(WireModel):
    computerName: str | None = None
    adminUsername: str | None = None
    # adminPassword is accepted on input and dropped before anything is stored or printed.
    adminPassword: str | None = Field(default=None, exclude=True)
    windowsConfiguration: WindowsConfiguration | None = None
    linuxConfiguration: LinuxConfiguration | None = None
    secrets: list[dict] | None = None
    allowExtensionOperations: bool | None = None
    requireGuestProvisionSignal: bool | None = None


class HardwareProfile(WireModel):
    vmSize: str | None = None


class ImageReference(WireModel):
    id: str | None = None
    publisher: str | None = None
    offer: str | None = None
    sku: str | None = None
    version: str | None = None
    exactVersion: str | None = None


class ManagedDiskParameters(WireModel):
    id: str | None = None
    storageAccountType: str | None = None


class OSDisk(WireModel):
    osType: str | None = None
    name: str | None = None
    caching: str | None = None
    createOption: str | None = None
    diskSizeGB: int | None = None
    managedDisk: ManagedDiskParameters | None = None
    deleteOption: str | None = None  # 2021-03-01+


class StorageProfile(WireModel):
    imageReference: ImageReference | None = None
    osDisk: OSDisk | None = None
    dataDisks: list[dict] | None = None


class NetworkInterfaceReferenceProperties(WireModel):
    primary: bool | None = None
    deleteOption: str | None = None  # 2021-03-01+: Delete or Detach, what the VM's deletion does to the NIC


class NetworkInterfaceReference(WireModel):
    id: str | None = None
    properties: NetworkInterfaceReferenceProperties | None = None


class NetworkProfile(WireModel):
    networkInterfaces: list[NetworkInterfaceReference] | None = None


class BootDiagnostics(WireModel):
    enabled: bool | None = None
    storageUri: str | None = None


class DiagnosticsProfile(WireModel):
    bootDiagnostics: BootDiagnostics | None = None


# ---- instance view ----------------------------------------------------------------------------


class AvailablePatchSummary(WireModel):
    status: str | None = None  # PatchOperationStatus
    assessmentActivityId: str | None = None
    rebootPending: bool | None = None
    criticalAndSecurityPatchCount: int | None = None
    otherPatchCount: int | None = None
    startTime: str | None = None
    lastModifiedTime: str | None = None
    error: ApiError | None = None


class LastPatchInstallationSummary(WireModel):
    status: str | None = None
    installationActivityId: str | None = None
    maintenanceWindowExceeded: bool | None = None
    rebootStatus: str | None = None  # 2020-06-01 only
    notSelectedPatchCount: int | None = None
    excludedPatchCount: int | None = None
    pendingPatchCount: int | None = None
    installedPatchCount: int | None = None
    failedPatchCount: int | None = None
    startTime: str | None = None
    lastModifiedTime: str | None = None
    startedBy: str | None = None  # 2020-06-01 only
    error: ApiError | None = None


class VirtualMachinePatchStatus(WireModel):
    availablePatchSummary: AvailablePatchSummary | None = None
    lastPatchInstallationSummary: LastPatchInstallationSummary | None = None
    configurationStatuses: list[InstanceViewStatus] | None = None  # 2020-12-01+


class VirtualMachineExtensionHandlerInstanceView(WireModel):
    type: str | None = None
    typeHandlerVersion: str | None = None
    status: InstanceViewStatus | None = None


class VirtualMachineAgentInstanceView(WireModel):
    vmAgentVersion: str | None = None
    extensionHandlers: list[VirtualMachineExtensionHandlerInstanceView] | None = None
    statuses: list[InstanceViewStatus] | None = None


class VirtualMachineExtensionInstanceView(WireModel):
    name: str | None = None
    type: str | None = None
    typeHandlerVersion: str | None = None
    substatuses: list[InstanceViewStatus] | None = None
    statuses: list[InstanceViewStatus] | None = None


class DiskInstanceView(WireModel):
    name: str | None = None
    statuses: list[InstanceViewStatus] | None = None


class VirtualMachineHealthStatus(WireModel):
    status: InstanceViewStatus | None = None


class VirtualMachineInstanceView(WireModel):
    platformUpdateDomain: int | None = None
    platformFaultDomain: int | None = None
    computerName: str | None = None
    osName: str | None = None
    osVersion: str | None = None
    hyperVGeneration: str | None = None
    vmAgent: VirtualMachineAgentInstanceView | None = None
    disks: list[DiskInstanceView] | None = None
    extensions: list[VirtualMachineExtensionInstanceView] | None = None
    vmHealth: VirtualMachineHealthStatus | None = None
    statuses: list[InstanceViewStatus] | None = None
    patchStatus: VirtualMachinePatchStatus | None = None


# ---- the VM -----------------------------------------------------------------------------------


class BillingProfile(WireModel):
    maxPrice: float | None = None


class VirtualMachineProperties(WireModel):
    hardwareProfile: HardwareProfile | None = None
    storageProfile: StorageProfile | None = None
    osProfile: OSProfile | None = None
    networkProfile: NetworkProfile | None = None
    diagnosticsProfile: DiagnosticsProfile | None = None
    availabilitySet: SubResource | None = None
    provisioningState: str | None = None
    instanceView: VirtualMachineInstanceView | None = None
    licenseType: str | None = None
    vmId: str | None = None
    priority: str | None = None  # VirtualMachinePriorityTypes: Regular, Low, Spot
    evictionPolicy: str | None = None  # VirtualMachineEvictionPolicyTypes: Deallocate, Delete
    billingProfile: BillingProfile | None = None


class VirtualMachine(WireModel):
    id: str | None = None
    name: str | None = None
    type: str | None = None
    location: str | None = None
    tags: dict[str, str] | None = None
    properties: VirtualMachineProperties | None = None
    zones: list[str] | None = None


class VirtualMachineUpdate(WireModel):
    tags: dict[str, str] | None = None
    properties: VirtualMachineProperties | None = None
    zones: list[str] | None = None


# ---- patch operations -------------------------------------------------------------------------


class VirtualMachineSoftwarePatchProperties(WireModel):
    patchId: str | None = None
    name: str | None = None
    version: str | None = None
    kbId: str | None = None  # "kbid" in 2020-06-01
    classifications: list[str] | None = None
    rebootBehavior: str | None = None
    activityId: str | None = None
    publishedDate: str | None = None
    lastModifiedDateTime: str | None = None
    assessmentState: str | None = None


class VirtualMachineAssessPatchesResult(WireModel):
    status: str | None = None
    assessmentActivityId: str | None = None
    rebootPending: bool | None = None
    criticalAndSecurityPatchCount: int | None = None
    otherPatchCount: int | None = None
    startDateTime: str | None = None
    availablePatches: list[VirtualMachineSoftwarePatchProperties] | None = None  # "patches" in 2020-06-01
    error: ApiError | None = None


class WindowsParameters(WireModel):
    classificationsToInclude: list[str] | None = None
    kbNumbersToInclude: list[str] | None = None
    kbNumbersToExclude: list[str] | None = None
    excludeKbsRequiringReboot: bool | None = None
    maxPatchPublishDate: str | None = None


class LinuxParameters(WireModel):
    classificationsToInclude: list[str] | None = None
    packageNameMasksToInclude: list[str] | None = None
    packageNameMasksToExclude: list[str] | None = None
    maintenanceRunId: str | None = None


class VirtualMachineInstallPatchesParameters(WireModel):
    maximumDuration: str | None = None
    rebootSetting: str | None = None
    windowsParameters: WindowsParameters | None = None
    linuxParameters: LinuxParameters | None = None


class PatchInstallationDetail(WireModel):
    patchId: str | None = None
    name: str | None = None
    version: str | None = None
    kbId: str | None = None
    classifications: list[str] | None = None
    installationState: str | None = None


class VirtualMachineInstallPatchesResult(WireModel):
    status: str | None = None
    installationActivityId: str | None = None
    rebootStatus: str | None = None
    maintenanceWindowExceeded: bool | None = None
    excludedPatchCount: int | None = None
    notSelectedPatchCount: int | None = None
    pendingPatchCount: int | None = None
    installedPatchCount: int | None = None
    failedPatchCount: int | None = None
    patches: list[PatchInstallationDetail] | None = None
    startDateTime: str | None = None
    error: ApiError | None = None


# ---- availability sets ------------------------------------------------------------------------


class Sku(WireModel):
    name: str | None = None
    tier: str | None = None
    capacity: int | None = None


class AvailabilitySetProperties(WireModel):
    platformUpdateDomainCount: int | None = None
    platformFaultDomainCount: int | None = None
    virtualMachines: list[SubResource] | None = None
    proximityPlacementGroup: SubResource | None = None
    statuses: list[InstanceViewStatus] | None = None


class AvailabilitySet(WireModel):
    id: str | None = None
    name: str | None = None
    type: str | None = None
    location: str | None = None
    tags: dict[str, str] | None = None
    properties: AvailabilitySetProperties | None = None
    sku: Sku | None = None
