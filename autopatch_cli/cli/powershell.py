"""The Azure PowerShell cmdlets of the guide, as top-level commands: ``autopatch Get-AzVM -ResourceGroupName rg -Name vm -Status``.

Three ideas, three modules: parameters bind as PowerShell binds them (``powershell_binder``); the
cmdlets' objects print in PowerShell's default views (``powershell_views``); the cmdlets themselves,
here, go through the same operations as the az verbs, so the same rules and error codes apply.
Errors print in az's form (``ERROR: ...``), not PowerShell's.
"""

from __future__ import annotations

import sys
from typing import Any

import typer.core

from ..errors import UsageError
from .common import check_subscription, reader, writer
from .powershell_binder import HELP_WORDS, Cmdlet, Param, bind, no_parameter_set, require
from .powershell_views import (
    ASSESS_ORDER,
    INSTALL_ORDER,
    emit_ps,
    feature_view,
    instance_view,
    instance_view_view,
    operation_result,
    provider_feature,
    provider_view,
    resource_provider,
    result_view,
    virtual_machine,
    vm_table,
    vm_view,
)

# ---- the cmdlets ----------------------------------------------------------------------------------


def _vm_target(cmdlet: Cmdlet, bound: dict, name_param: str) -> tuple[str, str]:
    if bound.get("ResourceId"):
        if bound.get("ResourceGroupName") or bound.get(name_param):
            raise no_parameter_set(cmdlet)
        from ..errors import ValidationError
        from ..ops import ids

        parsed = ids.parse(bound["ResourceId"])
        if not parsed["name"] or f"{parsed['namespace']}/{parsed['type']}".lower() != ids.VM_TYPE.lower():
            raise ValidationError(f"{cmdlet.name}: invalid resource ID: {bound['ResourceId']}. It is not a "
                                  f"{ids.VM_TYPE} resource ID")
        return parsed["group"], parsed["name"]
    require(cmdlet, bound, "ResourceGroupName", name_param)
    return bound["ResourceGroupName"], bound[name_param]


def register_feature(cmdlet: Cmdlet, bound: dict, action: str = "register") -> None:
    from ..ops import features

    require(cmdlet, bound, "FeatureName", "ProviderNamespace")
    with writer() as state:
        check_subscription(state)
        result = getattr(features, action)(state, bound["ProviderNamespace"], bound["FeatureName"])
    emit_ps(provider_feature(result), feature_view)


def unregister_feature(cmdlet: Cmdlet, bound: dict) -> None:
    register_feature(cmdlet, bound, "unregister")


