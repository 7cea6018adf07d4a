"""The rollout timeline picture (cli/render_timeline.py): rows, colours, legend, files, JSON summary."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from autopatch_cli.cli.render_timeline import export_timeline, timeline_renderable, timeline_summary

PUBLISHED = "2020-11-10T18:00:00Z"  # Patch Tuesday, 10 AM Pacific


def record(region: str, day: int, result: str = "Succeeded", operation: str = "installation", *,
           name: str = "vm1", zone: str | None = None, phase: int | None = None, hour: int = 6,
           minutes: int = 41) -> dict:
    """One history record as the engine writes it, starting `day` UTC days after the release date."""
    start = datetime(2020, 11, 10, hour, 0, tzinfo=UTC) + timedelta(days=day)
    end = start + timedelta(minutes=minutes)
    return {
        "release": "2020-11", "vmId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{region}/{name}")), "name": name,
        "resourceGroup": "rg", "region": region, "zone": zone, "availabilitySet": None,
        "updateDomain": None if zone else 0, "timeZone": "Pacific Standard Time", "phase": phase,
        "batch": 1, "operation": operation, "startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "localStartTime": (start - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S-08:00"),
        "result": result, "kbIds": ["4586793"], "activityId": str(uuid.uuid4()), "startedBy": "Platform",
        "maintenanceWindowExceeded": False, "rebooted": operation == "installation",
    }


def small_history() -> list[dict]:
    return [
        record("westcentralus", 0, "Succeeded", "assessment", phase=1),
        record("westcentralus", 1, "Succeeded", phase=1),
        record("westcentralus", 1, "Succeeded", name="vm2", phase=1),
        record("eastus", 3, "Succeeded", "assessment", zone="1", phase=2),
        record("eastus", 4, "Succeeded", zone="1", phase=2),
        record("eastus", 5, "Failed", name="vm2", zone="2", phase=2),
        record("eastus", 5, "Succeeded", name="vm3", zone="1", phase=2),
        record("eastus", 6, "CompletedWithWarnings", name="vm4", zone="2", phase=2),
        record("westus", 8, "Succeeded", "enablement", phase=3),
        record("westus", 9, "Unhealthy", phase=3),
    ]


def render(view, width: int = 100, hourly: bool = False) -> list[list]:
    """The picture as lines of (text, style) per character, drawn with colours whatever NO_COLOR says.

    One column a day unless ``hourly`` (the per-day tests index cells by day)."""
    if not hourly:
        view.hourly_columns = view.daily_columns
    console = Console(record=True, width=width, force_terminal=True, color_system="truecolor", no_color=False)
    lines = []
    for segments in console.render_lines(view, console.options.update(width=width), pad=False):
        chars = []
        for segment in segments:
            chars.extend((char, segment.style) for char in segment.text)
        lines.append(chars)
    return lines


def text_of(line) -> str:
    return "".join(char for char, _ in line)


def row(lines, label: str):
    matches = [line for line in lines if text_of(line)[4:].rstrip().startswith(label)]
    assert matches, f"no row {label!r} in:\n" + "\n".join(text_of(line) for line in lines)
    return matches[0]


def grid_start(lines) -> int:
    header = next(text_of(line) for line in lines if "Region" in text_of(line))
    return header.index(" 0 ") + 1


def cell(lines, label: str, day: int):
    return row(lines, label)[grid_start(lines) + day]


def colour(style) -> str | None:
    return style.color.name if style and style.color else None


def background(style) -> str | None:
    return style.bgcolor.name if style and style.bgcolor else None


def test_rows_ordered_by_phase_then_name_with_zone_sub_rows():
    lines = render(timeline_renderable(small_history(), PUBLISHED))
    start = grid_start(lines)
    labels = [text_of(line)[4:start - 1].rstrip() for line in lines]
    body = [label for label in labels[labels.index("Region") + 1:] if label and not label.startswith("phase")]
    assert body[:5] == ["westcentralus", "eastus", "  zone 1", "  zone 2", "westus"]
    assert row(lines, "westcentralus")[:3] and text_of(row(lines, "westcentralus"))[:3].strip() == "1"
    assert text_of(row(lines, "eastus"))[:3].strip() == "2"
    assert text_of(row(lines, "westus"))[:3].strip() == "3"


def test_phases_argument_overrides_record_phases_and_orders_rows():
    lines = render(timeline_renderable(small_history(), PUBLISHED, phases={"westus": 1, "westcentralus": 5}))
    order = [text_of(line)[4:].split()[0] for line in lines
             if text_of(line)[4:].split() and text_of(line)[4:].split()[0] in ("westus", "eastus", "westcentralus")]
    assert order == ["westus", "eastus", "westcentralus"]
    assert text_of(row(lines, "westcentralus"))[:3].strip() == "5"


def test_cells_are_coloured_by_the_worst_installation_result():
    lines = render(timeline_renderable(small_history(), PUBLISHED))
    char, style = cell(lines, "westcentralus", 1)
    assert char == "█" and colour(style) == "green"
    char, style = cell(lines, "  zone 2", 5)
    assert char == "X" and background(style) == "red"
    char, style = cell(lines, "  zone 2", 6)
    assert char == "▓" and colour(style) == "yellow"
    char, style = cell(lines, "westus", 9)  # Unhealthy is red too
    assert char == "X" and background(style) == "red"
    # the region row takes the worst of its zones: day 5 has a Failed (zone 2) and a Succeeded (zone 1)
    assert background(cell(lines, "eastus", 5)[1]) == "red"
    assert colour(cell(lines, "  zone 1", 5)[1]) == "green"


def test_skipped_ranks_below_succeeded():
    history = [record("eastus", 2, "Skipped"), record("eastus", 3, "Skipped"),
               record("eastus", 3, "Succeeded", name="vm2")]
    lines = render(timeline_renderable(history, PUBLISHED))
    char, style = cell(lines, "eastus", 2)
    assert char == "○" and colour(style) == "cyan"
    char, style = cell(lines, "eastus", 3)
    assert char == "█" and colour(style) == "green"


def test_assessment_enablement_and_empty_days_are_faint():
    lines = render(timeline_renderable(small_history(), PUBLISHED))
    char, style = cell(lines, "westcentralus", 0)  # assessment only
    assert char == "░" and colour(style) == "bright_black"
    char, style = cell(lines, "westus", 8)  # enablement only: faint, coloured by its result
    assert char == "▄" and style.dim and colour(style) == "green"
    char, style = cell(lines, "westcentralus", 2)  # nothing
    assert char == "·" and style.dim
    char, style = cell(lines, "westus", 7)  # nothing, on a week mark (under "Nov 17")
    assert char == "╎" and style.dim


def test_header_dates_every_seven_days_and_counts():
    lines = render(timeline_renderable(small_history(), PUBLISHED))
    start = grid_start(lines)
    dates = next(text_of(line) for line in lines if "Nov 10" in text_of(line))
    for day, label in ((0, "Nov 10"), (7, "Nov 17"), (14, "Nov 24"), (21, "Dec 01"), (28, "Dec 08")):
        assert dates[start + day:start + day + 6] == label
    eastus = text_of(row(lines, "eastus")).split()
    assert eastus[-2:] == ["4", "1"]  # 4 VMs, 1 whose latest installation failed
    assert text_of(row(lines, "westcentralus")).split()[-2:] == ["2", "0"]


def test_legend_present_with_styled_swatches():
    lines = render(timeline_renderable(small_history(), PUBLISHED))
    legend = "\n".join(text_of(line) for line in lines[-3:])
    for name in ("succeeded", "with warnings", "failed/unhealthy", "assessment only", "no operation"):
        assert name in legend
    swatches = {char: style for line in lines if "Legend" in text_of(line) or text_of(line).startswith(" ")
                for char, style in line if char in "█▓X"}
    assert colour(swatches["█"]) == "green" and colour(swatches["▓"]) == "yellow"
    assert background(swatches["X"]) == "red"


def test_halts_marked_under_the_halt_day():
    halts = [{"phase": 3, "time": "2020-11-19T08:00:00Z", "reason": "Unhealthy VMs after patching"},
             {"phase": 4, "time": "2021-03-01T00:00:00Z", "reason": "late"}]
    lines = render(timeline_renderable(small_history(), PUBLISHED, halts=halts))
    at = next(index for index, line in enumerate(lines) if "halted phase 3" in text_of(line))
    halt = text_of(lines[at])
    assert halt.index("▲") == grid_start(lines) + 9 and "on day 9" in halt
    assert colour(lines[at][halt.index("▲")][1]) == "red"
    assert "2020-11-19 08:00Z: Unhealthy VMs after patching" in " ".join(text_of(line) for line in lines[at:at + 2])
    late = next(text_of(line) for line in lines if "halted phase 4" in text_of(line))
    assert "▲" not in late and "late" in late


def test_halt_text_stays_inside_80_columns():
    reason = "phase 6 halted because 3 of 3 VMs reported Unhealthy after the installation; rollout paused"
    halts = [{"phase": 6, "time": "2020-12-12T07:00:00Z", "reason": reason}]  # day 32: near the right edge
    lines = render(timeline_renderable(small_history(), PUBLISHED, halts=halts), width=80)
    texts = [text_of(line).rstrip() for line in lines]
    assert all(len(text) <= 80 for text in texts)
    marker = next(text for text in texts if "▲" in text)
    assert marker.index("▲") == grid_start(lines) + 32 and "halted phase 6 (wave 3) on day 32" in marker
    assert " ".join(" ".join(texts).split()).count(reason) == 1


def test_operations_outside_the_window_are_counted_not_drawn():
    history = small_history() + [record("westus", 40)]
    lines = render(timeline_renderable(history, PUBLISHED))
    assert any("1 operation(s) after day 34" in text_of(line) for line in lines)
    assert len(text_of(row(lines, "westus")).rstrip()) <= 100


def test_fits_80_columns_for_35_days_and_shrinks_long_names():
    history = small_history() + [record("australiasoutheastcentralnorthwest", 2, phase=9)]
    lines = render(timeline_renderable(history, PUBLISHED), width=80)
    assert all(len(text_of(line).rstrip()) <= 80 for line in lines)
    long_row = next(text_of(line) for line in lines if "australia" in text_of(line))
    assert "…" in long_row
    assert text_of(row(lines, "eastus")).split()[-2:] == ["4", "1"]  # the counts stay visible
    assert cell(lines, "  zone 2", 5)[0] == "X"


def test_too_many_days_for_the_width_drops_the_counts_then_crops():
    history = small_history() + [record("westus", 70, "Failed")]
    lines = render(timeline_renderable(history, PUBLISHED, days=90), width=80)
    assert all(len(text_of(line).rstrip()) <= 80 for line in lines)
    assert not any("VMs" in text_of(line) for line in lines)
    assert background(cell(lines, "  zone 2", 5)[1]) == "red"
    wide = render(timeline_renderable(history, PUBLISHED, days=90), width=140)
    assert background(cell(wide, "westus", 70)[1]) == "red"
    assert text_of(row(wide, "westus")).split()[-2:] == ["1", "1"]


def test_many_regions_one_row_each():
    history = [record(f"region{index:02d}", index % 30, phase=index // 10 + 1) for index in range(64)]
    lines = render(timeline_renderable(history, PUBLISHED), width=80)
    rows = [text_of(line) for line in lines if text_of(line)[4:10] == "region"]
    assert len(rows) == 64
    assert [r.split()[1] for r in rows] == [f"region{index:02d}" for index in range(64)]


def test_empty_history_says_so():
    lines = render(timeline_renderable([], PUBLISHED))
    text = "\n".join(text_of(line) for line in lines)
    assert "No patch operations yet" in text
    assert "Region" not in text and "Legend" not in text
    narrow = " ".join(text_of(line).strip() for line in render(timeline_renderable([], PUBLISHED), width=40))
    assert "No patch operations yet: nothing assessed or installed since the release." in narrow


def test_bad_arguments_refused():
    with pytest.raises(ValueError, match="not an ISO-8601"):
        timeline_renderable([], "yesterday")
    with pytest.raises(ValueError, match="at least 1"):
        timeline_renderable([], PUBLISHED, days=0)


def test_export_svg_is_well_formed_and_coloured(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # a file keeps its colours anyway
    path = export_timeline(small_history(), PUBLISHED, tmp_path / "rollout.svg")
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = "".join(root.itertext())
    assert "westcentralus" in text and "Legend" in text
    svg = path.read_text(encoding="utf-8")
    assert "autopatch rollout 2020-11" in svg.replace("&#160;", " ")
    from rich.terminal_theme import SVG_EXPORT_THEME

    red, green = SVG_EXPORT_THEME.ansi_colors[1].hex, SVG_EXPORT_THEME.ansi_colors[2].hex
    rects = [e for e in root.iter("{http://www.w3.org/2000/svg}rect") if e.get("fill") == red]
    assert len(rects) == 4  # the failed days: eastus and its zone 2 on day 5, westus on day 9; legend swatch
    assert f"fill: {green}" in svg


def test_export_html_is_well_formed(tmp_path):
    from html.parser import HTMLParser

    for name in ("rollout.html", "ROLLOUT.HTM"):
        path = export_timeline(small_history(), PUBLISHED, tmp_path / name)
        html = path.read_text(encoding="utf-8")
        assert html.lstrip().lower().startswith("<!doctype html>")
        assert "westcentralus" in html and "No patch" not in html
        assert "fill: #" in html  # the SVG's colours, in the page

        class Check(HTMLParser):
            tags: list[str] = []

            def handle_starttag(self, tag, attrs):
                self.tags.append(tag)

        checker = Check()
        checker.feed(html)
        assert {"html", "head", "title", "body", "svg"} <= set(checker.tags)
        assert "<title>autopatch rollout 2020-11</title>" in html


def test_export_empty_history(tmp_path):
    path = export_timeline([], PUBLISHED, tmp_path / "empty.svg")
    assert "No patch operations yet" in "".join(ET.parse(path).getroot().itertext()).replace("\xa0", " ")


@pytest.mark.parametrize("name", ["rollout.png", "rollout", "rollout.svg.txt"])
def test_export_refuses_other_extensions(tmp_path, name):
    with pytest.raises(ValueError, match=r"must end in \.svg, \.html or \.htm"):
        export_timeline(small_history(), PUBLISHED, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_summary_counts_per_region_and_zone():
    summary = timeline_summary(small_history())
    assert summary["releases"] == ["2020-11"]
    assert summary["operationCount"] == 10
    assert [r["region"] for r in summary["regions"]] == ["westcentralus", "eastus", "westus"]
    eastus = summary["regions"][1]
    assert eastus["phase"] == 2 and eastus["vmCount"] == 4
    assert eastus["installations"] == {"CompletedWithWarnings": 1, "Failed": 1, "Succeeded": 2}
    assert eastus["assessments"] == 1 and eastus["failedVmCount"] == 1
    assert eastus["firstInstallTime"] == "2020-11-14T06:00:00Z"
    assert eastus["lastInstallTime"] == "2020-11-16T06:41:00Z"
    zones = {z["zone"]: z for z in eastus["zones"]}
    assert set(zones) == {"1", "2"}
    assert zones["2"]["installations"] == {"CompletedWithWarnings": 1, "Failed": 1}
    assert zones["1"]["firstInstallTime"] == "2020-11-14T06:00:00Z"
    westus = summary["regions"][2]
    assert westus["zones"] == [] and westus["enablements"] == {"Succeeded": 1}
    assert westus["installations"] == {"Unhealthy": 1} and westus["failedVmCount"] == 1
    assert summary["regions"][0]["firstInstallTime"] == "2020-11-11T06:00:00Z"
    import json

    json.dumps(summary)  # plain data


def test_summary_of_nothing():
    assert timeline_summary([]) == {
        "releases": [], "operationCount": 0, "installations": {}, "enablements": {}, "assessments": 0,
        "failedVmCount": 0, "firstInstallTime": None, "lastInstallTime": None, "vmCount": 0, "regions": [],
    }


def test_retry_that_succeeds_clears_the_failed_count():
    history = [record("eastus", 2, "Failed"), record("eastus", 3, "Succeeded")]
    summary = timeline_summary(history)
    assert summary["regions"][0]["failedVmCount"] == 0
    assert summary["regions"][0]["installations"] == {"Failed": 1, "Succeeded": 1}
    lines = render(timeline_renderable(history, PUBLISHED))
    assert text_of(row(lines, "eastus")).split()[-2:] == ["1", "0"]


def test_mixed_zonal_and_regional_vms_get_a_no_zone_row():
    history = [record("eastus", 2, zone="1"), record("eastus", 3, name="vm2")]
    lines = render(timeline_renderable(history, PUBLISHED))
    assert colour(cell(lines, "  no zone", 3)[1]) == "green"
    assert cell(lines, "  zone 1", 3)[0] == "·"
    assert [z["zone"] for z in timeline_summary(history)["regions"][0]["zones"]] == ["1", None]


def test_exports_use_local_fonts_only(tmp_path):
    """No web font: nothing in the files points outside the machine but the SVG namespace."""
    import re

    for name in ("rollout.svg", "rollout.html"):
        text = export_timeline(small_history(), PUBLISHED, tmp_path / name).read_text(encoding="utf-8")
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"')]*", text))
        assert urls <= {"http://www.w3.org/2000/svg", "https://www.textualize.io"}, urls
        assert "@font-face" not in text and "DejaVu Sans Mono" in text


def test_the_html_page_shows_the_same_svg(tmp_path):
    svg = export_timeline(small_history(), PUBLISHED, tmp_path / "a.svg").read_text(encoding="utf-8")
    page = export_timeline(small_history(), PUBLISHED, tmp_path / "a.html").read_text(encoding="utf-8")
    import re

    def strip_ids(text):
        return re.sub(r"terminal-\d+", "terminal-N", text)

    assert strip_ids(svg.strip()) in strip_ids(page)


def test_phase_headings_and_empty_phases():
    from autopatch_cli.engine.phases import phase_plan

    phases = {"westcentralus": 3, "eastus": 5, "westus": 6}
    lines = [text_of(line) for line in render(timeline_renderable(small_history(), PUBLISHED, phases=phases))]
    assert any(line.strip() == "phase 3: pilot" for line in lines)
    assert any(line.strip() == "phase 5: wave 2" for line in lines)
    at = next(i for i, line in enumerate(lines) if "no VM of this fleet in phase" in line)
    empty = " ".join(line.strip() for line in lines[at:at + 2])  # wrapped to the width
    expected = [n for n in range(1, len(phase_plan()) + 1) if n not in (3, 5, 6)]
    for number in expected:
        assert f"{number} (" in empty


def test_the_halting_vm_is_named():
    halts = [{"phase": 2, "time": "2020-11-15T07:00:00Z", "reason": "unhealthy", "vm": "rg/vm2"}]
    lines = [text_of(line) for line in render(timeline_renderable(small_history(), PUBLISHED, halts=halts))]
    at = next(i for i, line in enumerate(lines) if "halted phase 2" in line)
    assert "by VM rg/vm2" in " ".join(lines[at:at + 3])


def test_now_is_marked_under_its_day_or_said_to_be_outside():
    lines = render(timeline_renderable(small_history(), PUBLISHED, now="2020-11-20T03:00:00Z"))
    marker = next(text_of(line) for line in lines if "now, day 10" in text_of(line))
    assert marker.index("▲") == grid_start(lines) + 10
    later = [text_of(line) for line in render(timeline_renderable(small_history(), PUBLISHED,
                                                                  now="2021-01-20T00:00:00Z"))]
    assert any("now: 2021-01-20 00:00Z, day 71 (after the days shown)" in line for line in later)


def test_days_with_installations_get_their_hours_when_there_is_room():
    history = small_history()
    wide = render(timeline_renderable(history, PUBLISHED), width=200, hourly=True)
    view = timeline_renderable(history, PUBLISHED)
    install_days = sorted({c.day for c in view.hourly_columns if c.slot is not None})
    assert install_days == [1, 4, 5, 6, 9]
    start = grid_start(wide)
    header = next(text_of(line) for line in wide if "Region" in text_of(line))
    # the installation at 06:00 UTC on day 4 falls in that day's second 6-hour column
    day4 = next(i for i, c in enumerate(view.hourly_columns) if c.day == 4)
    assert header[start + day4] == "4"
    zone1 = text_of(row(wide, "  zone 1"))
    assert zone1[start + day4 + 1] == "█" and zone1[start + day4] != "█"
    assert any("4 columns wide, 6 hours each" in text_of(line) for line in wide)
    narrow = render(timeline_renderable(history, PUBLISHED), width=80, hourly=True)
    assert all(len(text_of(line).rstrip()) <= 80 for line in narrow)  # no room: one column a day


SCHEDULE = {
    "name": "nightly", "resourceGroup": "rg", "startDateTime": "2020-11-07 22:00", "duration": "03:00",
    "recurEvery": "Week Saturday", "timeZone": "UTC", "expirationDateTime": None,
    "nextWindows": [{"start": "2020-11-21T22:00:00Z", "end": "2020-11-22T01:00:00Z"}],
    "windowsShown": ["2020-11-14T22:00:00Z", "2020-11-21T22:00:00Z", "2020-11-28T22:00:00Z"],
    "vms": [{"name": "db1", "patchedBy": "schedule"}, {"name": "db2", "patchedBy": "nobody"}],
}


def scheduled_history() -> list[dict]:
    """The small history, and a schedule's installation on its window of Saturday 2020-11-14 (day 4)."""
    return [*small_history(), dict(record("eastus", 4, hour=22, name="db1"), release=None, schedule="nightly")]


