"""The az-style command line: thin typer apps over the operations layer.

Command groups are imported only when invoked (``LazyGroup``), so ``autopatch vm show`` never pays for
building ``tick`` or ``orchestration``. az's global arguments (``-o``, ``--query``, ``--debug``...) are
taken off the command line before typer parses it (:mod:`autopatch_cli.cli.globals`), so every verb
accepts them anywhere, as az does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer import Typer
    from typer.models import CommandInfo, TyperInfo

# command name -> (module, help shown in `autopatch --help`)
COMMAND_GROUPS: dict[str, tuple[str, str]] = {
    "account": ("autopatch_cli.cli.account", "Manage the simulated subscription."),
    "group": ("autopatch_cli.cli.group", "Manage resource groups."),
    "feature": ("autopatch_cli.cli.feature", "Manage resource provider features."),
    "provider": ("autopatch_cli.cli.provider", "Manage resource providers."),
    "vm": ("autopatch_cli.cli.vm", "Manage Linux or Windows virtual machines."),
    "maintenance": ("autopatch_cli.cli.maintenance", "Manage Maintenance configurations and their assignments."),
    "clock": ("autopatch_cli.cli.clock", "Show or set the simulated clock (autopatch only)."),
    "tick": ("autopatch_cli.cli.tick", "Advance simulated time (autopatch only)."),
    "orchestration": ("autopatch_cli.cli.orchestration", "See the availability-first rollout (autopatch only)."),
    "sim": ("autopatch_cli.cli.sim", "Stage guest conditions and faults (autopatch only)."),
    "catalog": ("autopatch_cli.cli.catalog", "List patch releases or publish an out-of-band patch (autopatch only)."),
    "state": ("autopatch_cli.cli.state", "Show, reset, export, import, snapshot and restore the store (autopatch only)."),
    "demo": ("autopatch_cli.cli.demo", "Simulate a month of patching over a sample fleet (autopatch only)."),
    "rest": ("autopatch_cli.cli.rest", "Invoke a custom request (ARM REST API, as az rest)."),
    "serve": ("autopatch_cli.cli.serve", "Serve the ARM REST API over HTTP for SDKs and az rest (autopatch only)."),
    "az-env": ("autopatch_cli.cli.azenv", "Point the real az at 'autopatch serve --tls' in this shell (autopatch only)."),
    "configure": ("autopatch_cli.cli.config", "Manage autopatch configuration, as az configure does."),
    "config": ("autopatch_cli.cli.config", "Manage autopatch configuration, as az config does."),
}

# The Azure PowerShell cmdlets of the guide: top-level commands, names matched case-insensitively
# (aliases too) as PowerShell matches them, listed after the az groups in `autopatch --help`. Only the
# names live here, so that resolving a command imports nothing more; each cmdlet's synopsis, parameters
# and aliases are those of autopatch_cli.cli.powershell.CMDLETS, which `autopatch --help` reads
# (tests/test_help.py checks that the two agree).
CMDLETS: tuple[str, ...] = (
    "Get-AzProviderFeature", "Get-AzVM", "Invoke-AzVMInstallPatch", "Invoke-AzVMPatchAssessment", "New-AzVM",
    "New-AzVMConfig", "Register-AzProviderFeature", "Register-AzResourceProvider", "Set-AzVMOperatingSystem",
    "Set-AzVMSourceImage", "New-AzMaintenanceConfiguration", "New-AzConfigurationAssignment",
    "Unregister-AzProviderFeature", "Update-AzVM",
)
CMDLET_ALIASES = {"invoke-azvmpatchassess": "Invoke-AzVMPatchAssessment",
                  "invoke-azvmassesspatch": "Invoke-AzVMPatchAssessment"}


def cmdlet_synopsis(name: str) -> str:
    """The cmdlet's SYNOPSIS, as its own ``--help`` prints it."""
    from .powershell import CMDLETS as DEFINED

    return DEFINED[name].synopsis


