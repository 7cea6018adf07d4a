"""Help as az users read it: one place to install completion, whole descriptions, global arguments everywhere."""

from __future__ import annotations

import pytest


def _walk():
    """(words, command) for every group and verb autopatch has, built as the command line builds them."""
    from typer._click.core import Context

    from autopatch_cli.__main__ import root_command

    root = root_command()
    found = []

    def visit(words, command, parent):
        ctx = Context(command, info_name=words[-1] if words else "autopatch", parent=parent)
        found.append((words, command))
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                visit([*words, name], command.get_command(ctx, name), ctx)

    visit([], root, None)
    return found


COMMANDS = _walk()


def test_completion_is_offered_once_at_the_top_level():
    offered = [" ".join(words) for words, command in COMMANDS
               if any(p.name in ("install_completion", "show_completion") for p in command.params)]
    assert offered == [""]


@pytest.mark.parametrize("words", [w for w, c in COMMANDS if w and c.name and hasattr(c, "list_commands")] + [[]],
                         ids=lambda w: " ".join(w) or "autopatch")
def test_every_group_shows_the_global_arguments_and_whole_descriptions(cli, words):
    shown = cli(*words, "--help")
    assert shown.exit_code == 0, shown.stderr
    assert "Global Arguments:" in shown.stdout and "--query" in shown.stdout
    commands = shown.stdout.split("Commands:", 1)[1].split("Global Arguments:", 1)[0]
    assert "..." not in commands


def test_subcommands_reject_install_completion(cli):
    refused = cli("tick", "--install-completion")
    assert refused.exit_code == 2 and "unrecognized arguments: --install-completion" in refused.stderr


def _examples():
    """(verb, command line) of every example in every verb's help, as the help prints them."""
    found = []
    for words, command in COMMANDS:
        if not words or hasattr(command, "list_commands") or words[0][:1].isupper():
            continue
        text = command.epilog or ""
        if "Examples" not in text:
            continue
        body = text.split("Examples", 1)[1].split("Global Arguments:", 1)[0]
        for line in body.splitlines():
            if line.startswith("        autopatch "):
                found.append((" ".join(words), line.strip()))
    return found


EXAMPLES = _examples()
# Verbs whose examples would need what a test cannot give in-process (a server that runs until stopped).
RUN_APART = {"serve"}


def test_every_verb_has_examples():
    verbs = {" ".join(w) for w, c in COMMANDS if w and not hasattr(c, "list_commands") and not w[0][:1].isupper()}
    # a verb that writes its own examples in its epilog (az-env: they need a server and az) keeps them
    own = {" ".join(w) for w, c in COMMANDS if "Examples:" in (c.epilog or "")}
    assert verbs - own - {verb for verb, _ in EXAMPLES} == set()


@pytest.fixture(scope="module")
def example_store(tmp_path_factory):
    """The store the examples assume: the guide's opt-in, MyResourceGroup, MyVm and MyAvSet."""
    from helpers import run

    path = tmp_path_factory.mktemp("examples") / "state.json"
    for args in (
        ("group", "create", "-n", "MyResourceGroup", "-l", "eastus"),
        ("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview"),
        ("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestPatchVMPreview"),
        ("tick", "--minutes", "20"),
        ("provider", "register", "--namespace", "Microsoft.Compute"),
        ("vm", "create", "-g", "MyResourceGroup", "-n", "MyVm", "--image", "Win2019Datacenter", "--admin-password",
         "Str0ng!Passw0rd", "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform"),
        ("vm", "availability-set", "create", "-g", "MyResourceGroup", "-n", "MyAvSet"),
        ("tick", "--days", "35"),
    ):
        result = run("--state", str(path), *args, "-o", "none")
        assert result.exit_code == 0, (args, result.stderr)
    return path


@pytest.mark.parametrize(("verb", "line"), [e for e in EXAMPLES if e[0] not in RUN_APART],
                         ids=[f"{v}:{i}" for i, (v, _) in enumerate(e for e in EXAMPLES if e[0] not in RUN_APART)])
def test_each_example_runs_as_printed(cli, example_store, tmp_path, monkeypatch, verb, line):
    import shlex
    import shutil
    import tempfile

    store = tmp_path / "state.json"
    shutil.copy(example_store, store)
    monkeypatch.setenv("AUTOPATCH_STATE", str(store))
    monkeypatch.chdir(tmp_path)
    # `demo --keep` keeps its throwaway store: keep it in the test's folder, not the machine's /tmp
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    for before in PREPARE.get(verb, ()):
        if "{configId}" in before:
            config_id = cli("maintenance", "configuration", "show", "-g", "MyResourceGroup", "-n", "MySchedule",
                            "--query", "id", "-o", "tsv").stdout.strip()
            before = tuple(w.replace("{configId}", config_id) for w in before)
        assert cli(*before).exit_code == 0, before
    words = shlex.split(line)
    assert words[0] == "autopatch"
    if any(word in ("<", "|", ">") for word in words) or "$(" in line:  # a shell line: run it as a shell would
        import subprocess
        import sys

        shell = f'autopatch() {{ "{sys.executable}" -m autopatch_cli "$@"; }}\n{line}\n'
        ran = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, cwd=tmp_path)
        assert ran.returncode == 0, (line, ran.stderr)
        return
    ran = cli(*words[1:], *(() if "-o" in words else ("-o", "json")))
    assert ran.exit_code == 0, (line, ran.stderr)


