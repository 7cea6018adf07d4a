"""The store against linked, special, damaged and unlucky files (each made here by the test).

A symbolic link is written through to its target; a FIFO, a folder or a device at the store path is
refused without hanging; valid JSON of the wrong shape is refused by path and first bad field and never
written; a full disk, a read-only file system or folder, a folder where the lock goes and an immutable
file give an error that says what happened and where, with the store intact; a write keeps the file's
mode; temporary files left by killed writers are removed by the next write.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import PASSWORD
from test_store import IMAGE, autopatch

WRITE = ("group", "create", "-n", "rg2", "-l", "westus", "-o", "none")
READS = [("vm", "show", "-g", "rg", "-n", "vm1"), ("vm", "list"), ("group", "list"), ("clock", "show")]


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result


def _make_store(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    _ok(autopatch(path, "group", "create", "-n", "rg", "-l", "eastus", "-o", "none"))
    _ok(autopatch(path, "vm", "create", "-g", "rg", "-n", "vm1", "--image", IMAGE,
                  "--admin-password", PASSWORD, "-o", "none"))
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> bytes:
    """A small real store's bytes, made once for the module."""
    return _make_store(tmp_path_factory.mktemp("template") / "state.json").read_bytes()


def _refused(result, *needles: str) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    first = result.stderr.splitlines()[0]
    assert first.startswith("ERROR: "), result.stderr
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in first, (needle, first)
    return first


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---- 1. a symbolic link is written through ---------------------------------------------------------


def test_symlinked_store_writes_through_to_its_target(tmp_path, template):
    real = tmp_path / "real" / "s.json"
    real.parent.mkdir()
    real.write_bytes(template)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    _ok(autopatch(link, *WRITE))
    _ok(autopatch(link, "vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.via=link", "-o", "none"))
    assert link.is_symlink() and os.readlink(link) == str(real)  # still a link ...
    data = json.loads(real.read_text())  # ... and the target got both writes
    assert "rg2" in data["resourceGroups"]
    assert data["vms"]["rg/vm1"]["vm"]["tags"] == {"via": "link"}
    shown = json.loads(_ok(autopatch(link, "vm", "show", "-g", "rg", "-n", "vm1")).stdout)
    assert shown["tags"] == {"via": "link"}
    # the target's lock is the one taken, so writers through the link and to the file exclude each other
    assert (real.parent / "s.json.lock").exists() and not (tmp_path / "link.json.lock").exists()
    # a relative link, a link to a link, and a link to a file that does not exist yet
    (tmp_path / "rel.json").symlink_to("real/s.json")
    (tmp_path / "chain.json").symlink_to(tmp_path / "rel.json")
    _ok(autopatch(tmp_path / "chain.json", "group", "create", "-n", "rg3", "-l", "westus", "-o", "none"))
    assert "rg3" in json.loads(real.read_text())["resourceGroups"] and (tmp_path / "chain.json").is_symlink()
    dangling = tmp_path / "new.json"
    dangling.symlink_to(tmp_path / "real" / "fresh.json")
    _ok(autopatch(dangling, *WRITE))
    assert dangling.is_symlink() and "rg2" in json.loads((tmp_path / "real" / "fresh.json").read_text())["resourceGroups"]


# ---- 2. valid JSON of the wrong shape --------------------------------------------------------------


def _damaged(template: bytes) -> dict[str, tuple[object, str]]:
    """Documents of valid JSON that are not stores, and the field each error must name."""
    good = json.loads(template)

    def with_(path: tuple, value):
        doc = json.loads(json.dumps(good))
        node = doc
        for key in path[:-1]:
            node = node[key]
        if value is _DROP:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        return doc

    return {
        "version-only": ({"schemaVersion": 1}, "meta"),
        "vm-is-a-number": (with_(("vms", "rg/vm1"), 5), 'vms["rg/vm1"]'),
        "extra-vm-is-a-number": (with_(("vms", "rg0/vm1"), 5), 'vms["rg0/vm1"]'),
        "version-true": (with_(("schemaVersion",), True), "schemaVersion"),
        "version-zero": (with_(("schemaVersion",), 0), "schemaVersion"),
        "version-negative": (with_(("schemaVersion",), -5), "schemaVersion"),
        "version-string": (with_(("schemaVersion",), "1"), "schemaVersion"),
        "version-float": (with_(("schemaVersion",), 1.5), "schemaVersion"),
        "groups-a-list": (with_(("resourceGroups",), []), "resourceGroups"),
        "group-without-location": (with_(("resourceGroups", "rg", "location"), _DROP), "resourceGroups.rg.location"),
        "clock-now-a-number": (with_(("clock", "now"), 5), "clock.now"),
        "clock-now-not-an-instant": (with_(("clock", "now"), "yesterday"), "clock.now"),
        "seed-a-string": (with_(("meta", "seed"), "x"), "meta.seed"),
        "counter-negative": (with_(("meta", "idCounter"), -1), "meta.idCounter"),
        "timers-of-numbers": (with_(("timers",), [1, 2]), "timers[0]"),
        "vms-a-list": (with_(("vms",), []), "vms"),
        "vm-without-sim": (with_(("vms", "rg/vm1", "sim"), _DROP), 'vms["rg/vm1"].sim'),
        "vm-name-a-number": (with_(("vms", "rg/vm1", "vm", "name"), 7), 'vms["rg/vm1"].vm.name'),
        "subscription-null": (with_(("subscription",), None), "subscription"),
        "history-rows-an-object": (with_(("history",), {"vms": [], "rows": {}}), "history.rows"),
    }


