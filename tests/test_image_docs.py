"""README's supported-image prose is generated from the image table (azure/images.py, issue 10): README says
what the table says, and a row the table gains shows up without an edit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from autopatch_cli.azure import image_docs, images

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_says_what_the_table_says():
    assert image_docs.block_of(README) == image_docs.markdown(), (
        "README.md's supported-image block is out of date: run python scripts/make_image_docs.py")


def test_every_sku_of_the_table_is_in_readme_once_in_its_version_row():
    block = image_docs.block_of(README)
    for name in images.PREVIEW_AUTO_PATCH_SKU_NAMES:
        assert f"`{name}`" in block.split("\n", 2)[1]  # the preview's sentence
    rows = {line.split("|")[1].strip(): line for line in block.splitlines() if line.startswith("| Windows Server ")}
    for name in (*images.GA_AUTO_PATCH_SKU_NAMES, *images.HOTPATCH_SKUS):
        version = images.windows_version(name)
        assert version is not None and f"`{name}`" in rows[version.name], name
        hot = name.lower() in images.HOTPATCH_SKUS
        assert (f"`{name}` *hotpatch*" in rows[version.name]) == hot, name
    assert sum(row.count("`") // 2 for row in rows.values()) == len(
        {n.lower() for n in images.GA_AUTO_PATCH_SKU_NAMES} | images.HOTPATCH_SKUS)


class _Row(NamedTuple):
    publisher: str
    offer: str
    sku: str
    patched: bool
    preview: bool = False


def test_a_row_the_table_gains_shows_up(monkeypatch):
    monkeypatch.setattr(images, "GA_AUTO_PATCH_SKU_NAMES", (*images.GA_AUTO_PATCH_SKU_NAMES, "2019-Datacenter-zz"))
    monkeypatch.setattr(images, "LINUX_IMAGES", (
        _Row("Canonical", "UbuntuServer", "18.04-LTS", True, preview=True),
        _Row("Canonical", "UbuntuServer", "18_04-lts-gen2", True),
        _Row("Debian", "debian-11", "11", False),
    ), raising=False)
    generated = image_docs.markdown()
    assert "`2019-Datacenter-zz`" in generated
    assert "| `Canonical:UbuntuServer` | `18.04-LTS` *preview*, `18_04-lts-gen2` |" in generated
    assert "debian-11" not in generated  # not supported: not listed
    assert image_docs.replace_block(README) != README


def test_the_generator_script_checks():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_image_docs.py"), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_preview_refusal_lists_the_tables_skus(opted_in):
    from helpers import PASSWORD

    refused = opted_in("vm", "create", "-g", "rg", "-n", "v", "--image", "Win2012Datacenter", "--admin-password",
                       PASSWORD, "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform")
    assert refused.exit_code != 0
    assert f"with SKU {image_docs.either(images.PREVIEW_AUTO_PATCH_SKU_NAMES)} are supported" in refused.stderr
