"""PowerShell's parameter binding for the cmdlets autopatch mirrors: names case-insensitively, any
unique prefix of a name or alias (``-Res`` for ``-ResourceGroupName``), switches with no value (``-Status``,
or ``-Status:$false``), ``String[]`` values comma-separated, positions as the Az module declares them,
and PowerShell's common parameters. Errors are PowerShell's messages in az's form (``ERROR: ...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError


@dataclass(frozen=True)
class Param:
    name: str
    kind: str = "string"  # string | switch | strings
    aliases: tuple[str, ...] = ()
    position: int | None = None
    help: str = ""

    @property
    def type_name(self) -> str:
        return {"string": "System.String", "strings": "System.String[]", "switch": "SwitchParameter"}[self.kind]


@dataclass
class Cmdlet:
    name: str
    synopsis: str
    params: tuple[Param, ...]
    run: Any = None
    aliases: tuple[str, ...] = ()
    syntax: tuple[str, ...] = field(default_factory=tuple)
    # SupportsShouldProcess (-WhatIf, -Confirm): what the cmdlet would do, (operation, target), from the bound
    should_process: Any = None
    as_job: bool = False  # the cmdlet has -AsJob
    default_profile: bool = True  # the cmdlet has -DefaultProfile (every Az cmdlet that calls Azure)

    @property
    def all_params(self) -> tuple[Param, ...]:
        """The cmdlet's own parameters, then the ones PowerShell and the Az module add."""
        extra = list(COMMON_PARAMETERS)
        if self.should_process:
            extra += SHOULD_PROCESS_PARAMETERS
        if self.as_job:
            extra.append(AS_JOB)
        if self.default_profile:
            extra.append(DEFAULT_PROFILE)
        return (*self.params, *extra)


# PowerShell's common parameters (about_CommonParameters), with their aliases.
COMMON_PARAMETERS = (
    Param("Verbose", "switch", ("vb",), help="Common parameter: more detail (autopatch: how long the command ran)."),
    Param("Debug", "switch", ("db",), help="Common parameter: debugging detail."),
    Param("ErrorAction", aliases=("ea",), help="Common parameter: Continue, Ignore, Inquire, SilentlyContinue, Stop, Suspend, Break."),
    Param("WarningAction", aliases=("wa",), help="Common parameter: what to do with warnings (SilentlyContinue/Ignore hide them)."),
    Param("InformationAction", aliases=("infa",), help="Common parameter: what to do with information records."),
    Param("ProgressAction", aliases=("proga",), help="Common parameter: what to do with progress records."),
    Param("ErrorVariable", aliases=("ev",), help="Common parameter (no PowerShell variables here: accepted, unused)."),
    Param("WarningVariable", aliases=("wv",), help="Common parameter (accepted, unused)."),
    Param("InformationVariable", aliases=("iv",), help="Common parameter (accepted, unused)."),
    Param("OutVariable", aliases=("ov",), help="Common parameter (accepted, unused)."),
    Param("OutBuffer", aliases=("ob",), help="Common parameter (accepted, unused)."),
    Param("PipelineVariable", aliases=("pv",), help="Common parameter (accepted, unused)."),
)
SHOULD_PROCESS_PARAMETERS = [
    Param("WhatIf", "switch", ("wi",), help="Shows what would happen if the cmdlet runs; nothing changes."),
    Param("Confirm", "switch", ("cf",), help="Prompts for confirmation before running the cmdlet."),
]
AS_JOB = Param("AsJob", "switch", help="Run the cmdlet in the background: it returns a job at once.")
DEFAULT_PROFILE = Param("DefaultProfile", aliases=("AzContext", "AzureRmContext", "AzureCredential"),
                        help="The credentials, account, tenant and subscription (autopatch has one context: ignored).")
ACTION_PREFERENCES = ("SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend", "Break")
_PREFERENCE_PARAMETERS = ("ErrorAction", "WarningAction", "InformationAction", "ProgressAction")


_TRUE = {"$true", "true", "1"}
_FALSE = {"$false", "false", "0"}
HELP_WORDS = {"-?", "-help", "--help", "-h"}