_DROP = object()


@pytest.mark.parametrize("layout", ["lines", "indented"])
def test_valid_json_of_the_wrong_shape_is_refused_by_field_and_never_written(tmp_path, template, cli, monkeypatch,
                                                                             layout):
    from autopatch_cli.store import serialize

    path = tmp_path / "shape" / "state.json"
    path.parent.mkdir()
    monkeypatch.setenv("AUTOPATCH_STATE", str(path))
    for label, (doc, field) in _damaged(template).items():
        if layout == "lines" and type(doc.get("schemaVersion")) is int and doc["schemaVersion"] > 0 and isinstance(doc.get("vms"), dict):
            data = serialize(doc).encode()  # the layout the reader's fast path decodes line by line
        else:
            data = json.dumps(doc, indent=1).encode()
        path.write_bytes(data)
        for args in (WRITE, ("vm", "create", "-g", "rg", "-n", "vm9", "--image", IMAGE, "--admin-password", PASSWORD),
                     ("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.a=b"), ("tick", "--minutes", "5"),
                     *READS):
            result = cli(*args)
            assert "unexpected" not in result.stderr and "Traceback" not in result.stderr, (label, args)
            if result.exit_code == 0 and args in READS:
                continue  # a read decodes only what it shows (vm show: one VM's line), and checks that
            assert result.exit_code == 1, (label, args, result.stdout, result.stderr)
            first = result.stderr.splitlines()[0]
            assert first.startswith("ERROR: ") and str(path) in first, (label, args, first)
            # a write checks the whole document and names its first bad field; a read names what it needed
            assert (field if args not in READS else "is not a valid autopatch store") in first, (label, args, first)
            assert "unexpected" not in result.stderr
            assert path.read_bytes() == data, (label, args)
    # and through real processes, the two examples
    for label in ("version-only", "extra-vm-is-a-number"):
        doc, field = _damaged(template)[label]
        data = json.dumps(doc).encode()
        path.write_bytes(data)
        for args in (WRITE, ("vm", "create", "-g", "rg", "-n", "vm9", "--image", IMAGE, "--admin-password", PASSWORD)):
            _refused(autopatch(path, *args), str(path), field)
            assert path.read_bytes() == data


# ---- 3. not a regular file -------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_or_folder_at_the_store_path_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    for path, kind in ((fifo, "FIFO"), (folder, "folder")):
        for args in (WRITE, *READS[:2]):
            _refused(autopatch(path, *args, timeout=30), str(path), kind)
        assert stat.S_ISFIFO(os.stat(fifo).st_mode) and folder.is_dir()
    # a link to a FIFO is the FIFO
    link = tmp_path / "link.json"
    link.symlink_to(fifo)
    _refused(autopatch(link, *WRITE, timeout=30), "FIFO")
    # a device
    if os.path.exists("/dev/zero"):
        _refused(autopatch(Path("/dev/zero"), "vm", "list", timeout=30), "device")


# ---- 10. the file system fails ----------------------------------------------------------------------


def _can(*command: str) -> bool:
    return shutil.which(command[0]) is not None and subprocess.run(
        command, capture_output=True, stdin=subprocess.DEVNULL).returncode == 0


