"""Rendering results as az does: ``-o json|jsonc|yaml|yamlc|table|tsv|none`` after ``--query``.

Formats follow knack's (az's output library): JSON sorted and indented by 2, tables like
``tabulate(tablefmt="simple", disable_numparse=True)``, TSV one row per item. A ``--query`` builds
its objects in the query's order (knack searches with an ordered dict class), and TSV and tables keep
that order; objects that come straight from the command have their keys sorted. ``jsonc``/``yamlc``
colour only when stdout and stderr are terminals and ``core.no_color`` is not set, as knack decides.
Only the terminal timeline and tick summaries use rich; nothing here imports it.
"""

from __future__ import annotations

import json
import re
import sys
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..errors import UsageError, ValidationError
from .globals import settings

TableTransformer = Callable[[Any], list[dict[str, Any]]]


def compile_query(query: str):
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        return jmespath.compile(query)
    except JMESPathError as exc:
        raise UsageError(
            f"argument --query: invalid jmespath_type value: '{query}'\nTo learn more about --query, please "
            "visit: 'https://learn.microsoft.com/cli/azure/query-azure-cli'"
        ) from exc


def run_query(query: str, result: Any) -> Any:
    """Apply ``--query``; a query that fails on this result (a type error) is reported as az reports it."""
    from jmespath.exceptions import JMESPathError

    try:
        return search(query, result)
    except (JMESPathError, TypeError, ValueError) as exc:
        # azure-cli's handle_exception: InvalidArgumentValueError with the query reference; exit code 1
        raise ValidationError(
            f"Invalid jmespath query supplied for `--query`: {exc}\nTo learn more about --query, please "
            "visit: 'https://learn.microsoft.com/cli/azure/query-azure-cli'"
        ) from exc


def default_output() -> str:
    if settings.output:
        return settings.output
    from .. import config

    return config.get("core.output") or "json"


def search(query: str, result: Any) -> Any:
    """``--query`` as knack runs it: objects the query builds keep the query's key order."""
    import jmespath

    return compile_query(query).search(result, jmespath.Options(dict_cls=OrderedDict))


def emit(result: Any, table: TableTransformer | None = None) -> None:
    """Print a command's result in the chosen format, after the --query."""
    queried = bool(settings.query)
    if settings.query:
        result = run_query(settings.query, result)
        table = None  # az uses the command's table transformer only without --query
    if result is None:
        return  # knack prints nothing for a command without a result, in every format
    fmt = default_output()
    if fmt == "none":
        return
    if fmt in ("jsonc", "yamlc") and not colour_enabled():
        fmt = fmt[:-1]
    text = render(result, fmt, table, sort_keys=not queried)
    if text:
        sys.stdout.write(text)


def colour_enabled() -> bool:
    """knack's rule: colour only when stdout and stderr are terminals and core.no_color is unset."""
    from .. import config

    if str(config.get("core.no_color") or "").lower() in ("true", "yes", "1", "on"):
        return False
    try:
        return sys.stdout.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def render(result: Any, fmt: str, table: TableTransformer | None = None, sort_keys: bool = True) -> str:
    if fmt in ("json", "jsonc"):
        if result is None:
            return ""
        text = _json_text(result) + "\n"
        return _colour_json(text) if fmt == "jsonc" else text
    if fmt in ("yaml", "yamlc"):
        if result is None:
            return ""
        import yaml

        text = yaml.safe_dump(json.loads(json.dumps(result)), default_flow_style=False, allow_unicode=True)
        return _colour_yaml(text) if fmt == "yamlc" else text
    if fmt == "tsv":
        return render_tsv(result)
    if fmt == "table":
        # a transformer's rows go through the automatic table too (knack does): None cells drop out
        rows = auto_table(table(result)) if table else auto_table(result, sort_keys=sort_keys)
        return render_table(rows)
    raise UsageError(f"'{fmt}' is not a valid value for '--output'.")  # pragma: no cover


def _json_text(result: Any) -> str:
    """``json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True, separators=(",", ": "))``, through orjson
    when that gives the same text (several times faster: `orchestration plan` prints 10,000 VMs).

    orjson writes strings (escapes included), integers, booleans, null, key order and indentation as json does;
    not floats (json's 1e-05 is its 0.00001; json's NaN, Infinity and -Infinity are its null), keys that are not
    strings, integers past 64 bits, or types json refuses or writes otherwise (enum members, UUIDs). Those it
    refuses (TypeError), a text with a number that has a fraction or an exponent, and a value holding anything but
    dicts, lists, tuples, strings, integers, booleans, None and finite floats (`_exotic`) are written by json
    instead; the text test can only err towards json (a string value never starts the text or a line, or follows
    ``": `` unquoted)."""
    import orjson

    try:
        data = orjson.dumps(result, default=_not_json, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
                            | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME)
    except TypeError:
        data = None
    if data is not None and not _has_fraction_or_exponent(data) and not _exotic(result):
        return data.decode("utf-8")
    return json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True, separators=(",", ": "))


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _has_fraction_or_exponent(data: bytes) -> bool:
    """Whether orjson's indented text holds a number with a fraction or an exponent: a digit followed by ``.``,
    ``e`` or ``E`` (found fast; mostly inside strings) whose digits start a value, that is the text, a line after
    its indentation, or what follows ``": ``."""
    for found in _DIGIT_THEN_FRACTION.finditer(data):
        start = found.start()
        while start and data[start - 1] in b"0123456789":
            start -= 1
        if start and data[start - 1] == 0x2D:  # a minus sign
            start -= 1
        if data[max(0, start - 3):start] == b'": ' or not data[data.rfind(b"\n", 0, start) + 1:start].strip(b" "):
            return True
    return False


