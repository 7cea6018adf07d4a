"""The monthly patch catalog: Patch Tuesday, determinism, classifications, supersedence."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from autopatch_cli.engine import catalog


def test_patch_tuesday_is_the_second_tuesday_at_ten_pacific():
    # October 2020: the 13th, 10:00 PDT = 17:00 UTC; December 2020: the 8th, 10:00 PST = 18:00 UTC.
    assert catalog.patch_tuesday(2020, 10) == datetime(2020, 10, 13, 17, tzinfo=UTC)
    assert catalog.patch_tuesday(2020, 12) == datetime(2020, 12, 8, 18, tzinfo=UTC)


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_patch_tuesday_property(year, month):
    when = catalog.patch_tuesday(year, month)
    local = when.astimezone(catalog._PACIFIC)
    assert local.weekday() == 1 and 8 <= local.day <= 14 and local.hour == 10


def test_release_is_deterministic_and_seed_dependent():
    a = catalog.release(7, 2020, 10, "2019")
    assert a == catalog.release(7, 2020, 10, "2019")
    assert [p.kb_id for p in a] != [p.kb_id for p in catalog.release(8, 2020, 10, "2019")]


def test_release_content_uses_azure_enum_values():
    for month in range(1, 13):
        patches = catalog.release(1, 2021, month, "2016")
        assert {p.classification for p in patches} <= set(catalog.CLASSIFICATIONS)
        assert {p.reboot_behavior for p in patches} <= set(catalog.REBOOT_BEHAVIOURS)
        assert sum(p.critical_or_security for p in patches) >= 3
        assert any(not p.critical_or_security for p in patches)
        assert len({p.patch_id for p in patches}) == len(patches)


def test_cumulative_update_supersedes_last_months():
    november = catalog.release(3, 2020, 11, "2019")[0]
    october = catalog.release(3, 2020, 10, "2019")[0]
    assert "Cumulative Update" in november.name
    assert november.supersedes == october.kb_id
    january = catalog.release(3, 2021, 1, "2019")[0]
    assert january.supersedes == catalog.release(3, 2020, 12, "2019")[0].kb_id


def test_releases_between():
    found = catalog.releases_between(1, datetime(2020, 10, 1, tzinfo=UTC), datetime(2020, 12, 31, tzinfo=UTC), "2019")
    assert [when.month for when, _ in found] == [10, 11, 12]
    assert catalog.os_family("2019-Datacenter-Server-Core") == "2019"
    assert catalog.os_family("2012-R2-Datacenter") == "2012-r2"
    assert catalog.os_family("22_04-lts") is None