def get_feature(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import features

    state = reader()
    if bound.get("FeatureName"):
        if not bound.get("ProviderNamespace") or bound.get("ListAvailable"):
            raise no_parameter_set(cmdlet)
        emit_ps(provider_feature(features.show(state, bound["ProviderNamespace"], bound["FeatureName"])),
                feature_view)
        return
    found = [provider_feature(f) for f in features.list_features(state, bound.get("ProviderNamespace"))]
    if not bound.get("ListAvailable"):
        found = [f for f in found if f["RegistrationState"] == "Registered"]
    emit_ps(found, feature_view)


def register_provider(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import providers

    require(cmdlet, bound, "ProviderNamespace")
    with writer() as state:
        check_subscription(state)
        result = providers.register(state, bound["ProviderNamespace"])
    emit_ps(resource_provider(result), provider_view)


def get_vm(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import groups, vms

    state = reader()
    group, name = bound.get("ResourceGroupName"), bound.get("Name")
    if name and not group:
        raise no_parameter_set(cmdlet)
    if name:
        record = vms.require(state, group, name)
        if bound.get("Status"):
            emit_ps(instance_view(record), instance_view_view)
        else:
            emit_ps(virtual_machine(vms.resource(record)), vm_view)
        return
    if group:
        groups.require(state, group)
    items = [virtual_machine(vms.resource(r)) for r in vms.list_records(state, group)]
    if bound.get("Status"):
        for item, record in zip(items, vms.list_records(state, group), strict=True):
            item["PowerState"] = vms.POWER_DISPLAY[vms.power_state(record)]
    emit_ps(items, vm_table)


def set_os(cmdlet: Cmdlet, bound: dict) -> None:
    """Set-AzVMOperatingSystem on a stored VM, then Update-AzVM: one command (see the notes)."""
    from ..errors import ValidationError
    from ..ops import vms

    if str(bound.get("VMName", "")).startswith("$") and "ResourceGroupName" not in bound:
        # the guide's `-VM $VirtualMachine`: -VM is a unique prefix of -VMName here, and a command line has no
        # PowerShell variables to pass
        raise UsageError(
            f"{cmdlet.name}: a command line cannot pass the PowerShell object {bound['VMName']}: name the stored VM "
            "with -ResourceGroupName and -VMName (autopatch reads it, applies the changes and updates it, as "
            "Set-AzVMOperatingSystem followed by Update-AzVM does)."
        )
    group, name = _vm_target(cmdlet, bound, "VMName")
    if bool(bound.get("Windows")) == bool(bound.get("Linux")):
        raise no_parameter_set(cmdlet)
    linux_only = [p for p in ("DisablePasswordAuthentication",) if p in bound]
    windows_only = [p for p in ("ProvisionVMAgent", "DisableVMAgent", "EnableAutoUpdate", "TimeZone",
                                "EnableHotpatching") if p in bound]
    if (bound.get("Linux") and windows_only) or (bound.get("Windows") and linux_only):
        raise no_parameter_set(cmdlet)
    if bound.get("ProvisionVMAgent") and bound.get("DisableVMAgent"):
        raise no_parameter_set(cmdlet)
    with writer() as state:
        check_subscription(state)
        body = vms.resource(vms.require(state, group, name))
        os_profile = body["properties"]["osProfile"]
        own, other = ("linuxConfiguration", "windowsConfiguration") if bound.get("Linux") else (
            "windowsConfiguration", "linuxConfiguration")
        if other in os_profile:
            raise ValidationError(
                f"{cmdlet.name}: Cannot set both Windows and Linux configurations in the operating system profile."
            )
        config = os_profile.setdefault(own, {})
        settings_ = config.get("patchSettings") or {}
        if "PatchMode" in bound:
            settings_["patchMode"] = bound["PatchMode"]
        if "AssessmentMode" in bound:
            settings_["assessmentMode"] = bound["AssessmentMode"]
        if "EnableHotpatching" in bound:
            settings_["enableHotpatching"] = bound["EnableHotpatching"]
        if settings_:
            config["patchSettings"] = settings_
        if bound.get("ProvisionVMAgent"):
            config["provisionVMAgent"] = True
        if bound.get("DisableVMAgent"):
            config["provisionVMAgent"] = False
        if "EnableAutoUpdate" in bound:
            config["enableAutomaticUpdates"] = bound["EnableAutoUpdate"]
        if "TimeZone" in bound:
            config["timeZone"] = bound["TimeZone"]
        if bound.get("DisablePasswordAuthentication"):
            config["disablePasswordAuthentication"] = True
        record = vms.put(state, group, name, body)
        result = virtual_machine(vms.resource(record))
    emit_ps(result, vm_view)


def assess(cmdlet: Cmdlet, bound: dict) -> None:
    group, name = _vm_target(cmdlet, bound, "VMName")
    from ..ops import ondemand

    with writer() as state:
        check_subscription(state)
        result = ondemand.assess(state, group, name, wait=True)
    emit_ps(operation_result(result, ASSESS_ORDER), result_view)


def install(cmdlet: Cmdlet, bound: dict) -> None:
    from .vm import install_parameters

    group, name = _vm_target(cmdlet, bound, "VMName")
    if bool(bound.get("Windows")) == bool(bound.get("Linux")):
        raise no_parameter_set(cmdlet)
    windows_only = [p for p in ("KBNumberToInclude", "KBNumberToExclude", "ExcludeKBsRequiringReboot",
                                "ClassificationToIncludeForWindows") if p in bound]
    linux_only = [p for p in ("PackageNameMaskToInclude", "PackageNameMaskToExclude",
                              "ClassificationToIncludeForLinux") if p in bound]
    if (bound.get("Windows") and linux_only) or (bound.get("Linux") and windows_only):
        raise no_parameter_set(cmdlet)
    require(cmdlet, bound, "RebootSetting", "MaximumDuration")
    parameters = install_parameters(
        bound["MaximumDuration"],
        bound["RebootSetting"],
        classifications_win=bound.get("ClassificationToIncludeForWindows"),
        kb_include=bound.get("KBNumberToInclude"),
        kb_exclude=bound.get("KBNumberToExclude"),
        exclude_kbs_requiring_reboot=True if bound.get("ExcludeKBsRequiringReboot") else None,
        classifications_linux=bound.get("ClassificationToIncludeForLinux"),
        package_include=bound.get("PackageNameMaskToInclude"),
        package_exclude=bound.get("PackageNameMaskToExclude"),
    )
    # the cmdlet sends the parameters object of the OS it was told (-Windows or -Linux), empty or not
    own = "windowsParameters" if bound.get("Windows") else "linuxParameters"
    parameters.setdefault(own, {})
    from ..ops import ondemand

    with writer() as state:
        check_subscription(state)
        result = ondemand.install(state, group, name, parameters, wait=True)
    emit_ps(operation_result(result, INSTALL_ORDER), result_view)


_FEATURE_PARAMS = (
    Param("FeatureName", aliases=("Name",), help="The name of the feature."),
    Param("ProviderNamespace", help="The resource provider namespace."),
)
_VM_PARAMS = (
    Param("ResourceGroupName", position=0, help="The resource group name."),
    Param("VMName", aliases=("Name",), position=1, help="The virtual machine name."),
    Param("ResourceId", help="The virtual machine's resource ID."),
)

CMDLETS: dict[str, Cmdlet] = {c.name: c for c in (
    Cmdlet("Register-AzProviderFeature", "Registers an Azure provider feature in your current subscription.",
           _FEATURE_PARAMS, register_feature),
    Cmdlet("Unregister-AzProviderFeature", "Unregisters an Azure provider feature in your current subscription.",
           _FEATURE_PARAMS, unregister_feature),
    Cmdlet("Get-AzProviderFeature", "Gets information about Azure provider features.",
           (*_FEATURE_PARAMS, Param("ListAvailable", "switch", help="List all available features, not only registered ones.")),
           get_feature),
    Cmdlet("Register-AzResourceProvider", "Registers a resource provider.",
           (Param("ProviderNamespace", help="The namespace of the resource provider to register."),), register_provider),
    Cmdlet("Get-AzVM", "Gets the properties of a virtual machine.",
           (Param("ResourceGroupName", position=0, help="The resource group name."),
            Param("Name", aliases=("ResourceName", "VMName"), position=1, help="The virtual machine name."),
            Param("Status", "switch", help="Get the instance view (status) of the virtual machine.")),
           get_vm),
    Cmdlet("Set-AzVMOperatingSystem",
           "Sets operating system properties of a stored virtual machine and updates it (autopatch: Set + Update-AzVM).",
           (*_VM_PARAMS,
            Param("Windows", "switch"), Param("Linux", "switch"),
            Param("ComputerName", help="Ignored on an existing VM, as the cmdlet ignores it when the VM has an OS profile."),
            Param("Credential", help="Ignored on an existing VM, as the cmdlet ignores it when the VM has an OS profile."),
            Param("ProvisionVMAgent", "switch"), Param("DisableVMAgent", "switch"),
            Param("EnableAutoUpdate", "switch"), Param("TimeZone"),
            Param("PatchMode", help="Manual, AutomaticByOS or AutomaticByPlatform (Windows); ImageDefault or AutomaticByPlatform (Linux)."),
            Param("AssessmentMode", help="ImageDefault or AutomaticByPlatform."),
            Param("EnableHotpatching", "switch"), Param("DisablePasswordAuthentication", "switch")),
           set_os),
    Cmdlet("Invoke-AzVMPatchAssessment", "Assess patches on a VM.", _VM_PARAMS, assess,
           aliases=("Invoke-AzVmPatchAssess", "Invoke-AzVmAssessPatch")),
    Cmdlet("Invoke-AzVMInstallPatch", "Installs patches on the VM.",
           (*_VM_PARAMS,
            Param("Windows", "switch"), Param("Linux", "switch"),
            Param("RebootSetting", help="IfRequired, Never or Always."),
            Param("MaximumDuration", help="ISO 8601 duration, such as PT2H."),
            Param("KBNumberToInclude", "strings"), Param("KBNumberToExclude", "strings"),
            Param("ExcludeKBsRequiringReboot", "switch"),
            Param("ClassificationToIncludeForWindows", "strings",
                  help="Critical, Security, UpdateRollUp, FeaturePack, ServicePack, Definition, Tools, Updates."),
            Param("PackageNameMaskToInclude", "strings"), Param("PackageNameMaskToExclude", "strings"),
            Param("ClassificationToIncludeForLinux", "strings", help="Critical, Security, Other.")),
           install),
)}

# every spelling PowerShell accepts, lower-cased -> canonical name
NAMES: dict[str, str] = {n.lower(): c.name for c in CMDLETS.values() for n in (c.name, *c.aliases)}


def canonical(name: str) -> str | None:
    return NAMES.get(name.lower())


def help_text(cmdlet: Cmdlet) -> str:
    lines = ["", "NAME", f"    {cmdlet.name}", "", "SYNOPSIS", f"    {cmdlet.synopsis}", "", "SYNTAX"]
    parts = []
    for p in cmdlet.params:
        text = f"-{p.name}" if p.kind == "switch" else f"-{p.name} <{p.type_name.split('.')[-1]}>"
        parts.append(f"[{text}]")
    lines.append(f"    {cmdlet.name} {' '.join(parts)}")
    lines += ["", "PARAMETERS"]
    for p in cmdlet.params:
        alias = f" (alias: {', '.join('-' + a for a in p.aliases)})" if p.aliases else ""
        position = f" (position {p.position})" if p.position is not None else ""
        lines.append(f"    -{p.name}{alias}{position}  {p.help}".rstrip())
    if cmdlet.aliases:
        lines += ["", "ALIASES", *(f"    {a}" for a in cmdlet.aliases)]
    lines += ["", "NOTES", "    Names match case-insensitively, as do unique prefixes. -o json (or --query) prints "
              "the object as data.", ""]
    return "\n".join(lines) + "\n"


class CmdletCommand(typer.core.TyperCommand):
    """A click command that hands its arguments to PowerShell-style binding."""

    def __init__(self, cmdlet: Cmdlet):
        super().__init__(name=cmdlet.name, help=cmdlet.synopsis, add_help_option=False)
        self.cmdlet = cmdlet

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        ctx.args = list(args)
        return ctx.args

    def invoke(self, ctx) -> Any:
        args = ctx.args
        if any(a.lower() in HELP_WORDS for a in args):
            sys.stdout.write(help_text(self.cmdlet))
            return 0
        self.cmdlet.run(self.cmdlet, bind(self.cmdlet, args))
        return 0

    def get_help(self, ctx) -> str:
        return help_text(self.cmdlet)

    def shell_complete(self, ctx, incomplete: str):
        from typer._click.shell_completion import CompletionItem

        if not incomplete.startswith("-"):
            return []
        return [CompletionItem("-" + p.name, help=p.help) for p in self.cmdlet.params
                if ("-" + p.name).lower().startswith(incomplete.lower())]


def command(name: str) -> CmdletCommand:
    return CmdletCommand(CMDLETS[canonical(name)])
