"""Bad values in every option of every verb: an az-style error and the store unchanged, or accepted
only where Azure accepts the value; never a crash, never a hang.

The verbs and their options come from the command tree itself, so a new option is fuzzed the day it
is added. Each verb starts from a valid invocation on a small world (two groups, an availability set,
two VMs) and gets one option's value replaced by a bad one. A case that runs longer than
``CASE_SECONDS`` fails (SIGALRM), so a hang is a failure, not a stuck suite.

CI runs each option with two of the bad values (rotating, so every value is used across options);
``-m slow`` runs every option with every value.
"""

from __future__ import annotations

import signal

import pytest
from conftest import PASSWORD, run

CASE_SECONDS = 20

# Values no option should take as they are: empty, blank, a trailing newline, undecodable bytes (a lone
# surrogate, as Python receives them), numbers out of every range, a missing @file, broken JSON, a very
# long text, path tricks, wildcards and non-ASCII text.
BAD_VALUES = ("", " ", "vm1\n", "\udc80", "nan", "-1", "1e308", "@/nonexistent/dir/file.json", "{", "a" * 300,
              "../../etc", "*", "ümlaut\u200b")

# A valid invocation of each verb; the fuzzed option's value replaces or joins these.
_VM_TARGET = ("-g", "rg", "--resource-name", "vm1", "--resource-type", "virtualMachines", "--provider-name",
              "Microsoft.Compute")
BASE = {
    ("maintenance", "configuration", "create"): ("-g", "rg", "-n", "sched", "--maintenance-scope", "InGuestPatch",
                                                 "--maintenance-window-duration", "03:00",
                                                 "--maintenance-window-recur-every", "Day",
                                                 "--maintenance-window-start-date-time", "2020-11-14 22:00"),
    ("maintenance", "configuration", "update"): ("-g", "rg", "-n", "sched"),
    ("maintenance", "configuration", "show"): ("-g", "rg", "-n", "sched"),
    ("maintenance", "configuration", "list"): (),
    ("maintenance", "configuration", "delete"): ("-g", "rg", "-n", "sched", "--yes"),
    ("maintenance", "assignment", "create"): (*_VM_TARGET, "-n", "sched", "--maintenance-configuration-id",
                                              "/subscriptions/x/resourceGroups/rg/providers/"
                                              "Microsoft.Maintenance/maintenanceConfigurations/sched"),
    ("maintenance", "assignment", "list"): _VM_TARGET,
    ("maintenance", "assignment", "show"): (*_VM_TARGET, "-n", "sched"),
    ("maintenance", "assignment", "delete"): (*_VM_TARGET, "-n", "sched", "--yes"),
    ("account", "show"): (),
    ("az-env",): ("--shell", "bash"),
    ("state", "show"): (),
    ("catalog", "list"): (),
    ("catalog", "publish"): ("--kb", "5999999"),
    ("clock", "show"): (),
    ("clock", "set"): ("2020-10-02T00:00:00Z",),
    ("config", "get"): ("core.output",),
    ("config", "set"): ("core.output=json",),
    ("config", "unset"): ("core.output",),
    ("configure",): (),
    ("feature", "register"): ("--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview"),
    ("feature", "unregister"): ("--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview"),
    ("feature", "show"): ("--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview"),
    ("feature", "list"): (),
    ("group", "create"): ("--name", "rg9", "--location", "eastus"),
    ("group", "show"): ("--name", "rg"),
    ("group", "list"): (),
    ("group", "exists"): ("--name", "rg"),
    ("group", "delete"): ("--name", "rgw", "--yes"),
    ("orchestration", "show"): (),
    ("orchestration", "plan"): (),
    ("orchestration", "history"): (),
    ("orchestration", "why"): ("-g", "rg", "-n", "vm1"),
    ("orchestration", "windows"): (),
    ("orchestration", "timeline"): (),
    ("provider", "register"): ("--namespace", "Microsoft.Compute"),
    ("provider", "unregister"): ("--namespace", "Microsoft.Compute"),
    ("provider", "show"): ("--namespace", "Microsoft.Compute"),
    ("provider", "list"): (),
    ("rest",): ("--url", "/subscriptions/{subscriptionId}/resourceGroups/rg?api-version=2020-06-01"),
    ("sim", "requirement", "show"): ("-g", "rg", "-n", "vm1"),
    ("sim", "requirement", "set"): ("-g", "rg", "-n", "vm1", "--agent", "ready"),
    ("sim", "fault", "add"): ("-g", "rg", "-n", "vm1", "--kind", "install-fails"),
    ("sim", "fault", "clear"): ("-g", "rg", "-n", "vm1"),
    ("sim", "fault", "list"): (),
    ("tick",): ("--minutes", "5"),
    ("vm", "create"): ("-g", "rg", "-n", "vm9", "--image", "Win2019Datacenter", "--admin-password", PASSWORD),
    ("vm", "update"): ("-g", "rg", "-n", "vm1", "--set", "tags.a=b"),
    ("vm", "show"): ("-g", "rg", "-n", "vm1"),
    ("vm", "list"): (),
    ("vm", "get-instance-view"): ("-g", "rg", "-n", "vm1"),
    ("vm", "delete"): ("-g", "rg", "-n", "man", "--yes"),
    ("vm", "start"): ("-g", "rg", "-n", "vm1"),
    ("vm", "stop"): ("-g", "rg", "-n", "vm1"),
    ("vm", "deallocate"): ("-g", "rg", "-n", "vm1"),
    ("vm", "restart"): ("-g", "rg", "-n", "vm1"),
    ("vm", "assess-patches"): ("-g", "rg", "-n", "vm1"),
    ("vm", "install-patches"): ("-g", "rg", "-n", "vm1", "--maximum-duration", "PT2H", "--reboot-setting",
                                "IfRequired", "--classifications-to-include-win", "Critical"),
    ("vm", "wait"): ("-g", "rg", "-n", "vm1", "--created", "--timeout", "60"),
    ("vm", "availability-set", "create"): ("-g", "rg", "-n", "as9"),
    ("vm", "availability-set", "show"): ("-g", "rgw", "-n", "aswest"),
    ("vm", "availability-set", "list"): (),
}
# Not fuzzed here: `serve` runs until stopped (tests/test_serve.py drives it), `demo` builds its own
# throwaway store (tests/test_bad_input.py covers its options), and the PowerShell cmdlets parse their
# own parameters (tests/test_powershell.py).
SKIPPED_VERBS = {("serve",), ("demo",)} | {("state", verb) for verb in (
    "reset", "export", "import", "snapshot", "restore", "snapshots", "delete-snapshot")}  # they replace the store by design
