"""Rendering results as az does: ``-o json|jsonc|yaml|yamlc|table|tsv|none`` after ``--query``.

Formats follow knack's (az's output library): JSON sorted and indented by 2, tables like
``tabulate(tablefmt="simple")``, TSV one row per item with dict values in sorted-key order.
Only the terminal timeline and tick summaries use rich; nothing here imports it.
"""

from __future__ import annotations

import json
import sys
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
        return compile_query(query).search(result)
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


def emit(result: Any, table: TableTransformer | None = None) -> None:
    """Print a command's result in the chosen format, after the --query."""
    if settings.query:
        result = run_query(settings.query, result)
        table = None  # az uses the command's table transformer only without --query
    fmt = default_output()
    if fmt == "none":
        return
    text = render(result, fmt, table)
    if text:
        sys.stdout.write(text)


def render(result: Any, fmt: str, table: TableTransformer | None = None) -> str:
    if fmt in ("json", "jsonc"):
        if result is None:
            return ""
        text = json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True, separators=(",", ": ")) + "\n"
        return _colour_json(text) if fmt == "jsonc" else text
    if fmt in ("yaml", "yamlc"):
        if result is None:
            return ""
        import yaml

        return yaml.safe_dump(result, default_flow_style=False, allow_unicode=True)
    if fmt == "tsv":
        return render_tsv(result)
    if fmt == "table":
        rows = table(result) if table else auto_table(result)
        return render_table(rows)
    raise UsageError(f"'{fmt}' is not a valid value for '--output'.")  # pragma: no cover


def _colour_json(text: str) -> str:
    import re

    key = re.compile(r'^(\s*)("(?:[^"\\]|\\.)*")(: )', re.MULTILINE)
    text = key.sub(lambda m: f"{m.group(1)}\x1b[94m{m.group(2)}\x1b[0m{m.group(3)}", text)
    return re.sub(r'(: |^\s*)("(?:[^"\\]|\\.)*")(,?)$', lambda m: f"{m.group(1)}\x1b[32m{m.group(2)}\x1b[0m{m.group(3)}", text, flags=re.MULTILINE)


# ---- tsv -----------------------------------------------------------------------------------------


def _tsv_value(value: Any) -> str:
    if isinstance(value, list):
        return str(len(value))
    if isinstance(value, dict):
        return ""
    return value if isinstance(value, str) else str(value)


def render_tsv(result: Any) -> str:
    if result is None:
        return ""
    rows = result if isinstance(result, list) else [result]
    lines = []
    for row in rows:
        if isinstance(row, dict):
            lines.append("\t".join(_tsv_value(v) for _, v in sorted(row.items())))
        elif isinstance(row, list):
            lines.append("\t".join(_tsv_value(v) for v in row))
        elif isinstance(row, bool) and not isinstance(result, list):
            lines.append(str(row).lower())
        else:
            lines.append(_tsv_value(row))
    return "\n".join(lines) + "\n"


# ---- table ---------------------------------------------------------------------------------------

_SKIP_KEYS = ("id", "type", "etag")


def auto_table(result: Any) -> list[dict[str, Any]]:
    """az's automatic table: the scalar top-level fields of each item, keys capitalised."""
    if result is None:
        return []
    items = result if isinstance(result, list) else [result]
    rows = []
    for item in items:
        if isinstance(item, dict):
            rows.append(
                {
                    k[:1].upper() + k[1:]: v
                    for k, v in item.items()
                    if k not in _SKIP_KEYS and v is not None and not isinstance(v, (list, dict))
                }
            )
        else:
            rows.append({"Result": item})
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def render_table(rows: list[dict[str, Any]]) -> str:
    """``tabulate(rows, headers="keys", tablefmt="simple")`` as az calls it."""
    if not rows:
        return ""
    headers: list[str] = []
    for row in rows:
        headers.extend(k for k in row if k not in headers)
    columns = [[_cell(row.get(h)) for row in rows] for h in headers]
    numeric = [
        all(isinstance(row.get(h), (int, float)) and not isinstance(row.get(h), bool) for row in rows if row.get(h) is not None)
        and any(row.get(h) is not None for row in rows)
        for h in headers
    ]
    widths = [max([len(h) + 2, *(len(c) for c in col)]) for h, col in zip(headers, columns, strict=True)]

    def line(cells: list[str], right: list[bool]) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(headers, numeric), "  ".join("-" * w for w in widths)]
    for index in range(len(rows)):
        out.append(line([col[index] for col in columns], numeric))
    return "\n".join(out) + "\n"


def warn(message: str) -> None:
    if not settings.only_show_errors:
        sys.stderr.write(f"WARNING: {message}\n")
