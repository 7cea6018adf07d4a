"""What az 2.91 prints under a command line its parser rejects: up to three examples from the command's help,
then the reference link (azure-cli's ``command_recommender.CommandRecommender`` and ``AzCLIError.print_error``,
called from ``AzCliCommandParser.error`` and ``_check_value`` in ``azure/cli/core/parser.py``).

az's rules, kept here:

- An error of the command's own parser (a missing required argument, an option without its value, a value
  that is not an int or not among the allowed ones) gets the command's examples; an error of the root
  parser (unrecognized arguments, a command word that does not exist) gets the link alone, since the root
  ``az`` has no examples. A message naming ``--query`` gets the query reference instead (the caller's
  message already carries it), and anything else az reports through another path (validators, the service)
  gets nothing.
- The examples are sorted by how many of the user's options they use (the short forms read as the long
  ones, unknown options ignored), ahead of those of other commands, fewer options first among equals, and
  the first three kept; the sort is stable, so help order breaks ties.
- With ``core.error_recommendation`` off (``autopatch config set core.error_recommendation=off``, as
  ``az config set core.error_recommendation=off``) nothing is printed under the error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

OVERVIEW_REFERENCE = "https://aka.ms/cli_ref"
READ_MORE = "Read more about the command in reference docs"
HEADER = "Examples from command's help:"
# azure-cli's get_parameter_mappings: the global arguments every command knows (None: the name itself).
GLOBAL_MAPPINGS: dict[str, str | None] = {
    "-h": "--help", "-o": "--output", "--only-show-errors": None, "--help": None, "--output": None,
    "--query": None, "--debug": None, "--verbose": None, "--yes": None, "--no-wait": None,
}

EXAMPLES, LINK = "examples", "link"


def kind_of(message: str) -> str | None:
    """Which trailer az's parser puts under this error message: the command's examples, the link alone
    (the root parser's errors), or none."""
    first = message.split("\n", 1)[0]
    if "--query" in message:
        return None
    if first.startswith("unrecognized arguments:") or "is misspelled or not recognized by the system" in first:
        return LINK
    if (first.startswith(("the following arguments are required:", "argument "))
            or "' is not a valid value for '" in first):
        return EXAMPLES
    return None


def parameter_names(args: Iterable[str]) -> list[str]:
    """azure-cli's ``_extract_parameter_names``: the option names of a command line (``--a=b`` is ``--a``,
    ``-gRG`` is ``-g``; a word of three dashes or more is a value)."""
    return [(p.split("=", 1)[0] if p.startswith("--") else p[:2]) for p in args
            if p.startswith("-") and not p.startswith("---") and len(p) > 1]


def parameter_mappings(option_lists: Iterable[Sequence[str]]) -> dict[str, str | None]:
    """azure-cli's ``get_parameter_mappings``: each option name to its command's longest name for it."""
    mappings = dict(GLOBAL_MAPPINGS)
    for options in option_lists:
        if not options:
            continue
        ordered = sorted(options, key=len, reverse=True)
        for option in ordered[1:]:
            mappings[option] = ordered[0]
        mappings[ordered[0]] = ordered[0]
    return mappings


def normalize(args: Iterable[str], mappings: dict[str, str | None]) -> list[str]:
    """The long names of the known options of a command line, sorted (``_normalize_parameters``)."""
    return sorted((mappings.get(p) or p) for p in parameter_names(args) if p in mappings)


def recommend(command: str, args: Sequence[str], examples: Sequence[tuple[str, str]],
              mappings: dict[str, str | None], prog: str = "autopatch") -> list[tuple[str, str]]:
    """The (command line, description) of the examples az would show, best first, at most three.
    ``command`` is the command's words ("vm start"), ``args`` the user's command line, ``examples`` the
    (description, command line) pairs of the command's help in their order."""
    target = normalize(args, mappings)
    candidates = []
    for description, line in examples:
        line = " ".join(line.split())  # az's strip_command: one space between words
        arg_list = normalize(line.split(" "), mappings)
        matches = sum(1 for arg in arg_list if arg in target) if line.startswith(f"{prog} {command}") else -1
        candidates.append((matches, -len(arg_list), line, description))
    candidates.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [(line, description) for _, _, line, description in candidates[:3]]


def render(recommendations: Sequence[tuple[str, str]]) -> str:
    """The text az prints under the error line(s) for these examples (the link alone when there are none)."""
    text = "\n"
    if recommendations:
        text += HEADER + "\n"
    for line, description in recommendations:
        text += f"{line}\n{description}\n\n"
    return text + f"{OVERVIEW_REFERENCE}\n{READ_MORE}\n"


def enabled() -> bool:
    from .. import config

    value = config.get("core.error_recommendation")
    return str(value if value is not None else "on").upper() != "OFF"


def trailer(message: str, argv: Sequence[str]) -> str:
    """What to print under a usage error raised for the command line ``argv`` ("" for none)."""
    kind = kind_of(message)
    if kind is None or not enabled():
        return ""
    if _names_cmdlet(argv):
        return ""  # a PowerShell cmdlet's errors are PowerShell's
    if kind == LINK:
        return render([])
    found = leaf(argv)
    if found is None:
        return ""
    words, command = found
    from .examples import EXAMPLES as TABLE

    examples = [(description, line) for description, line in TABLE.get(" ".join(words), [])]
    options = [list(getattr(p, "opts", ())) for p in getattr(command, "params", ())
               if getattr(p, "param_type_name", "") == "option"]
    return render(recommend(" ".join(words), argv, examples, parameter_mappings(options)))


def _names_cmdlet(argv: Sequence[str]) -> bool:
    from typer._click.core import Context

    from . import root_command
    from .argscan import is_cmdlet

    first = next((token for token in argv if not token.startswith("-")), None)
    if first is None:
        return False
    root = root_command()
    return is_cmdlet(root.get_command(Context(root), first))


def leaf(argv: Sequence[str]):
    """(command words, click command) of the command ``argv`` runs, or None when it names no command.
    Global options (and their values) may stand anywhere; the first other option ends the words."""
    from typer._click.core import Context

    from . import root_command
    from .globals import _FLAGS, _WITH_VALUE

    current = root_command()
    words: list[str] = []
    index = 0
    while index < len(argv) and hasattr(current, "get_command"):
        token = argv[index]
        index += 1
        if token in _WITH_VALUE:
            index += 1
            continue
        if token in _FLAGS or token.split("=", 1)[0] in _WITH_VALUE:
            continue
        if token.startswith("-"):
            return None
        found = current.get_command(Context(current), token)
        if found is None:
            return None
        words.append(token)
        current = found
    from .argscan import is_cmdlet

    if hasattr(current, "get_command") or not words or is_cmdlet(current):
        return None  # a group, or a PowerShell cmdlet (its errors are PowerShell's)
    return words, current
