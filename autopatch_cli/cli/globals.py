"""az's global arguments, taken off the command line wherever they stand, and their settings."""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from .suggest import did_you_mean

OUTPUT_FORMATS = ("json", "jsonc", "yaml", "yamlc", "table", "tsv", "none")

# "\b" tells click not to rewrap the paragraph that follows.
GLOBAL_ARGUMENTS_HELP = """\b
Global Arguments:
  --debug             Increase logging verbosity to show all debug logs.
  --help -h           Show this help message and exit.
  --only-show-errors  Only show errors, suppressing warnings.
  --output -o         Output format. Allowed values: json, jsonc, none, table, tsv, yaml, yamlc.
                      Default: json (or core.output of `autopatch config`); without -o, tick at a
                      terminal, orchestration timeline and demo draw their picture.
  --query             JMESPath query string. See http://jmespath.org/ for more information and examples.
  --state             The state store (JSON file); default $AUTOPATCH_STATE or the user data dir.
  --subscription      Name or ID of subscription (only the simulated one exists).
  --verbose           Increase logging verbosity. Use --debug for full debug logs."""


@dataclass
class Settings:
    output: str | None = None
    query: str | None = None
    debug: bool = False
    verbose: bool = False
    only_show_errors: bool = False
    state: Path | None = None
    state_on_command_line: bool = False  # --state given (not only $AUTOPATCH_STATE): the demo honours only this
    subscription: str | None = None
    command: list[str] = field(default_factory=list)

    @property
    def command_name(self) -> str:
        return " ".join(["autopatch", *self.command])


settings = Settings()

_WITH_VALUE = {"-o": "output", "--output": "output", "--query": "query", "--state": "state",
               "--subscription": "subscription"}
_FLAGS = {"--debug": "debug", "--verbose": "verbose", "--only-show-errors": "only_show_errors"}


# How az's parser names each in its errors (argparse joins an argument's option strings with '/').
_AZ_NAMES = {"-o": "--output/-o", "--output": "--output/-o"}
_QUERY_REFERENCE = "To learn more about --query, please visit: 'https://learn.microsoft.com/cli/azure/query-azure-cli'"
_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")


def _argparse_option(token: str) -> bool:
    """argparse's reading of the word after an option that takes a value: a word that looks like an option
    (starts with '-', is not '-' alone, not a negative number, has no space) is one, and the value is missing."""
    return (token.startswith("-") and token != "-" and not _NEGATIVE_NUMBER.match(token) and " " not in token)


def _expected_one_argument(name: str) -> UsageError:
    """az's error for a global option without its value (``--query``'s with az's query reference under it)."""
    message = f"argument {_AZ_NAMES.get(name, name)}: expected one argument"
    return UsageError(f"{message}\n{_QUERY_REFERENCE}" if name == "--query" else message)


def extract(argv: list[str]) -> tuple[Settings, list[str]]:
    """Split ``argv`` into the global settings and what the command itself parses."""
    found = Settings()
    rest: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            rest.extend(argv[index:])
            break
        name, sep, inline = token.partition("=")
        if name in _WITH_VALUE and (sep or token == name):
            if sep:
                value = inline
            elif index + 1 < len(argv) and not _argparse_option(argv[index + 1]):
                index += 1
                value = argv[index]
            else:
                raise _expected_one_argument(name)
            setattr(found, _WITH_VALUE[name], value)
        elif token in _FLAGS:
            setattr(found, _FLAGS[token], True)
        else:
            rest.append(token)
        index += 1
    # the command's words: those before its first option (az names the command so in its errors)
    found.command = list(itertools.takewhile(lambda t: not t.startswith("-"), rest))[:3]
    rest = expand_nargs(rest, tuple(found.command[:2]))
    if found.output is not None:
        found.output = found.output.lower()  # az takes the format in any case
    if found.output is not None and found.output not in OUTPUT_FORMATS:
        raise UsageError(
            f"{found.command_name}: '{found.output}' is not a valid value for '--output'. Allowed values: "
            f"{', '.join(OUTPUT_FORMATS)}.{did_you_mean(found.output, OUTPUT_FORMATS)}"
        )
    if found.state is not None:
        found.state = Path(str(found.state)).expanduser()
        found.state_on_command_line = True
    elif os.environ.get("AUTOPATCH_STATE"):
        found.state = Path(os.environ["AUTOPATCH_STATE"]).expanduser()
    return found, rest


# az options that take several space-separated values (argparse nargs='+'): typer takes a repeated
# option, so `--ids a b` becomes `--ids a --ids b`.
NARGS_OPTIONS = frozenset(
    {"--ids", "--tags", "--set", "--zones", "--kb-numbers-to-include", "--kb-numbers-to-exclude",
     "--classifications-to-include-win", "--classifications-to-include-linux",
     "--package-name-masks-to-include", "--package-name-masks-to-exclude", "--defaults",
     "--headers", "--uri-parameters", "--url-parameters",
     # az maintenance configuration create/update (shorthand objects and key=value pairs)
     "--install-patches-windows-parameters", "--windows-parameters", "--install-patches-linux-parameters",
     "--linux-parameters", "--extension-properties"}
)
# Options whose several values form one group (`--add PATH VALUE...`): joined with a unit separator.
GROUPED_OPTIONS = frozenset({"--add", "--remove"})
GROUP_SEPARATOR = "\x1f"
# az's three-state flags: a bare flag means true, or it takes true/false.
TRI_STATE_FLAGS = frozenset(
    {"--enable-agent", "--enable-auto-update", "--enable-hotpatching", "--exclude-kbs-requiring-reboot"}
)
_BOOL_WORDS = frozenset({"true", "false", "t", "f", "yes", "no", "y", "n", "1", "0", "on", "off"})


def _is_option(token: str) -> bool:
    return token.startswith("-") and len(token) > 1 and not token[1:2].isdigit()


def expand_nargs(argv: list[str], command: tuple[str, ...] = ()) -> list[str]:
    """argparse's nargs as typer options: several values become a repeated option, an optional
    value gets its implied one (``--enable-agent`` alone is ``--enable-agent true``)."""
    multi, optional = frozenset[str](), frozenset[str]()
    bare_lists: dict[str, str] = {}
    if command[:1] == ("vm",):
        from .azargs import BARE_LIST_DEFAULTS, command_value_options

        multi, optional = command_value_options(command)
        bare_lists = BARE_LIST_DEFAULTS
    tri_state = TRI_STATE_FLAGS | optional
    out: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        index += 1
        if token == "--":
            out.extend(argv[index - 1 :])
            break
        name, sep, inline = token.partition("=")
        if sep and name in tri_state:
            out.extend([name, inline])
            continue
        if token in tri_state:
            out.append(token)
            if index < len(argv) and (argv[index].lower() in _BOOL_WORDS or not _is_option(argv[index])):
                out.append(argv[index])  # any non-option value: the verb validates it (bool3)
                index += 1
            else:
                out.append("true")
            continue
        if token in NARGS_OPTIONS or token in GROUPED_OPTIONS or token in multi:
            values = []
            while index < len(argv) and not _is_option(argv[index]):
                values.append(argv[index])
                index += 1
            if not values and token in bare_lists:
                out.extend([token, bare_lists[token]])
            elif not values:
                out.append(token)  # let the parser report the missing value
            elif token in GROUPED_OPTIONS:
                out.extend([token, GROUP_SEPARATOR.join(values)])
            else:
                for value in values:
                    out.extend([token, value])
            continue
        out.append(token)
    return out
