"""autopatch state: the store as a whole (show, reset, export/import, snapshots); autopatch's own group."""

from __future__ import annotations

from typing import Annotated

import typer

from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

app = typer.Typer(help="Show, reset, export, import, snapshot and restore the state store (autopatch only).",
                  no_args_is_help=True, rich_markup_mode=None)


def _path():
    from .common import session

    return session().path


@app.command("show", epilog="""\b
Examples
    Which store is in use, its clock, seed and counts.
        autopatch state show

    Only the simulated time.
        autopatch state show --query clock
""" + GLOBAL_ARGUMENTS_HELP)
def show():
    """Show the store in use: its path and size, clock, seed, schema version and what it holds."""
    from ..ops import state_admin

    emit(state_admin.info(_path()), _show_table)


def _show_table(result):
    row = {k[:1].upper() + k[1:]: v for k, v in result.items() if not isinstance(v, (dict, list))}
    row.update({k[:1].upper() + k[1:]: v for k, v in result["counts"].items()})
    return [row]


@app.command("reset", epilog="""\b
Examples
    Start over with a new, empty subscription (the store's seed is kept).
        autopatch state reset --yes

    Start over with another seed.
        autopatch state reset --seed 7 --yes
""" + GLOBAL_ARGUMENTS_HELP)
def reset(
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the new subscription. Default: the store's.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not prompt for confirmation.")] = False,
):
    """Empty the store: a new subscription at the start instant, as on first use. Snapshots are kept."""
    from ..ops import state_admin
    from .common import confirm

    path = _path()
    confirm(f"Are you sure you want to reset the state store '{path}'?", yes)
    emit(state_admin.reset(path, seed))


@app.command("export", epilog="""\b
Examples
    Keep the fleet in a file of your repository.
        autopatch state export fleet.json

    Print the store.
        autopatch state export -
""" + GLOBAL_ARGUMENTS_HELP)
def export(file: Annotated[str, typer.Argument(help="The file to write ('-': standard output).")]):
    """Write the whole store to FILE (atomically), to import it later or elsewhere."""
    import sys
    from pathlib import Path

    from ..ops import state_admin

    if file == "-":
        sys.stdout.write(state_admin.export(_path(), None) or "")
        return
    target = Path(file).expanduser()
    state_admin.export(_path(), target)
    emit({"exported": str(target), "sizeBytes": target.stat().st_size})


@app.command("import", epilog="""\b
Examples
    Seed the store from a file kept in the repository (a CI job's first step).
        autopatch state import fleet.json

    Read the store from standard input.
        autopatch state import - < fleet.json
""" + GLOBAL_ARGUMENTS_HELP)
def import_(file: Annotated[str, typer.Argument(help="A store written by `state export` ('-': standard input).")]):
    """Replace the store with the one in FILE. FILE is validated first: a bad file changes nothing."""
    import sys
    from pathlib import Path

    from ..ops import state_admin

    if file == "-":
        emit(state_admin.import_(_path(), None, sys.stdin.read()))
    else:
        emit(state_admin.import_(_path(), Path(file).expanduser()))


@app.command("snapshot", epilog="""\b
Examples
    Keep the state before an experiment.
        autopatch state snapshot before-tick

    Replace an older snapshot of the same name.
        autopatch state snapshot before-tick --force
""" + GLOBAL_ARGUMENTS_HELP)
def snapshot(
    name: Annotated[str, typer.Argument(help="Letters, digits, '.', '_' and '-'.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a snapshot of that name.")] = False,
):
    """Save the store as the snapshot NAME, kept beside the store in <store>.snapshots/."""
    from ..ops import state_admin

    emit(state_admin.snapshot(_path(), name, force))


@app.command("restore", epilog="""\b
Examples
    Go back to the state saved before the experiment.
        autopatch state restore before-tick
""" + GLOBAL_ARGUMENTS_HELP)
def restore(name: Annotated[str, typer.Argument(help="A snapshot made with `state snapshot`.")]):
    """Replace the store with the snapshot NAME (the snapshot is kept)."""
    from ..ops import state_admin

    emit(state_admin.restore(_path(), name))


@app.command("snapshots", epilog="""\b
Examples
    List the snapshots of the store in use.
        autopatch state snapshots -o table
""" + GLOBAL_ARGUMENTS_HELP)
def snapshots():
    """List the snapshots of the store in use."""
    from ..ops import state_admin

    emit(state_admin.list_snapshots(_path()))


@app.command("delete-snapshot", epilog="""\b
Examples
    Remove a snapshot.
        autopatch state delete-snapshot before-tick
""" + GLOBAL_ARGUMENTS_HELP)
def delete_snapshot(name: Annotated[str, typer.Argument(help="A snapshot made with `state snapshot`.")]):
    """Delete the snapshot NAME."""
    from ..ops import state_admin

    state_admin.delete_snapshot(_path(), name)