SKIPPED_OPTIONS = {"--install-completion", "--show-completion"}

# (verb, option) pairs where Azure takes any text, so an odd value is accepted, not refused: free-form
# values (tags, a JMESPath condition the wait evaluates, the fault's or the requirement's own words are
# checked), request bodies/headers az passes through, the output file az writes to, az's accepted-and-
# ignored options.
ACCEPTS_ANY_TEXT = {
    (("group", "create"), "--tags"),
    (("group", "create"), "--managed-by"),
    (("group", "list"), "--tag"),
    (("vm", "create"), "--tags"),
    (("vm", "availability-set", "create"), "--tags"),
    (("rest",), "--resource"),
    (("rest",), "--headers"),
    (("rest",), "--output-file"),
    (("vm", "wait"), "--custom"),
    (("catalog", "publish"), "--name"),
    (("provider", "register"), "--management-group-id"),
}
# Single values Azure (or az) accepts for an option, with the reason.
ACCEPTED = {
    # az's --expand is passed to ARM, which ignores what it does not know
    (("provider", "show"), "--expand"): BAD_VALUES,
    (("provider", "list"), "--expand"): BAD_VALUES,
    # a filter that matches nothing lists nothing: az prints []
    (("orchestration", "history"), "--release"): BAD_VALUES,
    (("orchestration", "history"), "--operation"): BAD_VALUES,
    # --set of a string property to any text (tags.a) is valid
    (("vm", "update"), "--set"): (),
    # az's --body is sent as it is; ARM answers each (covered by the exit code and the store check)
    (("rest",), "--body"): BAD_VALUES,  # the base request is a GET: ARM ignores its body
    # a negative or huge --timeout just polls zero or many times in simulated time (az's range())
    (("vm", "wait"), "--timeout"): ("-1", "1e308", "nan"),
    # az vm wait --created on a VM that does not exist (yet) polls until its timeout, whatever the name
    (("vm", "wait"), "--name"): BAD_VALUES,
    (("vm", "wait"), "--resource-group"): BAD_VALUES,
    # `az config get SECTION` lists the section's settings: an unknown section lists none ([])
    (("config", "get"), None): BAD_VALUES,
    # `az config unset` of a key that is not set does nothing, quietly
    (("config", "unset"), None): BAD_VALUES,
    # `az group exists` answers false for a name no group has (ARM's HEAD gives 404)
    (("group", "exists"), "--name"): BAD_VALUES,
    # filters of the autopatch-only views: a group with no VMs shows none
    (("orchestration", "history"), "--resource-group"): BAD_VALUES,
    (("orchestration", "windows"), "--resource-group"): BAD_VALUES,
    # an empty --admin-username is az's default user name; a Windows computer name may look like a number
    (("vm", "create"), "--admin-username"): ("", "nan", "-1", "1e308"),  # az's Windows rule allows these
    (("vm", "create"), "--computer-name"): ("", "1e308", "-1", "nan"),
    # names that look like numbers are names (letters, digits, '-', '.', '_' are allowed)
    (("group", "create"), "--name"): ("nan", "-1", "1e308"),
    (("vm", "create"), "--name"): ("nan", "1e308"),
    (("vm", "availability-set", "create"), "--name"): ("nan", "1e308"),
    # az reads an empty optional value as not given: all namespaces, all groups, no zone
    (("feature", "list"), "--namespace"): ("",),
    (("vm", "list"), "--resource-group"): ("",),
    (("vm", "availability-set", "list"), "--resource-group"): ("",),
    (("vm", "create"), "--zone"): ("",),
    (("vm", "create"), "--location"): ("",),  # the group's location
    (("vm", "create"), "--availability-set"): ("",),
    (("vm", "create"), "--size"): ("",),  # az's default size
    (("vm", "update"), "--size"): ("",),  # no resize
    (("vm", "availability-set", "create"), "--location"): ("",),
    (("orchestration", "timeline"), "--export"): ("",),  # no export
}


