"""Shell completion that knows values, answered without importing typer.

The scripts in completions/ (typer's protocol) call ``autopatch`` back with ``_AUTOPATCH_COMPLETE`` set.
Building typer's command tree for each Tab costs a few hundred milliseconds, so the tree (commands,
options, the values each option takes) is built once, cached in the user cache dir (marshal), and rebuilt
when the command modules change. A Tab then reads that cache and, for ``-g``/``-n`` and the like, the
store's values, themselves cached per store content (``values-*.marshal``): only the first Tab after a
write reads the store's index.

What completes:
- sub-commands (with their descriptions), options of the command typed so far, and az's global arguments;
- values of every option with a fixed set (``-o``, ``--patch-mode``, ``--reboot-setting``, ``--kind``...):
  parsed from the option's own "Allowed values" help or its choices, so help and completion agree;
- resource groups, VMs, availability sets and features from the store in use (``--state`` or
  ``AUTOPATCH_STATE`` or the default), VMs of the ``-g`` given on the line when there is one.
"""

from __future__ import annotations

import os
import sys

# A Tab is a whole process: it imports only os and sys (and marshal) on its way to the answer. The tree
# is read from a marshal cache; the values read from the store are cached too, keyed on the store files'
# identity (device, inode, size, mtime of the snapshot and of its journal), so a repeated Tab on an
# unchanged store reads neither the store nor its index.
COMPLETE_VAR = "_AUTOPATCH_COMPLETE"
TREE_FORMAT = 2
# az's global arguments, offered on every command: option -> values (None: takes no value; []: any value)
GLOBAL_OPTIONS: dict[str, list[str] | None] = {
    "--output": ["json", "jsonc", "none", "table", "tsv", "yaml", "yamlc"],
    "-o": ["json", "jsonc", "none", "table", "tsv", "yaml", "yamlc"],
    "--query": [], "--state": [], "--subscription": [],
    "--debug": None, "--verbose": None, "--only-show-errors": None, "--help": None, "-h": None,
}
GLOBAL_HELP = {
    "--output": "Output format.", "-o": "Output format.", "--query": "JMESPath query string.",
    "--state": "The state store (JSON file).", "--subscription": "Name or ID of subscription.",
    "--debug": "Show all debug logs.", "--verbose": "Increase logging verbosity.",
    "--only-show-errors": "Only show errors, suppressing warnings.", "--help": "Show help.", "-h": "Show help.",
}
# Values read from the store when completing, by the option's names.
STORE_VALUES = {"--resource-group": "groups", "-g": "groups", "--availability-set": "availability_sets",
                "--vm-name": "vms", "--ids": "vm_ids"}


# ---- the tree, built from the typer commands (slow; cached) ----------------------------------------


def _values_from_help(text: str) -> list[str]:
    import re

    match = re.search(r"Allowed values: ([^.]+)\.", text)
    if match:
        return [v.strip() for v in match.group(1).split(",") if v.strip()]
    if re.search(r"\(true/false\)", text):
        return ["false", "true"]
    # "A, B or C." as the whole help: the values themselves
    match = re.fullmatch(r"((?:[\w.-]+, )*[\w.-]+) or ([\w.-]+)\.", text.strip())
    if match:
        return [v.strip() for v in match.group(1).split(",")] + [match.group(2)]
    return []


def _static_values(words: tuple[str, ...], opts: list[str]) -> list[str]:
    """Values known from Azure's data rather than the help text."""
    if "--image" in opts:
        from .azure.images import ALIASES

        return sorted(ALIASES)
    if "--location" in opts or "-l" in opts or "--region" in opts:
        from .azure.regions import REGIONS

        return sorted(REGIONS)
    if "--namespace" in opts:
        return ["Microsoft.Compute", "Microsoft.Maintenance", "Microsoft.Network", "Microsoft.Resources"]
    if words[:1] == ("feature",) and "--name" in opts:
        from .azure import catalog

        return sorted({catalog.AUTO_PATCH_FEATURE, catalog.ON_DEMAND_FEATURE})
    return []


