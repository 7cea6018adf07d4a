"""ARM template expressions: ``"[concat(parameters('a'), '-', variables('b'))]"`` and their functions.

A string value that starts with ``[`` and ends with ``]`` is an expression (``[[`` escapes a literal
bracket). An expression is a function call, a string literal in single quotes (``''`` escapes a quote),
a number, followed by any number of property accesses (``.name``, ``['name']``, ``[0]``). The functions
are those of Azure's template function reference that az's templates and everyday templates use; any other
is refused with ARM's ``InvalidTemplate`` error, as is a malformed expression, never with a crash.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import AzureError, invalid_template


@dataclass
class Context:
    """What the functions see: the deployment's scope, parameters, variables and the current copy index."""

    subscription: str
    tenant: str
    group: dict
    deployment_name: str
    parameters: dict[str, Any]
    variable_definitions: dict[str, Any]
    reference: Callable[[str, str | None, bool], Any] | None = None
    copy_index: dict[str, int] = field(default_factory=dict)
    _variables: dict[str, Any] = field(default_factory=dict)
    _evaluating: set[str] = field(default_factory=set)

    def variable(self, name: str) -> Any:
        key = next((k for k in self.variable_definitions if k.lower() == str(name).lower()), None)
        if key is None:
            raise invalid_template(f"The template variable '{name}' is not found. Please see "
                                   "https://aka.ms/arm-syntax-variables for usage details")
        if key not in self._variables:
            if key in self._evaluating:
                raise invalid_template(f"The template variable '{key}' refers to itself")
            self._evaluating.add(key)
            reference, self.reference = self.reference, None  # ARM allows no reference() in variables
            try:
                self._variables[key] = evaluate(self.variable_definitions[key], self)
            finally:
                self._evaluating.discard(key)
                self.reference = reference
        return self._variables[key]

    def parameter(self, name: str) -> Any:
        key = next((k for k in self.parameters if k.lower() == str(name).lower()), None)
        if key is None:
            raise invalid_template(f"The template parameter '{name}' is not found. Please see "
                                   "https://aka.ms/arm-syntax-parameters for usage details")
        return self.parameters[key]


class Pending(dict):
    """What ``reference()`` gives while a deployment is planned: the resource it names may not exist until
    the resources before it are deployed, so every use of it is pending too, and the resource that uses it
    is evaluated again when its turn comes (ARM evaluates reference() at deployment time, not preflight)."""


def evaluate(value: Any, context: Context) -> Any:
    """``value`` with every expression string in it evaluated (a new value)."""
    if isinstance(value, str):
        if value.startswith("[[") and value.endswith("]"):
            return value[1:]
        if value.startswith("[") and value.endswith("]"):
            return evaluate_expression(value[1:-1], context)
        return value
    if isinstance(value, list):
        return [evaluate(item, context) for item in value]
    if isinstance(value, dict):
        return {evaluate(key, context) if isinstance(key, str) else key: evaluate(item, context)
                for key, item in value.items()}
    return value


# ---- parsing ----------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_]\w*)(?=\s*\()"
                    r"|(?P<ident>[A-Za-z_]\w*)|(?P<punct>[(),.\[\]]))")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise invalid_template(f"The template language expression '{text}' is not valid: the character at "
                                   f"position {position} is not expected")
        kind = match.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, context: Context):
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0
        self.context = context

    def fail(self, detail: str) -> AzureError:
        return invalid_template(f"The template language expression '{self.text}' is not valid: {detail}. Please see "
                                "https://aka.ms/arm-functions for usage details")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise self.fail(f"expected '{value}'" if value else "the expression ends too early")
        self.index += 1
        return token

    def run(self) -> Any:
        result = self.expression()
        if (ahead := self.peek()) is not None:
            raise self.fail(f"unexpected '{ahead[1]}'")
        return result

    def expression(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            value: Any = text[1:-1].replace("''", "'")
        elif kind == "number":
            value = float(text) if "." in text else int(text)
        elif kind == "name":
            self.take("(")
            arguments = []
            if (ahead := self.peek()) is not None and ahead[1] != ")":
                arguments.append(self.expression())
                while (ahead := self.peek()) is not None and ahead[1] == ",":
                    self.take(",")
                    arguments.append(self.expression())
            self.take(")")
            value = call(text, arguments, self.context, self)
        else:
            raise self.fail(f"unexpected '{text}'")
        while (ahead := self.peek()) is not None and ahead[1] in (".", "["):
            if self.take()[1] == ".":
                kind, name = self.take()
                if kind not in ("ident", "name"):
                    raise self.fail(f"a property name was expected after '.', not '{name}'")
                value = _member(value, name, self)
            else:
                key = self.expression()
                self.take("]")
                value = _member(value, key, self)
        return value


def _member(value: Any, key: Any, parser: _Parser) -> Any:
    if isinstance(value, Pending):
        return value
    if isinstance(value, dict):
        found = next((k for k in value if str(k).lower() == str(key).lower()), None)
        if found is None:
            raise parser.fail(f"the language expression property '{key}' doesn't exist, available properties are "
                              f"'{', '.join(map(str, value))}'")
        return value[found]
    if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
        if not -len(value) <= key < len(value):
            raise parser.fail(f"the index {key} is out of range of the array of {len(value)} items")
        return value[key]
    raise parser.fail(f"the property '{key}' cannot be read from a value of type '{_type_name(value)}'")


def evaluate_expression(text: str, context: Context) -> Any:
    return _Parser(text, context).run()


# ---- functions -----------------------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "Integer"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    return "Null"


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)