# The options whose accepted values were checked against Azure one by one (the verbs' options when this
# test was written). Every other option is held to the rest (no crash, no hang, an ERROR: line and the
# store unchanged when refused); what it accepts is its author's to check and add here.
REVIEWED = {
    ("catalog", "list"): {"--month", "--os"},
    ("catalog", "publish"): {"--kb", "--name", "--classification", "--reboot-behavior", "--os", "--fault"},
    ("clock", "set"): {None, "--seed"},
    ("config", "set"): {None}, ("config", "get"): {None}, ("config", "unset"): {None},
    ("feature", "register"): {"--namespace", "--name"}, ("feature", "unregister"): {"--namespace", "--name"},
    ("feature", "show"): {"--namespace", "--name"}, ("feature", "list"): {"--namespace"},
    ("group", "create"): {"--name", "--location", "--tags", "--managed-by"}, ("group", "show"): {"--name"},
    ("group", "list"): {"--tag"}, ("group", "exists"): {"--name"}, ("group", "delete"): {"--name"},
    ("orchestration", "history"): {"--resource-group", "--name", "--release", "--operation"},
    ("orchestration", "why"): {"--resource-group", "--name"},
    ("orchestration", "windows"): {"--resource-group", "--name"},
    ("orchestration", "timeline"): {"--release", "--days", "--export"},
    ("provider", "register"): {"--namespace", "--management-group-id"},
    ("provider", "unregister"): {"--namespace"}, ("provider", "show"): {"--namespace", "--expand"},
    ("provider", "list"): {"--expand"},
    ("rest",): {"--url", "--method", "--body", "--headers", "--uri-parameters", "--output-file", "--resource"},
    ("sim", "requirement", "show"): {"--resource-group", "--name"},
    ("sim", "requirement", "set"): {"--resource-group", "--name", "--agent", "--windows-update-service",
                                    "--update-source-reachable", "--update-source"},
    ("sim", "fault", "add"): {"--resource-group", "--name", "--kind", "--count"},
    ("sim", "fault", "clear"): {"--resource-group", "--name"}, ("sim", "fault", "list"): {"--resource-group", "--name"},
    ("tick",): {"--minutes", "--hours", "--days", "--until"},
    ("vm", "create"): {"--name", "--resource-group", "--image", "--location", "--zone", "--availability-set", "--size",
                       "--tags", "--admin-username", "--admin-password", "--enable-agent", "--enable-auto-update",
                       "--patch-mode", "--enable-hotpatching", "--time-zone", "--computer-name", "--count",
                       "--authentication-type"},
    ("vm", "update"): {"--resource-group", "--name", "--ids", "--set", "--add", "--remove", "--size"},
    **{("vm", verb): {"--resource-group", "--name", "--ids"} for verb in (
        "show", "get-instance-view", "delete", "start", "stop", "deallocate", "restart", "assess-patches")},
    ("vm", "list"): {"--resource-group"},
    ("vm", "install-patches"): {"--resource-group", "--name", "--ids", "--maximum-duration", "--reboot-setting",
                                "--classifications-to-include-win", "--classifications-to-include-linux",
                                "--exclude-kbs-requiring-reboot", "--kb-numbers-to-exclude", "--kb-numbers-to-include",
                                "--max-patch-publish-date", "--package-name-masks-to-exclude",
                                "--package-name-masks-to-include"},
    ("vm", "wait"): {"--resource-group", "--name", "--ids", "--custom", "--interval", "--timeout"},
    ("vm", "availability-set", "create"): {"--name", "--resource-group", "--location", "--platform-fault-domain-count",
                                           "--platform-update-domain-count", "--tags"},
    ("vm", "availability-set", "show"): {"--resource-group", "--name", "--ids"},
    ("vm", "availability-set", "list"): {"--resource-group"},
}


