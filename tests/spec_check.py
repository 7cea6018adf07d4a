"""Check a JSON document against a definition of one of Azure's REST specs (tests/spec/).

``check(spec, "VirtualMachine", doc)`` returns a list of problems, empty when the document fits:

* keys the schema does not declare (unless it allows ``additionalProperties`` or is a free-form object),
* JSON types (string, integer, number, boolean, array, object), the int32/int64 range,
* enum values (``x-ms-enum`` ``modelAsString`` enums too: what we print must be a listed value),
* the ``date-time`` format (RFC 3339).

``$ref`` is followed within the spec and to the sibling common-types file; ``allOf`` is merged.
``null`` is accepted anywhere (Azure's examples carry ``"error": null``). With ``az_view=True`` the
document is what az prints: keys of a ``properties`` object may sit at its parent's level (client
flattening), and an object with an ``id`` naming a resource group may carry az's ``resourceGroup``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

SPEC_DIR = Path(__file__).parent / "spec"
COMMON_TYPES = "common-types-resource-management-v1-types.json"

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$"
)
_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_GROUP_IN_ID = re.compile(r"/resourceGroups/([^/]+)", re.IGNORECASE)


# ---- loading and resolving ---------------------------------------------------------------------


def spec_file(spec: str | Path, api_version: str | None = None) -> Path:
    """``spec`` as a path: a file, a file name in tests/spec/, or a family (``compute``) plus api_version."""
    path = Path(spec)
    if path.is_file():
        return path.resolve()
    named = re.fullmatch(r"compute-(\d{4}-\d{2}-\d{2})(?:\.json)?", path.name)
    derived = api_version if path.name == "compute" else named.group(1) if named else None
    if derived and (PATCH_DEFINITIONS / f"{derived}.json").is_file():
        return derived_compute_spec(derived)
    candidates = [SPEC_DIR / path.name, SPEC_DIR / f"{path.name}.json"]
    if api_version:
        candidates.insert(0, SPEC_DIR / f"{path.name}-{api_version}.json")
        # the newer Compute specs keep upstream's split layout: virtualMachine.json beside computeRPCommon.json
        candidates.insert(1, SPEC_DIR / f"{path.name}-{api_version}" / "ComputeRP" / "stable" / api_version
                          / "virtualMachine.json")
        candidates.insert(2, SPEC_DIR / f"{path.name}-{api_version}" / "Maintenance.json")
    # a split spec named like a single file ("compute-2024-07-01.json"): its folder's main file
    folder = SPEC_DIR / (path.name.removesuffix(".json") + (f"-{api_version}" if api_version and
                                                           not path.name.endswith(".json") else ""))
    candidates += sorted(folder.glob("ComputeRP/stable/*/virtualMachine.json")) + [folder / "Maintenance.json"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise FileNotFoundError(f"no spec {spec!r} (api-version {api_version}) in {SPEC_DIR}")


# Compute 2022-03-01 to 2024-03-01 are checked against 2024-07-01's files with the patch definitions of the
# version in question substituted (copied from upstream; tests/spec/PROVENANCE.md): for the VM properties
# autopatch models, those are the only definitions that differ between these versions.
PATCH_DEFINITIONS = SPEC_DIR / "compute-patch-definitions"
_BASE_COMPUTE = SPEC_DIR / "compute-2024-07-01"


@cache
def derived_compute_spec(api_version: str) -> Path:
    """A copy of the 2024-07-01 Compute spec (its split layout kept, so relative $refs resolve) with the patch
    definitions of ``api_version`` in computeRPCommon.json, and that version in virtualMachine.json's info."""
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=f"autopatch-spec-{api_version}-")) / "compute"
    atexit.register(shutil.rmtree, folder.parent, True)
    shutil.copytree(_BASE_COMPUTE, folder)
    stable = folder / "ComputeRP" / "stable" / "2024-07-01"
    common = json.loads((stable / "computeRPCommon.json").read_text(encoding="utf-8"))
    common["definitions"].update(json.loads((PATCH_DEFINITIONS / f"{api_version}.json").read_text())["definitions"])
    (stable / "computeRPCommon.json").write_text(json.dumps(common), encoding="utf-8")
    vm = json.loads((stable / "virtualMachine.json").read_text(encoding="utf-8"))
    vm["info"]["version"] = api_version
    (stable / "virtualMachine.json").write_text(json.dumps(vm), encoding="utf-8")
    return (stable / "virtualMachine.json").resolve()


