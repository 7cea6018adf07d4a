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

from autopatch_cli.cli.argscan import AZ_NARGS_ANY

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


# ---- the rest of az's parse errors, and what az prints under them -----------------------------------------
# az follows a parse error with up to three examples of the command's help ("Examples from command's help:")
# and its reference link; an error of its root parser (unrecognized arguments) with the link alone.
# autopatch prints its own examples (cli/examples.py) the same way, so the comparison is: the error lines
# byte for byte, the same trailer where az's is the link alone, examples wherever az shows some; and, byte
# for byte, autopatch's recommender given az's own examples (read from tests/az_help) against az's trailer.

HEADER = "Examples from command's help:"
LINK = ["https://aka.ms/cli_ref", "Read more about the command in reference docs"]


def _value_options(verb: str) -> list[str]:
    """The options of a verb that take one value (not flags, not optional-value booleans)."""
    found = []
    for names, text in _options(HELP_DIR / f"{verb}.txt"):
        allowed = _allowed(text)
        if names[0] in FLAGS or names[0] in ("--no-wait", "--output", "--query", "--subscription") or allowed in (
                ["false", "true"], ["0", "1", "f", "false", "n", "no", "t", "true", "y", "yes"]):
            continue
        found.append(names[0])
    return found


def parse_cases() -> list[list[str]]:
    found: list[list[str]] = []
    for verb in VERBS:
        command = _command(verb)
        for option in _value_options(verb):
            if option not in AZ_NARGS_ANY:  # those may stand alone
                found.append([*command, option])  # the value is missing: "expected one argument"
        found.append([*command, "--bogus", "x", "stray", "--other=1"])  # every word az does not take
    found += [
        ["vm", "start", "-g", "--bogus"],  # an option is not a value
        ["vm", "start", "--bogus", "x", "-g"],  # a missing value is found while parsing, before unknown words
        ["vm", "stop", "-g", "rg", "--skip-shutdown", "-n"],
        ["vm", "create", "-g", "rg", "-n", "x", "--count", "abc"],  # an int is checked while parsing
        ["vm", "create", "-g", "rg", "-n", "x", "--image", "img", "--os-disk-size-gb", "1.5", "--bogus"],
        ["vm", "availability-set", "create", "-g", "rg", "-n", "a", "--platform-fault-domain-count", "x"],
        ["vm", "install-patches", "-g", "rg", "-n", "vm"],  # every missing required argument at once
        ["vm", "install-patches", "-g", "rg", "-n", "vm", "--bogus", "1"],  # missing required before unknown
        ["vm", "install-patches", "-g", "rg", "-n", "vm", "--reboot-setting", "bad", "--bogus"],
        ["vm", "start", "-g", "rg", "-n", "vm", "--no-wait", "maybe"],
        ["group", "create", "--bogus", "1"],
        ["group", "create", "-n", "x"],
        ["group", "create", "-n", "x", "--bogus", "y", "-l"],
        ["group", "delete", "-n"],
        ["group", "show", "-n"],
        ["group", "exists", "-n"],
        ["group", "list", "-o", "bad"],
        ["feature", "register", "--namespace", "x"],
        ["vm", "strat", "-g", "rg"],
        # global options without their value (argparse: an option after them is not their value)
        ["vm", "list", "-o"],
        ["vm", "list", "-o", "-g", "rg"],
        ["vm", "list", "-g", "rg", "-o"],
        ["vm", "list", "--subscription", "-g", "rg"],
        ["vm", "show", "-g", "rg", "-n", "vm", "--", "--bogus"],  # '--' and what follows are left over
    ]
    return found


PARSE_CASES = parse_cases()


@pytest.fixture(scope="module")
def az_parse_answers():
    python = az_python()
    if python is None:
        pytest.skip("azure-cli is not installed: set AUTOPATCH_AZ or put az on PATH (.ci/run installs azure-cli "
                    "2.91.0 into .ci/azvenv)")
    return _run_az(python, PARSE_CASES)


