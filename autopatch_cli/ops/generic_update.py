"""az's generic update: ``--set path=value``, ``--add path value``, ``--remove path index``.

Paths are dotted property names of the az view (``osProfile.windowsConfiguration.timeZone``) with
optional ``[index]``; names match case-insensitively, as az matches them. A name that the resource's
model does not define is refused with az's message, so a typo never passes silently.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import ValidationError
from ..models.versions import _inner_model

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")


def parse_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    pos = 0
    for match in _SEGMENT.finditer(path):
        if match.start() != pos and path[pos:match.start()] != ".":
            raise ValidationError(f"invalid property path: '{path}'")
        parts.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        pos = match.end()
    if not parts or pos != len(path):
        raise ValidationError(f"invalid property path: '{path}'")
    return parts


def parse_value(text: str) -> Any:
    """az reads a value as JSON when it can (true, 3, {...}) and as a plain string otherwise."""
    try:
        return json.loads(text)
    except ValueError:
        return text


# A free-form object (tags, a secret): any key may be set in it.
FREE_FORM = object()


def _known_keys(model: Any) -> dict[str, str]:
    """Property names (lower-case -> wire name) that may appear at this level of the az view."""
    if model is None or model is FREE_FORM:
        return {}
    keys = {name: name for name in model.model_fields if name != "properties"}
    if "properties" in model.model_fields:
        props = _inner_model(model.model_fields["properties"].annotation)
        keys.update({name: name for name in props.model_fields})
    if "id" in keys or model.__name__.endswith("Reference"):
        keys["resourceGroup"] = "resourceGroup"
    return {k.lower(): v for k, v in keys.items()}


def _child_model(model: Any, key: str) -> Any:
    if model is None or model is FREE_FORM:
        return FREE_FORM if model is FREE_FORM else None
    field = model.model_fields.get(key)
    if field is None and "properties" in model.model_fields:
        props = _inner_model(model.model_fields["properties"].annotation)
        field = props.model_fields.get(key)
    if field is None:
        return None
    return _inner_model(field.annotation) or FREE_FORM


def _resolve(view: dict, parts: list[str | int], model: Any, create: bool, full_path: str):
    """Walk to the parent of the last segment; returns (container, final key, model at that level)."""
    current: Any = view
    walked: list[str] = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(current, list):
                raise ValidationError(f"index {part} cannot be applied to '{'.'.join(walked)}', it is not a list")
            if not -len(current) <= part < len(current):
                raise ValidationError(f"index {part} is out of range for '{'.'.join(walked)}'")
            if last:
                return current, part, model
            current = current[part]
            walked.append(f"[{part}]")
            continue
        if not isinstance(current, dict):
            raise ValidationError(f"Couldn't find '{part}' in '{'.'.join(walked)}'.")
        known = _known_keys(model)
        existing = {k.lower(): k for k in current}
        name = existing.get(part.lower()) or known.get(part.lower())
        if name is None and model is FREE_FORM:
            name = part
        if name is None:
            options = sorted(set(known.values()) | set(current))
            raise ValidationError(
                f"Couldn't find '{part}' in '{'.'.join(walked)}'. Available options: {options}"
            )
        if last:
            return current, name, model
        if name not in current or current[name] is None:
            if not create:
                raise ValidationError(f"Couldn't find '{part}' in '{'.'.join(walked)}'.")
            nxt = parts[index + 1]
            current[name] = [] if isinstance(nxt, int) else {}
        model = _child_model(model, name)
        current = current[name]
        walked.append(name)
    raise ValidationError(f"invalid property path: '{full_path}'")  # pragma: no cover


def apply_generic_update(view: dict, model: Any, sets=(), adds=(), removes=(), force_string: bool = False) -> dict:
    """az's generic update; ``force_string`` keeps --set/--add values as the strings given."""
    value_of = str if force_string else parse_value
    for expression in sets:
        path, sep, raw = expression.partition("=")
        if not sep or not path:
            raise ValidationError(f"invalid syntax for --set: '{expression}'. Expected: PATH=VALUE")
        container, key, _ = _resolve(view, parse_path(path), model, True, path)
        container[key] = value_of(raw)
    for expression in adds:
        path, *values = expression if isinstance(expression, (list, tuple)) else expression.split(" ")
        container, key, _ = _resolve(view, parse_path(path), model, True, path)
        target = container.setdefault(key, []) if isinstance(container, dict) else container[key]
        if not isinstance(target, list):
            raise ValidationError(f"invalid syntax for --add: '{path}' is not a list")
        item: dict = {}  # az: consecutive key=value pairs make one object
        for value in values:
            if "=" in value and not value.startswith("{"):
                k, _, v = value.partition("=")
                item[k] = value_of(v)
            else:
                if item:
                    target.append(item)
                    item = {}
                target.append(value_of(value))
        if item:
            target.append(item)
    for expression in removes:
        path, *index = expression if isinstance(expression, (list, tuple)) else expression.split(" ")
        container, key, _ = _resolve(view, parse_path(path), model, False, path)
        if index:
            target = container.get(key) if isinstance(container, dict) else container[key]
            if target is None:
                raise ValidationError(f"Couldn't find '{path}': there is no list to remove index {index[0]} from.")
            if not isinstance(target, list):
                raise ValidationError(f"invalid syntax for --remove: '{path}' is not a list")
            try:
                position = int(index[0])
            except ValueError:
                raise ValidationError(f"invalid syntax for --remove: index '{index[0]}' is not an integer") from None
            if not -len(target) <= position < len(target):
                raise ValidationError(f"index {position} is out of range for '{path}'")
            del target[position]
        elif isinstance(container, list):
            del container[key]
        else:
            container.pop(key, None)
    return view