@cache
def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _pointer(document: Any, pointer: str) -> Any:
    for part in pointer.lstrip("/").split("/"):
        if part:
            document = document[part.replace("~1", "/").replace("~0", "~")]
    return document


def resolve(path: Path, schema: dict) -> tuple[Path, dict]:
    """Follow ``$ref`` (repeatedly) to the schema it names; returns the file the schema lives in."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema:
        seen += 1
        if seen > 50:
            raise ValueError(f"$ref loop at {schema['$ref']}")
        target, _, pointer = schema["$ref"].partition("#")
        if target:
            name = Path(target).name
            common = re.search(r"common-types/resource-management/(v\d+)/types\.json$", target)
            if common:
                name = f"common-types-resource-management-{common.group(1)}-types.json"
            local = path.parent / target if (path.parent / target).is_file() else path.parent / name
            if not local.is_file():
                raise FileNotFoundError(f"{schema['$ref']} (looked for {local})")
            path = local.resolve()
        schema = _pointer(load(path), pointer)
    return path, schema


def definition(spec: str | Path, name: str, api_version: str | None = None) -> tuple[Path, dict]:
    path = spec_file(spec, api_version)
    if not name.startswith("#") and name not in load(path).get("definitions", {}):
        # a split spec: the definition may live in a sibling file (computeRPCommon.json)
        for sibling in sorted(path.parent.glob("*.json")):
            if name in load(sibling.resolve()).get("definitions", {}):
                path = sibling.resolve()
                break
    ref = name if name.startswith("#") else f"#/definitions/{name}"
    return resolve(path, {"$ref": ref})


def _merged(path: Path, schema: dict) -> tuple[dict[str, tuple[Path, dict]], Any, str | None, bool]:
    """Properties (with their files), additionalProperties, type and 'is structured' of an allOf tree."""
    path, schema = resolve(path, schema)
    props: dict[str, tuple[Path, dict]] = {}
    additional: Any = schema.get("additionalProperties")
    kind = schema.get("type")
    structured = "properties" in schema or "allOf" in schema
    for part in schema.get("allOf", []):
        p, a, k, _ = _merged(path, part)
        props.update(p)
        if additional is None:
            additional = a
        kind = kind or k
    for key, sub in schema.get("properties", {}).items():
        props[key] = (path, sub)
    return props, additional, kind, structured


# ---- the walk ----------------------------------------------------------------------------------


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _date_time_ok(text: str) -> bool:
    match = _RFC3339.match(text)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    try:
        datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        return False
    if second > 60:
        return False
    if match.group(9) is not None and (int(match.group(9)) > 23 or int(match.group(10)) > 59):
        return False
    return True


class _Walker:
    def __init__(self, az_view: bool, extra_enum_values: dict[str, Any] | None = None):
        self.az_view = az_view
        self.extra_enum_values = extra_enum_values or {}
        self.problems: list[str] = []
        self.checked = 0

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")

    def walk(self, path: Path, schema: dict, value: Any, where: str) -> None:
        self.checked += 1
        if value is None:
            return
        path, schema = resolve(path, schema)
        props, additional, kind, structured = _merged(path, schema)
        if kind is None and structured:
            kind = "object"
        actual = _type_of(value)
        if kind is not None:
            fits = actual == kind or (kind == "number" and actual == "integer")
            if not fits:
                self.problem(where, f"expected {kind}, got {actual} {value!r:.60}")
                return
        name = schema.get("x-ms-enum", {}).get("name", "enum")
        if "enum" in schema and value not in schema["enum"] and value not in self.extra_enum_values.get(name, ()):
            self.problem(where, f"{value!r} is not a value of {name} {schema['enum']}")
        fmt = schema.get("format")
        if fmt in _RANGES and actual == "integer":
            low, high = _RANGES[fmt]
            if not low <= value <= high:
                self.problem(where, f"{value} is out of the {fmt} range")
        if fmt == "date-time" and actual == "string" and not _date_time_ok(value):
            self.problem(where, f"{value!r} is not an RFC 3339 date-time")
        if actual == "array":
            items = schema.get("items")
            if items is not None:
                for index, item in enumerate(value):
                    self.walk(path, items, item, f"{where}[{index}]")
        elif actual == "object":
            self.walk_object(path, props, additional, structured, value, where)

    def walk_object(self, path, props, additional, structured, value: dict, where: str) -> None:
        flattened: dict[str, tuple[Path, dict]] = {}
        if self.az_view and "properties" in props:
            inner_path, inner = props["properties"]
            inner_props, _, inner_kind, inner_structured = _merged(inner_path, inner)
            if inner_structured or inner_kind == "object":
                flattened = inner_props
        for key, item in value.items():
            here = f"{where}.{key}"
            if key in props:
                self.walk(*props[key], item, here)
            elif key in flattened:
                self.walk(*flattened[key], item, here)
            elif self.az_view and key == "resourceGroup" and isinstance(value.get("id"), str):
                match = _GROUP_IN_ID.search(value["id"])
                if not match:
                    self.problem(here, "resourceGroup on an object whose id names no resource group")
                elif item != match.group(1):
                    self.problem(here, f"{item!r} is not the group of id {value['id']!r}")
            elif isinstance(additional, dict) and additional:
                self.walk(path, additional, item, here)
            elif additional is True or additional == {} or (additional is None and not (structured or props)):
                continue  # additionalProperties: true / {}, or a free-form object
            else:
                self.problem(here, "key not declared by the schema")


def check(
    spec_path: str | Path,
    definition_name: str,
    document: Any,
    *,
    az_view: bool = False,
    api_version: str | None = None,
    extra_enum_values: dict[str, Any] | None = None,
) -> list[str]:
    """Problems of ``document`` against ``definition_name`` of the spec (empty: it fits).

    ``spec_path`` is a spec file, its name in tests/spec/, or a family such as ``"compute"`` completed by
    ``api_version``; when ``api_version`` is given the spec's ``info.version`` must be that version.
    ``extra_enum_values`` (x-ms-enum name -> values) widens an enum the spec itself calls open-ended.
    """
    path = spec_file(spec_path, api_version)
    problems: list[str] = []
    if api_version is not None and load(path).get("info", {}).get("version") != api_version:
        problems.append(f"{path.name} is api-version {load(path).get('info', {}).get('version')}, not {api_version}")
    path, schema = definition(path, definition_name)
    walker = _Walker(az_view, extra_enum_values)
    walker.walk(path, schema, document, "$")
    return problems + walker.problems


def check_schema(spec_path: str | Path, schema: dict, document: Any, *, az_view: bool = False) -> list[str]:
    """Like :func:`check`, against an inline schema of the spec (an operation's response schema)."""
    walker = _Walker(az_view)
    walker.walk(spec_file(spec_path), schema, document, "$")
    return walker.problems


def _examples(spec_path: str | Path):
    path = spec_file(spec_path)
    for methods in load(path).get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict):
                continue
            for example in operation.get("x-ms-examples", {}).values():
                file = (path.parent / "examples" / path.stem / Path(example["$ref"]).name).resolve()
                if not file.is_file():  # the newer specs' own layout: the $ref is the example's path
                    file = (path.parent / example["$ref"]).resolve()
                if file.is_file():
                    yield path, operation, file, json.loads(file.read_text(encoding="utf-8"))


def example_requests(spec_path: str | Path):
    """``(example file, body parameter schema, request body)`` for every x-ms-example with a body."""
    for path, operation, file, data in _examples(spec_path):
        for parameter in operation.get("parameters", []):
            _, parameter = resolve(path, parameter)
            if parameter.get("in") == "body" and parameter["name"] in data.get("parameters", {}):
                yield file, parameter["schema"], data["parameters"][parameter["name"]]


def example_responses(spec_path: str | Path):
    """``(example file, status, response schema, body)`` for every x-ms-example of the spec that is here."""
    for _, operation, file, data in _examples(spec_path):
        for status, response in data.get("responses", {}).items():
            declared = operation.get("responses", {}).get(status, {})
            if "body" in response and "schema" in declared:
                yield file, status, declared["schema"], response["body"]