def unique_string(*parts: str) -> str:
    """A 13-character, lower-case, deterministic hash of the parts (ARM's uniqueString is a 64-bit hash in
    base 32; this one has the same alphabet and length, from SHA-256)."""
    digest = hashlib.sha256("-".join(parts).encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(alphabet[(number >> (5 * i)) & 31] for i in range(13))


def _resource_id(context: Context, arguments: list[Any], parser: _Parser) -> str:
    strings = [_string(a) for a in arguments]
    type_index = next((i for i, a in enumerate(strings) if "/" in a), None)
    if type_index is None or type_index > 2:
        raise parser.fail("resourceId() needs a resource type such as 'Microsoft.Network/virtualNetworks'")
    subscription, group = context.subscription, context.group["name"]
    if type_index == 2:
        subscription, group = strings[0], strings[1]
    elif type_index == 1:
        group = strings[0]
    resource_type, names = strings[type_index], strings[type_index + 1:]
    type_segments = resource_type.split("/")[1:]
    if len(names) != len(type_segments):
        raise parser.fail(f"resourceId() got {len(names)} resource names for the type '{resource_type}', "
                          f"which needs {len(type_segments)}")
    path = f"{type_segments[0]}/{names[0]}" + "".join(f"/{t}/{n}" for t, n in zip(type_segments[1:], names[1:], strict=True))
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{resource_type.split('/')[0]}/{path}"


def _arity(name: str, arguments: list, low: int, high: int | None, parser: _Parser) -> None:
    if len(arguments) < low or (high is not None and len(arguments) > high):
        expected = str(low) if high == low else f"{low} to {high}" if high is not None else f"at least {low}"
        raise parser.fail(f"the template function '{name}' expects {expected} argument(s), got {len(arguments)}")


def _union(values: list[Any]) -> Any:
    if all(isinstance(v, dict) for v in values):
        merged: dict = {}
        for value in values:
            merged.update(value)
        return merged
    if all(isinstance(v, list) for v in values):
        merged_list: list = []
        for value in values:
            merged_list.extend(v for v in value if v not in merged_list)
        return merged_list
    raise ValueError("union() takes objects or arrays")


def _copy_index(context: Context, arguments: list[Any], parser: _Parser) -> int:
    offset = 0
    loop = None
    for argument in arguments:
        if isinstance(argument, int) and not isinstance(argument, bool):
            offset = argument
        else:
            loop = str(argument)
    if not context.copy_index:
        raise invalid_template("The template function 'copyIndex' is not expected at this location. Please see "
                               "https://aka.ms/arm-copy for usage details")
    if loop is None:
        return next(iter(context.copy_index.values())) + offset
    if loop not in context.copy_index:
        raise invalid_template(f"The copy loop '{loop}' is not found")
    return context.copy_index[loop] + offset


def call(name: str, arguments: list[Any], context: Context, parser: _Parser) -> Any:
    lowered = name.lower()
    simple: dict[str, tuple[int, int | None, Callable[..., Any]]] = {
        "concat": (1, None, lambda *a: sum((list(x) for x in a), []) if all(isinstance(x, list) for x in a)
                   else "".join(_string(x) for x in a)),
        "format": (1, None, lambda f, *a: re.sub(r"\{(\d+)(?::[^}]*)?\}", lambda m: _string(a[int(m.group(1))]), _string(f))),
        "tolower": (1, 1, lambda s: _string(s).lower()),
        "toupper": (1, 1, lambda s: _string(s).upper()),
        "trim": (1, 1, lambda s: _string(s).strip()),
        "string": (1, 1, _string),
        "int": (1, 1, lambda v: int(v)),
        "bool": (1, 1, lambda v: v if isinstance(v, bool) else _string(v).lower() == "true" or v == 1),
        "json": (1, 1, lambda v: json.loads(_string(v))),
        "if": (3, 3, lambda c, a, b: a if c else b),
        "equals": (2, 2, lambda a, b: a == b),
        "not": (1, 1, lambda a: not a),
        "and": (2, None, lambda *a: all(a)),
        "or": (2, None, lambda *a: any(a)),
        "greater": (2, 2, lambda a, b: a > b),
        "greaterorequals": (2, 2, lambda a, b: a >= b),
        "less": (2, 2, lambda a, b: a < b),
        "lessorequals": (2, 2, lambda a, b: a <= b),
        "add": (2, 2, lambda a, b: a + b),
        "sub": (2, 2, lambda a, b: a - b),
        "mul": (2, 2, lambda a, b: a * b),
        "div": (2, 2, lambda a, b: int(a / b)),
        "mod": (2, 2, lambda a, b: a % b),
        "min": (1, None, lambda *a: min(a[0] if len(a) == 1 and isinstance(a[0], list) else a)),
        "max": (1, None, lambda *a: max(a[0] if len(a) == 1 and isinstance(a[0], list) else a)),
        "empty": (1, 1, lambda v: v is None or len(v) == 0),
        "length": (1, 1, lambda v: len(v)),
        "contains": (2, 2, lambda c, v: (v in c) if not isinstance(c, dict) else any(str(k).lower() == str(v).lower() for k in c)),
        "first": (1, 1, lambda v: v[0] if v else None),
        "last": (1, 1, lambda v: v[-1] if v else None),
        "take": (2, 2, lambda v, n: v[: max(n, 0)]),
        "skip": (2, 2, lambda v, n: v[max(n, 0):]),
        "createarray": (0, None, lambda *a: list(a)),
        "array": (1, 1, lambda v: v if isinstance(v, list) else [v]),
        "createobject": (0, None, lambda *a: {str(a[i]): a[i + 1] for i in range(0, len(a) - 1, 2)}),
        "union": (1, None, lambda *a: _union(list(a))),
        "coalesce": (1, None, lambda *a: next((v for v in a if v is not None), None)),
        "replace": (3, 3, lambda s, old, new: _string(s).replace(_string(old), _string(new))),
        "split": (2, 2, lambda s, d: re.split("|".join(map(re.escape, d if isinstance(d, list) else [d])), _string(s))),
        "substring": (1, 3, lambda s, start=0, length=None: _string(s)[start: None if length is None else start + length]),
        "startswith": (2, 2, lambda s, p: _string(s).lower().startswith(_string(p).lower())),
        "endswith": (2, 2, lambda s, p: _string(s).lower().endswith(_string(p).lower())),
        "indexof": (2, 2, lambda s, p: _string(s).lower().find(_string(p).lower())),
        "padleft": (2, 3, lambda s, n, c=" ": _string(s).rjust(int(n), _string(c)[:1] or " ")),
        "base64": (1, 1, lambda s: base64.b64encode(_string(s).encode()).decode()),
        "base64tostring": (1, 1, lambda s: base64.b64decode(_string(s)).decode()),
        "uniquestring": (1, None, lambda *a: unique_string(*map(_string, a))),
        "guid": (1, None, lambda *a: str(uuid.uuid5(uuid.NAMESPACE_URL, "-".join(map(_string, a))))),
        "true": (0, 0, lambda: True),
        "false": (0, 0, lambda: False),
        "null": (0, 0, lambda: None),
    }
    if lowered in simple:
        low, high, function = simple[lowered]
        _arity(name, arguments, low, high, parser)
        pending = next((a for a in arguments if isinstance(a, Pending)), None)
        if pending is not None:
            return pending
        try:
            return function(*arguments)
        except AzureError:
            raise
        except Exception as exc:  # a wrong argument type: ARM's InvalidTemplate, not a crash
            raise parser.fail(f"the template function '{name}' cannot take these arguments "
                              f"({', '.join(_type_name(a) for a in arguments)}): {exc}") from None
    if lowered == "parameters":
        _arity(name, arguments, 1, 1, parser)
        return context.parameter(arguments[0])
    if lowered == "variables":
        _arity(name, arguments, 1, 1, parser)
        return context.variable(arguments[0])
    if lowered == "resourceid":
        _arity(name, arguments, 2, None, parser)
        return _resource_id(context, arguments, parser)
    if lowered == "subscriptionresourceid":
        _arity(name, arguments, 2, None, parser)
        strings = [_string(a) for a in arguments]
        return f"/subscriptions/{context.subscription}/providers/{strings[0]}/" + "/".join(strings[1:])
    if lowered == "resourcegroup":
        _arity(name, arguments, 0, 0, parser)
        group = context.group
        return {"id": f"/subscriptions/{context.subscription}/resourceGroups/{group['name']}", "name": group["name"],
                "type": "Microsoft.Resources/resourceGroups", "location": group["location"],
                "tags": group.get("tags") or {}, "properties": {"provisioningState": "Succeeded"}}
    if lowered == "subscription":
        _arity(name, arguments, 0, 0, parser)
        return {"id": f"/subscriptions/{context.subscription}", "subscriptionId": context.subscription,
                "tenantId": context.tenant, "displayName": "autopatch simulated subscription"}
    if lowered == "deployment":
        _arity(name, arguments, 0, 0, parser)
        return {"name": context.deployment_name, "properties": {"mode": "Incremental"}}
    if lowered == "copyindex":
        _arity(name, arguments, 0, 2, parser)
        return _copy_index(context, arguments, parser)
    if lowered == "reference":
        _arity(name, arguments, 1, 3, parser)
        if context.reference is None:
            raise invalid_template("The template function 'reference' is not expected at this location. Please see "
                                   "https://aka.ms/arm-functions#reference for usage details")
        full = len(arguments) == 3 and _string(arguments[2]).lower() == "full"
        return context.reference(_string(arguments[0]), _string(arguments[1]) if len(arguments) > 1 else None, full)
    raise invalid_template(f"The template function '{name}' is not valid. Please see https://aka.ms/arm-functions "
                           "for usage details")
