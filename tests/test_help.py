"""Help as az users read it: one place to install completion, whole descriptions, global arguments everywhere."""

from __future__ import annotations

import pytest


def _walk():
    """(words, command) for every group and verb autopatch has, built as the command line builds them."""
    from typer._click.core import Context

    from autopatch_cli.__main__ import root_command

    root = root_command()
    found = []

    def visit(words, command, parent):
        ctx = Context(command, info_name=words[-1] if words else "autopatch", parent=parent)
        found.append((words, command))
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                visit([*words, name], command.get_command(ctx, name), ctx)

    visit([], root, None)
    return found


COMMANDS = _walk()


def test_completion_is_offered_once_at_the_top_level():
    offered = [" ".join(words) for words, command in COMMANDS
               if any(p.name in ("install_completion", "show_completion") for p in command.params)]
    assert offered == [""]


@pytest.mark.parametrize("words", [w for w, c in COMMANDS if w and c.name and hasattr(c, "list_commands")] + [[]],
                         ids=lambda w: " ".join(w) or "autopatch")
def test_every_group_shows_the_global_arguments_and_whole_descriptions(cli, words):
    shown = cli(*words, "--help")
    assert shown.exit_code == 0, shown.stderr
    assert "Global Arguments:" in shown.stdout and "--query" in shown.stdout
    commands = shown.stdout.split("Commands:", 1)[1].split("Global Arguments:", 1)[0]
    assert "..." not in commands


def test_subcommands_reject_install_completion(cli):
    refused = cli("tick", "--install-completion")
    assert refused.exit_code == 2 and "unrecognized arguments: --install-completion" in refused.stderr
