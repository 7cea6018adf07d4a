"""az's parse errors without az (tests/test_real_az_errors.py compares them with az 2.91 itself): the
examples and reference link az prints under them, argparse's order (a value missing while parsing, then
missing required arguments, then every word the command does not take) and that nothing runs after one."""

from __future__ import annotations

import pytest

from autopatch_cli.cli import recommend

LINK = "https://aka.ms/cli_ref\nRead more about the command in reference docs\n"


def test_a_parse_error_gets_the_commands_examples_best_first(cli):
    """The example using more of the user's options comes first; among equals, the one with fewer options."""
    refused = cli("vm", "stop", "-g", "rg", "--skip-shutdown", "-n")
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr == (
        "ERROR: argument --name/-n: expected one argument\n"
        "\n"
        "Examples from command's help:\n"
        "autopatch vm stop -g MyResourceGroup -n MyVm --skip-shutdown\n"
        "Power off a running VM without shutting down.\n"
        "\n"
        "autopatch vm stop -g MyResourceGroup -n MyVm\n"
        "Power off (stop) a running VM.\n"
        "\n" + LINK)
    plain = cli("vm", "stop", "-g", "rg", "-n")
    assert plain.stderr.split("\n")[3] == "autopatch vm stop -g MyResourceGroup -n MyVm"  # fewer options first


@pytest.mark.parametrize(("argv", "error"), [
    (("vm", "start", "-g"), "argument --resource-group/-g: expected one argument"),
    (("vm", "start", "-g", "--bogus"), "argument --resource-group/-g: expected one argument"),  # not a value
    (("vm", "start", "--bogus", "x", "-g"), "argument --resource-group/-g: expected one argument"),
    (("group", "create", "--bogus", "1"),
     "the following arguments are required: --name/--resource-group/-n/-g, --location/-l"),
    (("group", "delete", "-n"), "argument --name/-n/--resource-group/-g: expected one argument"),
    (("vm", "availability-set", "create", "-g", "rg", "-n", "a", "--platform-fault-domain-count", "x"),
     "argument --platform-fault-domain-count: invalid int value: 'x'"),
    (("vm", "create", "-g", "rg", "-n", "x", "--count", "abc"), "argument --count: invalid int value: 'abc'"),
    (("vm", "create", "-n", "x", "--image", "Win2019Datacenter"),
     "the following arguments are required: --resource-group/-g"),
    (("vm", "install-patches", "-g", "rg", "-n", "vm", "--bogus"),
     "the following arguments are required: --maximum-duration, --reboot-setting"),
    (("group", "list", "-o", "bad"), "autopatch group list: 'bad' is not a valid value for '--output'. Allowed "
     "values: json, jsonc, yaml, yamlc, table, tsv, none."),
    # a global option without its value: named as az names it, an option after it is not its value
    (("vm", "list", "-o"), "argument --output/-o: expected one argument"),
    (("vm", "list", "--output"), "argument --output/-o: expected one argument"),
    (("vm", "list", "-o", "-g", "rg"), "argument --output/-o: expected one argument"),
    (("vm", "list", "-g", "rg", "-o"), "argument --output/-o: expected one argument"),
    (("vm", "list", "--subscription", "-g", "rg"), "argument --subscription: expected one argument"),
])
def test_errors_of_the_commands_parser_read_as_in_az_with_examples(cli, argv, error):
    refused = cli(*argv)
    assert refused.exit_code == 2
    lines = refused.stderr.split("\n")
    assert lines[:3] == [f"ERROR: {error}", "", "Examples from command's help:"], refused.stderr
    assert (lines[3] + " ").startswith(f"autopatch {' '.join(argv[:3] if argv[1] == 'availability-set' else argv[:2])} ")
    assert refused.stderr.endswith("\n\n" + LINK)


@pytest.mark.parametrize(("argv", "words"), [
    (("vm", "start", "-g", "rg", "-n", "vm", "extra1", "--bogus=3", "extra2"), "extra1 --bogus=3 extra2"),
    (("vm", "start", "-g", "rg", "--bogus", "x"), "--bogus x"),
    (("vm", "install-patches", "-g", "rg", "-n", "vm", "--maximum-duration", "PT4H", "--reboot-setting", "Never",
      "--bogus", "1"), "--bogus 1"),
    (("vm", "assess-patches", "-g", "rg", "--bogus"), "--bogus"),  # before az's own check of -n, made later
    (("state", "show", "--bogus", "x"), "--bogus x"),
    (("vm", "show", "-g", "rg", "-n", "v1", "--", "--bogus"), "-- --bogus"),  # '--' ends the options: left over
    (("vm", "show", "-g", "rg", "-n", "v1", "--"), "--"),
])
def test_unrecognized_words_are_all_named_with_the_link_alone(cli, argv, words):
    refused = cli(*argv)
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == f"ERROR: unrecognized arguments: {words}\n\n{LINK}"


