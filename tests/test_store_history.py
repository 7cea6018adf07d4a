"""The history is kept for a bounded period, so a store's size follows the fleet, not simulated time."""

from __future__ import annotations

from datetime import timedelta

from autopatch_cli import store
from autopatch_cli.engine.clock import parse_instant, to_epoch
from autopatch_cli.ops import history_retention


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result


def _fleet(cli):
    _ok(cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview"))
    _ok(cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestPatchVMPreview"))
    _ok(cli("tick", "--minutes", "20"))
    _ok(cli("provider", "register", "--namespace", "Microsoft.Compute"))
    _ok(cli("group", "create", "-n", "rg", "-l", "eastus"))
    _ok(cli("vm", "create", "-g", "rg", "-n", "vm", "--count", "4", "--image", "Win2019Datacenter",
            "--admin-password", "Str0ng!Passw0rd1", "--enable-auto-update", "true", "--patch-mode", "AutomaticByPlatform"))


def test_history_rows_older_than_the_period_are_dropped_but_not_the_latest_or_the_judged(cli, state_path, monkeypatch):
    monkeypatch.setenv(history_retention.ENV, "30")
    _fleet(cli)
    _ok(cli("tick", "--days", "100"))
    at_100 = store.load(state_path)
    rows_100 = len(at_100["history"]["rows"])
    _ok(cli("tick", "--days", "200"))
    data = store.load(state_path)
    rows = data["history"]["rows"]
    now = to_epoch(parse_instant(data["clock"]["now"]))
    cutoff = now - 30 * 86_400
    releases = sorted(data["engine"]["rollouts"], key=lambda r: r["published"])
    kept_releases = {r["release"] for r in releases[-2:]} | {r["release"] for r in releases
                                                              if r["state"] in ("pending", "active", "baking")}
    latest = {}
    for row in rows:
        latest[(row[0], row[1])] = row
    for row in rows:
        assert row[3] >= cutoff or row[8] in kept_releases or latest[(row[0], row[1])] is row, row
    assert any(row[3] < cutoff for row in rows)  # the latest rows of each kind outlive the period
    # bounded: 200 more simulated days did not triple the history (it would without the period)
    assert len(rows) < 2 * rows_100
    # every record of the two latest releases is there, as orchestration history shows them
    shown = _ok(cli("orchestration", "history", "--release", releases[-2]["release"], "-o", "json")).json
    assert shown and all(r["release"] == releases[-2]["release"] for r in shown)


def test_the_period_is_configurable_and_all_keeps_everything(cli, state_path, monkeypatch):
    monkeypatch.setenv(history_retention.ENV, "all")
    _fleet(cli)
    _ok(cli("tick", "--days", "200"))
    rows = store.load(state_path)["history"]["rows"]
    start = to_epoch(parse_instant("2020-10-01T00:00:00Z"))
    assert min(row[3] for row in rows) < start + int(timedelta(days=30).total_seconds())  # the oldest stay
    monkeypatch.setenv(history_retention.ENV, "soon")
    result = cli("tick", "--days", "1")
    assert result.exit_code == 1 and history_retention.ENV in result.stderr
    assert store.load(state_path)["history"]["rows"] == rows  # a refused tick changes nothing
