"""autopatch sim: guest conditions and injected faults (autopatch only; nothing like it exists in az)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import bool3, require_group, writer
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

app = typer.Typer(help="Stage guest conditions and faults the platform reacts to (autopatch only).",
                  no_args_is_help=True, rich_markup_mode=None)
requirement_app = typer.Typer(help="The VM agent, the Windows Update service and the update source.",
                              no_args_is_help=True, rich_markup_mode=None)
fault_app = typer.Typer(help="One-shot faults: a patch that fails, a reboot that hangs, a VM unhealthy after "
                        "its reboot.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(requirement_app, name="requirement")
app.add_typer(fault_app, name="fault")

Group = Annotated[str | None, typer.Option("--resource-group", "-g", help="Name of resource group.")]
VmName = Annotated[str | None, typer.Option("--name", "-n", help="The name of the Virtual Machine.")]


def _target(group, name):
    from ..errors import UsageError

    if not name:
        raise UsageError("the following arguments are required: --name/-n")
    return require_group(group), name


@requirement_app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def requirement_show(resource_group: Group = None, name: VmName = None):
    """Show the guest conditions automatic patching needs."""
    from ..ops import sim
    from .common import reader

    group, name = _target(resource_group, name)
    from ..ops.state import State

    emit(sim.requirements(State(reader().full()), group, name))


@requirement_app.command("set", epilog=GLOBAL_ARGUMENTS_HELP)
def requirement_set(
    resource_group: Group = None,
    name: VmName = None,
    agent: Annotated[str | None, typer.Option("--agent", help="Whether the VM agent is present and reporting (true/false).")] = None,
    windows_update_service: Annotated[str | None, typer.Option("--windows-update-service", help="running or stopped (on a Linux VM: its package manager).")] = None,
    update_source_reachable: Annotated[str | None, typer.Option("--update-source-reachable", help="Whether Windows Update or the WSUS server answers (on a Linux VM: its package repositories) (true/false).")] = None,
    update_source: Annotated[str | None, typer.Option("--update-source", help="WindowsUpdate, or a WSUS server URL.")] = None,
):
    """Set guest conditions: their failures show in patchStatus as Azure reports them."""
    from ..errors import ValidationError
    from ..ops import sim

    group, name = _target(resource_group, name)
    service = None
    if windows_update_service is not None:
        value = windows_update_service.lower()
        if value not in ("running", "stopped"):
            raise ValidationError("--windows-update-service must be 'running' or 'stopped'")
        service = value == "running"
    with writer() as state:
        result = sim.set_requirements(state, group, name, bool3(agent, "--agent"), service,
                                      bool3(update_source_reachable, "--update-source-reachable"), update_source)
    emit(result)


@fault_app.command("add", epilog=GLOBAL_ARGUMENTS_HELP)
def fault_add(
    resource_group: Group = None,
    name: VmName = None,
    kind: Annotated[str | None, typer.Option("--kind", help="install-failure, reboot-hang or unhealthy-after-reboot.")] = None,
    count: Annotated[int, typer.Option("--count", help="How many times the fault strikes (each use spends one).")] = 1,
):
    """Inject a fault into the VM's next patch installations."""
    from ..errors import UsageError
    from ..ops import sim

    group, name = _target(resource_group, name)
    if not kind:
        raise UsageError("the following arguments are required: --kind")
    with writer() as state:
        result = sim.add_fault(state, group, name, kind.lower(), count)
    emit(result)


@fault_app.command("clear", epilog=GLOBAL_ARGUMENTS_HELP)
def fault_clear(resource_group: Group = None, name: VmName = None):
    """Remove the VM's pending faults and mark it healthy again."""
    from ..ops import sim

    group, name = _target(resource_group, name)
    with writer() as state:
        result = sim.clear_faults(state, group, name)
    emit(result)


@fault_app.command("list", epilog=GLOBAL_ARGUMENTS_HELP)
def fault_list(resource_group: Group = None, name: VmName = None):
    """Show the VM's pending faults."""
    from ..ops import sim, vms
    from ..ops.state import State
    from .common import reader

    group, name = _target(resource_group, name)
    emit(sim.faults_view(vms.require(State(reader().full()), group, name)))