def test_a_schedules_vms_get_their_own_row_with_its_windows_and_words():
    lines = render(timeline_renderable(scheduled_history(), PUBLISHED, schedules=[SCHEDULE]), width=200)
    texts = [text_of(line) for line in lines]
    heading = next(i for i, t in enumerate(texts) if "Update Manager schedules" in t)
    assert heading > next(i for i, t in enumerate(texts) if t[4:].startswith("westus"))  # after every phase
    sched = row(lines, "sched nightly")
    start = grid_start(lines)
    assert text_of(sched)[start + 4] == "█"  # its installation, on the window's day
    assert text_of(sched)[start + 11] == "◇" and text_of(sched)[start + 18] == "◇"  # its windows to come
    assert text_of(sched).rstrip().endswith("2      0")  # the VMs assigned to it
    eastus = text_of(row(lines, "eastus"))
    assert "db1" not in eastus and eastus.rstrip().endswith("4      1")  # db1 is not counted in its region
    words = " ".join(" ".join(texts[heading:]).split())
    assert "Week Saturday from 2020-11-07 22:00 (UTC), 03:00 long" in words
    assert "next windows 2020-11-21 22:00Z" in words and "not by the platform's rollout" in words
    assert "1 of them without the prerequisites" in words and "a schedule's window" in words


def test_a_schedule_without_operations_in_the_days_shown_still_has_its_row():
    lines = render(timeline_renderable(small_history(), PUBLISHED, schedules=[SCHEDULE]), width=200)
    assert "◇" in text_of(row(lines, "sched nightly"))
    summary = timeline_summary(scheduled_history())
    assert summary["schedules"] == [dict(summary["schedules"][0], schedule="nightly", vmCount=1,
                                         installations={"Succeeded": 1})]
    assert all(r["region"] != "eastus" or r["vmCount"] == 4 for r in summary["regions"])


def test_the_release_named_in_the_title_even_before_any_installation():
    only_assessments = [r for r in small_history() if r["operation"] == "assessment"]
    lines = render(timeline_renderable(only_assessments, PUBLISHED, release="2020-11"))
    assert text_of(lines[0]).startswith("Rollout of release 2020-11")
