"""az's parsing of option values: knack's three-state flags, aaz's booleans, enums, numbers, and the
decorator that adds an argument table (``cli/azargs.py``) to a typer command."""

from __future__ import annotations

import functools
import inspect
from typing import Annotated, Any, get_type_hints

from .azargs import AAZBOOL, BOOL3, CHOICE, FLAG, FLOAT, INT, INT_LIST, LIST, AzOption

# knack's three-state flag (get_three_state_flag): bare means true; else true or false, in any case.
THREE_STATE_VALUES = ("true", "false")
# aaz's boolean arguments (AAZBoolArg): bare means true; else one of these words.
AAZ_TRUE = ("1", "t", "true", "y", "yes")
AAZ_FALSE = ("0", "f", "false", "n", "no")
AAZ_BOOL_VALUES = ("0", "1", "f", "false", "n", "no", "t", "true", "y", "yes")  # as az's help lists them (sorted)
AAZ_BOOL_DECLARED = ("true", "t", "yes", "y", "1", "false", "f", "no", "n", "0")  # as its errors do


def policy_token_option():
    """``--acquire-policy-token``/``--change-reference`` of az 2.91's write verbs: they ask for an Azure
    Policy token and tag the operation with a change reference. autopatch emulates no Azure Policy,
    so both parse and change nothing."""
    import typer

    token = Annotated[bool, typer.Option("--acquire-policy-token", help="Acquiring an Azure Policy token automatically for this resource operation.")]
    reference = Annotated[str, typer.Option("--change-reference", help="The related change reference ID for this resource operation.")]
    return token, reference


def typer_option(option: AzOption):
    """The typer annotation and default of one table entry (help lists allowed values sorted, as az's
    help does)."""
    import typer

    self = option
    text = self.help
    if self.allowed:
        text += f"  Allowed values: {', '.join(sorted(self.allowed, key=str.lower))}."
    if self.kind in (BOOL3,):
        text += "  Allowed values: false, true."
    if self.kind == AAZBOOL:
        text += f"  Allowed values: {', '.join(AAZ_BOOL_VALUES)}."
    if self.preview:
        text = "[Preview] " + text
    if self.deprecated:
        text = "[Deprecated] " + text
    if self.kind == FLAG:
        return Annotated[bool, typer.Option(*self.names, help=text)], False
    if self.kind in (LIST, INT_LIST):
        return Annotated[list[str], typer.Option(*self.names, help=text)], None
    return Annotated[str, typer.Option(*self.names, help=text)], None


def convert(self: AzOption, value: Any) -> Any:
    """The value as az's parser hands it to the command: validated, typed."""
    from .common import choice

    if value is None:
        return None
    if self.kind == FLAG:
        return bool(value) or None
    if self.kind == BOOL3:
        return three_state(value, self.az_name)
    if self.kind == AAZBOOL:
        return aaz_bool(value, self.az_name)
    if self.kind == CHOICE:
        return choice(value, self.allowed, self.az_name)
    if self.kind == INT:
        return _number(value, self.lead, int)
    if self.kind == FLOAT:
        return _number(value, self.lead, float)
    if self.kind == INT_LIST:
        return [_number(v, self.lead, int) for v in value]
    if self.kind == LIST:
        return list(value)
    return value


def _number(value: str, option: str, kind: type):
    from ..errors import UsageError

    try:
        return kind(value)
    except ValueError:
        raise UsageError(f"argument {option}: invalid {kind.__name__} value: '{value}'") from None


def _not_allowed(value: str, option: str, allowed: tuple[str, ...]):
    """az's refusal of a value (azure-cli's parser): the values in their declared order, and its
    recommendation when one is close."""
    from ..errors import UsageError
    from .globals import settings
    from .suggest import did_you_mean

    return UsageError(
        f"{settings.command_name}: '{value}' is not a valid value for '{option}'. Allowed values: "
        f"{', '.join(allowed)}.{did_you_mean(value, allowed)}"
    )


def three_state(value: str | None, option: str) -> bool | None:
    """knack's get_three_state_flag: 'true' or 'false' in any case; anything else is refused with
    the choices in their declared order (true, false)."""
    if value is None:
        return None
    lowered = value.lower()
    if lowered in THREE_STATE_VALUES:
        return lowered == "true"
    raise _not_allowed(value, option, THREE_STATE_VALUES)


def aaz_bool(value: str | bool | None, option: str) -> bool | None:
    """aaz's boolean: bare means true; else one of 0, 1, f, false, n, no, t, true, y, yes."""
    if value is None or isinstance(value, bool):
        return value
    lowered = value.lower()
    if lowered in AAZ_TRUE:
        return True
    if lowered in AAZ_FALSE:
        return False
    raise _not_allowed(value, option, AAZ_BOOL_DECLARED)


def with_az_options(options: tuple[AzOption, ...]):
    """Add ``options`` (those the function does not declare itself) to a typer command. The
    function receives the ones given on the command line, validated and typed, in ``**az``."""

    def decorate(func):
        signature = inspect.signature(func)
        hints = get_type_hints(func, include_extras=True)
        own = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()
               if p.kind is not inspect.Parameter.VAR_KEYWORD]
        taken = {p.name for p in own}
        added = [o for o in options if o.dest not in taken]
        extra = []
        for option in added:
            annotation, default = typer_option(option)
            extra.append(inspect.Parameter(option.dest, inspect.Parameter.KEYWORD_ONLY, default=default,
                                           annotation=annotation))

        @functools.wraps(func)
        def wrapper(**kwargs):
            given = {}
            for option in added:
                value = convert(option, kwargs.pop(option.dest, None))
                if value is not None:
                    given[option.dest] = value
            return func(**kwargs, **given)

        params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + extra
        wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]  # inspect reads it off any function
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        del wrapper.__wrapped__
        return wrapper

    return decorate