def format_commands(group, ctx, formatter, describe) -> None:
    """click's command list, but each description whole (its first sentence), never cut to 45 characters
    with "...": ``describe(name)`` gives it."""
    rows = []
    for name in group.list_commands(ctx):
        text = describe(name)
        if text is not None:
            rows.append((name, text))
    if rows:
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def format_global_arguments(formatter) -> None:
    """Every group's help ends with az's global arguments, as each verb's does (click's epilog layout)."""
    from .globals import GLOBAL_ARGUMENTS_HELP

    formatter.write_paragraph()
    with formatter.indentation():
        formatter.write_text(GLOBAL_ARGUMENTS_HELP)


def misspelled(name: str, commands: list[str]) -> str:
    """az's message for a word that is no command here, with its recommendation when one is close."""
    from .suggest import did_you_mean

    return f"'{name}' is misspelled or not recognized by the system.{did_you_mean(name, commands)}"


def first_sentence(command) -> str | None:
    if command is None or command.hidden:
        return None
    return command.get_short_help_str(limit=10_000)


class LazyGroup(TyperGroup):
    """A group whose sub-commands are built from their typer apps only when asked for."""

    lazy: dict[str, tuple[str, str]] = {}

    def format_commands(self, ctx, formatter) -> None:
        format_commands(self, ctx, formatter, lambda name: first_sentence(self.get_command(ctx, name)))

    def format_epilog(self, ctx, formatter) -> None:
        format_global_arguments(formatter)

    def list_commands(self, ctx) -> list[str]:
        return sorted(set(self.commands) | set(self.lazy))

    def get_command(self, ctx, cmd_name: str):
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in self.lazy:
            return None
        module = importlib.import_module(self.lazy[cmd_name][0])
        app = getattr(module, "APPS", {}).get(cmd_name) or module.app
        command = build_command(app)
        command.name = cmd_name
        from .examples import attach

        attach(command, (cmd_name,))
        self.commands[cmd_name] = command
        return command

    def resolve_command(self, ctx, args):
        from ..errors import UsageError

        name = args[0]
        # While completing (resilient parsing) an unknown word just completes to nothing.
        if self.get_command(ctx, name) is None and not name.startswith("-") and not ctx.resilient_parsing:
            raise UsageError(misspelled(name, self.list_commands(ctx)))
        return super().resolve_command(ctx, args)


class RootGroup(LazyGroup):
    lazy = COMMAND_GROUPS

    def format_commands(self, ctx, formatter) -> None:
        # The groups from the table above (`autopatch --help` imports no command group); the cmdlets from
        # their definitions, so that the list says what each cmdlet's --help says.
        format_commands(self, ctx, formatter, lambda name: COMMAND_GROUPS[name][1] if name in COMMAND_GROUPS
                        else cmdlet_synopsis(name) if name in CMDLETS else None)

    def list_commands(self, ctx) -> list[str]:
        return [*sorted(set(self.commands) - set(CMDLETS) | set(self.lazy)), *CMDLETS]

    def get_command(self, ctx, cmd_name: str):
        cmdlet = _cmdlet_name(cmd_name)
        if cmdlet is None:
            return super().get_command(ctx, cmd_name)
        if cmdlet not in self.commands:
            from .powershell import command

            self.commands[cmdlet] = command(cmdlet)
        return self.commands[cmdlet]


def root_command():
    """The ``autopatch`` command: its groups are imported only when invoked (or completed)."""
    from typer.main import get_install_completion_arguments

    keep_tab_alone_in_powershell()

    return RootGroup(
        name="autopatch",
        params=list(get_install_completion_arguments()),
        help="autopatch: Azure automatic VM guest patching, simulated locally. Use it as you use az.",
        context_settings={"help_option_names": ["-h", "--help"]},
        no_args_is_help=True,
        rich_markup_mode=None,  # plain help, as the groups print theirs: no rich import for --help
    )


def keep_tab_alone_in_powershell() -> None:
    """typer's PowerShell script rebinds Tab to MenuComplete for everything typed in that shell
    (``Set-PSReadLineKeyHandler -Chord Tab``); autopatch's registers its completer and nothing else. The
    template is fixed where typer keeps it, so --show-completion, --install-completion and completions/
    all give the same script."""
    from typer import _completion_shared

    for shell in ("powershell", "pwsh"):
        script = _completion_shared._completion_scripts.get(shell)
        if script:
            _completion_shared._completion_scripts[shell] = "".join(
                line for line in script.splitlines(keepends=True)
                if not line.startswith(("Import-Module PSReadLine", "Set-PSReadLineKeyHandler")))


