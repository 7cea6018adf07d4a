"""Shell completion: the committed scripts are what typer generates, and autopatch answers them."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _make_completions():
    spec = importlib.util.spec_from_file_location("make_completions", ROOT / "scripts" / "make_completions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_scripts_equal_freshly_generated(tmp_path):
    make = _make_completions()
    assert make.main(["--out", str(tmp_path)]) == 0
    for name in make.FILES:
        fresh = (tmp_path / name).read_bytes()
        committed = (ROOT / "completions" / name).read_bytes()
        assert committed == fresh, f"completions/{name} is stale: run python scripts/make_completions.py"
    assert make.main(["--check"]) == 0


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_scripts_match_typers_show_completion(monkeypatch, shell):
    """What ``--show-completion SHELL`` prints (typer's own path) is what completions/ holds."""
    from autopatch_cli.__main__ import main

    make = _make_completions()
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit) as exit_info:
        main(["--show-completion", shell])  # typer's callback prints the script and exits
    assert exit_info.value.code == 0
    name = next(n for n, s in make.FILES.items() if s == shell)
    assert out.getvalue() == (ROOT / "completions" / name).read_text()


def _complete_bash(cli, monkeypatch, line: str) -> list[str]:
    words = line.split(" ")
    monkeypatch.setenv("_AUTOPATCH_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", line)
    monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
    result = cli()
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.split()


def test_completes_a_groups_commands(cli, monkeypatch):
    assert _complete_bash(cli, monkeypatch, "autopatch vm ge") == ["get-instance-view"]
    everything = _complete_bash(cli, monkeypatch, "autopatch vm ")
    assert {"create", "show", "get-instance-view", "list", "availability-set"} <= set(everything)
    assert _complete_bash(cli, monkeypatch, "autopatch v") == ["vm"]


def test_completes_a_nested_group_and_a_commands_options(cli, monkeypatch):
    assert _complete_bash(cli, monkeypatch, "autopatch vm availability-set ") == ["create", "show", "list"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm availability-set sh") == ["show"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm show --n") == ["--name"]
    assert "--resource-group" in _complete_bash(cli, monkeypatch, "autopatch vm get-instance-view --")


def test_unknown_words_complete_quietly(cli, monkeypatch):
    assert _complete_bash(cli, monkeypatch, "autopatch vm zz") == []
    # click completes past an unknown word from the group above it; no error, no traceback
    assert "vm" in _complete_bash(cli, monkeypatch, "autopatch frobnicate ")


def test_zsh_and_fish_requests(cli, monkeypatch):
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", "autopatch vm ge")
    monkeypatch.setenv("_AUTOPATCH_COMPLETE", "complete_zsh")
    assert "get-instance-view" in cli().stdout
    monkeypatch.setenv("_AUTOPATCH_COMPLETE", "complete_fish")
    monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "get-args")
    assert cli().stdout.split("\t")[0] == "get-instance-view"


def test_console_script_answers_the_bash_protocol(tmp_path):
    """The request the bash script sends, to a real process."""
    env = {**os.environ, "_AUTOPATCH_COMPLETE": "complete_bash", "COMP_WORDS": "autopatch vm ge",
           "COMP_CWORD": "2"}
    done = subprocess.run([sys.executable, "-m", "autopatch_cli"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout.split(), done.stderr) == (0, ["get-instance-view"], "")