def test_a_command_line_with_unknown_words_changes_nothing(cli, vm):
    before = vm.read_bytes()
    for argv in (("group", "delete", "-n", "rg", "--yes", "--bogus"),
                 ("vm", "stop", "-g", "rg", "-n", "vm", "--skip-shutdown", "no"),
                 ("vm", "update", "-g", "rg", "-n", "vm", "--set", "tags.a=b", "--bogus"),
                 ("vm", "delete", "-g", "rg", "-n", "vm", "--yes", "stray")):
        refused = cli(*argv)
        assert refused.exit_code == 2, (argv, refused.stderr)
        assert refused.stderr.startswith("ERROR: unrecognized arguments: ")  # no warning of what it would do
        assert vm.read_bytes() == before, argv
    assert cli("vm", "show", "-g", "rg", "-n", "vm", "--query", "tags").json == {}


def test_error_recommendation_off_leaves_the_error_line_alone(cli):
    assert cli("config", "set", "core.error_recommendation=off").exit_code == 0
    assert cli("vm", "start", "-g").stderr == "ERROR: argument --resource-group/-g: expected one argument\n"
    assert cli("vm", "list", "--bogus").stderr == "ERROR: unrecognized arguments: --bogus\n"
    assert cli("config", "set", "core.error_recommendation=on").exit_code == 0
    assert cli("vm", "list", "--bogus").stderr.endswith(LINK)


@pytest.mark.parametrize("argv", [
    ("group", "show", "-n", "nope"),  # the service's error (exit 3)
    ("vm", "list", "--query", "[["),  # --query: az points at its query guide instead
    ("Get-AzVM", "-Bogus"),  # a PowerShell cmdlet reports PowerShell's way
    ("gEt-AzVm", "--bogus", "x"),
])
def test_other_errors_get_no_examples(cli, argv):
    refused = cli(*argv)
    assert refused.exit_code != 0
    assert "cli_ref" not in refused.stderr and "Examples from" not in refused.stderr, refused.stderr


def test_the_recommender_ranks_as_azs():
    """azure-cli's CommandRecommender: matches of the user's options (short read as long), other commands'
    examples last, fewer options first among equals, help order for ties, three at most."""
    mappings = recommend.parameter_mappings([["--resource-group", "-g"], ["--name", "-n"], ["--skip-shutdown"]])
    examples = [
        ("other command", "autopatch vm list -g G"),
        ("ids", "autopatch vm stop --ids X --query Q -o tsv"),
        ("plain", "autopatch vm stop -g G -n N"),
        ("plain again", "autopatch vm stop  --name N   --resource-group G"),
        ("skip", "autopatch vm stop -g G -n N --skip-shutdown"),
    ]
    ranked = recommend.recommend("vm stop", ["-g", "rg", "-n", "--skip-shutdown"], examples, mappings)
    assert ranked == [("autopatch vm stop -g G -n N --skip-shutdown", "skip"),
                      ("autopatch vm stop -g G -n N", "plain"),
                      ("autopatch vm stop --name N --resource-group G", "plain again")]
    # --ids is not in this table: nothing matches; --query and -o count as options (az's global ones), so
    # the three examples of two options tie and keep their help order, ahead of the one of three
    ranked = recommend.recommend("vm stop", ["--ids", "x"], examples, mappings)
    assert [d for _, d in ranked] == ["ids", "plain", "plain again"]
    assert recommend.normalize(["-gRG", "--name=x", "---cert", "-1", "--bogus"], mappings) == [
        "--name", "--resource-group"]
    assert recommend.render([]) == "\n" + LINK


def test_no_unknown_word_is_left_over_for_the_next_command_of_the_process(cli):
    """A refused line (here click's own error comes first) leaves nothing behind for the Python API."""
    from autopatch_cli.cli import argscan

    refused = cli("vm", "create", "-g", "rg", "--bogus")
    assert refused.exit_code == 2 and refused.stderr.startswith("ERROR: the following arguments are required: --name/-n")
    assert argscan._pending == []
    argscan.pending_unrecognized()  # raises nothing


@pytest.mark.parametrize("argv", [("vm", "list", "--query"), ("vm", "list", "--query", "-g", "rg"),
                                  ("vm", "list", "-g", "rg", "--query")])
def test_query_without_its_value_gets_azs_query_reference(cli, argv):
    refused = cli(*argv)
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == ("ERROR: argument --query: expected one argument\nTo learn more about --query, please "
                              "visit: 'https://learn.microsoft.com/cli/azure/query-azure-cli'\n")


def test_a_negative_number_or_a_dash_is_a_value():
    from autopatch_cli.cli.globals import extract

    assert extract(["vm", "list", "--query", "-1"])[0].query == "-1"
    assert extract(["vm", "list", "--query", "-"])[0].query == "-"
    assert extract(["vm", "list", "--query", "-x y"])[0].query == "-x y"
    assert extract(["vm", "list", "--output=json"])[0].output == "json"
