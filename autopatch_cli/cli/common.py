"""Helpers the command modules share: the store session, az's argument conventions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import overload

from ..errors import UsageError, ValidationError
from .globals import settings

TRUE_WORDS = {"true", "t", "yes", "y", "1", "on"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "off"}


def session():
    from ..ops.session import Session
    from .argscan import pending_unrecognized

    pending_unrecognized()  # az's parser refuses unknown words before the verb runs (cli/argscan.py)

    return Session(settings.state)


def reader():
    """The store for a read verb; a --subscription that is not the store's fails as it does in az."""
    from .logging import operation_name, timed

    with timed(lambda: f"Operation {operation_name(settings.command, write=False)}: reading the store"):
        state = session().reader()
    check_subscription(state)
    return state


@contextmanager
def writer() -> Iterator:
    current = session()
    # With neither --state nor AUTOPATCH_STATE, the store lands in the user's data dir: say where, once,
    # when the first write creates it.
    announce = settings.state is None and not current.path.exists()
    from .logging import operation_name, timed

    with timed(lambda: f"Operation {operation_name(settings.command, write=True)}: store transaction (lock, load, "
               "operation, save)"), current.writer() as state:
        yield state
    if announce and current.path.exists() and not settings.only_show_errors:
        import sys

        sys.stderr.write(
            f"WARNING: Created the state store {current.path} (the default). Set AUTOPATCH_STATE or give "
            "--state PATH to use another; `autopatch state show` tells which one is in use.\n"
        )


def check_text_arguments(args: list[str]) -> None:
    """Every argument must be text: bytes that are not UTF-8 reach Python as lone surrogates, which no
    Azure name, path or value can hold (and no message could print)."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape" if _only_escapes(arg) else "backslashreplace")
            raise UsageError(
                f"argument {shown.decode('ascii', 'backslashreplace')!s}: not valid UTF-8 text. "
                "Names and values must be UTF-8."
            ) from None


def _only_escapes(text: str) -> bool:
    """Lone surrogates from undecodable bytes (U+DC80..U+DCFF) only: the bytes can be shown as they were."""
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in text)


def check_subscription(state) -> None:
    if settings.subscription:
        sub = state.section("subscription")
        # az matches the id or the name, in any case
        if settings.subscription.lower() not in (sub["id"].lower(), sub["name"].lower()):
            raise ValidationError(
                f"Subscription '{settings.subscription}' not found. Check the spelling and casing and try again."
            )


def bool3(value: str | None, option: str) -> bool | None:
    """az's three-state booleans: absent -> None, else true/false in any case."""
    if value is None:
        return None
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise UsageError(
        f"{settings.command_name}: '{value}' is not a valid value for '{option}'. Allowed values: false, true."
    )


def enum_help(allowed: tuple[str, ...] | list[str]) -> str:
    """The "Allowed values" line of an option's help, as knack prints it (sorted)."""
    return f"Allowed values: {', '.join(sorted(allowed))}."


@overload
def choice(value: str, allowed: tuple[str, ...] | list[str], option: str) -> str: ...
@overload
def choice(value: str | None, allowed: tuple[str, ...] | list[str], option: str) -> str | None: ...


def choice(value: str | None, allowed: tuple[str, ...] | list[str], option: str) -> str | None:
    """az's enum arguments: matched case-insensitively, returned in the canonical spelling."""
    if value is None:
        return None
    for candidate in allowed:
        if candidate.lower() == value.lower():
            return candidate
    from .suggest import did_you_mean

    raise UsageError(
        f"{settings.command_name}: '{value}' is not a valid value for '{option}'. Allowed values: "
        f"{', '.join(allowed)}.{did_you_mean(value, allowed)}"
    )


def parse_tags(values: list[str] | None) -> dict[str, str] | None:
    """``--tags key[=value] ...``; ``--tags ''`` clears them."""
    if values is None:
        return None
    tags: dict[str, str] = {}
    for item in values:
        if not item:
            continue
        key, _, value = item.partition("=")
        tags[key] = value
    return tags


def default_group(group: str | None) -> str | None:
    if group:
        return group
    from .. import config

    return config.get("defaults.group")


def require_group(group: str | None) -> str:
    resolved = default_group(group)
    if not resolved:
        raise UsageError("the following arguments are required: --resource-group/-g")
    return resolved


def targets(group: str | None, name: str | None, ids: list[str] | None, resource_type: str) -> list[tuple[str, str]]:
    """(group, name) pairs from ``-g/-n`` or ``--ids``, as az's resource-id arguments work."""
    if ids:
        from ..ops import ids as resource_ids

        pairs = []
        for ident in ids:
            parsed = resource_ids.parse(ident)
            if not parsed["name"] or f"{parsed['namespace']}/{parsed['type']}".lower() != resource_type.lower():
                raise ValidationError(f"invalid resource ID: {ident}. It is not a {resource_type} resource ID")
            pairs.append(resource_ids.group_and_name(ident))
        return pairs
    group = default_group(group)
    if not group or not name:
        raise ValidationError("(--resource-group --name | --ids) are required")
    return [(group, name)]


def one(items: list):
    """az prints a single object for one --ids value or -g/-n, a list for several ids."""
    return items[0] if len(items) == 1 else items


def split_group(value: str) -> list[str]:
    from .globals import GROUP_SEPARATOR

    return value.split(GROUP_SEPARATOR)


def confirm(question: str, yes: bool) -> None:
    """az's prompt for destructive verbs; with no terminal it asks for --yes, as az does."""
    import sys

    from .argscan import pending_unrecognized

    pending_unrecognized()
    if yes:
        return
    if not sys.stdin.isatty():
        raise ValidationError("Unable to prompt for confirmation as no tty available. Use --yes.")
    answer = input(f"{question} (y/n): ").strip().lower()
    if answer not in ("y", "yes"):
        from typer.exceptions import Abort

        raise Abort()
