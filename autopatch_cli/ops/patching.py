"""Where VM operations hand over to the patch engine.

For now the engine's part is the patch configuration status the instance view reports
(``patchStatus.configurationStatuses``, 2020-12-01+): ``Pending`` while the platform has not yet taken
the VM's patch mode in, ``Ready`` once it has.
"""

from __future__ import annotations

from .state import now_text


def _configuration_statuses(record: dict, ready: bool, when: str) -> list[dict]:
    state = "Ready" if ready else "Pending"
    statuses = [
        {
            "code": f"PatchModeConfigurationState/{state}",
            "level": "Info",
            "displayStatus": f"Status_PatchModeConfigurationState_{state}",
            "time": when,
        }
    ]
    settings = record["vm"]["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"]
    if settings.get("assessmentMode") == "AutomaticByPlatform":
        statuses.append(
            {
                "code": f"AssessmentModeConfigurationState/{state}",
                "level": "Info",
                "displayStatus": f"Status_AssessmentModeConfigurationState_{state}",
                "time": when,
            }
        )
    return statuses


def on_configuration_change(state, record: dict, existing_mode: str | None) -> None:
    from .vms import is_windows, patch_mode

    if not is_windows(record["vm"]):
        return
    mode = patch_mode(record["vm"])
    sim = record["sim"]
    if mode != existing_mode or "configurationReady" not in sim:
        # AutomaticByOS and Manual need nothing from the platform; AutomaticByPlatform waits for the
        # patch extension to be installed in the VM's off-peak hours.
        sim["configurationReady"] = mode != "AutomaticByPlatform"
        patch_status = record["iv"].setdefault("patchStatus", {})
        patch_status["configurationStatuses"] = _configuration_statuses(
            record, sim["configurationReady"], now_text(state)
        )


def on_power_change(state, record: dict, before: str, after: str, action: str) -> None:
    """Power changes matter to the engine's schedule only; nothing to do before it runs."""


def on_delete(state, record: dict) -> None:
    """A deleted VM leaves nothing behind in the engine's queues before it runs."""