def _store_kind(words: tuple[str, ...], opts: list[str]) -> str | None:
    for opt in opts:
        if opt in STORE_VALUES:
            return STORE_VALUES[opt]
    if "--name" in opts or "-n" in opts:
        if words[:1] == ("group",):
            return "groups"
        if words[:2] == ("vm", "availability-set"):
            return "availability_sets"
        if words[:1] in (("vm",), ("sim",), ("orchestration",)):
            return "vms"
    return None


def build_tree() -> dict:
    """Every command's sub-commands and options, with the values each option completes to."""
    from typer._click.core import Context

    from .cli import root_command

    def node(command, words, parent):
        ctx = Context(command, info_name=words[-1] if words else "autopatch", parent=parent,
                      resilient_parsing=True)
        entry: dict = {"help": (command.get_short_help_str(limit=10_000) if words else "") or ""}
        if hasattr(command, "list_commands"):
            entry["commands"] = {}
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    entry["commands"][name] = node(sub, (*words, name), ctx)
        options = {}
        for param in command.params:
            if getattr(param, "hidden", False) or not param.opts or not param.opts[0].startswith("-"):
                continue
            if param.name in ("install_completion", "show_completion") and words:
                continue
            opts = [*param.opts, *param.secondary_opts]
            takes_value = not getattr(param, "is_flag", False)
            choices = list(getattr(getattr(param, "type", None), "choices", None) or [])
            values = choices or _values_from_help(getattr(param, "help", "") or "") or _static_values(words, opts)
            spec = {"help": (getattr(param, "help", "") or "").split(".")[0][:100], "value": takes_value,
                    "values": values, "store": _store_kind(words, opts) if takes_value else None}
            for opt in opts:
                options[opt] = spec
        entry["options"] = options
        return entry

    return {"format": TREE_FORMAT, "root": node(root_command(), (), None)}


def _fingerprint() -> str:
    """Changes when any command module changes (another version, an edited or added module)."""
    import zlib

    from . import __version__

    here = os.path.dirname(os.path.abspath(__file__))
    parts = [__version__, str(TREE_FORMAT)]
    for folder in (here, os.path.join(here, "cli"), os.path.join(here, "azure")):  # commands, their values' data
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py"):
                stat = entry.stat()
                parts.append(f"{entry.name}:{stat.st_mtime_ns}:{stat.st_size}")
    text = "|".join(parts).encode()
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}{len(text):x}"


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return os.path.join(base, "autopatch")
    if sys.platform.startswith("linux"):
        return os.path.join(os.path.expanduser("~"), ".cache", "autopatch")
    from platformdirs import user_cache_dir

    return user_cache_dir("autopatch", appauthor=False)


def _load(path: str):
    import marshal

    try:
        with open(path, "rb") as handle:
            return marshal.load(handle)
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _save(path: str, value, stale_prefix: str | None = None) -> None:
    """Write a cache file atomically (a read-only or full cache only costs speed)."""
    import marshal

    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        if stale_prefix is not None:
            for name in os.listdir(folder):
                if name.startswith(stale_prefix) and os.path.join(folder, name) != path:
                    os.unlink(os.path.join(folder, name))
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            marshal.dump(value, handle)
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass


def tree() -> dict:
    """The cached tree, built (and cached) when missing or stale."""
    path = os.path.join(_cache_dir(), f"completion-{_fingerprint()}.marshal")
    cached = _load(path)
    if isinstance(cached, dict) and cached.get("format") == TREE_FORMAT:
        return cached
    built = build_tree()
    _save(path, built, stale_prefix="completion-")
    return built


# ---- answering a Tab -------------------------------------------------------------------------------


def _store_path(args: list[str]) -> str:
    for index, word in enumerate(args):
        if word == "--state" and index + 1 < len(args):
            return os.path.expanduser(args[index + 1])
        if word.startswith("--state="):
            return os.path.expanduser(word.split("=", 1)[1])
    env = os.environ.get("AUTOPATCH_STATE")  # store.STATE_ENV, without importing the store
    if env:
        return os.path.expanduser(env)
    return _default_store_path()


