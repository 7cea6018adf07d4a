"""README.md as a user runs it: its command table is the CLI's command list, and its code blocks run.

Every block runs. One that cannot run as written here (it installs from the package index, takes
minutes, or needs azure-cli) carries a marker on the line before it, ``<!-- readme-test: how and why -->``,
and its test runs it adapted in the way the marker says (a throwaway venv without network, the smallest
benchmark sizes, a free port); the real-az block is skipped, with the reason, where azure-cli is absent.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

pytest_plugins = ["pytester"]


MARKER = re.compile(r"^<!-- readme-test: (.+) -->$")


def blocks() -> list[tuple[str, str, str, str | None]]:
    """(section, language, code, marker) of every fenced block, in order; the marker is the text of a
    ``<!-- readme-test: ... -->`` line right before the block (None: the block runs as written)."""
    found, section, language, body, previous, marker = [], "", None, [], "", None
    for line in README.splitlines():
        if language is None and line.startswith("## "):
            section = line[3:]
        if line.startswith("```"):
            if language is None:
                language, body = line[3:].strip(), []
                match = MARKER.match(previous)
                marker = match.group(1) if match else None
            else:
                found.append((section, language, "\n".join(body) + "\n", marker))
                language = None
        elif language is not None:
            body.append(line)
        previous = line
    return found


BLOCKS = blocks()
SET_UP = "Set up"
PERFORMANCE = "Performance"
REAL_AZ = "The real `az` against `autopatch serve --tls` and `autopatch az-env`"


def _env(tmp_path: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k != "AUTOPATCH_STATE"}
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["AUTOPATCH_STATE"] = str(tmp_path / "state.json")
    env["HOME"] = str(tmp_path)
    return env


def _code(section: str, language: str) -> list[str]:
    return [code for s, lang, code, _ in BLOCKS if s == section and lang == language]


def test_every_block_is_run_as_written_or_adapted_as_its_marker_says():
    """The sections whose blocks run as written, and those whose blocks run adapted: every block is one of
    them (a new block needs a test here), and only the adapted ones carry a marker."""
    as_written = {"The guide's flow, with `autopatch` in place of `az`", "The state store",
                  "The REST API: `autopatch rest` and `autopatch serve`",
                  "Serving the API to the Azure SDK: `autopatch serve`",
                  "In tests and scripts: the pytest plugin and the Python API"}
    adapted = {SET_UP, PERFORMANCE, REAL_AZ}
    assert {s for s, _, _, _ in BLOCKS} == as_written | adapted
    for section, _, code, marker in BLOCKS:
        assert (marker is not None) == (section in adapted), (section, code)


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


# ---- the blocks that run adapted, as their markers say ----------------------------------------------------


def _borrowing_venv(block: str) -> str:
    """The install block in a throwaway venv of tmp_path that borrows this environment's packages through
    a .pth file, so pip needs no network: --no-deps --no-build-isolation, the checkout given by its path."""
    borrowed = sysconfig.get_paths()["purelib"]
    code = block.replace(
        "python3 -m venv .venv",
        "python3 -m venv .venv && .venv/bin/python -c 'import sysconfig, sys; "
        f"open(sysconfig.get_paths()[\"purelib\"] + \"/borrowed.pth\", \"w\").write(sys.argv[1])' '{borrowed}'")
    code = code.replace("python -m pip install -e '.[test,sdk]'",
                        f"python -m pip install --quiet --no-deps --no-build-isolation -e '{ROOT}[test,sdk]'")
    code = code.replace("python -m pip install -e .",
                        f"python -m pip install --quiet --no-deps --no-build-isolation -e '{ROOT}'")
    code = code.replace("pytest -q", f"python -m pytest -q -p no:cacheprovider '{ROOT}/tests/test_clock_bound.py'")
    assert "-e ." not in code and "--no-deps" in code, code
    return code


@pytest.mark.parametrize("index", [0, 1])
def test_the_set_up_blocks_install_and_run(tmp_path, index):
    block = _code(SET_UP, "sh")[index]
    env = {k: v for k, v in _env(tmp_path).items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", _borrowing_venv(block)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert (tmp_path / ".venv" / "bin" / "autopatch").exists()  # the entry point the install made
    if "autopatch demo" in block:
        assert "patchStatus" in done.stdout or "Installed" in done.stdout or "installed" in done.stdout, done.stdout[-2000:]
    else:
        assert " passed" in done.stdout, done.stdout[-2000:]


def test_the_benchmark_block_runs_with_the_smallest_fleets(tmp_path):
    (block,) = _code(PERFORMANCE, "sh")
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert lines == [".venv/bin/python benchmarks/engine.py", ".venv/bin/python benchmarks/orchestration.py"]
    for line in lines:
        argv = [sys.executable, str(ROOT / line.split()[1]), "--vms", "50", "--days", "3", "--regions", "3"]
        if "orchestration" in line:
            argv += ["--plan-max", "50", "--plan-runs", "1"]
        done = subprocess.run(argv, cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        assert re.search(r"\b50\b", done.stdout) and re.search(r"\d+(\.\d+)? s\b", done.stdout), done.stdout


def test_the_real_az_block_runs_with_the_real_az(tmp_path):
    """As written, but on a free port, with the az of $AUTOPATCH_AZ first on PATH, a throwaway HOME, and a
    proxy address that refuses, so nothing leaves loopback."""
    az = os.environ.get("AUTOPATCH_AZ") or shutil.which("az")
    if not az:
        pytest.skip("azure-cli is not installed: set AUTOPATCH_AZ or put az on PATH (.ci/run installs azure-cli "
                    "2.91.0 into .ci/azvenv)")
    (block,) = _code(REAL_AZ, "sh")
    port = str(_free_port())
    env = _env(tmp_path)
    env = {k: v for k, v in env.items() if not k.startswith(("AZURE_", "IDENTITY_", "MSI_", "REQUESTS_CA"))}
    env.update({"PATH": str(Path(az).parent) + os.pathsep + env["PATH"], "AZURE_CORE_NO_COLOR": "true",
                "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
                "NO_PROXY": "127.0.0.1,localhost"})
    script = block.replace("8443", port).replace(
        "autopatch serve --tls --port " + port + " &",
        f"autopatch serve --tls --port {port} > serve.log &\ntrap 'kill %1' EXIT\n"
        f"for i in $(seq 300); do grep -q Serving serve.log 2>/dev/null && break; sleep 0.1; done")
    assert "trap" in script, script
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert '"assessmentActivityId"' in done.stdout and "AutomaticByPlatform" not in done.stderr
    assert not (tmp_path / ".azure").exists()  # HOME's az folder untouched: az-env's folder was used


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