def _cmdlet_name(name: str) -> str | None:
    lowered = name.lower()
    if lowered in CMDLET_ALIASES:
        return CMDLET_ALIASES[lowered]
    return next((c for c in CMDLETS if c.lower() == lowered), None)


# ---- one command group's typer app, its commands built on demand ---------------------------------


def build_command(app):
    """``typer.main.get_command(app)``, except that a group builds each sub-command when first asked for.

    typer builds every command of a group up front (signature inspection, parameter objects), so
    ``vm show`` would pay for ``vm create``'s twenty options; :class:`TyperAppGroup` builds only ``show``.
    What the group shows and accepts is the same, completion options included.
    """
    import typer.main

    # typer offers --install-completion/--show-completion on every app it builds; autopatch offers them once,
    # on the top-level command (as az has one completion for all its commands).
    app._add_completion = False
    if not (app.registered_groups or len(app.registered_commands) > 1 or app.registered_callback
            or app.info.callback):
        return typer.main.get_command(app)  # a single command: nothing to defer
    group = _app_group(typer.main.TyperInfo(app), app)
    if group is None:  # a layout we do not defer (an unnamed sub-app): typer builds it all
        return typer.main.get_command(app)
    return group


def _app_group(info, app):
    import copy

    import typer.main

    entries: dict[str, CommandInfo | TyperInfo] = {}
    for command_info in app.registered_commands:
        name = command_info.name or typer.main.get_command_name(command_info.callback.__name__)
        entries[name] = command_info
    for group_info in app.registered_groups:
        name = typer.main.solve_typer_info_defaults(group_info).name
        if not name or group_info.typer_instance is None:
            return None
        entries[name] = group_info
    if any(type(cls) is not typer.main.DefaultPlaceholder and cls is not None for cls in (info.cls, app.info.cls)):
        return None  # the app asked for its own group class
    shell = copy.copy(app)
    shell.registered_commands = []
    shell.registered_groups = []
    group = typer.main.get_group_from_info(
        typer.main.TyperInfo(**{**info.__dict__, "typer_instance": shell, "cls": TyperAppGroup}),
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
        suggest_commands=app.suggest_commands,
    )
    assert isinstance(group, TyperAppGroup)  # built with cls=TyperAppGroup
    group.app = app
    group.entries = entries
    return group


class TyperAppGroup(TyperGroup):
    """The group typer would build for an app, with each command built only when it is looked up."""

    app: Typer  # set by _app_group, which builds every TyperAppGroup
    entries: dict[str, CommandInfo | TyperInfo] = {}

    def format_commands(self, ctx, formatter) -> None:
        format_commands(self, ctx, formatter, lambda name: first_sentence(self.get_command(ctx, name)))

    def format_epilog(self, ctx, formatter) -> None:
        if self.epilog:
            super().format_epilog(ctx, formatter)
        else:
            format_global_arguments(formatter)

    def list_commands(self, ctx) -> list[str]:
        return [*self.commands, *(name for name in self.entries if name not in self.commands)]

    def get_command(self, ctx, cmd_name: str):
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = self.entries.get(cmd_name)
        if entry is None:
            return None
        import typer.main

        if isinstance(entry, typer.main.TyperInfo):
            command = _app_group(entry, entry.typer_instance) or typer.main.get_group_from_info(
                entry, pretty_exceptions_short=self.app.pretty_exceptions_short,
                rich_markup_mode=self.app.rich_markup_mode, suggest_commands=self.app.suggest_commands,
            )
        else:
            command = typer.main.get_command_from_info(
                entry, pretty_exceptions_short=self.app.pretty_exceptions_short,
                rich_markup_mode=self.app.rich_markup_mode,
            )
        from .examples import attach

        attach(command, (*getattr(self, "words", (self.name,)), cmd_name))
        self.commands[cmd_name] = command
        return command

    def resolve_command(self, ctx, args):
        from ..errors import UsageError as AutopatchUsageError

        name = args[0]
        if self.get_command(ctx, name) is None and not name.startswith("-") and not ctx.resilient_parsing:
            raise AutopatchUsageError(misspelled(name, self.list_commands(ctx)))
        return self._click_resolve_command(ctx, args)