def _verbs():
    from typer._click import Context

    from autopatch_cli.__main__ import root_command

    root = root_command()
    found = []

    def walk(command, path, ctx):
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    walk(sub, (*path, name), Context(sub, parent=ctx, info_name=name))
            return
        if path in SKIPPED_VERBS or path[0][:1].isupper():
            return
        options = [p for p in command.params if p.param_type_name == "option" and not p.is_flag
                   and p.opts[0] not in SKIPPED_OPTIONS]
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        found.append((path, [p.opts[0] for p in options], len(arguments)))

    walk(root, (), Context(root, info_name="autopatch"))
    return found


VERBS = _verbs()


def _with_value(base: tuple[str, ...], option: str | None, value: str) -> tuple[str, ...]:
    """``base`` with ``option``'s value replaced by ``value`` (or the option added); None: the positional."""
    args = list(base)
    if option is None:
        return (value, *args[1:]) if args else (value,)
    if option in args:
        args[args.index(option) + 1] = value
        return tuple(args)
    return (*args, option, value)


class CaseTimeout(BaseException):
    """Raised by SIGALRM: not an Exception, so the command's own error handling cannot swallow it."""


def _alarm(signum, frame):
    raise CaseTimeout()


@pytest.fixture(scope="module")
def world_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "world.json"
    state = ("--state", str(path))
    for args in (
        ("group", "create", "-n", "rg", "-l", "eastus"),
        ("group", "create", "-n", "rgw", "-l", "westus"),
        ("vm", "availability-set", "create", "-g", "rgw", "-n", "aswest"),
        ("vm", "create", "-g", "rg", "-n", "vm1", "--image", "Win2019Datacenter", "--admin-password", PASSWORD),
        ("vm", "create", "-g", "rg", "-n", "man", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
         "--patch-mode", "Manual", "--enable-auto-update", "false"),
    ):
        assert run(*args, *state).exit_code == 0, args
    return path.read_bytes()


def _cases(options: list[str], arguments: int, every_value: bool):
    slots = [None] * arguments + options
    for index, option in enumerate(slots):
        values = BAD_VALUES if every_value else [BAD_VALUES[(index * 2 + k) % len(BAD_VALUES)] for k in range(2)]
        for value in values:
            yield option, value


def _accepted_by_azure(path, option, value) -> bool:
    if (path, option) in ACCEPTS_ANY_TEXT:
        return True
    return value in ACCEPTED.get((path, option), ())


def _check_verb(path, options, arguments, world_bytes, state_path, every_value):
    if path not in BASE:
        return [f"{' '.join(path)}: no valid base invocation in BASE (add one so its options are fuzzed)"]
    problems = []
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for option, value in _cases(options, arguments, every_value):
            state_path.write_bytes(world_bytes)
            args = (*path, *_with_value(BASE[path], option, value))
            shown = f"{' '.join(path)} {option or 'ARG'}={value!r}"
            signal.alarm(CASE_SECONDS)
            try:
                result = run(*args)
            except CaseTimeout:
                problems.append(f"{shown}: still running after {CASE_SECONDS} s")
                continue
            finally:
                signal.alarm(0)
            stderr = result.stderr
            if "unexpected error" in stderr or "Traceback" in stderr:
                problems.append(f"{shown}: crashed: {stderr.strip()[:300]}")
            elif result.exit_code not in (0, 1, 2, 3):
                problems.append(f"{shown}: exit code {result.exit_code}")
            elif result.exit_code:
                lines = [line for line in stderr.splitlines() if not line.startswith("WARNING: ")]
                if not lines or not lines[0].startswith("ERROR: ") or len(stderr) < len("ERROR: ") + 10:
                    problems.append(f"{shown}: refused without an ERROR: line: {stderr[:200]!r}")
                if state_path.exists() and state_path.read_bytes() != world_bytes:
                    problems.append(f"{shown}: refused, but the store changed")
            elif value == "\udc80" or (option in REVIEWED.get(path, ()) and not _accepted_by_azure(path, option, value)):
                problems.append(f"{shown}: accepted (exit 0), which Azure would not")
    finally:
        signal.signal(signal.SIGALRM, previous)
    return problems


@pytest.mark.parametrize(("path", "options", "arguments"), VERBS, ids=[" ".join(v[0]) for v in VERBS])
def test_bad_values_in_every_option(path, options, arguments, world_bytes, state_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # --output-file and --export write where they are told
    problems = _check_verb(path, options, arguments, world_bytes, state_path, every_value=False)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize(("path", "options", "arguments"), VERBS, ids=[" ".join(v[0]) for v in VERBS])
def test_every_bad_value_in_every_option(path, options, arguments, world_bytes, state_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    problems = _check_verb(path, options, arguments, world_bytes, state_path, every_value=True)
    assert not problems, "\n".join(problems)
