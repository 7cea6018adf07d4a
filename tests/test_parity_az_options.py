"""Every option az 2.91 parses for a verb autopatch mirrors is accepted by autopatch's parser.

Generated from az's own help texts (tests/az_help, see its PROVENANCE.md): each option is given as
az takes it (a flag alone, a value otherwise; three-state booleans both ways) and must parse. Then a
few values az refuses are refused here with az's message and exit code 2.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

HELP_DIR = Path(__file__).parent / "az_help"

# az's store_true options among the mirrored verbs (azure-cli _params.py: action='store_true'); the
# help texts do not show which options take no value.
FLAGS = frozenset({
    "--accept-term", "--disable-integrity-monitoring-autoupgrade", "--enable-integrity-monitoring", "--validate",
    "--generate-ssh-keys", "--use-unmanaged-disk", "--acquire-policy-token", "--force-string", "--yes",
    "--show-details", "--include-user-data", "--wait", "--skip-authorization-header", "--skip-shutdown",
    "--consent-to-permissions",
})
# --no-wait is a flag on these verbs, an optional-value boolean (aaz) on the others.
NO_WAIT_FLAG_VERBS = frozenset({"vm-create", "vm-update", "vm-stop", "vm-install-patches"})
# Where a value must have a shape: a sample az accepts.
SAMPLES = {
    "--private-ip-address": "10.0.0.5", "--vnet-address-prefix": "10.0.0.0/16",
    "--subnet-address-prefix": "10.0.0.0/24", "--count": "2", "--max-patch-publish-date": "2020-11-19T02:36:43Z",
    "--storage-sku": "Premium_LRS", "--secrets": "[]", "--data-disk-sizes-gb": "10",
    "--data-disk-iops": "100", "--data-disk-mbps": "10", "--os-disk-size-gb": "128",
    "--platform-fault-domain": "1", "--v-cpus-available": "2", "--v-cpus-per-core": "1", "--max-price": "-1",
    "--key-incarnation-id": "1", "--source-resource-size": "10", "--source-disk-restore-point-size-gb": "10",
    "--maximum-duration": "PT4H", "--method": "get", "--uri": "/subscriptions", "--set": "tags.a=b",
    "--add": "tags a=b", "--remove": "tags.a", "--ids": "/subscriptions/s/resourceGroups/rg/providers/"
    "Microsoft.Compute/virtualMachines/vm",
}


def _options(path: Path) -> list[tuple[list[str], str]]:
    """(names, help) of every option outside "Global Arguments", as az prints them."""
    found: list[tuple[list[str], str]] = []
    section = None
    for line in path.read_text().splitlines():
        if line and not line[0].isspace():
            section = line.strip()
            continue
        match = re.match(r"^    (-{1,2}[\w-]+(?: -{1,2}[\w-]+)*)\s+(?:\[[\w ]+\])?\s*:\s?(.*)", line)
        if match and section and "Arguments" in section and section != "Global Arguments":
            found.append((match.group(1).split(), match.group(2)))
        elif found and re.match(r"^\s{20,}\S", line):
            names, text = found[-1]
            found[-1] = (names, f"{text} {line.strip()}")
    return found


VERBS = sorted(p.stem for p in HELP_DIR.glob("*.txt"))
CASES = [(verb, names, text) for verb in VERBS for names, text in _options(HELP_DIR / f"{verb}.txt")]


# What each verb's parser itself requires (the option under test comes after, and wins).
REQUIRED = {"vm-create": ["-n", "v"], "feature-register": ["--namespace", "Microsoft.Compute", "-n", "f"],
            "feature-show": ["--namespace", "Microsoft.Compute", "-n", "f"],
            "feature-unregister": ["--namespace", "Microsoft.Compute", "-n", "f"],
            "provider-register": ["-n", "Microsoft.Compute"], "provider-show": ["-n", "Microsoft.Compute"],
            "rest": ["--uri", "/subscriptions"]}


def _command(verb: str) -> list[str]:
    words = verb.split("-", 1)
    if words[0] == "vm" and len(words) > 1:
        words = ["vm", words[1]]
    return [*words, *REQUIRED.get(verb, [])]


def _allowed(text: str) -> list[str]:
    match = re.search(r"Allowed values: ([^.]*)\.", re.sub(r"(\w)- (\w)", r"\1-\2", text))
    return [v.strip().replace(" ", "") for v in match.group(1).split(",")] if match else []


@functools.cache
def _leaf(words: tuple[str, ...]):
    """The command autopatch runs for these command words (built once)."""
    from typer.core import TyperGroup

    from autopatch_cli.__main__ import root_command

    command = root_command()
    ctx = command.make_context("autopatch", list(words), resilient_parsing=True)
    for word in words:
        if not isinstance(command, TyperGroup):
            break
        command = command.get_command(ctx, word)
    return command


def parse(argv: list[str]) -> dict:
    """autopatch's own parsing of ``argv`` (global arguments, multi-value options, typer), without
    running the command."""
    from autopatch_cli.cli import globals as global_args

    found, rest = global_args.extract(argv)
    if found.command[:2] == ["vm", "availability-set"]:
        words = tuple(found.command[:3])
    elif found.command[0] in ("rest", "configure"):
        words = tuple(found.command[:1])
    else:
        words = tuple(found.command[:2])
    command = _leaf(words)
    args = list(rest)
    for word in words:
        args.remove(word)
    return command.make_context(" ".join(words), args).params


def test_the_help_texts_are_all_here():
    counts = {verb: len(_options(HELP_DIR / f"{verb}.txt")) for verb in VERBS}
    assert counts["vm-create"] == 126 and counts["vm-update"] == 52
    assert sum(counts.values()) >= 279


@pytest.mark.parametrize(("verb", "names", "text"), CASES, ids=[f"{v}:{n[0]}" for v, n, _ in CASES])
def test_every_az_option_parses(verb, names, text):
    command = _command(verb)
    allowed = _allowed(text)
    is_flag = names[0] in FLAGS or (names[0] == "--no-wait" and verb in NO_WAIT_FLAG_VERBS)
    optional_value = not is_flag and allowed in (["false", "true"], ["0", "1", "f", "false", "n", "no", "t", "true", "y", "yes"])
    for name in names:
        if is_flag:
            forms = [[name]]
        elif optional_value:
            forms = [[name], [name, "false"], [name, "TRUE"]]
        else:
            forms = [[name, SAMPLES.get(names[0], allowed[0] if allowed else "value1")]]
        for form in forms:
            if name == "--subscription":  # a global argument here, as in az: taken off wherever it stands
                from autopatch_cli.cli import globals as global_args

                assert global_args.extract([*command, *form])[0].subscription == form[1]
                continue
            # a trailing option checks that nothing after the option is swallowed
            params = parse([*command, *form, "--query", "@"])
            given = True if len(form) == 1 and is_flag else ("true" if len(form) == 1 else form[1])
            assert any(given == v or (isinstance(v, str) and isinstance(given, str) and v.lower() == given.lower())
                       or (isinstance(v, list) and given in v) for v in params.values()), (verb, form, params)


# The mirrored verbs the reference help texts do not cover: their az 2.91 options (azure-cli _params.py),
# each with a value az accepts (None: a flag).
OTHER_VERBS = {
    ("group", "create", "-n", "rg", "-l", "eastus"): {
        "--managed-by": "/subscriptions/s/x", "--tags": "a=b", "--acquire-policy-token": None,
        "--change-reference": "ref"},
    ("group", "delete", "-n", "rg"): {
        "--yes": None, "-y": None, "--no-wait": None, "--force-deletion-types": "Microsoft.Compute/virtualMachines",
        "-f": "Microsoft.Compute/virtualMachines", "--acquire-policy-token": None, "--change-reference": "ref"},
    ("group", "show"): {"--name": "rg", "-n": "rg", "--resource-group": "rg", "-g": "rg"},
    ("group", "exists"): {"--name": "rg", "-n": "rg", "--resource-group": "rg", "-g": "rg"},
    ("group", "list"): {"--tag": "a=b"},
    ("vm", "availability-set", "create", "-n", "as", "-g", "rg"): {
        "--location": "eastus", "-l": "eastus", "--platform-fault-domain-count": "2",
        "--platform-update-domain-count": "5", "--ppg": "ppg1", "--tags": "a=b", "--unmanaged": None,
        "--validate": None, "--no-wait": None},
    ("vm", "availability-set", "show"): {"--name": "as", "-n": "as", "--resource-group": "rg", "-g": "rg",
                                         "--ids": SAMPLES["--ids"]},
    ("vm", "availability-set", "list"): {"--resource-group": "rg", "-g": "rg"},
    ("vm", "wait"): {"--created": None, "--custom": "provisioningState=='Succeeded'", "--deleted": None,
                     "--exists": None, "--interval": "30", "--timeout": "60", "--updated": None,
                     "--ids": SAMPLES["--ids"], "--name": "vm", "-n": "vm", "--resource-group": "rg", "-g": "rg"},
    ("account", "show"): {"--name": "sub", "-n": "sub"},
    ("configure",): {"--defaults": "group=rg", "-d": "group=rg", "--list-defaults": None, "-l": None},
}
OTHER_CASES = [(verb, option, value) for verb, options in OTHER_VERBS.items() for option, value in options.items()]


@pytest.mark.parametrize(("verb", "option", "value"), OTHER_CASES, ids=[f"{' '.join(v[:3])}:{o}" for v, o, _ in OTHER_CASES])
def test_the_other_mirrored_verbs_parse_azs_options(verb, option, value):
    form = [option] if value is None else [option, value]
    params = parse([*verb, *form])
    given = True if value is None else value
    assert any(given == v or str(given) == str(v) or (isinstance(v, (list, tuple)) and given in v)
               for v in params.values()), (verb, form, params)


# ---- values az refuses ---------------------------------------------------------------------------


@pytest.fixture
def rg(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    return cli


@pytest.mark.parametrize(("args", "message"), [
    (("vm", "create", "--security-type", "Secure"),
     "'Secure' is not a valid value for '--security-type'. Allowed values: TrustedLaunch, Standard, ConfidentialVM."),
    (("vm", "create", "--nsg-rule", "HTTP"), "'HTTP' is not a valid value for '--nsg-rule'. Allowed values: RDP, SSH, NONE."),
    (("vm", "create", "--enable-secure-boot", "yes"),
     "'yes' is not a valid value for '--enable-secure-boot'. Allowed values: true, false."),
    (("vm", "create", "--patch-mode", "Sometimes"),
     "'Sometimes' is not a valid value for '--patch-mode'. Allowed values: AutomaticByOS, AutomaticByPlatform, Manual, "
     "ImageDefault."),
    (("vm", "create", "--storage-sku", "Fast_LRS"), "'Fast_LRS' is not a valid value for '--storage-sku'."),
    (("vm", "create", "--os-disk-size-gb", "big"), "argument --os-disk-size-gb: invalid int value: 'big'"),
    (("vm", "update", "--license-type", "Linux"), "'Linux' is not a valid value for '--license-type'."),
    (("vm", "start", "--no-wait", "maybe"),
     "'maybe' is not a valid value for '--no-wait'. Allowed values: true, t, yes, y, 1, false, f, no, n, 0."),
])
def test_values_az_refuses(rg, args, message):
    common = ("-g", "rg", "-n", "v", "--image", "Win2019Datacenter", "--admin-password", "Str0ng!Passw0rd#")
    if args[1] != "create":
        common = ("-g", "rg", "-n", "v")
    before = rg("group", "show", "-n", "rg").stdout
    result = rg(*args, *common)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert rg("vm", "list", "-g", "rg", "--query", "length(@)").json == 0
    assert rg("group", "show", "-n", "rg").stdout == before
