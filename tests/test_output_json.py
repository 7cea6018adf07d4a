"""``-o json`` text is json.dumps's (sorted, indented by 2, UTF-8 as is), whichever encoder wrote it.

cli/output.py writes it with orjson when that gives the same text, and with json otherwise (floats, keys that
are not strings, integers past 64 bits, types json refuses): every value here, drawn at random or chosen for an
edge, must come out exactly as json.dumps writes it, or fail as json.dumps fails.
"""

from __future__ import annotations

import enum
import json
import random
import uuid
from collections import OrderedDict
from datetime import UTC, datetime

import pytest

from autopatch_cli.cli.output import _json_text


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, separators=(",", ": "))


def _outcome(write, value):
    try:
        return write(value)
    except TypeError as exc:
        return TypeError, str(exc)


class _Plain(enum.Enum):
    A = 1


class _Int(enum.IntEnum):
    TWO = 2


class _Str(str, enum.Enum):  # noqa: UP042 (the mixin, as older code writes it)
    X = "x"


class _Float(float, enum.Enum):
    HALF = 0.5


class _Odd(int, enum.Enum):
    FIVE = "5"  # int("5"): json writes the int, orjson the value "5"


class _Text(str):
    pass


EDGES = [
    {"a": 1e-05, "b": 1e16, "c": -0.0, "d": 1.5, "e": 123456789.125, "f": 2.5e-08},
    [0.1, 1e22, 5e-324, 1e-7],
    {"s": "".join(chr(i) for i in range(0, 0x30)) + "\x7f\u2028\ud7ff\U0001f600\\\"", "é": "ü", "": None},
    {"n": [2**63, 2**64 - 1, -(2**63)], "t": True, "f": False, "e": [], "o": {}, "nested": [[[]], {"a": {}}]},
    {"big": 2**64, "neg": -(2**63) - 1},
    {1: "int key", "b": 2},  # json cannot sort these keys: both refuse
    {1: "int key", 2: "b"},
    OrderedDict([("z", 1), ("a", OrderedDict([("y", 2), ("b", 3)]))]),
    {"version": "1.5.48", "ip": "10.0.0.4", "looks like": '": 1.5', "multi": "a\n  1.5"},
    ("a", 1, None),
    [float("nan"), float("inf"), float("-inf")],  # json's NaN, Infinity, -Infinity (az prints them); orjson's null
    {"n": {"deep": [1, "x", None, {"v": float("nan")}]}, "ok": "null"},
    float("inf"),
    {"int": _Int.TWO, "str": _Str.X, "float": _Float.HALF, "list": [_Int.TWO]},  # subclasses
    {"odd": _Odd.FIVE, "n": 1},
    {"plain": _Plain.A},  # json refuses a plain enum member; orjson writes its value
    [_Plain.A],
    {"id": uuid.UUID(int=5)},  # json refuses a UUID; orjson writes its text
    uuid.UUID(int=5),
    ("a", _Str.X),
    {"s": _Text("sub")},
    "just a string",
    7,
    None,
]


@pytest.mark.parametrize("value", EDGES, ids=range(len(EDGES)))
def test_edges_as_json_writes_them(value):
    assert _outcome(_json_text, value) == _outcome(_json, value)


def test_types_json_refuses_are_refused():
    for value in ({"when": datetime(2020, 1, 1, tzinfo=UTC)}, {"x": object()}, {"s": {1, 2}}):
        with pytest.raises(TypeError):
            _json(value)
        with pytest.raises(TypeError):
            _json_text(value)


def _draw(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.randint(-(2**65), 2**65) if rng.random() < 0.1 else rng.randint(-1000, 10**6)
    if kind == 2:
        return rng.random() * 10 ** rng.randint(-12, 20) if rng.random() < 0.5 else rng.randint(0, 10) / 4
    if kind in (3, 4, 5):
        return "".join(chr(rng.choice([rng.randrange(0, 0x80), rng.randrange(0x80, 0x3000)])) for _ in range(rng.randrange(8)))
    if kind in (6, 7):
        return {"".join(rng.choice("abcAB_é1") for _ in range(rng.randrange(4))): _draw(rng, depth + 1)
                for _ in range(rng.randrange(5))}
    return [_draw(rng, depth + 1) for _ in range(rng.randrange(5))]


@pytest.mark.parametrize("seed", range(300))
def test_random_values_as_json_writes_them(seed):
    value = _draw(random.Random(seed))
    assert _json_text(value) == _json(value)


def test_non_finite_numbers_print_as_az_prints_them(cli):
    """az's ``-o json`` is json.dumps's: ``NaN``, ``Infinity``, ``-Infinity`` (not orjson's null)."""
    assert cli("group", "create", "-n", "g", "-l", "eastus").exit_code == 0
    shown = cli("group", "show", "-n", "g", "--query", "[`NaN`, `1e400`, `-Infinity`, `null`]")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout == "[\n  NaN,\n  Infinity,\n  -Infinity,\n  null\n]\n"
