"""The rollout timeline of one release: a day-by-day picture of where patches were installed.

Pure rendering over the history records the engine produces (one record per VM per patch
operation); nothing here reads the store. Three entry points:

* :func:`timeline_renderable` - a rich renderable, one row per region (ordered by phase, then name)
  and a sub-row per availability zone used there, one character per day since the release.
* :func:`export_timeline` - the same picture written as SVG or HTML.
* :func:`timeline_summary` - a plain dict (counts by result, first/last install) for ``-o json``.

Days are UTC calendar days: day 0 is the UTC date of the release's publication, and an operation
falls on the UTC date of its ``startTime``. A cell shows the worst installation result of that day
in that row; days with only enablement operations are drawn faintly, days with only assessments
get a faint mark. rich is imported inside functions only (ruff TID253: start-up stays fast).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..ops.orchestration import TimelineOp as Op
from ..ops.orchestration import schedule_words

INSTALLATION = "installation"
ENABLEMENT = "enablement"
ASSESSMENT = "assessment"

# Severity of an installation result: the worst of a day wins. Skipped is below Succeeded so that a
# day on which some VMs patched and others had nothing to install reads as a patched day.
SEVERITY = {"Skipped": 1, "Succeeded": 2, "CompletedWithWarnings": 3, "Unhealthy": 4, "Failed": 5}
BAD_RESULTS = ("Failed", "Unhealthy")

# glyph and style per cell kind; glyphs differ too, so the picture still reads without colour (NO_COLOR).
CELL = {
    "Succeeded": ("█", "green"),
    "CompletedWithWarnings": ("▓", "yellow"),
    "Failed": ("X", "bold bright_white on red"),
    "Unhealthy": ("X", "bold bright_white on red"),
    "Skipped": ("○", "cyan"),
    "enablement": ("▄", "dim"),  # coloured by its result, made faint
    ASSESSMENT: ("░", "bright_black"),
    "none": ("·", "dim"),
    "week": ("╎", "dim"),  # an empty day at the start of each week (under a date in the header)
    "window": ("◇", "bold cyan"),  # an Update Manager schedule's window with nothing installed (yet)
}
ENABLEMENT_COLOUR = {
    "Succeeded": "green",
    "CompletedWithWarnings": "yellow",
    "Failed": "red",
    "Unhealthy": "red",
    "Skipped": "cyan",
}
LEGEND = (
    ("Succeeded", "succeeded"),
    ("CompletedWithWarnings", "with warnings"),
    ("Failed", "failed/unhealthy"),
    ("Skipped", "skipped"),
    ("enablement", "enablement only"),
    (ASSESSMENT, "assessment only"),
    ("none", "no operation"),
)

PHASE_WIDTH = 3
VMS_WIDTH = 4
FAILED_WIDTH = 7
LABEL_MIN = 8
LABEL_MAX = 24
NO_ZONE = "no zone"


# ---- grouping ------------------------------------------------------------------------------------


def _parse_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _epoch(value: Any) -> int | None:
    moment = _parse_time(value)
    return None if moment is None else int(moment.timestamp())


def _iso(moment: datetime | None) -> str | None:
    from ..engine.clock import format_instant

    return None if moment is None else format_instant(moment)


def as_op(record: Mapping[str, Any] | Op) -> Op:
    """A history record (a dict, as ``orchestration history`` prints it) as the picture's operation, its times
    parsed once; the timeline of ``ops.orchestration`` gives these directly."""
    if isinstance(record, Op):
        return record
    zone = record.get("zone")
    return Op(str(record.get("region") or "unknown"), None if zone in (None, "") else str(zone), _vm_key(record),
              str(record.get("operation")), str(record.get("result")), _epoch(record.get("startTime")),
              _epoch(record.get("endTime")), record.get("phase"),
              str(record["release"]) if record.get("release") else None, record.get("schedule"))


@dataclass
class Row:
    """One line of the grid: a region (zone None, is_region True) or one zone of it."""

    region: str
    zone: str | None
    is_region: bool
    records: list[Op] = field(default_factory=list)
    schedule: str | None = None  # a row of an Update Manager schedule's VMs, not of a region
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # _marks per day 0

    @property
    def label(self) -> str:
        if self.is_region:
            return f"{SCHEDULE_LABEL}{self.schedule}" if self.schedule is not None else self.region
        return f"  {NO_ZONE}" if self.zone is None else f"  zone {self.zone}"


@dataclass
class RegionGroup:
    region: str
    phase: int | None
    rows: list[Row]
    schedule: str | None = None


SCHEDULE_LABEL = "sched "


def _zone_key(zone: str | None) -> tuple[int, int, str]:
    if zone is None:
        return (1, 0, "")
    text = str(zone)
    return (0, int(text), "") if text.isdigit() else (0, 1 << 30, text)


def _group(records: Iterable[Op], phases: Mapping[str, int] | None = None) -> list[RegionGroup]:
    """Rows per region (and zone), ordered by phase then name; the VMs of Update Manager schedules get a row
    per schedule after them (the platform's rollout does not touch them)."""
    by_region: dict[str, list[Op]] = {}
    by_schedule: dict[str, list[Op]] = {}
    for op in records:
        if op.schedule is not None:
            by_schedule.setdefault(op.schedule, []).append(op)
        else:
            by_region.setdefault(op.region, []).append(op)
    groups = []
    for region, items in by_region.items():
        phase: int | None
        if phases is not None and region in phases:
            phase = phases[region]
        else:
            known = [op.phase for op in items if op.phase is not None]
            phase = min(known) if known else None
        rows = [Row(region, None, True, items)]
        zones: dict[str | None, list[Op]] = {}
        for op in items:
            zones.setdefault(op.zone, []).append(op)
        if any(zone is not None for zone in zones):  # a region without zones has no sub-rows
            for zone in sorted(zones, key=_zone_key):
                rows.append(Row(region, zone, False, zones[zone]))
        groups.append(RegionGroup(region, phase, rows))
    groups.sort(key=lambda g: (g.phase is None, g.phase if g.phase is not None else 0, g.region))
    for name in sorted(by_schedule):
        items = by_schedule[name]
        groups.append(RegionGroup(name, None, [Row(name, None, True, items, schedule=name)], schedule=name))
    return groups


def _day0_epoch(day0: date) -> int:
    return int(datetime(day0.year, day0.month, day0.day, tzinfo=UTC).timestamp())


def _day(op: Op, base: int) -> int | None:
    """The UTC day of the operation's start, counted from ``base`` (day 0's midnight, epoch seconds)."""
    return None if op.start is None else (op.start - base) // 86_400


def _worst(results: Iterable[str]) -> str | None:
    ranked = [r for r in results if r in SEVERITY]
    return max(ranked, key=SEVERITY.__getitem__) if ranked else None


# A day with installations gets this many columns (hours each: 24 // SLOTS_PER_INSTALL_DAY), so the days
# that matter are drawn by the hour while a month of assessment-only days stays one column each.
SLOTS_PER_INSTALL_DAY = 4
HOURS_PER_SLOT = 24 // SLOTS_PER_INSTALL_DAY


@dataclass(frozen=True)
class Column:
    """One column of the grid: a whole day, or a slot of hours of a day with installations."""

    day: int
    slot: int | None = None  # None: the whole day

    def holds(self, moment: datetime, day: int) -> bool:
        return day == self.day and (self.slot is None or moment.hour // HOURS_PER_SLOT == self.slot)


def _columns(records: Iterable[Op], day0: date, days: int) -> list[Column]:
    base = _day0_epoch(day0)
    install_days = {d for op in records if op.operation == INSTALLATION
                    for d in [_day(op, base)] if d is not None and 0 <= d < days}
    columns: list[Column] = []
    for day in range(days):
        if day in install_days:
            columns.extend(Column(day, slot) for slot in range(SLOTS_PER_INSTALL_DAY))
        else:
            columns.append(Column(day))
    return columns


def _column_at(columns: Sequence[Column], moment: datetime | None, day0: date) -> int | None:
    if moment is None:
        return None
    day = (moment.date() - day0).days
    return next((i for i, c in enumerate(columns) if c.holds(moment, day)), None)


def _marks(row: Row, base: int) -> dict[tuple[int, int], tuple[list[str], list[str], list[bool]]]:
    """(day, slot of hours) -> (installation results, enablement results, [assessed]) of the row's operations,
    gathered once per row (a big fleet's month is a hundred thousand operations; the columns are a few dozen)."""
    cached = row.cache.get(base)
    if cached is not None:
        return cached
    marks: dict[tuple[int, int], tuple[list[str], list[str], list[bool]]] = {}
    for op in row.records:
        if op.start is None:
            continue
        day, seconds = divmod(op.start - base, 86_400)
        key = (day, seconds // 3600 // HOURS_PER_SLOT)
        mark = marks.get(key)
        if mark is None:
            mark = marks[key] = ([], [], [])
        operation = op.operation
        if operation == INSTALLATION:
            mark[0].append(op.result)
        elif operation == ENABLEMENT:
            mark[1].append(op.result)
        elif operation == ASSESSMENT and not mark[2]:
            mark[2].append(True)
    row.cache[base] = marks
    return marks


def _cells(row: Row, day0: date, days: int, columns: Sequence[Column] | None = None) -> list[tuple[str, str]]:
    """(glyph, style) per column of the row (per day when ``columns`` is not given)."""
    columns = list(columns) if columns is not None else [Column(day) for day in range(days)]
    index = {(c.day, c.slot): i for i, c in enumerate(columns)}
    installs: dict[int, list[str]] = {}
    enables: dict[int, list[str]] = {}
    assessed: set[int] = set()
    for (day, slot), (installed, enabled, was_assessed) in _marks(row, _day0_epoch(day0)).items():
        if not 0 <= day < days:
            continue
        at = index.get((day, None))
        if at is None:
            at = index.get((day, slot))
        if at is None:
            continue
        if installed:
            installs.setdefault(at, []).extend(installed)
        if enabled:
            enables.setdefault(at, []).extend(enabled)
        if was_assessed:
            assessed.add(at)
    cells = []
    for day, column in enumerate(columns):
        worst = _worst(installs.get(day, ()))
        if worst is not None:
            cells.append(CELL[worst])
            continue
        if day in installs:  # an installation with a result we do not know: show it, neutrally
            cells.append(("?", "magenta"))
            continue
        if day in enables:
            result = _worst(enables[day])
            glyph, style = CELL["enablement"]
            cells.append((glyph, f"dim {ENABLEMENT_COLOUR[result]}" if result else style))
            continue
        if day in assessed:
            cells.append(CELL[ASSESSMENT])
        else:
            cells.append(CELL["week"] if column.day % 7 == 0 and not column.slot else CELL["none"])
    return cells


def _vm_key(record: Mapping[str, Any]) -> str:
    return str(record.get("vmId") or f"{record.get('resourceGroup')}/{record.get('name')}")


def _latest_installs(records: Iterable[Op]) -> dict[str, str]:
    """vm -> result of its latest installation."""
    latest: dict[str, tuple[int, str]] = {}
    for op in records:
        if op.operation != INSTALLATION or op.start is None:
            continue
        if op.vm not in latest or op.start >= latest[op.vm][0]:
            latest[op.vm] = (op.start, op.result)
    return {key: result for key, (_, result) in latest.items()}


# ---- the picture ---------------------------------------------------------------------------------


class TimelineView:
    """A rich renderable (``__rich_console__``) drawn to the width it is given.

    The label column shrinks (names get an ellipsis) before the day grid does; a grid wider than the
    terminal is cropped rather than wrapped, so rows never break.
    """

    def __init__(self, records: Sequence[Mapping[str, Any] | Op], published: str | datetime, days: int = 35,
                 phases: Mapping[str, int] | None = None, halts: Sequence[Mapping[str, Any]] | None = None,
                 now: str | datetime | None = None, schedules: Sequence[Mapping[str, Any]] | None = None,
                 release: str | None = None):
        if days < 1:
            raise ValueError(f"days must be at least 1, not {days}")
        moment = _parse_time(published)
        if moment is None:
            raise ValueError(f"published time '{published}' is not an ISO-8601 date and time")
        self.records = [as_op(r) for r in records]
        self.published = moment
        self.day0 = moment.date()
        self.days = days
        self.phases = dict(phases) if phases else None
        self.halts = [dict(h) for h in halts or ()]
        self.groups = _group(self.records, self.phases)
        self.now = _parse_time(now) if now is not None else None
        self.hourly_columns = _columns(self.records, self.day0, days)
        self.daily_columns = [Column(day) for day in range(days)]
        self.columns = self.hourly_columns  # what lines() draws: hourly install days when the width allows
        self.schedules = [dict(s) for s in schedules or ()]
        drawn = {g.schedule for g in self.groups if g.schedule is not None}
        for item in self.schedules:  # a schedule with VMs but no operation in the days shown still has its row
            if item["name"] not in drawn:
                self.groups.append(RegionGroup(item["name"], None, [Row(item["name"], None, True, [],
                                                                        schedule=item["name"])], schedule=item["name"]))
        self.schedule_vms = {item["name"]: len(item["vms"]) for item in self.schedules if "vms" in item}
        # the windows each schedule opens in the days shown, as epoch seconds (marked in its row)
        self.schedule_windows = {item["name"]: [w for w in (_epoch(t) for t in item.get("windowsShown", ())) if w]
                                 for item in self.schedules}
        releases = sorted({op.release for op in self.records if op.release})
        self.release = release or (", ".join(releases) if releases else None)

    # widths
    def _label_width(self) -> int:
        longest = max((len(row.label) for g in self.groups for row in g.rows), default=LABEL_MIN)
        return max(LABEL_MIN, min(LABEL_MAX, longest))

    def natural_width(self) -> int:
        return self._width_with(self.hourly_columns)

    def _width_with(self, columns: Sequence[Column]) -> int:
        return PHASE_WIDTH + 1 + self._label_width() + 1 + len(columns) + 1 + VMS_WIDTH + FAILED_WIDTH

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(min(options.max_width, 40), min(options.max_width, max(self.natural_width(), 60)))

    def __rich_console__(self, console, options):
        yield from self.lines(options.max_width)

    # lines
    def lines(self, width: int) -> list[Any]:
        from rich.text import Text

        out: list[Text] = []
        title = Text()
        title.append("Rollout", style="bold")
        if self.release:
            title.append(f" of release {self.release}", style="bold")
        title.append(f"  published {self.published.strftime('%a %Y-%m-%d %H:%M')} UTC", style="dim")
        title.append(f"  days 0-{self.days - 1}", style="dim")
        out.append(title)
        if not self.records:
            message = Text("No patch operations yet", style="bold yellow")
            message.append(": nothing assessed or installed since the release.", style="yellow")
            self._fit(out, width)
            return [*out, message]  # this one may wrap

        # Days with installations get their hours when the width allows it; else every day is one column.
        self.columns = self.hourly_columns if self._width_with(self.hourly_columns) <= width else self.daily_columns
        natural = self._width_with(self.columns)
        spare = width - natural
        label_width = self._label_width()
        if spare < 0:
            label_width = max(LABEL_MIN, label_width + spare)
            spare = width - (natural - self._label_width() + label_width)
        counts = spare >= 0  # too many days for the width: the counts go before the grid is cropped
        grid_at = PHASE_WIDTH + 1 + label_width + 1

        dates = Text(" " * grid_at)
        numbers = Text()
        numbers.append(f"{'Ph':>{PHASE_WIDTH}} {'Region':<{label_width}} ", style="bold")
        span = len(self.columns)
        first: dict[int, int] = {}
        for at, column in enumerate(self.columns):
            first.setdefault(column.day, at)
        date_row = [" "] * span
        number_row = [" "] * span
        for day in range(0, self.days, 7):
            at = first[day]
            label = (self.day0 + timedelta(days=day)).strftime("%b %d")
            if at + len(label) <= span or day == 0:
                date_row[at:at + len(label)] = label
            number = str(day)
            if at + len(number) <= span:
                number_row[at:at + len(number)] = number
        for at, column in enumerate(self.columns):  # a day drawn by the hour is wide enough for its number
            number = str(column.day)
            if (column.slot == 0 and at + len(number) <= span and all(c == " " for c in number_row[at:at + len(number)])
                    and (at == 0 or number_row[at - 1] == " ")):
                number_row[at:at + len(number)] = number
        dates.append("".join(date_row[:span]), style="cyan")
        numbers.append("".join(number_row[:span]), style="dim")
        if counts:
            numbers.append(f" {'VMs':>{VMS_WIDTH}}{'Failed':>{FAILED_WIDTH}}", style="bold")
        out.extend([dates, numbers])

        shown_phase: object = object()
        for group in self.groups:
            heading_of = "schedules" if group.schedule is not None else group.phase
            if heading_of != shown_phase:  # a heading per phase: its number and name ("wave 2")
                shown_phase = heading_of
                heading = Text()
                heading.append(f"{'':>{PHASE_WIDTH}} ")
                heading.append(SCHEDULES_HEADING if group.schedule is not None else _phase_heading(group.phase),
                               style="magenta")
                out.append(heading)
            for row in group.rows:
                line = Text()
                if row.is_region:
                    phase = "-" if group.phase is None else str(group.phase)
                    line.append(f"{phase:>{PHASE_WIDTH}} ", style="bold magenta")
                    line.append(_ellipsis(row.label, label_width).ljust(label_width), style="bold")
                else:
                    line.append(" " * (PHASE_WIDTH + 1))
                    line.append(_ellipsis(row.label, label_width).ljust(label_width), style="dim")
                line.append(" ")
                cells = _cells(row, self.day0, self.days, self.columns)
                if row.schedule is not None:
                    self._mark_windows(cells, self.schedule_windows.get(row.schedule, ()))
                run, run_style = "", None
                for glyph, style in cells:  # runs of one style appended at once (rich is slow per character)
                    if style != run_style and run:
                        line.append(run, style=run_style)
                        run = ""
                    run, run_style = run + glyph, style
                if run:
                    line.append(run, style=run_style)
                if counts:
                    count = len({op.vm for op in row.records})
                    if row.schedule in self.schedule_vms:  # a schedule's row counts the VMs assigned to it
                        count = self.schedule_vms[row.schedule]
                    failed = sum(1 for result in _latest_installs(row.records).values() if result in BAD_RESULTS)
                    line.append(f" {count:>{VMS_WIDTH}}")
                    line.append(f"{failed:>{FAILED_WIDTH}}", style="bold red" if failed else "dim")
                out.append(line)

        out.extend(self._footnotes(grid_at, width))
        empty = self.empty_phases()
        if empty:
            import textwrap

            note = "no VM of this fleet in phase " + ", ".join(f"{n} ({_phase_name(n)})" for n in empty)
            indent = grid_at if width - grid_at >= 30 else 2
            for chunk in textwrap.wrap(note, max(width - indent, 10)):
                out.append(Text(" " * indent + chunk, style="dim"))
        out.extend(self._schedule_notes(width))
        out.extend(self._legend(width))
        return self._fit(out, width)

    def _mark_windows(self, cells: list[tuple[str, str]], windows: Iterable[int]) -> None:
        """A schedule's windows in its row, where nothing was installed (yet): the days it will patch."""
        for at in windows:
            column = _column_at(self.columns, datetime.fromtimestamp(at, UTC), self.day0)
            if column is not None and cells[column][0] not in {CELL[k][0] for k in SEVERITY}:
                cells[column] = CELL["window"]

    def _schedule_notes(self, width: int) -> list[Any]:
        """Each schedule in words: its window, its next openings, its VMs and that the rollout leaves them."""
        import textwrap

        from rich.text import Text

        out = []
        for item in self.schedules:
            vms = item.get("vms") or []
            left = [vm for vm in vms if vm.get("patchedBy") != "schedule"]
            upcoming = ", ".join(_short(w["start"]) for w in item.get("nextWindows", ())) or "none (expired)"
            text = (f"{SCHEDULE_LABEL}{item['name']}: Update Manager schedule, {schedule_words(item)}; next windows "
                    f"{upcoming}; {len(vms)} VM{'' if len(vms) == 1 else 's'}, patched in its windows, not by the "
                    "platform's rollout")
            if left:
                text += (f"; {len(left)} of them without the prerequisites (AutomaticByPlatform and "
                         "bypassPlatformSafetyChecksOnUserSchedule): nobody patches them")
            for i, chunk in enumerate(textwrap.wrap(text, max(width - 4, 20))):
                out.append(Text(("  " if i else "") + chunk, style="cyan"))
        return out

    def empty_phases(self) -> list[int]:
        """The rollout's phases (all of Azure's) in which this fleet had no region: they passed with nothing to do."""
        if self.phases is None:
            return []
        from ..engine.phases import phase_plan

        used = set(self.phases.values())
        return [number for number in range(1, len(phase_plan()) + 1) if number not in used]

    def _footnotes(self, grid_at: int, width: int) -> list[Any]:
        from rich.text import Text

        out = []
        for halt in sorted(self.halts, key=lambda h: str(h.get("time") or "")):
            moment = _parse_time(halt.get("time"))
            day = None if moment is None else (moment.date() - self.day0).days
            phase = halt.get("phase")
            head = f"halted{'' if phase is None else f' phase {phase} ({_phase_name(phase)})'}"
            if moment is not None:
                head += f" on day {day}"
            detail = f"by VM {halt['vm']}, " if halt.get("vm") else ""
            detail += "" if moment is None else f"{moment.strftime('%Y-%m-%d %H:%M')}Z"
            if halt.get("reason"):
                detail += f"{': ' if detail else ''}{halt['reason']}"
            column = _column_at(self.columns, moment, self.day0)
            marked = column is not None
            # the marker sits under the halt day; the text goes left of it when it would not fit on the right
            at = grid_at + column if column is not None else grid_at
            line = Text()
            if marked and at + 2 + len(head) > width and at - len(head) - 1 >= 0:
                line.append(" " * (at - len(head) - 1))
                line.append(head + " ", style="bold red")
                line.append("▲", style="bold red")
            else:
                line.append(" " * at)
                line.append("▲ " if marked else "! ", style="bold red")
                line.append(head, style="bold red")
            if detail and line.cell_len + 2 + len(detail) <= width:
                line.append(f"  {detail}", style="red")
                detail = ""
            out.append(line)
            if detail:
                import textwrap

                indent = grid_at if width - grid_at >= 30 else 2
                for chunk in textwrap.wrap(detail, max(width - indent, 10)):
                    out.append(Text(" " * indent + chunk, style="red"))
        out.extend(self._now_line(grid_at, width))
        before = after = undated = 0
        base = _day0_epoch(self.day0)
        for op in self.records:
            day = _day(op, base)
            if day is None:
                undated += 1
            elif day < 0:
                before += 1
            elif day >= self.days:
                after += 1
        notes = []
        if before:
            notes.append(f"{before} operation(s) before day 0")
        if after:
            notes.append(f"{after} operation(s) after day {self.days - 1}")
        if undated:
            notes.append(f"{undated} operation(s) without a start time")
        if notes:
            out.append(Text(" " * grid_at + "not shown: " + "; ".join(notes), style="dim"))
        return out

    def _now_line(self, grid_at: int, width: int) -> list[Any]:
        """"now" (the simulated clock) under its column, or where it is when outside the days shown."""
        from rich.text import Text

        if self.now is None:
            return []
        day = (self.now.date() - self.day0).days
        when = f"{self.now.strftime('%Y-%m-%d %H:%M')}Z"
        column = _column_at(self.columns, self.now, self.day0)
        line = Text()
        if column is None:
            where = "after" if day >= self.days else "before"
            line.append(" " * grid_at)
            line.append(f"now: {when}, day {day} ({where} the days shown)", style="bold cyan")
            return [line]
        head = f"now, day {day}  {when}"
        at = grid_at + column
        if at + 2 + len(head) > width and at - len(head) - 1 >= 0:
            line.append(" " * (at - len(head) - 1))
            line.append(head + " ▲", style="bold cyan")
        else:
            line.append(" " * at)
            line.append("▲ " + head, style="bold cyan")
        return [line]

    def _legend(self, width: int) -> list[Any]:
        from rich.text import Text

        lines = [Text()]
        lines[0].append("Legend: ", style="bold")
        for key, name in LEGEND:
            glyph, style = CELL[key]
            if key == "enablement":
                style = "dim green"
            elif key == "none":
                glyph += CELL["week"][0]
            entry_width = len(glyph) + 1 + len(name) + 2
            if lines[-1].cell_len + entry_width > width and lines[-1].cell_len > len("Legend: "):
                lines.append(Text(" " * len("Legend: ")))
            lines[-1].append(glyph, style=style)
            lines[-1].append(f" {name}  ")
        if self.schedules:
            glyph, style = CELL["window"]
            line = Text(" " * len("Legend: "))
            line.append(glyph, style=style)
            line.append(" a schedule's window (Update Manager)")
            lines.append(line)
        if any(c.slot is not None for c in self.columns):
            lines.append(Text(" " * len("Legend: ") + f"days with installations are {SLOTS_PER_INSTALL_DAY} columns "
                              f"wide, {HOURS_PER_SLOT} hours each (UTC)", style="dim"))
        for line in lines:
            line.rstrip()
        return lines

    @staticmethod
    def _fit(lines: list[Any], width: int) -> list[Any]:
        for line in lines:
            line.no_wrap = True
            line.overflow = "crop"
            line.end = "\n"
        return lines


SCHEDULES_HEADING = "Update Manager schedules (outside the platform's rollout)"


def _short(iso: str) -> str:
    """2024-06-08T22:00:00Z -> 2024-06-08 22:00Z"""
    return iso.replace("T", " ").replace(":00Z", "Z") if iso.endswith(":00Z") else iso


def _phase_name(number: int) -> str:
    from ..engine.phases import phase_label

    return phase_label(int(number))


def _phase_heading(phase: int | None) -> str:
    return "no phase (not orchestrated)" if phase is None else f"phase {phase}: {_phase_name(phase)}"


def _ellipsis(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def timeline_renderable(records: Sequence[Mapping[str, Any] | Op], published: str | datetime, days: int = 35,
                        phases: Mapping[str, int] | None = None,
                        halts: Sequence[Mapping[str, Any]] | None = None,
                        now: str | datetime | None = None,
                        schedules: Sequence[Mapping[str, Any]] | None = None,
                        release: str | None = None) -> TimelineView:
    """The rollout picture of one release's history records; see the module docstring."""
    return TimelineView(records, published, days=days, phases=phases, halts=halts, now=now, schedules=schedules,
                        release=release)


# ---- files ---------------------------------------------------------------------------------------

EXPORT_FORMATS = {".svg": "svg", ".html": "html", ".htm": "html"}


def export_timeline(records: Sequence[Mapping[str, Any] | Op], published: str | datetime, path: str | Path,
                    days: int = 35, phases: Mapping[str, int] | None = None,
                    halts: Sequence[Mapping[str, Any]] | None = None, now: str | datetime | None = None,
                    schedules: Sequence[Mapping[str, Any]] | None = None, release: str | None = None) -> Path:
    """Write the picture to ``path``: SVG for ``.svg``, HTML for ``.html``/``.htm``. Returns the path.

    Colours are kept whatever NO_COLOR says: a file is not a terminal.
    """
    import io

    target = Path(path)
    fmt = EXPORT_FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot write a timeline to '{target.name}': the file name must end in .svg, .html or .htm"
        )
    view = timeline_renderable(records, published, days=days, phases=phases, halts=halts, now=now,
                               schedules=schedules, release=release)
    from rich.console import Console

    width = max(80, view.natural_width())
    console = Console(record=True, width=width, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", no_color=False, legacy_windows=False)
    console.print(view)
    title = f"autopatch rollout {view.release}" if view.release else "autopatch rollout"
    svg = console.export_svg(title=title, code_format=_svg_format())
    text = svg if fmt == "svg" else _html_page(title, svg)
    target.write_text(text, encoding="utf-8")
    return target


# Fonts the machine has: no web font is fetched (rich's template loads Fira Code from a CDN, and offline
# the picture fell back to whatever the viewer picked). Each of these draws the grid's block glyphs.
LOCAL_MONOSPACE = ('"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", '
                   '"Noto Sans Mono", monospace')


def _svg_format() -> str:
    """rich's SVG template without its @font-face rules (remote URLs), set in local monospace fonts."""
    import re

    from rich.console import CONSOLE_SVG_FORMAT

    text = re.sub(r"\n\s*@font-face \{\{.*?\}\}", "", CONSOLE_SVG_FORMAT, flags=re.DOTALL)
    text = text.replace("font-family: Fira Code, monospace;", f"font-family: {LOCAL_MONOSPACE};")
    return text.replace("font-family: arial;", "font-family: Arial, Helvetica, sans-serif;")


def _html_page(title: str, svg: str) -> str:
    """A page with a title, showing the SVG itself: the same look in a browser as the .svg file."""
    import html

    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<style>body { margin: 0; padding: 16px; background: #f4f4f4; } "
        "svg.rich-terminal { display: block; max-width: 100%; height: auto; }</style>\n"
        f"</head>\n<body>\n<h1 hidden>{html.escape(title)}</h1>\n{svg}\n</body>\n</html>\n"
    )


# ---- JSON ----------------------------------------------------------------------------------------


def _row_summary(records: Sequence[Op]) -> dict[str, Any]:
    installs: dict[str, int] = {}
    enables: dict[str, int] = {}
    assessments = 0
    first: int | None = None
    last: int | None = None
    for op in records:
        operation = op.operation
        if operation == INSTALLATION:
            installs[op.result] = installs.get(op.result, 0) + 1
            start = op.start
            end = op.end if op.end is not None else start
            if start is not None and (first is None or start < first):
                first = start
            if end is not None and (last is None or end > last):
                last = end
        elif operation == ENABLEMENT:
            enables[op.result] = enables.get(op.result, 0) + 1
        elif operation == ASSESSMENT:
            assessments += 1
    latest = _latest_installs(records)
    return {
        "vmCount": len({op.vm for op in records}),
        "installations": dict(sorted(installs.items())),
        "enablements": dict(sorted(enables.items())),
        "assessments": assessments,
        "failedVmCount": sum(1 for result in latest.values() if result in BAD_RESULTS),
        "firstInstallTime": None if first is None else _iso(datetime.fromtimestamp(first, UTC)),
        "lastInstallTime": None if last is None else _iso(datetime.fromtimestamp(last, UTC)),
    }


def timeline_summary(records: Sequence[Mapping[str, Any] | Op]) -> dict[str, Any]:
    """Per region (by phase, then name) and per zone: counts by result and first/last install time.

    ``installations``/``enablements`` count operations by result; ``failedVmCount`` counts VMs whose
    latest installation failed or left them unhealthy; ``firstInstallTime`` is the earliest installation
    start and ``lastInstallTime`` the latest installation end. The VMs of Update Manager schedules are
    counted per schedule (``schedules``), not in their regions: the platform's rollout does not touch them.
    """
    ops = [as_op(r) for r in records]
    groups = _group(ops)
    regions = []
    scheduled = []
    for group in groups:
        region_row, *zone_rows = group.rows
        if group.schedule is not None:
            scheduled.append({"schedule": group.schedule, **_row_summary(region_row.records)})
            continue
        entry = {"region": group.region, "phase": group.phase, **_row_summary(region_row.records), "zones": []}
        for row in zone_rows:
            entry["zones"].append({"zone": row.zone, **_row_summary(row.records)})
        regions.append(entry)
    out = {
        "releases": sorted({op.release for op in ops if op.release}),
        "operationCount": len(ops),
        **{k: v for k, v in _row_summary(ops).items() if k != "vmCount"},
        "vmCount": len({op.vm for op in ops}),
        "regions": regions,
    }
    if scheduled:
        out["schedules"] = scheduled
    return out
