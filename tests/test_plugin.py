"""The pytest plugin shipped with the package (entry point pytest11), run by pytester as a user's suite runs it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_are_registered_by_the_entry_point(pytester):
    """One pytest run (a subprocess, as a user's) over three files: the store and tick fixtures, the http
    server with the SDK's clients, the https server with the SDK's default bearer-token policy."""
    pytest.importorskip("azure.mgmt.resource.features")
    pytester.makepyfile(test_names="""
        def test_store_and_tick(autopatch_state, autopatch, autopatch_tick):
            import os
            assert os.environ["AUTOPATCH_STATE"] == str(autopatch_state)
            assert not autopatch_state.exists()
            autopatch.group_create("rg", "eastus")
            assert autopatch_state.exists()
            before = autopatch.now()
            autopatch_tick(hours=2)
            assert (before, autopatch.now()) == ("2020-10-01T00:00:00Z", "2020-10-01T02:00:00Z")

        def test_each_test_gets_a_fresh_store(autopatch):
            assert autopatch.run("group", "list") == []

        def test_errors_are_azs(autopatch):
            from autopatch_cli.api import AutopatchError
            import pytest
            with pytest.raises(AutopatchError) as refused:
                autopatch.vm_show("nogroup", "vm")
            assert refused.value.exit_code == 3 and "ResourceGroupNotFound" in refused.value.message
    """)
    pytester.makepyfile(test_served="""
        def test_served(autopatch, autopatch_server, autopatch_clients, autopatch_tick):
            assert autopatch_server.url.startswith("http://127.0.0.1:")
            autopatch_clients.resources.resource_groups.create_or_update("rg", {"location": "eastus"})
            assert autopatch.run("group", "exists", "-n", "rg") is True
            autopatch_clients.features.features.register("Microsoft.Compute", "InGuestAutoPatchVMPreview")
            autopatch_tick(minutes=20)  # the store the server serves: the change is seen at once
            feature = autopatch_clients.features.features.get("Microsoft.Compute", "InGuestAutoPatchVMPreview")
            assert feature.properties.state == "Registered"
    """)
    pytester.makepyfile(test_https="""
        def test_https(autopatch_https_server):
            from autopatch_cli.pytest_plugin import sdk_clients
            assert autopatch_https_server.url.startswith("https://") and autopatch_https_server.certfile.exists()
            clients = sdk_clients(autopatch_https_server)
            clients.resources.resource_groups.create_or_update("rg", {"location": "eastus"})
            assert [g.name for g in clients.resources.resource_groups.list()] == ["rg"]
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