def _run_az(python: str, argvs: list[list[str]]) -> dict:
    config = Path(os.environ.get("TMPDIR", "/tmp")) / f"autopatch-az-parse2-{os.getpid()}"
    env = {**os.environ, "AZURE_CONFIG_DIR": str(config), "AZURE_CORE_COLLECT_TELEMETRY": "false",
           "AZURE_CORE_NO_COLOR": "true", "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    try:
        done = subprocess.run([python, str(SCRIPT)], input=json.dumps(argvs), capture_output=True, text=True,
                              env=env, timeout=600)
    finally:
        shutil.rmtree(config, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return {tuple(r["argv"]): r for r in json.loads(done.stdout)}


def _split(stderr: str) -> tuple[list[str], list[str]]:
    """(the error lines, what follows the blank line under them)."""
    lines = stderr.splitlines()
    if "" in lines:
        cut = lines.index("")
        return lines[:cut], lines[cut + 1:]
    return lines, []


def _as_ours(lines: list[str]) -> list[str]:
    return [line.replace("ERROR: az ", "ERROR: autopatch ", 1) for line in lines]


@pytest.mark.parametrize("argv", PARSE_CASES, ids=[" ".join(a) for a in PARSE_CASES])
def test_a_parse_error_reads_as_in_az(az_parse_answers, cli, argv):
    theirs = az_parse_answers[tuple(argv)]
    ours = cli(*argv)
    their_error, their_trailer = _split(theirs["stderr"])
    our_error, our_trailer = _split(ours.stderr)
    assert theirs["exit_code"] == 2, theirs
    assert (ours.exit_code, our_error) == (2, _as_ours(their_error)), (argv, ours.stderr, theirs["stderr"])
    assert their_trailer[-2:] == LINK and our_trailer[-2:] == LINK, (ours.stderr, theirs["stderr"])
    if their_trailer == LINK and (their_error[0].startswith("ERROR: unrecognized arguments")
                                  or "misspelled" in their_error[0]):
        assert our_trailer == LINK  # the root parser's error: the link alone
    if HEADER in their_trailer:
        assert our_trailer[0] == HEADER and all(line.startswith("autopatch ") for line in our_trailer[1::3][:-1])


def _az_examples(verb: str) -> list[tuple[str, str]]:
    """(description, command line) of the Examples section of az's help for ``verb`` (tests/az_help), the
    wrapped lines joined back as az's help file holds them: with a space, or with nothing after a word the
    help broke at its hyphen; a line continuation ('\\' at the end of a line) goes, as az's strip_command
    removes it."""

    def join(lines: list[str]) -> str:
        text = ""
        for line in lines:
            if line.endswith("\\"):  # a line continuation az's strip_command removes
                line = line[:-1].rstrip()
            text += line if not text or (text.endswith("-") and not text.endswith(" -")) else " " + line
        return text

    text = (HELP_DIR / f"{verb}.txt").read_text()
    if "\nExamples\n" not in text:
        return []
    examples: list[tuple[str, str]] = []
    description: list[str] = []
    command: list[str] = []
    for line in text.split("\nExamples\n", 1)[1].splitlines() + ["    "]:
        if line.startswith("        "):
            command.append(line.strip())
        elif line.startswith("    "):  # a description: the one before it is complete (a script spans blank lines)
            if command:
                examples.append((join(description), join(command)))
                description, command = [], []
            description.append(line.strip())
    return examples


RECOMMENDER_CASES = [a for a in PARSE_CASES if f"{a[0]}-{a[1]}" in VERBS and a[1] != "strat"]


@pytest.mark.parametrize("argv", RECOMMENDER_CASES, ids=[" ".join(a) for a in RECOMMENDER_CASES])
def test_the_recommender_given_azs_examples_prints_what_az_prints(az_parse_answers, argv):
    """autopatch's recommender (selection, order, layout), fed az's own examples and told the program is
    "az", prints az's trailer byte for byte."""
    from autopatch_cli.__main__ import root_command
    from autopatch_cli.cli import recommend
    from autopatch_cli.cli.argscan import leaf

    theirs = az_parse_answers[tuple(argv)]
    _, their_trailer = _split(theirs["stderr"])
    if recommend.kind_of(_split(theirs["stderr"])[0][0].removeprefix("ERROR: ")) == recommend.LINK:
        expected = recommend.render([])
    else:
        words, command, _ = leaf(root_command(), argv)
        examples = _az_examples("-".join(words))
        known = {line for _, line in examples} | {description for description, _ in examples}
        unknown = [line for line in their_trailer if line.startswith("az ") and line not in known]
        if unknown:
            pytest.skip(f"az's help data holds this example otherwise than its help text shows it: {unknown[0]}")
        options = [list(p.opts) for p in command.params if p.param_type_name == "option"]
        expected = recommend.render(recommend.recommend(
            " ".join(words), argv, examples, recommend.parameter_mappings(options), prog="az"))
    assert "\n" + "\n".join(their_trailer) + "\n" == expected


QUERY_CASES = [["vm", "list", "--query"], ["vm", "list", "--query", "-g", "rg"], ["vm", "list", "-g", "rg", "--query"]]


@pytest.mark.parametrize("argv", QUERY_CASES, ids=[" ".join(a) for a in QUERY_CASES])
def test_query_without_its_value_reads_as_in_az(cli, argv):
    """--query without its value: az's error and its query reference under it, no examples."""
    python = az_python()
    if python is None:
        pytest.skip("azure-cli is not installed: set AUTOPATCH_AZ or put az on PATH")
    theirs = _run_az(python, [argv])[tuple(argv)]
    ours = cli(*argv)
    assert (ours.exit_code, ours.stderr) == (theirs["exit_code"], theirs["stderr"]), (ours.stderr, theirs["stderr"])
