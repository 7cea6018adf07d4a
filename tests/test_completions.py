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
from conftest import PASSWORD

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


def test_enum_options_complete_their_values(cli, monkeypatch):
    assert _complete_bash(cli, monkeypatch, "autopatch vm list -o ") == ["json", "jsonc", "none", "table", "tsv",
                                                                        "yaml", "yamlc"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm list --output t") == ["table", "tsv"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm create --patch-mode ") == [
        "AutomaticByOS", "AutomaticByPlatform", "ImageDefault", "Manual"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm create --patch-mode automaticbyp") == ["AutomaticByPlatform"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm install-patches --reboot-setting ") == [
        "Always", "IfRequired", "Never"]
    assert _complete_bash(cli, monkeypatch, "autopatch sim fault add --kind ") == [
        "install-failure", "reboot-hang", "unhealthy-after-reboot"]
    assert "Win2019Datacenter" in _complete_bash(cli, monkeypatch, "autopatch vm create --image ")
    assert "eastus" in _complete_bash(cli, monkeypatch, "autopatch group create -l ")


def test_every_option_with_allowed_values_completes_them():
    """Whatever an option's help lists as allowed values, its completion offers (one source for both)."""
    import re

    from autopatch_cli.completion import tree

    def walk(node, words):
        for opt, spec in node.get("options", {}).items():
            listed = re.search(r"Allowed values", spec.get("help", ""))
            if listed or spec["values"]:
                yield words, opt, spec
        for name, sub in (node.get("commands") or {}).items():
            yield from walk(sub, (*words, name))

    found = list(walk(tree()["root"], ()))
    assert len({(w, o) for w, o, _ in found}) > 30
    for words, opt, spec in found:
        assert spec["values"], (words, opt)


def test_groups_and_vms_complete_from_the_store(cli, monkeypatch, vm):
    assert cli("group", "create", "-n", "other", "-l", "westus").exit_code == 0
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g ") == ["other", "rg"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g rg -n ") == ["vm"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g other -n ") == []
    assert _complete_bash(cli, monkeypatch, "autopatch group show -n o") == ["other"]
    assert _complete_bash(cli, monkeypatch, "autopatch orchestration why --resource-group rg --name ") == ["vm"]
    ids = _complete_bash(cli, monkeypatch, "autopatch vm show --ids ")
    assert len(ids) == 1 and ids[0].endswith("/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm")


def test_the_store_named_on_the_line_is_the_one_read(cli, monkeypatch, tmp_path):
    other = tmp_path / "other.json"
    assert cli("--state", str(other), "group", "create", "-n", "elsewhere", "-l", "eastus").exit_code == 0
    assert _complete_bash(cli, monkeypatch, f"autopatch vm list --state {other} -g ") == ["elsewhere"]


def test_global_arguments_are_offered(cli, monkeypatch):
    offered = _complete_bash(cli, monkeypatch, "autopatch vm show --")
    assert {"--output", "--query", "--state", "--debug", "--verbose", "--only-show-errors", "--subscription"} <= set(offered)
    assert "--install-completion" not in offered
    assert "--query" not in _complete_bash(cli, monkeypatch, "autopatch vm show --query x --")


def test_powershell_gets_values_and_keeps_tab_alone(cli, monkeypatch):
    script = (ROOT / "completions" / "autopatch.ps1").read_text()
    assert "Set-PSReadLineKeyHandler" not in script and "Register-ArgumentCompleter -Native -CommandName autopatch" in script
    monkeypatch.setenv("_AUTOPATCH_COMPLETE", "complete_powershell")
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", "autopatch vm create --patch-mode Man")
    monkeypatch.setenv("_TYPER_COMPLETE_WORD_TO_COMPLETE", "Man")
    assert cli().stdout == "Manual::: \n"


def test_the_cached_tree_follows_the_commands(monkeypatch, tmp_path):
    """The tree is rebuilt when a command module changes (its fingerprint), and read from the cache otherwise."""
    from autopatch_cli import completion

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = []
    real = completion.build_tree
    monkeypatch.setattr(completion, "build_tree", lambda: built.append(1) or real())
    first = completion.tree()
    assert completion.tree() == first and built == [1]
    monkeypatch.setattr(completion, "_fingerprint", lambda: "changed")
    completion.tree()
    assert built == [1, 1] and [p.name for p in (tmp_path / "autopatch").iterdir()] == ["completion-changed.marshal"]


def test_store_values_are_cached_per_store_content(cli, monkeypatch, vm, state_path):
    """A repeated Tab on an unchanged store reads only the cache; any write (snapshot or journal) is seen."""
    from autopatch_cli import completion

    reads = []
    real = completion._read_store
    monkeypatch.setattr(completion, "_read_store", lambda *a: reads.append(a[0]) or real(*a))
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g rg -n ") == ["vm"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g rg -n ") == ["vm"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g RG -n v") == ["vm"]  # groups match in any case
    assert reads == ["vms"]
    monkeypatch.delenv("_AUTOPATCH_COMPLETE")
    made = cli("vm", "create", "-g", "rg", "-n", "vm2", "--image", "Win2019Datacenter", "--admin-password", PASSWORD)
    assert made.exit_code == 0, made.stderr
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g rg -n ") == ["vm", "vm2"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g ") == ["rg"]
    assert reads == ["vms", "vms", "groups"]
    monkeypatch.delenv("_AUTOPATCH_COMPLETE")
    assert cli("vm", "delete", "-g", "rg", "-n", "vm", "--yes").exit_code == 0
    assert cli("group", "create", "-n", "other", "-l", "westus").exit_code == 0
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g rg -n ") == ["vm2"]
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g ") == ["other", "rg"]
    # a store replaced by hand (another file at the same path) is seen too
    saved = state_path.read_bytes()
    journal = state_path.with_name(state_path.name + ".journal")
    journal_bytes = journal.read_bytes() if journal.exists() else None
    monkeypatch.delenv("_AUTOPATCH_COMPLETE")
    assert cli("group", "create", "-n", "third", "-l", "westus").exit_code == 0
    assert "third" in _complete_bash(cli, monkeypatch, "autopatch vm show -g ")
    state_path.write_bytes(saved)
    if journal_bytes is None:
        journal.unlink(missing_ok=True)
    else:
        journal.write_bytes(journal_bytes)
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g ") == ["other", "rg"]
    # no store: nothing, and nothing cached
    state_path.unlink()
    journal.unlink(missing_ok=True)
    assert _complete_bash(cli, monkeypatch, "autopatch vm show -g ") == []


