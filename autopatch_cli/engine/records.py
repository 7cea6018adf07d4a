"""The engine's named records: a VM as the engine sees it, a VM's turn in a rollout, a history row.

The store keeps turns and history rows compact (short JSON lists: a big fleet writes millions of rows);
the code reads and writes that encoding here, and only here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import lifecycle


@dataclass(slots=True)
class VmState:
    key: str
    index: int
    ref: int
    region: str
    zone: str | None
    avset: str | None
    ud: int | None
    tz: str
    family: str | None  # OS family in the catalog; None: not a Windows image the platform patches
    supported: bool  # an image automatic guest patching supports
    mode: str | None
    assess_platform: bool
    reboot_setting: str
    power: str
    created: int
    enabled: bool
    enable_left: int
    installed: frozenset
    assess_due: int | None
    reboot_pending: bool = False
    healthy: bool = True
    retry_after: int = 0
    busy_until: int = 0
    guest: lifecycle.Guest = field(default_factory=lifecycle.Guest)
    faults: dict = field(default_factory=dict)
    enable_error: dict | None = None
    # outputs, written back by the operations layer
    assessment: lifecycle.Assessment | None = None
    installation: lifecycle.Installation | None = None
    dirty: bool = False
    ticket: tuple | None = None  # (rollout release id, phase, batch) while the orchestrator has given a turn
    assess_now: bool = False  # started again: assessment due at once (at its next off-peak window)
    is_platform: bool = False  # cached `platform` and `assessed_by_platform` for the hot loop
    is_assessed: bool = False

    @property
    def platform(self) -> bool:
        return self.mode == "AutomaticByPlatform" and self.family is not None and self.supported

    @property
    def assessed_by_platform(self) -> bool:
        return self.family is not None and (self.platform or self.assess_platform)