@pytest.fixture
def small_fs(tmp_path):
    """A 2 MiB tmpfs of our own (root with CAP_SYS_ADMIN), unmounted afterwards."""
    mount = tmp_path / "fs"
    mount.mkdir()
    if os.geteuid() != 0 or not _can("mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(mount)):
        pytest.skip("mounting a small tmpfs needs root with CAP_SYS_ADMIN; disk-full and read-only file systems "
                    "are checked where it is allowed")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_full_disk_is_reported_with_where_and_the_store_intact(small_fs, template):
    path = small_fs / "state.json"
    path.write_bytes(template)
    _ok(autopatch(path, *WRITE))  # the lock file exists; the store works
    before = path.read_bytes()
    with open(small_fs / "filler", "wb", buffering=0) as filler:  # fill the file system to the last block
        for size in (65536, 512, 1):
            try:
                while filler.write(b"\0" * size):
                    pass
            except OSError:
                pass
    first = _refused(autopatch(path, "vm", "create", "-g", "rg", "-n", "big", "--count", "5", "--image", IMAGE,
                               "--admin-password", PASSWORD, "-o", "none"), "no space is left", str(small_fs))
    assert "left as it was" in first
    assert path.read_bytes() == before and _leftovers(small_fs) == []
    os.unlink(small_fs / "filler")
    _ok(autopatch(path, "vm", "create", "-g", "rg", "-n", "big", "-o", "none", "--image", IMAGE,
                  "--admin-password", PASSWORD))


def test_read_only_file_system_is_reported_with_the_store_intact(small_fs, template):
    path = small_fs / "state.json"
    path.write_bytes(template)
    _ok(autopatch(path, *WRITE))
    before = path.read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    _refused(autopatch(path, "group", "create", "-n", "rg9", "-l", "westus"), "read-only", str(small_fs))
    assert path.read_bytes() == before
    _ok(autopatch(path, "vm", "show", "-g", "rg", "-n", "vm1"))  # reads still work


def _immutable(path: Path) -> None:
    if os.geteuid() == 0:
        if not _can("chattr", "+i", str(path)):
            pytest.skip("as root only an immutable attribute blocks a write, and chattr +i is refused here")
    else:
        path.chmod(0o555 if path.is_dir() else 0o444)


def _mutable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)
    else:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_read_only_folder_is_reported_with_the_store_intact(tmp_path, template):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "state.json"
    path.write_bytes(template)
    _ok(autopatch(path, *WRITE))
    before = path.read_bytes()
    _immutable(folder)
    try:
        _refused(autopatch(path, "group", "create", "-n", "rg9", "-l", "westus"), str(folder), "left as it was")
        assert path.read_bytes() == before
        _ok(autopatch(path, "vm", "show", "-g", "rg", "-n", "vm1"))
    finally:
        _mutable(folder)
    assert _leftovers(folder) == []


def test_immutable_store_file_is_reported_with_the_store_intact(tmp_path, template):
    path = tmp_path / "imm" / "state.json"
    path.parent.mkdir()
    path.write_bytes(template)
    _ok(autopatch(path, *WRITE))
    before = path.read_bytes()
    _immutable(path)
    try:
        if os.geteuid() == 0:
            first = _refused(autopatch(path, "group", "create", "-n", "rg9", "-l", "westus"), str(path), "immutable")
        else:  # a read-only file in a writable folder can be replaced: that is the user's choice to allow
            pytest.skip("without root, only a read-only folder blocks a write (tested above)")
        assert "left as it was" in first
        assert path.read_bytes() == before
    finally:
        _mutable(path)
    assert _leftovers(path.parent) == []


def test_lock_path_that_is_a_folder_is_reported(tmp_path, template):
    path = tmp_path / "lk" / "state.json"
    path.parent.mkdir()
    path.write_bytes(template)
    (path.parent / "state.json.lock").mkdir()
    _refused(autopatch(path, *WRITE), str(path.parent / "state.json.lock"), "folder")
    assert path.read_bytes() == template
    _ok(autopatch(path, "vm", "show", "-g", "rg", "-n", "vm1"))  # reads take no lock


# ---- 11. the file's mode is kept ------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o664])
def test_write_keeps_the_store_files_mode(tmp_path, template, mode):
    path = tmp_path / "mode" / "state.json"
    path.parent.mkdir()
    path.write_bytes(template)
    path.chmod(mode)
    _ok(autopatch(path, *WRITE))
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert "rg2" in json.loads(path.read_text())["resourceGroups"]


def test_new_store_gets_the_umask_default_mode(tmp_path):
    path = tmp_path / "new" / "state.json"
    old = os.umask(0o022)
    try:
        _ok(autopatch(path, *WRITE))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


# ---- 12. stale temporary files ---------------------------------------------------------------------


def test_next_write_removes_temporary_files_of_killed_writers(tmp_path, template):
    path = tmp_path / "tmp" / "state.json"
    path.parent.mkdir()
    path.write_bytes(template)
    stale = [path.parent / f".state.json.{pid}.{i:010x}.tmp" for i, pid in enumerate((111, 222, 333))]
    stale.append(path.parent / ".state.json.abc123.tmp")  # the name older autopatches gave them
    for file in stale:
        file.write_bytes(template)
    other = path.parent / ".other.json.1.tmp"  # another store's: not ours to remove
    other.write_bytes(b"x")
    _ok(autopatch(path, "vm", "show", "-g", "rg", "-n", "vm1"))
    assert all(file.exists() for file in stale)  # a reader takes no lock, so it removes nothing
    _ok(autopatch(path, *WRITE))
    assert _leftovers(path.parent) == [other.name]
