"""Rewrite README.md's supported-image block from the image table (autopatch_cli/azure/images.py).

    python scripts/make_image_docs.py           # rewrite the block
    python scripts/make_image_docs.py --check   # exit 1 (and say so) when README.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autopatch_cli.azure import image_docs  # noqa: E402


def main(argv: list[str]) -> int:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    updated = image_docs.replace_block(text)
    if "--check" in argv:
        if updated != text:
            print("README.md's supported-image block is out of date: run python scripts/make_image_docs.py",
                  file=sys.stderr)
            return 1
        return 0
    if updated != text:
        readme.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
