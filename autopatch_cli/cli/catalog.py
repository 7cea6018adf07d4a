"""autopatch catalog: the simulated Windows Update catalog and the Linux distributions' package updates (autopatch only)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import reader, writer
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

app = typer.Typer(help="List the monthly patch releases, or publish an out-of-band patch.", no_args_is_help=True,
                  rich_markup_mode=None)


@app.command("list", epilog=GLOBAL_ARGUMENTS_HELP)
def list_(
    month: Annotated[str | None, typer.Option("--month", help="One release month, e.g. 2020-11.")] = None,
    os: Annotated[str | None, typer.Option("--os", help="2012-r2, 2016 or 2019 (the Windows Server versions of the "
                                         "simulated date); a Linux distribution such as ubuntu-22.04, rhel-8, "
                                         "sles-15, debian-12, azurelinux-3; or linux for all of them.")] = None,
):
    """Patches published up to the simulated now (Patch Tuesday releases and out-of-band ones; Linux package
    updates on their distribution's release days)."""
    from ..ops import sim
    from ..ops.state import State

    emit(sim.catalog_list(State(reader().full()), month, os), _table)


def _table(result):
    if result and "version" in result[0]:  # Linux package updates
        return [{"Release": p["release"], "OS": p["os"], "Package": p["name"], "Version": p["version"],
                 "Classification": p["classification"], "RebootBehavior": p["rebootBehavior"],
                 "Published": p["publishedDate"]} for p in result]
    return [{"Release": p["release"], "OS": p["os"], "KB": p["kbId"], "Classification": p["classification"],
             "RebootBehavior": p["rebootBehavior"], "Published": p["publishedDate"], "Name": p["name"]} for p in result]


@app.command("publish", epilog=GLOBAL_ARGUMENTS_HELP)
def publish(
    kb: Annotated[str | None, typer.Option("--kb", help="KB number of a Windows patch, e.g. 5000001.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Title of the Windows patch.")] = None,
    package: Annotated[str | None, typer.Option("--package", help="A Linux package update instead of a KB: the package's name, e.g. openssl (with --version and --os).")] = None,
    version: Annotated[str | None, typer.Option("--version", help="The Linux package's new version, in its distribution's format, e.g. 3.0.2-0ubuntu1.19.")] = None,
    classification: Annotated[str | None, typer.Option("--classification", help="Windows: Critical, Security, UpdateRollUp, FeaturePack, ServicePack, Definition, Tools or Updates. Linux: Critical, Security or Other. Default: Security.")] = None,
    reboot_behavior: Annotated[str | None, typer.Option("--reboot-behavior", help="NeverReboots, AlwaysRequiresReboot or CanRequestReboot. Default: AlwaysRequiresReboot for a KB; for a package, AlwaysRequiresReboot for the kernel, the C library, systemd and microcode, else NeverReboots.")] = None,
    os: Annotated[str | None, typer.Option("--os", help="A KB: only for this Windows Server version (2012-r2, 2016, 2019, ...); default all. A package: its Linux distribution (ubuntu-22.04, rhel-8, sles-15, ...), required.")] = None,
    fault: Annotated[str | None, typer.Option("--fault", help="A bad patch: 'fails' (never installs) or 'unhealthy' (the VM is unhealthy after its reboot).")] = None,
):
    """Publish an out-of-band patch now: a Windows KB, or a Linux package update for one distribution. It is
    assessed and rolled out like a monthly release from the next tick."""
    from ..errors import UsageError
    from ..ops import sim

    if package is not None:
        if kb is not None or name is not None:
            raise UsageError("usage error: --package cannot be used with --kb or --name")
        with writer() as state:
            result = sim.publish_linux(state, package, version or "", os, classification, reboot_behavior, fault)
        emit(result)
        return
    if version is not None:
        raise UsageError("usage error: --version goes with --package")
    if not kb:
        raise UsageError("the following arguments are required: --kb (or --package)")
    with writer() as state:
        result = sim.publish(state, kb, name, classification or "Security", reboot_behavior or "AlwaysRequiresReboot",
                             os, fault)
    emit(result)
