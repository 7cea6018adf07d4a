"""README's supported-image prose, generated from the image table (azure/images.py) so the two cannot differ.

``python scripts/make_image_docs.py`` rewrites the block between :data:`START` and :data:`END` in README.md;
tests/test_image_docs.py checks that README says what the table says. Every row the table gains (a Windows
SKU, a Linux image) shows up here without an edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import images

START = ("<!-- supported-images: generated from autopatch_cli/azure/images.py by "
         "`python scripts/make_image_docs.py`; edit the table, not this block -->")
END = "<!-- /supported-images -->"


def either(names: Iterable[str]) -> str:
    """``a, b or c``: a list of SKUs in an error message (the preview's, in vm_rules)."""
    listed = list(names)
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"


def _skus(names: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def windows_rows() -> list[tuple[str, list[str]]]:
    """Today's supported Windows Server SKUs by version, oldest version first, each version's SKUs sorted."""
    names = {name.lower(): name for name in images.GA_AUTO_PATCH_SKU_NAMES}
    names.update({sku: sku for sku in images.HOTPATCH_SKUS if sku not in names})
    by_version: dict[str, list[str]] = {}
    for lowered, name in names.items():
        version = images.windows_version(lowered)
        by_version.setdefault(version.name if version else "other", []).append(name)
    order = [v.name for v in images.WINDOWS_SERVER_VERSIONS] + ["other"]
    return [(version, sorted(by_version[version], key=str.lower)) for version in order if version in by_version]


def linux_rows() -> list[tuple[str, list[str], list[str]]]:
    """Today's supported Linux images as (publisher:offer, SKUs, the SKUs the preview supported too)."""
    rows: dict[str, tuple[list[str], list[str]]] = {}
    table: Iterable[Any] = getattr(images, "LINUX_IMAGES", ())  # the Linux rows, where the table has them
    for image in table:
        if not getattr(image, "patched", False):
            continue
        skus, preview = rows.setdefault(f"{image.publisher}:{image.offer}", ([], []))
        if image.sku not in skus:
            skus.append(image.sku)
        if getattr(image, "preview", False) and image.sku not in preview:
            preview.append(image.sku)
    return [(name, skus, preview) for name, (skus, preview) in rows.items()]


def markdown() -> str:
    """The block README.md holds between :data:`START` and :data:`END` (both included)."""
    lines = [
        START,
        "In the 2020 preview (until general availability), automatic VM guest patching supports the platform "
        f"images `MicrosoftWindowsServer:WindowsServer` with SKU {_skus(images.PREVIEW_AUTO_PATCH_SKU_NAMES)}.",
        "",
        "From general availability, today's list (exact publisher, offer and SKU; no custom image). "
        "Windows, `MicrosoftWindowsServer:WindowsServer`, each SKU from its version's date on the marketplace "
        "(hotpatchable ones marked *hotpatch*, from 2022-02-16):",
        "",
        "| Windows Server | SKUs |",
        "| --- | --- |",
    ]
    for version, skus in windows_rows():
        shown = ", ".join(f"`{sku}`" + (" *hotpatch*" if sku.lower() in images.HOTPATCH_SKUS else "")
                          for sku in skus)
        lines.append(f"| {version} | {shown} |")
    linux = linux_rows()
    if linux:
        lines += ["", "Linux (SKUs the 2020-12 Linux preview supported too marked *preview*):", "",
                  "| publisher:offer | SKUs |", "| --- | --- |"]
        for name, skus, preview in linux:
            shown = ", ".join(f"`{sku}`" + (" *preview*" if sku in preview else "") for sku in skus)
            lines.append(f"| `{name}` | {shown} |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def replace_block(text: str) -> str:
    """``text`` (README.md) with its generated block replaced by :func:`markdown`."""
    start = text.index(START)
    end = text.index(END, start) + len(END) + 1
    return text[:start] + markdown() + text[end:]


def block_of(text: str) -> str:
    """The generated block as ``text`` (README.md) holds it."""
    start = text.index(START)
    end = text.index(END, start) + len(END) + 1
    return text[start:end]