def test_a_vm_names_tab_imports_neither_typer_nor_the_store_once_cached(tmp_path, vm, state_path):
    """The whole process of a repeated Tab: the cached tree and the cached names, no typer, no store module."""
    env = {**os.environ, "_AUTOPATCH_COMPLETE": "complete_bash", "COMP_WORDS": "autopatch vm show -g rg -n ",
           "COMP_CWORD": "6", "AUTOPATCH_STATE": str(state_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    probe = ("import sys, runpy; sys.argv = ['autopatch']\n"
             "try:\n    runpy.run_module('autopatch_cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(' '.join(m for m in ('typer', 'autopatch_cli.store', 'orjson', 'json', 'shlex')"
             " if m in sys.modules))\n")
    first = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert first.stdout.split() == ["vm"] and "typer" in first.stderr  # the first Tab builds the tree
    again = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert again.stdout.split() == ["vm"]
    assert again.stderr.split() == [], again.stderr


def test_the_values_cache_keeps_a_bounded_number_of_stores(cli, monkeypatch, tmp_path):
    from autopatch_cli import completion

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for number in range(completion.VALUES_FILES_KEPT + 5):
        store = tmp_path / f"s{number}.json"
        assert cli("--state", str(store), "group", "create", "-n", f"g{number}", "-l", "eastus").exit_code == 0
        assert _complete_bash(cli, monkeypatch, f"autopatch vm list --state {store} -g ") == [f"g{number}"]
        monkeypatch.delenv("_AUTOPATCH_COMPLETE")
    names = [p.name for p in (tmp_path / "cache" / "autopatch").iterdir() if p.name.startswith("values-")]
    assert len(names) == completion.VALUES_FILES_KEPT


def test_the_default_store_is_found_without_platformdirs_once_cached(tmp_path, monkeypatch):
    """Without --state or AUTOPATCH_STATE a Tab reads the user data dir's store; where that is (platformdirs)
    is remembered per environment, and a changed HOME or XDG_DATA_HOME is a new lookup."""
    from autopatch_cli import completion
    from autopatch_cli.store import default_path

    monkeypatch.delenv("AUTOPATCH_STATE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert completion._store_path([]) == str(default_path()) == str(tmp_path / "data" / "autopatch" / "state.json")
    assert (tmp_path / "cache" / "autopatch" / "default-store.marshal").exists()
    import platformdirs

    with monkeypatch.context() as patched:
        patched.setattr(platformdirs, "user_data_dir", lambda *a, **k: pytest.fail("platformdirs asked again"))
        assert completion._store_path([]) == str(tmp_path / "data" / "autopatch" / "state.json")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))
    assert completion._store_path([]) == str(tmp_path / "elsewhere" / "autopatch" / "state.json")
