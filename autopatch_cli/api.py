"""autopatch for Python scripts and tests that would rather not shell out.

Public and stable: :class:`Emulator`, its methods, :class:`AutopatchError` (and its subclasses in
``autopatch_cli.errors``). Everything else in the package, and every name starting with an underscore, may
change between versions.

An :class:`Emulator` is bound to one store. Each method runs the same operation as the ``autopatch`` verb of
the same name, in-process, with the same validation and error codes, through the store's lock, and returns
what the verb prints with ``-o json`` (parsed)::

    from autopatch_cli.api import Emulator

    emulator = Emulator("state.json")
    emulator.group_create("rg", "eastus")
    emulator.opt_in()                                  # the guide's feature and provider registration
    emulator.vm_create("rg", "vm1", patch_mode="AutomaticByPlatform")
    emulator.tick(days=35)
    emulator.patch_status("rg", "vm1")["lastPatchInstallationSummary"]["status"]

Anything the named methods do not cover is :meth:`Emulator.run`: the words of any autopatch command.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from .errors import AutopatchError, AzureError

__all__ = ["AutopatchError", "AzureError", "Emulator", "DEFAULT_PASSWORD"]

# A password that meets Azure's complexity rules; it is checked, then dropped (never stored).
DEFAULT_PASSWORD = "Autopatch!Passw0rd"

_run_lock = threading.Lock()  # the command line's settings are process-wide: one command at a time


class Emulator:
    """The emulator over one state store (created on first write)."""

    def __init__(self, state: str | Path):
        self.state = Path(state).expanduser()

    # ---- any command ----------------------------------------------------------------------------

    def run(self, *words: str) -> Any:
        """Run ``autopatch WORDS... --state STORE -o json`` in-process; returns the parsed JSON (None when the
        verb prints nothing). A failure raises :class:`AutopatchError` with az's message (``.message``) and
        exit code (``.exit_code``)."""
        import io
        import json
        from contextlib import redirect_stderr, redirect_stdout

        from .__main__ import main
        from .cli import globals as global_args

        out, err = io.StringIO(), io.StringIO()
        with _run_lock:
            saved = dict(global_args.settings.__dict__)
            global_args.settings.__dict__.update(global_args.Settings().__dict__)
            try:
                with redirect_stdout(out), redirect_stderr(err):
                    code = main([*map(str, words), "--state", str(self.state), "-o", "json", "--only-show-errors"])
            finally:
                global_args.settings.__dict__.update(saved)
        if code != 0:
            lines = [line for line in err.getvalue().splitlines() if line.startswith("ERROR: ")]
            error = AutopatchError(lines[0].removeprefix("ERROR: ") if lines else err.getvalue().strip())
            error.exit_code = code
            raise error
        text = out.getvalue()
        return json.loads(text) if text.strip() else None

    # ---- the subscription -----------------------------------------------------------------------

    def subscription_id(self) -> str:
        return self.run("account", "show")["id"]

    def group_create(self, name: str, location: str) -> dict:
        return self.run("group", "create", "-n", name, "-l", location)

    def feature_register(self, name: str, namespace: str = "Microsoft.Compute") -> dict:
        return self.run("feature", "register", "--namespace", namespace, "--name", name)

    def provider_register(self, namespace: str = "Microsoft.Compute") -> dict | None:
        return self.run("provider", "register", "--namespace", namespace)

    def opt_in(self) -> None:
        """The 2020 guide's opt-in: both preview features registered, time for them to register, the
        provider registered again to propagate them."""
        self.feature_register("InGuestAutoPatchVMPreview")
        self.feature_register("InGuestPatchVMPreview")
        self.tick(minutes=20)
        self.provider_register()

    # ---- VMs ------------------------------------------------------------------------------------

    def vm_create(self, group: str, name: str, *, image: str = "Win2019Datacenter",
                  patch_mode: str | None = "AutomaticByPlatform", admin_password: str = DEFAULT_PASSWORD,
                  enable_auto_update: bool = True, time_zone: str | None = None, zone: str | None = None,
                  location: str | None = None, extra: tuple[str, ...] = ()) -> dict:
        """``vm create`` as the guide runs it (agent and automatic updates on, the patch mode given)."""
        words = ["vm", "create", "-g", group, "-n", name, "--image", image, "--admin-password", admin_password,
                 "--enable-agent", "true", "--enable-auto-update", str(enable_auto_update).lower()]
        for option, value in (("--patch-mode", patch_mode), ("--time-zone", time_zone), ("--zone", zone),
                              ("--location", location)):
            if value is not None:
                words += [option, value]
        return self.run(*words, *extra)

    def vm_show(self, group: str, name: str) -> dict:
        return self.run("vm", "show", "-g", group, "-n", name)

    def vm_list(self, group: str | None = None) -> list[dict]:
        return self.run("vm", "list", *(("-g", group) if group else ()))

    def instance_view(self, group: str, name: str) -> dict:
        return self.run("vm", "get-instance-view", "-g", group, "-n", name)

    def patch_status(self, group: str, name: str) -> dict:
        """The instance view's ``patchStatus`` (assessment and installation summaries)."""
        return (self.instance_view(group, name).get("instanceView") or {}).get("patchStatus") or {}

    def assess_patches(self, group: str, name: str) -> dict:
        return self.run("vm", "assess-patches", "-g", group, "-n", name)

    def install_patches(self, group: str, name: str, *, maximum_duration: str = "PT4H",
                        reboot_setting: str = "IfRequired", classifications: tuple[str, ...] = ("Critical", "Security")
                        ) -> dict:
        return self.run("vm", "install-patches", "-g", group, "-n", name, "--maximum-duration", maximum_duration,
                        "--reboot-setting", reboot_setting, "--classifications-to-include-win", *classifications)

    # ---- simulated time -------------------------------------------------------------------------

    def now(self) -> str:
        return self.run("clock", "show")["now"]

    def tick(self, *, days: float | None = None, hours: float | None = None, minutes: float | None = None,
             until: str | None = None) -> dict:
        """Advance simulated time; returns the tick's summary (events, counts, and each VM of a small fleet)."""
        words = ["tick"]
        for option, value in (("--days", days), ("--hours", hours), ("--minutes", minutes), ("--until", until)):
            if value is not None:
                words += [option, str(value)]
        return self.run(*words)

    def history(self, group: str | None = None, name: str | None = None) -> list[dict]:
        """One record per VM per patch operation (``orchestration history``)."""
        words = ["orchestration", "history"]
        if group:
            words += ["-g", group]
        if name:
            words += ["-n", name]
        return self.run(*words)

    # ---- the store as a whole -------------------------------------------------------------------

    def info(self) -> dict:
        return self.run("state", "show")

    def reset(self, seed: int | None = None) -> dict:
        return self.run("state", "reset", "--yes", *(("--seed", str(seed)) if seed is not None else ()))

    def snapshot(self, name: str, force: bool = False) -> dict:
        return self.run("state", "snapshot", name, *(("--force",) if force else ()))

    def restore(self, name: str) -> dict:
        return self.run("state", "restore", name)

    def export(self, path: str | Path) -> dict:
        return self.run("state", "export", str(path))

    def import_(self, path: str | Path) -> dict:
        return self.run("state", "import", str(path))
