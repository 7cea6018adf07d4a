"""README.md as a user runs it: its command table is the CLI's command list, and its code blocks run."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

pytest_plugins = ["pytester"]


def blocks() -> list[tuple[str, str, str]]:
    """(section, language, code) of every fenced block, in order."""
    found, section, language, body = [], "", None, []
    for line in README.splitlines():
        if language is None and line.startswith("## "):
            section = line[3:]
        if line.startswith("```"):
            if language is None:
                language, body = line[3:].strip(), []
            else:
                found.append((section, language, "\n".join(body) + "\n"))
                language = None
        elif language is not None:
            body.append(line)
    return found


BLOCKS = blocks()
# Blocks a test cannot run here, and why (each is still what a user types):
NOT_RUN = {
    "Set up": "creates a virtual environment and installs from the package index: what .ci/run does on a clean clone",
    "Performance": "the benchmarks take minutes (benchmarks/ prints the figures)",
    "The real `az` against `autopatch serve --tls` and `autopatch az-env`":
        "needs azure-cli installed: tests/test_real_az.py runs this flow when it is (-m azcli)",
}


def _env(tmp_path: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k != "AUTOPATCH_STATE"}
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["AUTOPATCH_STATE"] = str(tmp_path / "state.json")
    env["HOME"] = str(tmp_path)
    return env


def _code(section: str, language: str) -> list[str]:
    return [code for s, lang, code in BLOCKS if s == section and lang == language]


def test_every_block_is_run_or_said_why_not():
    sections = {section for section, _, _ in BLOCKS}
    ran = {"The guide's flow, with `autopatch` in place of `az`", "The state store",
           "The REST API: `autopatch rest` and `autopatch serve`",
           "Serving the API to the Azure SDK: `autopatch serve`",
           "In tests and scripts: the pytest plugin and the Python API",
           "Availability-first orchestration"}  # tests/test_orchestration_views.py runs its block
    assert sections == ran | set(NOT_RUN), sections ^ (ran | set(NOT_RUN))


def _bash(script: str, tmp_path: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=timeout)


def test_the_guide_flow_blocks_run_in_order(tmp_path):
    script = "".join(_code("The guide's flow, with `autopatch` in place of `az`", "sh"))
    done = _bash(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"status": "Succeeded"' in done.stdout or "Succeeded" in done.stdout


def test_the_state_store_block_runs(tmp_path):
    done = _bash("".join(_code("The state store", "sh")), tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "fleet.json").exists()


def test_the_rest_block_runs(tmp_path):
    done = _bash("".join(_code("The REST API: `autopatch rest` and `autopatch serve`", "sh")), tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"vmAgentVersion"' in done.stdout and "'Azure-AsyncOperation'" in done.stderr  # instance view; assessPatches --verbose


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_sdk_snippet_runs_as_written_against_serve(tmp_path):
    pytest.importorskip("azure.mgmt.compute")
    pytest.importorskip("azure.mgmt.resource.features")
    (serve_block,) = _code("Serving the API to the Azure SDK: `autopatch serve`", "sh")
    (snippet,) = _code("Serving the API to the Azure SDK: `autopatch serve`", "python")
    port = str(_free_port())  # the README's 8080 may be taken on a test machine
    (tmp_path / "snippet.py").write_text(snippet.replace("8080", port), encoding="utf-8")
    script = (serve_block.replace("8080", port) + "trap 'kill %1' EXIT\n"
              f"for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; sleep 0.1; done\n"
              f'"{sys.executable}" snippet.py\n')
    done = _bash(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "'status': 'Succeeded'" in done.stdout.strip().splitlines()[-1]


def test_the_api_block_runs(tmp_path):
    (block,) = [c for c in _code("In tests and scripts: the pytest plugin and the Python API", "python")
                if "def test_" not in c]
    done = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, env=_env(tmp_path), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert "installed" in first and second.startswith("3 (ResourceNotFound)")


def test_the_plugin_example_passes_under_pytest(pytester):
    pytest.importorskip("azure.mgmt.compute")
    (example,) = [c for c in _code("In tests and scripts: the pytest plugin and the Python API", "python")
                  if "def test_" in c]
    pytester.makepyfile(test_patching=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


# ---- the command table -------------------------------------------------------------------------------


def _table_verbs() -> set[str]:
    """Every verb the README's command table names: `vm create/update/show` is three."""
    table = README.split("## Commands", 1)[1].strip("\n").split("\n\n", 1)[0]
    verbs = set()
    for line in table.splitlines()[2:]:
        cell = re.split(r"(?<!\\)\|", line)[1]
        for code in re.findall(r"`([^`]+)`", cell):
            code = re.sub(r"\[[^\]]*\]", " ", code)  # optional parts: [--days 40]
            words = [w for w in code.split() if not w.startswith(("-", "[", "<")) and not w.isupper()
                     and not re.match(r"^[\d{]", w) and "=" not in w and "..." not in w]
            if not words:
                continue
            if words[0][:1].isupper():  # PowerShell cmdlets: one name each, matched case-insensitively
                verbs.add(words[0].lower())
                continue
            head, last = words[:-1], words[-1]
            for name in last.split("/"):
                verbs.add(" ".join([*head, name]))
    return verbs


def _cli_verbs() -> set[str]:
    from test_help import COMMANDS

    return {" ".join(w).lower() if w[0][:1].isupper() else " ".join(w)
            for w, c in COMMANDS if w and not hasattr(c, "list_commands")}


def test_the_command_table_names_every_verb_and_only_real_ones():
    table, cli = _table_verbs(), _cli_verbs()
    assert cli - table == set(), f"verbs missing from README's command table: {sorted(cli - table)}"
    assert table - cli == set(), f"README's command table names verbs autopatch does not have: {sorted(table - cli)}"