def _default_store_path() -> str:
    """store.default_path (platformdirs' user data dir), remembered in the cache for the environment that
    decides it: importing platformdirs costs a Tab more than the rest of it."""
    key = (sys.platform, os.environ.get("HOME", ""), os.environ.get("XDG_DATA_HOME", ""),
           os.environ.get("USERPROFILE", ""), os.environ.get("APPDATA", ""), os.environ.get("LOCALAPPDATA", ""))
    cache_path = os.path.join(_cache_dir(), "default-store.marshal")
    cached = _load(cache_path)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == key and isinstance(cached[1], str):
        return cached[1]
    from .store import default_path

    path = str(default_path())
    _save(cache_path, (key, path))
    return path


def _store_identity(path: str) -> tuple | None:
    """What names the store's current content: its snapshot's and its journal's (device, inode, size, mtime),
    as the store itself tells one written snapshot from another (store._identity); None without a store."""
    real = os.path.realpath(path) if os.path.islink(path) else path
    try:
        snapshot = os.stat(real)
    except OSError:
        return None
    try:
        journal = os.stat(real + ".journal")
        journal_id = (journal.st_dev, journal.st_ino, journal.st_size, journal.st_mtime_ns)
    except OSError:
        journal_id = None
    return (os.path.abspath(real), snapshot.st_dev, snapshot.st_ino, snapshot.st_size, snapshot.st_mtime_ns,
            journal_id)


def _from_store(kind: str, args: list[str], group: str | None) -> list[str]:
    """The store's values for an option (cached per store content: a repeated Tab reads only the cache)."""
    path = _store_path(args)
    identity = _store_identity(path)
    if identity is None:
        return []
    import zlib

    cache_path = os.path.join(_cache_dir(), f"values-{zlib.crc32(identity[0].encode()):08x}.marshal")
    cached = _load(cache_path)
    if not isinstance(cached, dict) or cached.get("identity") != identity:
        cached = {"identity": identity, "answers": {}}
    key = f"{kind}\0{'' if group is None else group.lower()}"
    found = cached["answers"].get(key)
    if isinstance(found, list):
        return found
    found = _read_store(kind, path, group)
    if found is None:
        return []
    if _store_identity(path) == identity:  # unchanged while it was read: the answer is this content's
        cached["answers"][key] = found
        _prune(os.path.dirname(cache_path), keep=cache_path)
        _save(cache_path, cached)
    return found


VALUES_FILES_KEPT = 32  # stores whose values stay cached (one file each; the least recently written go)


def _prune(folder: str, keep: str) -> None:
    try:
        files = [e for e in os.scandir(folder) if e.name.startswith("values-") and e.path != keep]
        if len(files) < VALUES_FILES_KEPT:
            return
        files.sort(key=lambda e: e.stat().st_mtime_ns)
        for entry in files[:len(files) - VALUES_FILES_KEPT + 1]:
            os.unlink(entry.path)
    except OSError:
        pass


def _read_store(kind: str, path: str, group: str | None) -> list[str] | None:
    from pathlib import Path

    from .errors import AutopatchError
    from .store import StoreReader, collection_keys

    store = Path(path)
    try:
        if kind == "groups":
            return sorted(StoreReader(store, dict).section("resourceGroups", {}) or {})
        if kind == "availability_sets":
            keys = sorted(StoreReader(store, dict).section("availabilitySets", {}) or {})
            return [k.split("/", 1)[-1] for k in keys if group is None or k.split("/", 1)[0].lower() == group.lower()]
        keys = collection_keys(store, "vms")
    except (AutopatchError, OSError, ValueError):
        return None
    pairs = [k.split("/", 1) for k in keys if "/" in k]
    if group is not None:
        pairs = [p for p in pairs if p[0].lower() == group.lower()]
    if kind == "vm_ids":
        try:
            sub = StoreReader(store, dict).section("subscription", {}) or {}
        except (AutopatchError, OSError, ValueError):
            return None
        return [f"/subscriptions/{sub.get('id', '')}/resourceGroups/{g}/providers/Microsoft.Compute/virtualMachines/{n}"
                for g, n in pairs]
    return sorted({n for _, n in pairs})


