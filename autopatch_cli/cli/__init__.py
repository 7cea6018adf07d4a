"""The az-style command line: thin typer apps over the operations layer.

Command groups are imported only when invoked (``LazyGroup``), so ``autopatch vm show`` never pays for
building ``tick`` or ``orchestration``. az's global arguments (``-o``, ``--query``, ``--debug``...) are
taken off the command line before typer parses it (:mod:`autopatch_cli.cli.globals`), so every verb
accepts them anywhere, as az does.
"""

from __future__ import annotations

import importlib

from typer.core import TyperGroup

# command name -> (module, help shown in `autopatch --help`)
COMMAND_GROUPS: dict[str, tuple[str, str]] = {
    "account": ("autopatch_cli.cli.account", "Manage the simulated subscription."),
    "group": ("autopatch_cli.cli.group", "Manage resource groups."),
    "feature": ("autopatch_cli.cli.feature", "Manage resource provider features."),
    "provider": ("autopatch_cli.cli.provider", "Manage resource providers."),
    "vm": ("autopatch_cli.cli.vm", "Manage Linux or Windows virtual machines."),
    "clock": ("autopatch_cli.cli.clock", "Show or set the simulated clock (autopatch only)."),
    "tick": ("autopatch_cli.cli.tick", "Advance simulated time (autopatch only)."),
    "configure": ("autopatch_cli.cli.config", "Manage autopatch configuration, as az configure does."),
    "config": ("autopatch_cli.cli.config", "Manage autopatch configuration, as az config does."),
}


class LazyGroup(TyperGroup):
    """A group whose sub-commands are built from their typer apps only when asked for."""

    lazy: dict[str, tuple[str, str]] = {}

    def list_commands(self, ctx) -> list[str]:
        return sorted(set(self.commands) | set(self.lazy))

    def get_command(self, ctx, cmd_name: str):
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in self.lazy:
            return None
        import typer

        module = importlib.import_module(self.lazy[cmd_name][0])
        app = getattr(module, "APPS", {}).get(cmd_name) or module.app
        command = typer.main.get_command(app)
        command.name = cmd_name
        self.commands[cmd_name] = command
        return command

    def resolve_command(self, ctx, args):
        from ..errors import UsageError

        name = args[0]
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            raise UsageError(f"'{name}' is misspelled or not recognized by the system.")
        return super().resolve_command(ctx, args)


class RootGroup(LazyGroup):
    lazy = COMMAND_GROUPS