def _is_parameter(token: str) -> bool:
    return len(token) > 1 and token[0] == "-" and not token[1:2].isdigit() and token[1:2] != "."


def _resolve(cmdlet: Cmdlet, written: str) -> Param:
    wanted = written.lower()
    params = cmdlet.all_params
    for param in params:
        if wanted in (n.lower() for n in (param.name, *param.aliases)):
            return param
    matches = [p for p in params if any(n.lower().startswith(wanted) for n in (p.name, *p.aliases))]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(
            f"{cmdlet.name}: Parameter cannot be processed because the parameter name '{written}' is ambiguous. "
            f"Possible matches include: {' '.join('-' + p.name for p in matches)}."
        )
    raise UsageError(f"{cmdlet.name}: A parameter cannot be found that matches parameter name '{written}'.")


def bind(cmdlet: Cmdlet, args: list[str]) -> dict[str, Any]:
    """PowerShell's parameter binding, for the parameter kinds these cmdlets use."""
    bound: dict[str, Any] = {}
    positional: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if not _is_parameter(token):
            positional.append(token)
            continue
        written, colon, inline = token[1:].partition(":")
        param = _resolve(cmdlet, written)
        if param.name in bound:
            raise UsageError(
                f"{cmdlet.name}: Cannot bind parameter because parameter '{param.name}' is specified more than once."
            )
        if param.kind == "switch":
            if colon:
                if inline.lower() not in _TRUE | _FALSE:
                    raise UsageError(
                        f"{cmdlet.name}: Cannot process argument transformation on parameter '{param.name}'. "
                        f"Cannot convert value \"{inline}\" to type \"System.Management.Automation.SwitchParameter\"."
                    )
                bound[param.name] = inline.lower() in _TRUE
            else:
                bound[param.name] = True
            continue
        if colon and inline:
            value = inline
        elif index < len(args) and not _is_parameter(args[index]):
            value = args[index]
            index += 1
        else:
            raise UsageError(
                f"{cmdlet.name}: Missing an argument for parameter '{param.name}'. Specify a parameter of type "
                f"'{param.type_name}' and try again."
            )
        if param.kind == "strings":
            # `-X a,b` or `-X a, b` (the shell splits after the comma): one comma-separated list
            while value.endswith(",") and index < len(args) and not _is_parameter(args[index]):
                value += args[index]
                index += 1
            items = [v.strip().strip("\"'") for v in value.split(",")]
            bound[param.name] = [v for v in items if v]
        else:
            bound[param.name] = value
    slots = sorted((p for p in cmdlet.params if p.position is not None and p.name not in bound),
                   key=lambda p: p.position or 0)
    for value in positional:
        if not slots:
            raise UsageError(f"{cmdlet.name}: A positional parameter cannot be found that accepts argument '{value}'.")
        bound[slots.pop(0).name] = value
    for name in _PREFERENCE_PARAMETERS:
        if name in bound:
            bound[name] = _action_preference(cmdlet, name, bound[name])
    return bound


def _action_preference(cmdlet: Cmdlet, name: str, value: str) -> str:
    """An ActionPreference value, matched case-insensitively as PowerShell converts enums."""
    for candidate in ACTION_PREFERENCES:
        if candidate.lower() == value.lower():
            return candidate
    raise UsageError(
        f"{cmdlet.name}: Cannot bind parameter '{name}'. Cannot convert value \"{value}\" to type "
        f"\"System.Management.Automation.ActionPreference\". Error: \"Unable to match the identifier name {value} "
        f"to a valid enumerator name. Specify one of the following enumerator names and try again:\n"
        f"{', '.join(ACTION_PREFERENCES)}\""
    )


def require(cmdlet: Cmdlet, bound: dict, *names: str) -> None:
    missing = [n for n in names if bound.get(n) in (None, "")]
    if missing:
        raise UsageError(
            f"{cmdlet.name}: Cannot process command because of one or more missing mandatory parameters: "
            f"{' '.join(missing)}."
        )


def no_parameter_set(cmdlet: Cmdlet) -> UsageError:
    return UsageError(f"{cmdlet.name}: Parameter set cannot be resolved using the specified named parameters.")