def candidates(args: list[str], incomplete: str) -> list[tuple[str, str]]:
    """(value, help) pairs for the word being completed after ``args`` (the words after ``autopatch``)."""
    root = tree()["root"]
    node = root
    group = None
    pending = None  # the option whose value comes next
    used: set[str] = set()
    for word in args:
        if pending is not None:
            if pending in ("-g", "--resource-group"):
                group = word
            pending = None
            continue
        options = node.get("options", {})
        name = word.split("=", 1)[0]
        if word.startswith("-"):
            used.add(name)
            spec = options.get(name)
            takes = spec["value"] if spec else GLOBAL_OPTIONS.get(name) is not None
            if takes and "=" not in word:
                pending = name
            continue
        commands = node.get("commands") or {}
        match = commands.get(word) or next((v for k, v in commands.items() if k.lower() == word.lower()), None)
        if match is not None:
            node = match
    if pending is not None:
        spec = node.get("options", {}).get(pending)
        if spec is None:
            values = GLOBAL_OPTIONS.get(pending) or []
        elif spec.get("store"):
            values = _from_store(spec["store"], args, group if spec["store"] != "groups" else None)
        else:
            values = spec.get("values") or []
        lowered = incomplete.lower()
        return [(v, "") for v in values if v.lower().startswith(lowered)]
    if incomplete.startswith("-"):
        found = []
        for opt, spec in node.get("options", {}).items():
            if opt.startswith(incomplete) and opt not in used:
                found.append((opt, spec.get("help", "")))
        for opt in GLOBAL_OPTIONS:
            if opt.startswith(incomplete) and opt not in used and opt not in node.get("options", {}):
                found.append((opt, GLOBAL_HELP[opt]))
        return found
    commands = node.get("commands")
    if commands:
        return [(name, sub.get("help", "")) for name, sub in commands.items()
                if name.lower().startswith(incomplete.lower())]
    return []


# ---- the shells' protocols (typer's completion scripts) -------------------------------------------


def _split(text: str) -> list[str]:
    if not any(c in text for c in "'\"\\"):
        return text.split()  # what shlex gives for a line without quotes or escapes
    import shlex

    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    out = []
    try:
        for token in lexer:
            out.append(token)
    except ValueError:  # an open quote: keep what was read, the rest as the last word
        out.append(lexer.token)
    return out


def _sanitize(text: str) -> str:
    return " ".join(text.split())


def answer(instruction: str, environ=os.environ) -> str | None:
    """The text the shell's script expects, or None when ``instruction`` is no completion request."""
    if not instruction.startswith("complete_"):
        return None
    shell = instruction.removeprefix("complete_")
    if shell == "bash":
        words = _split(environ.get("COMP_WORDS", ""))
        cword = int(environ.get("COMP_CWORD", "0") or 0)
        args = words[1:cword]
        incomplete = words[cword] if cword < len(words) else ""
        return "\n".join(v for v, _ in candidates(args, incomplete))
    text = environ.get("_TYPER_COMPLETE_ARGS", "")
    words = _split(text)
    if shell in ("powershell", "pwsh"):
        incomplete = environ.get("_TYPER_COMPLETE_WORD_TO_COMPLETE", "")
        args = words[1:-1] if incomplete else words[1:]
        return "\n".join(f"{v}:::{_sanitize(h) or ' '}" for v, h in candidates(args, incomplete))
    args = words[1:]
    if args and not text.endswith(" "):
        incomplete = args.pop()
    else:
        incomplete = ""
    found = candidates(args, incomplete)
    if shell == "zsh":
        if not found:
            return "_files"

        def escape(s: str) -> str:
            return (s.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`")
                    .replace(":", r"\\:"))

        items = "\n".join(f'"{escape(v)}":"{escape(_sanitize(h))}"' if h else f'"{escape(v)}"' for v, h in found)
        return f"_arguments '*: :(({items}))'"
    if shell == "fish":
        action = environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
        if action == "is-args":
            sys.exit(0 if found else 1)
        return "\n".join(f"{v}\t{_sanitize(h)}" if h else v for v, h in found)
    return None


def main(instruction: str) -> int:
    try:
        text = answer(instruction)
    except SystemExit:
        raise
    except Exception:  # a Tab never prints a traceback into the user's command line
        if os.environ.get("AUTOPATCH_COMPLETION_DEBUG"):
            raise
        return 0
    if text is None:
        return 1
    if text:
        sys.stdout.write(text + "\n" if not text.endswith("\n") else text)
    return 0