# What an example assumes was done before it (the verb before it in a session).
def _cmdlet_examples():
    """(cmdlet, command line) of every example in the cmdlets' help, as Get-Help prints them."""
    from autopatch_cli.cli.powershell import CMDLETS, help_text

    found = []
    for name, cmdlet in CMDLETS.items():
        body = help_text(cmdlet).split("\nEXAMPLES\n", 1)[-1].split("\nNOTES\n", 1)[0]
        found += [(name, line.strip()) for line in body.splitlines() if line.startswith("    autopatch ")]
    return found


CMDLET_EXAMPLES = _cmdlet_examples()


def test_every_cmdlet_has_examples_in_its_help(cli):
    from autopatch_cli.cli.powershell import CMDLETS

    assert set(CMDLETS) - {name for name, _ in CMDLET_EXAMPLES} == set()
    shown = cli("Get-AzVM", "-?")
    assert "EXAMPLES" in shown.stdout and "-------------- Example 1: Get the properties of a VM" in shown.stdout


@pytest.mark.parametrize(("verb", "line"), CMDLET_EXAMPLES, ids=[f"{v}:{i}" for i, (v, _) in enumerate(CMDLET_EXAMPLES)])
def test_each_cmdlet_example_runs_as_printed(cli, example_store, tmp_path, monkeypatch, verb, line):
    test_each_example_runs_as_printed(cli, example_store, tmp_path, monkeypatch, verb, line)


PREPARE = {
    "config get": [("config", "set", "core.output=table")],
    "state import": [("state", "export", "fleet.json")],
    "state restore": [("state", "snapshot", "before-tick")],
    "state delete-snapshot": [("state", "snapshot", "before-tick")],
}
# the maintenance verbs need a schedule (and an assignment of it, whose id names the store's subscription)
_SCHEDULE = ("maintenance", "configuration", "create", "-g", "MyResourceGroup", "--resource-name", "MySchedule",
             "--maintenance-scope", "InGuestPatch", "--maintenance-window-duration", "03:00",
             "--maintenance-window-recur-every", "Day", "--maintenance-window-start-date-time", "2020-11-14 22:00")
_ASSIGNMENT = ("maintenance", "assignment", "create", "-g", "MyResourceGroup", "--resource-name", "MyVm",
               "--resource-type", "virtualMachines", "--provider-name", "Microsoft.Compute", "-n", "MySchedule",
               "--maintenance-configuration-id", "{configId}")
for _verb in ("configuration show", "configuration update", "configuration delete", "assignment create"):
    PREPARE[f"maintenance {_verb}"] = [_SCHEDULE]
PREPARE["New-AzConfigurationAssignment"] = [_SCHEDULE]
for _verb in ("assignment show", "assignment delete"):
    PREPARE[f"maintenance {_verb}"] = [_SCHEDULE, _ASSIGNMENT]


def test_the_serve_example_serves(example_store, tmp_path):
    import shlex
    import subprocess

    from helpers import entry_point

    (line,) = [line for verb, line in EXAMPLES if verb == "serve"]
    process = subprocess.Popen([*entry_point(), *shlex.split(line)[1:], "--state", str(example_store)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith("Serving the ARM REST API on http://127.0.0.1:")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(("args", "word", "suggested"), [
    (("vm", "creat"), "'creat' is misspelled or not recognized by the system.", "create"),
    (("grop", "list"), "'grop' is misspelled or not recognized by the system.", "group"),
    (("vm", "availability-set", "lst"), "'lst' is misspelled or not recognized by the system.", "list"),
    (("vm", "list", "-o", "tabel"), "'tabel' is not a valid value for '--output'.", "table"),
    (("vm", "create", "-g", "rg", "-n", "v", "--image", "Win2019Datacenter", "--admin-password", "Str0ng!Passw0rd",
      "--patch-mode", "AutomaticByPlatfrom"), "'AutomaticByPlatfrom' is not a valid value for '--patch-mode'.",
     "AutomaticByPlatform"),
])
def test_a_mistyped_word_gets_azs_suggestion(cli, args, word, suggested):
    refused = cli(*args)
    assert refused.exit_code == 2
    first, second = refused.stderr.splitlines()[:2]
    assert first.startswith("ERROR: ") and word in first
    assert second == f"Did you mean '{suggested}' ?"


def test_nothing_close_gets_no_suggestion(cli):
    refused = cli("vm", "frobnicate")
    assert refused.stderr == ("ERROR: 'frobnicate' is misspelled or not recognized by the system.\n\n"
                              "https://aka.ms/cli_ref\nRead more about the command in reference docs\n")
