"""The cmdlets `autopatch --help` lists are the ones autopatch_cli.cli.powershell defines, each described by
its own --help's SYNOPSIS (issue 10: the list had drifted from the cmdlets)."""

from __future__ import annotations

import re

from autopatch_cli import cli as root
from autopatch_cli.cli import powershell


def test_the_root_lists_exactly_the_defined_cmdlets_and_aliases():
    assert sorted(root.CMDLETS) == sorted(powershell.CMDLETS)
    aliases = {alias.lower(): cmdlet.name for cmdlet in powershell.CMDLETS.values() for alias in cmdlet.aliases}
    assert root.CMDLET_ALIASES == aliases


def _root_help_rows(text: str) -> dict[str, str]:
    """The Commands section of `autopatch --help`: name -> description (its wrapped lines joined)."""
    rows: dict[str, str] = {}
    current = None
    section = text.split("Commands:", 1)[1].split("Global Arguments:", 1)[0]
    for line in section.splitlines():
        match = re.match(r"^  (\S+)\s{2,}(.*)$", line)
        if match:
            current = match.group(1)
            rows[current] = match.group(2).strip()
        elif current and line.strip():
            rows[current] += " " + line.strip()
    return rows


def test_each_cmdlet_is_described_by_its_own_synopsis(cli):
    listed = cli("--help")
    assert listed.exit_code == 0, listed.stderr
    rows = _root_help_rows(listed.stdout)
    for name in root.CMDLETS:
        own = cli(name, "--help")
        assert own.exit_code == 0, own.stderr
        synopsis = own.stdout.split("SYNOPSIS", 1)[1].split("SYNTAX", 1)[0].strip()
        assert rows[name] == synopsis == powershell.CMDLETS[name].synopsis, name
