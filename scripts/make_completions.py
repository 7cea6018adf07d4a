"""Regenerate the shell completion scripts in completions/ from typer's templates.

    python scripts/make_completions.py            # rewrite completions/
    python scripts/make_completions.py --check    # exit 1 if completions/ is out of date
    python scripts/make_completions.py --out DIR  # write them somewhere else

Each script calls ``autopatch`` back with ``_AUTOPATCH_COMPLETE=complete_<shell>`` set; autopatch's
``main()`` answers that request (``autopatch_cli.__main__.complete``) with the candidates for the words
typed so far, so the scripts never need regenerating when commands change, only when typer's
templates do (the PowerShell one without typer's global rebinding of Tab). Install: source ``autopatch.bash`` from ~/.bashrc; put ``_autopatch`` on zsh's $fpath;
copy ``autopatch.fish`` to ~/.config/fish/completions/; dot-source ``autopatch.ps1`` from $PROFILE.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# file name in completions/ -> typer's shell name
FILES = {
    "autopatch.bash": "bash",
    "_autopatch": "zsh",
    "autopatch.fish": "fish",
    "autopatch.ps1": "powershell",
}


def generate() -> dict[str, str]:
    """File name -> content, rendered from typer's completion templates."""
    from typer._completion_shared import get_completion_script

    from autopatch_cli.__main__ import COMPLETE_VAR, PROG_NAME
    from autopatch_cli.cli import keep_tab_alone_in_powershell

    keep_tab_alone_in_powershell()

    return {
        name: get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell) + "\n"
        for name, shell in FILES.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate completions/ from typer's templates.")
    parser.add_argument("--out", type=Path, default=ROOT / "completions", help="folder to write (default completions/)")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file differs")
    args = parser.parse_args(argv)
    stale = []
    for name, text in generate().items():
        path = args.out / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
    if args.check:
        for name in stale:
            print(f"{args.out / name} is out of date: run python scripts/make_completions.py", file=sys.stderr)
        return 1 if stale else 0
    print(f"{len(stale)} of {len(FILES)} completion scripts rewritten in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
