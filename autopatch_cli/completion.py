"""Shell completion that knows values, answered without importing typer.

The scripts in completions/ (typer's protocol) call ``autopatch`` back with ``_AUTOPATCH_COMPLETE`` set.
Building typer's command tree for each Tab costs a few hundred milliseconds, so the tree (commands,
options, the values each option takes) is built once, cached in the user cache dir, and rebuilt when
the command modules change. A Tab then reads that cache and, for ``-g``/``-n`` and the like, the store.

What completes:
- sub-commands (with their descriptions), options of the command typed so far, and az's global arguments;
- values of every option with a fixed set (``-o``, ``--patch-mode``, ``--reboot-setting``, ``--kind``...):
  parsed from the option's own "Allowed values" help or its choices, so help and completion agree;
- resource groups, VMs, availability sets and features from the store in use (``--state`` or
  ``AUTOPATCH_STATE`` or the default), VMs of the ``-g`` given on the line when there is one.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

COMPLETE_VAR = "_AUTOPATCH_COMPLETE"
TREE_FORMAT = 1
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
    from . import __version__

    here = Path(__file__).resolve().parent
    parts = [__version__, str(TREE_FORMAT)]
    for folder in (here, here / "cli", here / "azure"):  # the commands, and the Azure data of their values
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py"):
                stat = entry.stat()
                parts.append(f"{entry.name}:{stat.st_mtime_ns}:{stat.st_size}")
    import hashlib

    return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "autopatch"
    if sys.platform.startswith("linux"):
        return Path.home() / ".cache" / "autopatch"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("autopatch", appauthor=False))


def tree() -> dict:
    """The cached tree, built (and cached) when missing or stale."""
    path = _cache_dir() / f"completion-{_fingerprint()}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    built = build_tree()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob("completion-*.json"):
            stale.unlink(missing_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(built), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs speed
    return built


# ---- answering a Tab -------------------------------------------------------------------------------


def _store_path(args: list[str]) -> Path:
    for index, word in enumerate(args):
        if word == "--state" and index + 1 < len(args):
            return Path(args[index + 1]).expanduser()
        if word.startswith("--state="):
            return Path(word.split("=", 1)[1]).expanduser()
    from .store import default_path

    return default_path()


def _from_store(kind: str, args: list[str], group: str | None) -> list[str]:
    from .errors import AutopatchError
    from .store import StoreReader, collection_keys

    path = _store_path(args)
    try:
        if kind == "groups":
            return sorted(StoreReader(path, dict).section("resourceGroups", {}) or {})
        if kind == "availability_sets":
            keys = sorted(StoreReader(path, dict).section("availabilitySets", {}) or {})
            return [k.split("/", 1)[-1] for k in keys if group is None or k.split("/", 1)[0].lower() == group.lower()]
        keys = collection_keys(path, "vms")
    except (AutopatchError, OSError, ValueError):
        return []
    pairs = [k.split("/", 1) for k in keys if "/" in k]
    if group is not None:
        pairs = [p for p in pairs if p[0].lower() == group.lower()]
    if kind == "vm_ids":
        try:
            sub = StoreReader(path, dict).section("subscription", {}) or {}
        except (AutopatchError, OSError, ValueError):
            return []
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
    return re.sub(r"\s+", " ", text).strip()


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
