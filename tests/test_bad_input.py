"""Every class of malformed input: an az-style error, az's exit code, and an unchanged store.

az prints ``ERROR: <message>`` (one line) for client-side errors and, for errors the service returns,
``ERROR: (Code) Message`` / ``Code: ...`` / ``Message: ...``. Exit codes: 2 for what the parser rejects,
3 for a missing resource, 1 otherwise.
"""

from __future__ import annotations

import pytest
from helpers import PASSWORD

CUSTOM_IMAGE = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/images/img"
AVSET_WEST = "/subscriptions/x/resourceGroups/rgw/providers/Microsoft.Compute/availabilitySets/aswest"


def _vm(name: str, *extra: str, image: str = "Win2019Datacenter") -> tuple[str, ...]:
    return ("vm", "create", "-g", "rg", "-n", name, "--image", image, "--admin-password", PASSWORD, *extra)


@pytest.fixture
def world(cli, state_path):
    """eastus group with two VMs (AutomaticByOS and Manual), a westus group with an availability set."""
    for args in (
        ("group", "create", "-n", "rg", "-l", "eastus"),
        ("group", "create", "-n", "rgw", "-l", "westus"),
        ("vm", "availability-set", "create", "-g", "rgw", "-n", "aswest"),
        _vm("vm1"),
        _vm("man", "--patch-mode", "Manual", "--enable-auto-update", "false"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)
    return state_path


def assert_refused(cli, store, args, exit_code: int, needle: str | None = None, azure_code: str | None = None):
    before = store.read_bytes()
    result = cli(*args)
    assert result.exit_code == exit_code, (args, result.exit_code, result.stderr)
    lines = [line for line in result.stderr.splitlines() if not line.startswith("WARNING: ")]
    assert lines and lines[0].startswith("ERROR: "), (args, result.stderr)
    assert len(lines[0]) > len("ERROR: ") + 10  # says something
    assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr, result.stderr
    if azure_code:
        assert lines[0].startswith(f"ERROR: ({azure_code}) "), result.stderr
        assert lines[1] == f"Code: {azure_code}" and lines[2].startswith("Message: "), result.stderr
        assert len(lines) == 3, result.stderr
    else:
        if "" in lines:  # az's examples and reference link under a parse error (cli/recommend.py)
            assert exit_code == 2 and lines[-2:] == ["https://aka.ms/cli_ref",
                                                     "Read more about the command in reference docs"], result.stderr
            lines = lines[:lines.index("")]
        assert len(lines) <= 2, result.stderr  # one line (a second only for az's "see also" hints)
    if needle:
        assert needle.lower() in result.stderr.lower(), (needle, result.stderr)
    assert result.stdout == "", result.stdout
    assert store.read_bytes() == before, f"{args} changed the store"
    return result


# (id, args, exit code, text the error must contain, ARM error code or None)
CASES = [
    # resource group names
    ("group-bad-char", ("group", "create", "-n", "bad*name", "-l", "eastus"), 1, "'*'", "InvalidResourceGroup"),
    ("group-too-long", ("group", "create", "-n", "g" * 91, "-l", "eastus"), 1, "90 characters", "InvalidResourceGroup"),
    ("group-ends-dot", ("group", "create", "-n", "rg.", "-l", "eastus"), 1, "cannot end with '.'", "InvalidResourceGroup"),
    ("group-existing-other-location", ("group", "create", "-n", "rg", "-l", "westus"), 1, "already exists",
     "InvalidResourceGroupLocation"),
    # VM names
    ("vm-bad-char", _vm("bad*vm"), 1, "Windows computer name", None),
    ("vm-too-long-for-windows", _vm("averyverylongvmname"), 1, "15 characters", None),
    ("vm-numeric-windows", _vm("12345"), 1, "entirely numeric", None),
    ("vm-bad-resource-name", _vm("a b", "--admin-username", "azureuser", image="Ubuntu2204"), 1, "a b",
     "InvalidResourceName"),
    # images
    ("image-unknown-alias", _vm("v2", image="Win3000Datacenter"), 1, 'Invalid image "Win3000Datacenter"', None),
    # zones
    ("zone-4", _vm("v2", "--zone", "4"), 1, "'4'", "InvalidParameter"),
    ("zone-in-region-without-zones", ("vm", "create", "-g", "rgw", "-n", "v2", "--image", "Win2019Datacenter",
                                      "--admin-password", PASSWORD, "--zone", "1"), 1, "westus", "InvalidParameter"),
    ("zone-and-availability-set", ("vm", "create", "-g", "rgw", "-n", "v2", "--image", "Win2019Datacenter",
                                   "--admin-password", PASSWORD, "--zone", "1", "--availability-set", "aswest"),
     1, None, "InvalidParameter"),
    # availability sets
    ("availability-set-other-region", _vm("v2", "--availability-set", AVSET_WEST), 1, "same location", "InvalidParameter"),
    ("availability-set-missing", _vm("v2", "--availability-set", "nosuchset"), 3, "nosuchset", "ResourceNotFound"),
    # locations
    ("location-unknown-group", ("group", "create", "-n", "rg3", "-l", "mars"), 1, "'mars'",
     "LocationNotAvailableForResourceType"),
    ("location-unknown-vm", _vm("v2", "-l", "mars"), 1, "'mars'", "LocationNotAvailableForResourceType"),
    # time stamps
    ("tick-until-garbage", ("tick", "--until", "garbage"), 1, "ISO-8601", None),
    ("tick-until-past", ("tick", "--until", "2019-01-01T00:00:00Z"), 1, "forward", None),
    ("clock-set-garbage", ("clock", "set", "garbage"), 1, "ISO-8601", None),
    ("clock-set-bad-date", ("clock", "set", "2020-13-45T00:00:00Z"), 1, None, None),
    ("clock-set-backwards", ("clock", "set", "2019-01-01T00:00:00Z"), 1, "forward", None),
    # --set paths
    ("set-unknown-property", ("vm", "update", "-g", "rg", "-n", "vm1", "--set", "foo.bar=1"), 1, "Couldn't find 'foo'", None),
    ("set-unknown-nested", ("vm", "update", "-g", "rg", "-n", "vm1", "--set", "osProfile.windowsConfiguration.nope=1"),
     1, "Couldn't find 'nope'", None),
    ("set-bad-path-syntax", ("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags..x=1"), 1, "invalid property path", None),
    ("set-no-equals", ("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.x"), 1, "PATH=VALUE", None),
    ("set-index-on-object", ("vm", "update", "-g", "rg", "-n", "vm1", "--set", "osProfile[0]=1"), 1, "not a list", None),
    ("set-index-out-of-range", ("vm", "update", "-g", "rg", "-n", "vm1", "--remove", "networkProfile.networkInterfaces", "5"),
     1, "out of range", None),
    # vm create stores "tags": {} as az's does: an object, which --add (lists only) refuses
    ("add-to-non-list", ("vm", "update", "-g", "rg", "-n", "vm1", "--add", "tags", "a=b"), 1, "'tags' is not a list", None),
    ("set-bad-enum-value", ("vm", "update", "-g", "rg", "-n", "vm1", "--set",
                            "osProfile.windowsConfiguration.patchSettings.patchMode=Bogus"), 1, "Bogus", "InvalidParameter"),
    ("set-wrong-type", ("vm", "update", "-g", "rg", "-n", "vm1", "--set",
                        "osProfile.windowsConfiguration.provisionVMAgent=maybe"), 1, "provisionVMAgent", "InvalidRequestContent"),
    ("set-bad-size", ("vm", "update", "-g", "rg", "-n", "vm1", "--set", "hardwareProfile.vmSize=Bogus"), 1, "Bogus",
     "InvalidParameter"),
    ("set-create-only-property", ("vm", "update", "-g", "rg", "-n", "vm1", "--set", "location=westus"), 1, None,
     "PropertyChangeNotAllowed"),
    # enum values
    ("patch-mode-foo", _vm("v2", "--patch-mode", "foo"), 2, "'foo' is not a valid value for '--patch-mode'", None),
    ("output-xml", ("vm", "show", "-g", "rg", "-n", "vm1", "-o", "xml"), 2, "'xml' is not a valid value for '--output'", None),
    ("output-xml-on-write", ("group", "create", "-n", "rg9", "-l", "eastus", "-o", "xml"), 2, "--output", None),
    ("config-output-bad", ("config", "set", "core.output=xml"), 2, "'xml'", None),
    # three-state booleans
    ("enable-agent-maybe", _vm("v2", "--enable-agent", "maybe"), 2, "'maybe' is not a valid value for '--enable-agent'", None),
    ("enable-auto-update-sometimes", _vm("v2", "--enable-auto-update", "sometimes"), 2, "--enable-auto-update", None),
    # numbers
    ("tick-zero", ("tick", "--minutes", "0"), 1, "positive", None),
    ("tick-negative", ("tick", "--minutes", "-5"), 1, "positive", None),
    ("tick-negative-hours", ("tick", "--hours", "-1"), 1, "positive", None),
    ("tick-negative-days", ("tick", "--days", "-0.5"), 1, "positive", None),
    ("tick-not-a-number", ("tick", "--minutes", "abc"), 2, "--minutes", None),
    ("tick-nothing", ("tick",), 2, None, None),
    ("tick-until-and-minutes", ("tick", "--until", "2021-01-01", "--minutes", "5"), 2, "--until", None),
    *((f"tick-{unit}-{value}", ("tick", f"--{unit}", value), 1, needle, None)
      for unit in ("minutes", "hours", "days")
      for value, needle in (("nan", "finite"), ("inf", "finite"), ("-inf", "finite"), ("1e9", "366 days"),
                            ("99999999999", "366 days"), ("1e308", "366 days"))),
    ("tick-minutes-a-year-and-a-day", ("tick", "--minutes", str(367 * 1440)), 1, "366 days", None),
    ("tick-until-end-of-time", ("tick", "--until", "9999-12-31T23:59:59Z"), 1, "range", None),
    ("tick-until-before-year-one", ("tick", "--until", "0001-01-01T00:00:00+01:00"), 1, "range", None),
    ("tick-until-two-years-ahead", ("tick", "--until", "2022-10-01T00:00:00Z"), 1, "366 days", None),
    ("clock-set-end-of-time", ("clock", "set", "9999-12-31T23:59:59Z"), 1, "range", None),
    ("clock-set-before-1970", ("clock", "set", "1969-12-31T23:59:59Z"), 1, "range", None),
    ("clock-set-years-ahead-of-a-store-in-use", ("clock", "set", "2030-01-01T00:00:00Z"), 1, "366 days", None),
    ("count-one", _vm("v", "--count", "1"), 1, "[2, 250]", None),
    ("count-not-a-number", _vm("v", "--count", "abc"), 2, "--count", None),
    # missing required arguments
    ("vm-create-no-name", ("vm", "create", "-g", "rg", "--image", "Win2019Datacenter"), 2, "--name", None),
    ("vm-create-no-image", ("vm", "create", "-g", "rg", "-n", "v2", "--admin-password", PASSWORD), 2, "--image", None),
    ("vm-create-no-group", ("vm", "create", "-n", "v2", "--image", "Win2019Datacenter"), 2, "--resource-group", None),  # argparse's, as az 2.91 (tests/test_real_az_errors.py)
    ("group-create-no-location", ("group", "create", "-n", "rg5"), 2, "--location", None),
    ("clock-set-no-instant", ("clock", "set"), 2, "required", None),
    ("feature-register-no-name", ("feature", "register", "--namespace", "Microsoft.Compute"), 2, "--name", None),
    ("vm-show-no-name", ("vm", "show", "-g", "rg"), 1, "are required", None),
    ("windows-no-password", ("vm", "create", "-g", "rg", "-n", "v2", "--image", "Win2019Datacenter"), 1, "password", None),
    ("output-no-value", ("vm", "list", "-o"), 2, "expected one argument", None),
    # unknown arguments and commands
    ("unknown-argument", ("vm", "show", "-g", "rg", "-n", "vm1", "--bogus"), 2, "unrecognized arguments: --bogus", None),
    ("unknown-extra-value", ("vm", "show", "-g", "rg", "-n", "vm1", "extra"), 2, "unrecognized arguments: extra", None),
    ("unknown-command", ("vm", "frobnicate"), 2, "'frobnicate' is misspelled", None),
    ("unknown-group", ("frob",), 2, "'frob' is misspelled", None),
    ("bad-resource-id", ("vm", "show", "--ids", "/not/an/id"), 1, "/not/an/id", None),
    # --query
    ("query-syntax", ("vm", "list", "--query", "[."), 2, "--query", None),
    ("query-syntax-on-write", ("group", "create", "-n", "rg7", "-l", "eastus", "--query", "{a:"), 2, "--query", None),
    # passwords
    ("password-short", ("vm", "create", "-g", "rg", "-n", "v2", "--image", "Win2019Datacenter",
                        "--admin-password", "Sh0rt!"), 1, "length", None),
    ("password-weak", ("vm", "create", "-g", "rg", "-n", "v2", "--image", "Win2019Datacenter",
                       "--admin-password", "alllowercaseletters"), 1, "3 of the following", None),
    ("password-disallowed", ("vm", "create", "-g", "rg", "-n", "v2", "--image", "Win2019Datacenter",
                             "--admin-password", "P@ssword123"), 1, None, None),
    ("username-reserved", _vm("v2", "--admin-username", "admin"), 1, "disallowed", None),
    # patchMode / enableAutomaticUpdates
    ("manual-with-auto-update", _vm("v2", "--patch-mode", "Manual", "--enable-auto-update", "true"), 1,
     "'Manual'", "InvalidParameter"),
    ("by-os-without-auto-update", _vm("v2", "--patch-mode", "AutomaticByOS", "--enable-auto-update", "false"), 1,
     "'AutomaticByOS'", "InvalidParameter"),
    ("by-platform-without-agent", _vm("v2", "--patch-mode", "AutomaticByPlatform", "--enable-auto-update",
                                      "--enable-agent", "false"), 1, "provisionVMAgent", "InvalidParameter"),
    ("by-platform-without-feature", _vm("v2", "--patch-mode", "AutomaticByPlatform", "--enable-auto-update",
                                        "--enable-agent"), 1, "InGuestAutoPatchVMPreview",
     "SubscriptionNotRegisteredForFeature"),
    ("by-platform-on-2012", _vm("v2", "--patch-mode", "AutomaticByPlatform", "--enable-auto-update", "--enable-agent",
                                image="Win2012Datacenter"), 1, "2012-Datacenter", "InvalidParameter"),
    ("by-platform-on-custom-image", _vm("v2", "--patch-mode", "AutomaticByPlatform", "--enable-auto-update",
                                        "--enable-agent", image=CUSTOM_IMAGE), 1, CUSTOM_IMAGE, "InvalidParameter"),
    ("update-disable-auto-updates", ("vm", "update", "-g", "rg", "-n", "vm1", "--set",
                                     "osProfile.windowsConfiguration.enableAutomaticUpdates=false"), 1,
     "enableAutomaticUpdates", "PropertyChangeNotAllowed"),
    ("update-enable-auto-updates-on-manual", ("vm", "update", "-g", "rg", "-n", "man", "--set",
                                              "osProfile.windowsConfiguration.enableAutomaticUpdates=true"), 1,
     "enableAutomaticUpdates", "PropertyChangeNotAllowed"),
    # the guide's rule comes first: Manual cannot become automatic (not the enableAutomaticUpdates advice)
    ("update-manual-to-platform", ("vm", "update", "-g", "rg", "-n", "man", "--set",
                                   "osProfile.windowsConfiguration.patchSettings.patchMode=AutomaticByPlatform"), 1,
     "from 'Manual' to 'AutomaticByPlatform'", "OperationNotAllowed"),
    ("update-manual-to-platform-with-updates", ("vm", "update", "-g", "rg", "-n", "man", "--set",
                                                "osProfile.windowsConfiguration.enableAutomaticUpdates=true",
                                                "osProfile.windowsConfiguration.patchSettings.patchMode=AutomaticByPlatform"),
     1, "enableAutomaticUpdates", "PropertyChangeNotAllowed"),
    # missing resources
    ("missing-group-vm-show", ("vm", "show", "-g", "nogroup", "-n", "vm1"), 3, "'nogroup'", "ResourceGroupNotFound"),
    ("missing-group-vm-create", ("vm", "create", "-g", "nogroup", "-n", "v2", "--image", "Win2019Datacenter",
                                 "--admin-password", PASSWORD), 3, "'nogroup'", "ResourceGroupNotFound"),
    ("missing-group-vm-list", ("vm", "list", "-g", "nogroup"), 3, "'nogroup'", "ResourceGroupNotFound"),
    ("missing-group-show", ("group", "show", "-n", "nogroup"), 3, "'nogroup'", "ResourceGroupNotFound"),
    ("missing-group-delete", ("group", "delete", "-n", "nogroup", "--yes"), 3, "'nogroup'", "ResourceGroupNotFound"),
    ("missing-vm-show", ("vm", "show", "-g", "rg", "-n", "novm"), 3, "novm", "ResourceNotFound"),
    ("missing-vm-instance-view", ("vm", "get-instance-view", "-g", "rg", "-n", "novm"), 3, "novm", "ResourceNotFound"),
    ("missing-vm-update", ("vm", "update", "-g", "rg", "-n", "novm", "--set", "tags.a=b"), 3, "novm", "ResourceNotFound"),
    ("missing-vm-start", ("vm", "start", "-g", "rg", "-n", "novm"), 3, "novm", "ResourceNotFound"),
    ("missing-vm-delete", ("vm", "delete", "-g", "rg", "-n", "novm", "--yes"), 3, "novm", "ResourceNotFound"),
    ("missing-vm-by-id", ("vm", "show", "--ids",
                          "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/novm"), 3,
     "novm", "ResourceNotFound"),
    ("missing-feature", ("feature", "show", "--namespace", "Microsoft.Compute", "--name", "NoSuchFeature"), 3, "NoSuchFeature", "FeatureNotFound"),
    ("missing-provider", ("provider", "show", "--namespace", "Microsoft.Nope"), 3, None, "InvalidResourceNamespace"),
    # the subscription
    ("unknown-subscription", ("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.a=b", "--subscription", "nope"),
     1, "'nope'", None),
]


@pytest.mark.parametrize(("args", "exit_code", "needle", "azure_code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_input_is_refused(world, cli, args, exit_code, needle, azure_code):
    assert_refused(cli, world, args, exit_code, needle, azure_code)


def test_refused_verbs_on_a_new_store_create_nothing(cli, state_path):
    """A refused command on a store that does not exist yet does not create one."""
    for args in (("group", "create", "-n", "bad*", "-l", "eastus"), ("tick", "--minutes", "0"),
                 ("clock", "set", "garbage"), ("vm", "show", "-g", "rg", "-n", "x"), ("group", "create", "-n", "rg")):
        result = cli(*args)
        assert result.exit_code != 0 and result.stderr.startswith("ERROR: "), (args, result.stderr)
        assert not state_path.exists(), args


def test_power_actions_that_do_not_apply(world, cli):
    assert cli("vm", "deallocate", "-g", "rg", "-n", "vm1").exit_code == 0
    assert_refused(cli, world, ("vm", "restart", "-g", "rg", "-n", "vm1"), 1, "deallocated", "OperationNotAllowed")
    assert_refused(cli, world, ("vm", "stop", "-g", "rg", "-n", "vm1"), 1, "deallocated", "OperationNotAllowed")


def test_delete_without_yes_and_without_terminal(world, cli, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert_refused(cli, world, ("vm", "delete", "-g", "rg", "-n", "vm1"), 1, "--yes")
    assert_refused(cli, world, ("group", "delete", "-n", "rg"), 1, "--yes")


def test_platform_image_checks_apply_even_when_feature_is_registered(world, opted_in):
    """With the feature propagated, the image rules still refuse 2012 and custom images."""
    assert_refused(opted_in, world, _vm("v2", "--patch-mode", "AutomaticByPlatform", "--enable-auto-update",
                                        "--enable-agent", image="Win2012Datacenter"), 1, None, "InvalidParameter")
    assert_refused(opted_in, world, _vm("v3", "--patch-mode", "AutomaticByPlatform", "--enable-auto-update",
                                        "--enable-agent", image=CUSTOM_IMAGE), 1, None, "InvalidParameter")
    assert_refused(opted_in, world, ("vm", "update", "-g", "rg", "-n", "man", "--set",
                                     "osProfile.windowsConfiguration.patchSettings.patchMode=AutomaticByPlatform"),
                   1, None, "OperationNotAllowed")
    ok = opted_in(*_vm("v4", "--patch-mode", "AutomaticByPlatform", "--enable-auto-update", "--enable-agent"))
    assert ok.exit_code == 0, ok.stderr


def test_a_vm_keeps_its_availability_set_and_zone(cli, state_path):
    """A PUT that leaves out what Azure fixes at creation (re-running `vm create`) is refused, not applied."""
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert cli("vm", "availability-set", "create", "-g", "rg", "-n", "avs").exit_code == 0
    base = ("vm", "create", "-g", "rg", "--image", "Win2019Datacenter", "--admin-password", PASSWORD)
    assert cli(*base, "-n", "inset", "--availability-set", "avs").exit_code == 0
    assert cli(*base, "-n", "zonal", "--zone", "2").exit_code == 0
    assert_refused(cli, state_path, (*base, "-n", "inset"), 1, "availabilitySet.id", "PropertyChangeNotAllowed")
    assert_refused(cli, state_path, (*base, "-n", "zonal"), 1, "zones", "PropertyChangeNotAllowed")
    assert_refused(cli, state_path, (*base, "-n", "zonal", "--zone", "3"), 1, "zones", "PropertyChangeNotAllowed")
    again = cli(*base, "-n", "inset", "--availability-set", "avs")
    assert again.exit_code == 0, again.stderr  # the same body again is fine


def test_a_vm_put_needs_an_image_and_gets_its_os_disk(cli, state_path):
    from autopatch_cli.errors import AzureError
    from autopatch_cli.ops import vms
    from autopatch_cli.ops.session import Session

    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert cli("provider", "register", "--namespace", "Microsoft.Compute").exit_code == 0
    os_profile = {"computerName": "vm", "adminUsername": "azureuser", "adminPassword": PASSWORD,
                  "windowsConfiguration": {"enableAutomaticUpdates": True}}
    before = state_path.read_bytes()
    with pytest.raises(AzureError) as refused, Session(state_path).writer() as state:
        vms.put(state, "rg", "noimage", {"location": "eastus", "properties": {"osProfile": os_profile}})
    assert refused.value.code == "InvalidParameter" and "imageReference" in refused.value.message
    assert state_path.read_bytes() == before
    image = {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2019-Datacenter",
             "version": "latest"}
    with Session(state_path).writer() as state:
        record = vms.put(state, "rg", "vm", {"location": "eastus", "properties": {
            "osProfile": os_profile, "storageProfile": {"imageReference": image},
            "hardwareProfile": {"vmSize": "Standard_D2s_v3"}}})
    disk = record["vm"]["properties"]["storageProfile"]["osDisk"]
    assert (disk["osType"], disk["createOption"], disk["name"]) == ("Windows", "FromImage", "vm_OsDisk_1")


def test_one_tick_parser_serves_both_front_ends(cli, state_path):
    """The command line and POST /autopatch/tick share ops.clock.parse_tick: same rules, their own spelling."""
    from autopatch_cli.errors import UsageError, ValidationError
    from autopatch_cli.ops import clock

    assert clock.parse_tick({"seconds": "30"}).seconds == 30
    assert clock.parse_tick({"days": 1, "hours": "2"}).seconds == 93_600
    for request, needle in (({"days": "nan"}, "'days': 'nan' is not a finite number"),
                            ({"hours": True}, "is not a number"), ({"minutes": "x"}, "is not a number"),
                            ({"days": 400}, "366 days"), ({"until": "9999-12-31T23:59:59Z"}, "range")):
        with pytest.raises(ValidationError, match=needle):
            clock.parse_tick(request)
    with pytest.raises(UsageError, match="--until cannot be combined"):
        clock.parse_tick({"days": 1, "until": "2021-01-01"}, ("days",), lambda name: f"--{name}")
    # a year is one tick, and answers within seconds on a small fleet (the bound is what keeps it so)
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert cli("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-password",
               PASSWORD).exit_code == 0
    ticked = cli("tick", "--days", "366", "-o", "json")
    assert ticked.exit_code == 0, ticked.stderr
    assert ticked.json["to"] == "2021-10-02T00:00:00Z"


QUERY_REFERENCE = "To learn more about --query, please visit: 'https://learn.microsoft.com/cli/azure/query-azure-cli'"


@pytest.mark.parametrize("query", ["sort_by(@, &missing)", "max_by(@, &x)", "sum([].name)", "[?name > `1`]",
                                   "abs(name)"])
def test_query_that_fails_on_the_result_is_reported_as_az_does(world, cli, query):
    """azure-cli's handle_exception: 'Invalid jmespath query supplied for `--query`: ...', exit code 1."""
    result = assert_refused(cli, world, ("vm", "list", "--query", query), 1, "Invalid jmespath query supplied")
    assert result.stderr.splitlines()[-1] == QUERY_REFERENCE


def test_rest_files_that_cannot_be_read_or_written(world, cli, tmp_path):
    url = "/subscriptions/{subscriptionId}/resourceGroups/rg?api-version=2020-06-01"
    put = ("rest", "-m", "put", "-u", url, "--body")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    refused = assert_refused(cli, world, (*put, f"@{deep}"), 1, "InvalidRequestContent")
    assert "nests deeper than" in refused.stderr  # serve's bound (arm/framework.py)
    latin = tmp_path / "latin1.json"
    latin.write_bytes(b'{"location": "eastus", "tags": {"a": "\xe9t\xe9"}}')
    assert_refused(cli, world, (*put, f"@{latin}"), 1, "not UTF-8 text")
    assert_refused(cli, world, ("rest", "-u", url, "--output-file", str(tmp_path / "missing" / "out.json")), 1,
                   "No such file or directory")
    assert_refused(cli, world, ("rest", "-u", url, "--output-file", str(tmp_path)), 1, "Is a directory")


@pytest.mark.parametrize("name", ["\udc80", "vm\udcff1", "\udced\udcb2\udc80"])
def test_names_that_are_not_utf8_text(world, cli, name):
    """Bytes that are not UTF-8 reach Python as lone surrogates: refused as the command line, exit 2."""
    for args in (("vm", "show", "-g", "rg", "-n", name), ("group", "create", "-n", name, "-l", "eastus"),
                 ("vm", "update", "-g", "rg", "-n", "vm1", "--set", f"tags.a={name}")):
        assert_refused(cli, world, args, 2, "not valid UTF-8")


@pytest.mark.parametrize("args", [
    ("group", "create", "-n", "rg2\n", "-l", "eastus"),
    ("vm", "create", "-g", "rg", "-n", "lin\n", "--image", "Ubuntu2204", "--admin-password", PASSWORD),
    ("vm", "create", "-g", "rg", "-n", "lin", "--image", "Ubuntu2204", "--admin-password", PASSWORD,
     "--admin-username", "bob\n"),
    ("vm", "availability-set", "create", "-g", "rg", "-n", "set\n"),
], ids=["group", "vm", "admin-username", "availability-set"])
def test_names_with_a_trailing_newline_are_refused(world, cli, args):
    """A regular expression's '$' matches before a final newline: names are matched whole. ARM's message
    quotes the name as given, newline and all, so the error spans lines."""
    before = world.read_bytes()
    result = cli(*args)
    assert result.exit_code == 1 and result.stderr.startswith("ERROR: "), result.stderr
    assert "unexpected error" not in result.stderr and result.stdout == ""
    assert world.read_bytes() == before


def test_vm_update_remove_from_a_list_that_is_not_there(world, cli):
    assert_refused(cli, world, ("vm", "update", "-g", "rg", "-n", "vm1", "--remove", "tags", "5"), 1, "tags")
    assert_refused(cli, world, ("vm", "update", "-g", "rg", "-n", "vm1", "--remove", "storageProfile.dataDisks",
                                "x"), 1, "not an integer")


def test_vm_update_of_what_azure_refuses(world, cli):
    update = ("vm", "update", "-g", "rg", "-n", "vm1", "--set")
    assert_refused(cli, world, (*update, "osProfile.adminPassword=An0ther$ecretPass"), 1,
                   "'osProfile.adminPassword'", "PropertyChangeNotAllowed")
    assert_refused(cli, world, (*update, "tags.a.b.c=1"), 1, "string value")
    assert_refused(cli, world, (*update, "tags.a=[1,2]"), 1, "string value")
    assert_refused(cli, world, (*update, "licenseType=bogus"), 1, "licenseType", "InvalidParameter")
    # re-running `vm create` with the same password is fine; another password is a change
    base = ("vm", "create", "-g", "rg", "-n", "vm1", "--image", "Win2019Datacenter")
    assert cli(*base, "--admin-password", PASSWORD).exit_code == 0
    assert_refused(cli, world, (*base, "--admin-password", "An0ther$ecretPass"), 1, None, "PropertyChangeNotAllowed")


@pytest.mark.parametrize("assignment", ["name=other", "id=/x", "vmId=00000000-0000-0000-0000-000000000000",
                                        "provisioningState=Failed", "type=Microsoft.Compute/other",
                                        "resourceGroup=elsewhere"])
def test_vm_update_of_read_only_properties_changes_nothing(world, cli, assignment):
    """az sends no read-only property (the SDK models drop them) and ARM ignores them: the VM is as it was."""
    before = cli("vm", "show", "-g", "rg", "-n", "vm1").json
    updated = cli("vm", "update", "-g", "rg", "-n", "vm1", "--set", assignment)
    assert updated.exit_code == 0, updated.stderr
    assert updated.json == before
    assert cli("vm", "show", "-g", "rg", "-n", "vm1").json == before
