"""az's (argparse's) reading of a command line, token by token, before typer parses it: what typer would
read differently is reported as az reports it, in az's order.

- An option that takes a value, followed by nothing or by another option, is refused at once:
  ``argument --resource-group/-g: expected one argument`` (typer would take ``--bogus`` as the value of
  ``-g``); an option of several values with none: ``expected at least one argument``.
- Every word the command does not take (unknown options, a value after them, stray words) is collected, in
  order, for one ``unrecognized arguments: --bogus x`` line. az's root parser reports them only after the
  command's own parser is done, so a missing required argument (and a value refused while parsing) is
  reported first: for az's verbs the collected words are taken off the line and reported when the verb
  first reaches for the store (:func:`pending_unrecognized`), after its own checks; other verbs report
  them before running.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import UsageError
from .azargs import AZ_DECLARED_FIRST

# The az verbs whose checks of the command line run before they touch the store (the deferral above).
AZ_GROUPS = frozenset({"account", "group", "vm", "feature", "provider", "maintenance"})
# az's option strings where azure-cli declares them in another order than autopatch's typer options do
# (argparse names an option by '/'.join(option_strings) in its errors; read from az 2.91's errors).
AZ_OPTION_STRINGS = {
    ("group", "create", "--name"): "--name/--resource-group/-n/-g",
    # aaz's commands declare the short name first
    ("vm", "start", "--name"): "-n/--name/--vm-name",
    ("vm", "deallocate", "--name"): "-n/--name/--vm-name",
    ("vm", "assess-patches", "--name"): "-n/--name/--vm-name",
    ("vm", "delete", "--name"): "-n/--name",
    # with its deprecated (hidden) alias, which argparse still names
    ("vm", "create", "--data-disk-delete-option"): "--data-disk-delete-option/--data-delete-option",
}
# How many values argparse expects where it is not one (its errors say "expected 1 argument" for nargs=1
# and "expected at least one argument" for nargs='+'): azure-cli's declarations, read from az 2.91's errors.
AZ_NARGS_ONE = frozenset({"--zone"})
AZ_NARGS_MANY = frozenset({"--max-patch-publish-date"})
# nargs='*': the option may stand alone (no values: as if not given here).
AZ_NARGS_ANY = frozenset({"--tags", "--disk-caching", "--write-accelerator"})


def _is_option(token: str) -> bool:
    """argparse's test: a word starting with '-' (not a negative number, not '-' alone) is an option."""
    if not token.startswith("-") or len(token) < 2:
        return False
    try:
        float(token)
    except ValueError:
        return True
    return False


def az_names(words: Sequence[str], param) -> str:
    """How az's errors name an option: its option strings joined by '/', in azure-cli's order."""
    opts = list(param.opts)
    declared = AZ_OPTION_STRINGS.get((*words[:2], opts[0])) if len(words) >= 2 else None
    if declared:
        return declared
    first = AZ_DECLARED_FIRST.get(opts[0])
    if first and first in opts:
        opts.remove(first)
        opts.insert(0, first)
    return "/".join(opts)


def is_cmdlet(command) -> bool:
    """A PowerShell cmdlet (``cli/powershell.py``): it parses and reports errors PowerShell's way."""
    return type(command).__name__ == "CmdletCommand"


def leaf(root, argv: Sequence[str]):
    """(command words, command, index of the first word after them) for ``argv`` (global options already
    taken off), or None when the words name no command."""
    from typer._click.core import Context

    current = root
    words: list[str] = []
    index = 0
    while hasattr(current, "get_command"):
        if index >= len(argv) or argv[index].startswith("-"):
            return None
        found = current.get_command(Context(current), argv[index])
        if found is None:
            return None
        words.append(argv[index])
        current = found
        index += 1
    return words, current, index


def scan(root, argv: list[str], multi_value: frozenset[str]) -> tuple[list[str], list[str]]:
    """(the command line typer is to parse, the words az would call unrecognized). Raises az's
    "expected one argument" where argparse would."""
    found = leaf(root, argv)
    if found is None:
        return argv, []
    words, command, start = found
    settings = getattr(command, "context_settings", None) or {}
    if is_cmdlet(command) or settings.get("ignore_unknown_options") or settings.get("allow_extra_args"):
        return argv, []  # PowerShell cmdlets and pass-through commands parse their own way
    options: dict[str, Any] = {}
    positional = 0
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") == "option":
            for name in (*param.opts, *getattr(param, "secondary_opts", ())):
                options[name] = param
        else:
            nargs = getattr(param, "nargs", 1)
            positional += 10**9 if nargs < 0 else nargs
    kept = list(argv[:start])
    extras: list[str] = []
    index = start
    while index < len(argv):
        token = argv[index]
        index += 1
        if token == "--":
            if positional > 0:
                kept.extend(argv[index - 1:])
            else:  # argparse: what follows '--' is positional, and a command that takes none has "-- ..." left over
                extras.extend(argv[index - 1:])
            break
        if not _is_option(token):
            if positional > 0:
                positional -= 1
                kept.append(token)
            else:
                extras.append(token)
            continue
        if token in ("-h", "--help"):
            kept.append(token)
            continue
        name = token.split("=", 1)[0] if token.startswith("--") else token[:2]
        param = options.get(name)
        if param is None:
            extras.append(token)
            continue
        takes_value = not getattr(param, "is_flag", False) and not getattr(param, "count", False)
        if not takes_value or token != name:
            kept.append(token)
            continue  # a flag, or the value is in the word (--name=x, -gRG)
        if index >= len(argv) or _is_option(argv[index]):
            lead = param.opts[0]
            if lead in AZ_NARGS_ANY:
                continue
            many = lead in AZ_NARGS_MANY or any(n in multi_value for n in param.opts)
            expected = "at least one argument" if many else "1 argument" if lead in AZ_NARGS_ONE else "one argument"
            raise UsageError(f"argument {az_names(words, param)}: expected {expected}")
        _check_type(words, param, argv[index])
        kept.append(token)
        kept.append(argv[index])
        index += 1
    return kept, extras


def _check_type(words: Sequence[str], param, value: str) -> None:
    """argparse converts a value as it reads it: ``argument --count: invalid int value: 'abc'``."""
    try:
        name = str(param.bare_type())  # typer's name of the annotation: 'int', 'str', 'list[str]'...
    except Exception:  # not a typer parameter: typer checks it
        return
    kind = {"int": int, "float": float}.get(name)
    if kind is not None:
        try:
            kind(value)
        except ValueError:
            raise UsageError(f"argument {az_names(words, param)}: invalid {name} value: '{value}'") from None


def unrecognized(extras: Sequence[str]) -> UsageError:
    return UsageError(f"unrecognized arguments: {' '.join(extras)}")


_pending: list[str] = []


def defer(extras: Sequence[str]) -> None:
    _pending[:] = list(extras)


def pending_unrecognized() -> None:
    """Raise the deferred "unrecognized arguments" error, if any (once the verb's own checks passed)."""
    if _pending:
        extras = list(_pending)
        _pending.clear()
        raise unrecognized(extras)
