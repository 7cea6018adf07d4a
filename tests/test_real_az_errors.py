"""az's refusal of a value, checked against the real az: for every option with allowed values of every
mirrored verb (tests/az_help), a value nothing resembles and a near miss go through az 2.91's parser and
through autopatch's; the error line (az's get_enum_type form, values in az's declaration order), the
"Did you mean" line and the exit code must be the same, with "az" read as "autopatch".

az's side runs in one process of az's own Python (tests/azcli/parse_errors.py), so the whole comparison
costs one az start-up. Skipped, with the reason, where azure-cli is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_parity_az_options import FLAGS, HELP_DIR, REQUIRED, VERBS, _allowed, _command, _options

pytestmark = pytest.mark.azcli
SCRIPT = Path(__file__).parent / "azcli" / "parse_errors.py"
# Options whose values are not a closed set in az's parser (its help lists suggestions, not choices).
OPEN_VALUES = frozenset({"--storage-sku", "--os-type"})
_NEED_TARGET = {"vm-create", "vm-update", "vm-show", "vm-start", "vm-stop", "vm-deallocate", "vm-delete",
                "vm-get-instance-view", "vm-assess-patches", "vm-install-patches"}


def az_python() -> str | None:
    """The Python that runs az (read from the az script's first line), or None."""
    az = os.environ.get("AUTOPATCH_AZ") or shutil.which("az")
    if not az:
        return None
    first = Path(az).read_bytes()[:300].split(b"\n", 1)[0].decode(errors="replace")
    python = first[2:].strip().split()[0] if first.startswith("#!") else ""
    return python if python and Path(python).exists() else None


def _near_miss(value: str) -> str:
    return value[:-1].lower() if len(value) > 3 else value + "x"


def cases() -> list[list[str]]:
    found = []
    for verb in VERBS:
        command = _command(verb)
        if verb in _NEED_TARGET and verb not in REQUIRED:
            command = [*command, "-g", "rg", "-n", "vm"]
        elif verb == "vm-create":
            command = [*command, "-g", "rg"]
        for names, text in _options(HELP_DIR / f"{verb}.txt"):
            allowed = _allowed(text)
            if not allowed or names[0] in OPEN_VALUES or names[0] in FLAGS:
                continue
            name = names[0]
            if name == "--output" and verb != "vm-list":
                continue  # a global argument: once is enough
            found.append([*command, name, "bogus-value"])
            boolean = sorted(allowed) == ["false", "true"]
            if not boolean or not any(case[-1] == _near_miss(allowed[-1]) for case in found if case[:2] == command[:2]):
                found.append([*command, name, _near_miss(allowed[-1])])  # one near miss per verb for the booleans
    return found


@pytest.fixture(scope="module")
def az_answers():
    python = az_python()
    if python is None:
        pytest.skip("azure-cli is not installed: set AUTOPATCH_AZ or put az on PATH (.ci/run installs azure-cli "
                    "2.91.0 into .ci/azvenv)")
    config = Path(os.environ.get("TMPDIR", "/tmp")) / f"autopatch-az-parse-{os.getpid()}"
    env = {**os.environ, "AZURE_CONFIG_DIR": str(config), "AZURE_CORE_COLLECT_TELEMETRY": "false",
           "AZURE_CORE_NO_COLOR": "true", "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    try:
        done = subprocess.run([python, str(SCRIPT)], input=json.dumps(cases()), capture_output=True, text=True,
                              env=env, timeout=600)
    finally:
        shutil.rmtree(config, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return {tuple(r["argv"]): r for r in json.loads(done.stdout)}


def _message(stderr: str) -> list[str]:
    """The error line and its "Did you mean" line (az follows them with its Examples; autopatch does not)."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("ERROR:")), None)
    if start is None:
        return lines[:2]
    kept = [lines[start]]
    if start + 1 < len(lines) and lines[start + 1].startswith("Did you mean"):
        kept.append(lines[start + 1])
    return kept


CASES = cases()


@pytest.mark.parametrize("argv", CASES, ids=[" ".join(a[:2] + a[-2:]) for a in CASES])
def test_a_refused_value_reads_as_in_az(az_answers, cli, argv):
    theirs = az_answers[tuple(argv)]
    ours = cli(*argv)
    expected = [line.replace("ERROR: az ", "ERROR: autopatch ", 1) for line in _message(theirs["stderr"])]
    assert theirs["exit_code"] == 2, theirs
    assert (ours.exit_code, _message(ours.stderr)) == (2, expected), (argv, ours.stderr)