_DIGIT_THEN_FRACTION = re.compile(rb"[0-9][.eE]")


def _exotic(value: Any) -> bool:
    """Whether ``value`` holds what orjson may write otherwise than json: anything but a dict or OrderedDict, list,
    tuple, str, int, bool, None or finite float, exactly of those types (a subclass, an enum member among them,
    goes to json; so do a plain enum member and a UUID, which orjson writes and json refuses), or a non-finite float
    (json's NaN, Infinity, -Infinity; orjson's null). orjson has already refused what nests past 255 levels, so the
    recursion stays shallow. It costs about twice orjson's time for the text (10,000 objects of 30 values: 27 ms
    of CPU against 15), far less than json's indented encoder (about 440)."""
    kind = type(value)
    if kind is dict or kind is OrderedDict:
        items: Any = value.values()
    elif kind is list or kind is tuple:
        items = value
    elif kind is float:
        return value - value != 0  # inf - inf and nan - nan are nan
    else:
        return not (kind is str or kind is int or kind is bool or value is None)
    for item in items:
        kind = type(item)
        if kind is str or kind is int or kind is bool or item is None:
            continue
        if _exotic(item):
            return True
    return False


def _colour_json(text: str) -> str:
    import re

    key = re.compile(r'^(\s*)("(?:[^"\\]|\\.)*")(: )', re.MULTILINE)
    text = key.sub(lambda m: f"{m.group(1)}\x1b[94m{m.group(2)}\x1b[0m{m.group(3)}", text)
    return re.sub(r'(: |^\s*)("(?:[^"\\]|\\.)*")(,?)$', lambda m: f"{m.group(1)}\x1b[32m{m.group(2)}\x1b[0m{m.group(3)}", text, flags=re.MULTILINE)


def _colour_yaml(text: str) -> str:
    import re

    return re.sub(r"^(\s*(?:- )?)([^\s:#-][^:\n]*)(:)", lambda m: f"{m.group(1)}\x1b[94m{m.group(2)}\x1b[0m{m.group(3)}",
                  text, flags=re.MULTILINE)


# ---- tsv -----------------------------------------------------------------------------------------


def _tsv_value(value: Any) -> str:
    if isinstance(value, list):
        return str(len(value))
    if isinstance(value, dict):
        return ""
    return value if isinstance(value, str) else str(value)


def render_tsv(result: Any) -> str:
    """knack's TSV: one line per item (an empty list prints nothing); an object built by --query
    keeps the query's column order, any other object its sorted keys; a bare boolean prints
    lower-case."""
    if result is None:
        return ""
    rows = result if isinstance(result, list) else [result]
    lines = []
    for row in rows:
        if isinstance(row, OrderedDict):
            lines.append("\t".join(_tsv_value(v) for v in row.values()))
        elif isinstance(row, dict):
            lines.append("\t".join(_tsv_value(v) for _, v in sorted(row.items())))
        elif isinstance(row, list):
            lines.append("\t".join(_tsv_value(v) for v in row))
        elif isinstance(row, bool):
            lines.append(str(row).lower())
        else:
            lines.append(_tsv_value(row))
    return "".join(line + "\n" for line in lines)


# ---- table ---------------------------------------------------------------------------------------

_SKIP_KEYS = ("id", "type", "etag")


def auto_table(result: Any, sort_keys: bool = False) -> list[dict[str, Any]]:
    """az's automatic table: the scalar top-level fields of each item, keys capitalised; sorted
    unless a --query or a table transformer gave the order."""
    if result is None:
        return []
    items = result if isinstance(result, list) else [result]
    rows = []
    for item in items:
        if isinstance(item, dict):
            keys = sorted(item) if sort_keys else list(item)
            rows.append(
                {
                    k[:1].upper() + k[1:]: item[k]
                    for k in keys
                    if k not in _SKIP_KEYS and item[k] is not None and not isinstance(item[k], (list, dict))
                }
            )
        elif isinstance(item, list):
            rows.append({f"Column{n}": v for n, v in enumerate(item, 1)})
        else:
            rows.append({"Result": item})
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def render_table(rows: list[dict[str, Any]]) -> str:
    """``tabulate(rows, headers="keys", tablefmt="simple", disable_numparse=True)`` as knack calls
    it: every column left-aligned (numbers too, since number parsing is off)."""
    if not rows:
        return ""
    headers: list[str] = []
    for row in rows:
        headers.extend(k for k in row if k not in headers)
    columns = [[_cell(row.get(h)) for row in rows] for h in headers]
    widths = [max([len(h) + 2, *(len(c) for c in col)]) for h, col in zip(headers, columns, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    for index in range(len(rows)):
        out.append(line([col[index] for col in columns]))
    return "\n".join(out) + "\n"


def warn(message: str) -> None:
    from .argscan import pending_unrecognized

    pending_unrecognized()  # az's parser refuses unknown words before the verb warns of anything
    if not settings.only_show_errors:
        sys.stderr.write(f"WARNING: {message}\n")
