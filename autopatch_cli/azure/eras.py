"""When Azure made each capability of automatic VM guest patching available.

The store's clock decides which Azure a user sees: before general availability the 2020 preview of the
guide (its feature opt-ins, its five images, its api-versions); from each date below, that capability as
today's documentation describes it. The sources (listed in README.md, "Sources of the eras"):

- [A] MicrosoftDocs/azure-compute-docs articles/virtual-machines/automatic-vm-guest-patching.md @0ba239a8
  (ms.date 2024-07-31): today's supported images, no feature registration, the patch-mode rules.
- [B] https://github.com/MicrosoftDocs/azure-docs/pull/84642 (docs drop "Preview" on 2021-12-01, citing
  https://azure.microsoft.com/en-us/updates/automatic-vm-guest-patching-now-available/) and [C]
  https://github.com/MicrosoftDocs/azure-docs/pull/84115 (Linux, 2021-11-19): general availability in
  November 2021. No day is published for it: we take the first of the month.
- [D] https://github.com/hashicorp/terraform-provider-azurerm/pull/14796 and /pull/14906: the service
  rollout that made the preview feature registrations unnecessary reached all regions on 2022-02-01.
- [G] Azure/azure-rest-api-specs, Microsoft.Compute stable api-versions: ``automaticByPlatformSettings``
  .rebootSetting first in 2022-03-01, ``bypassPlatformSafetyChecksOnUserSchedule`` first in 2023-03-01.
- [L] https://techcommunity.microsoft.com/t5/windows-server-news-and-best/windows-server-hotpatching-is-here/
  ba-p/3174930: hotpatching of Windows Server 2022 Azure Edition (Core) generally available on 2022-02-16.
- [M] MicrosoftDocs/azure-docs articles/update-manager/prerequsite-for-schedule-patching.md @c92f59c5:
  schedule patching needs AutomaticByPlatform with the bypass flag, which exists from the Compute api-version
  2023-03-01 on. We date Update Manager's InGuestPatch schedules from that api-version's month (inferred: the
  doc gives no start date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

GENERAL_AVAILABILITY = datetime(2021, 11, 1, tzinfo=UTC)  # [B][C]
# Linux's preview came with Compute api-version 2020-12-01 (azure-cli asked for it on 2020-12-04, [E2]:
# https://github.com/Azure/azure-cli/issues/16159); we date it from the api-version's date (inferred).
LINUX_PREVIEW = datetime(2020, 12, 1, tzinfo=UTC)
PREVIEW_FLAGS_RETIRED = datetime(2022, 2, 1, tzinfo=UTC)  # [D]
HOTPATCH_AVAILABLE = datetime(2022, 2, 16, tzinfo=UTC)  # [L]
REBOOT_SETTING_API_VERSION = "2022-03-01"  # [G]
BYPASS_FLAG_API_VERSION = "2023-03-01"  # [G]
REBOOT_SETTING_AVAILABLE = datetime(2022, 3, 1, tzinfo=UTC)  # the api-version's date [G]
SCHEDULED_PATCHING_AVAILABLE = datetime(2023, 3, 1, tzinfo=UTC)  # [G][M], inferred


@dataclass(frozen=True)
class Era:
    """What Azure offers at one instant."""

    general_availability: bool  # today's images and patch-mode rules, Linux AutomaticByPlatform
    preview_flags_needed: bool  # the InGuest*VMPreview feature registrations gate the platform's patching
    reboot_setting: bool  # automaticByPlatformSettings.rebootSetting
    scheduled_patching: bool  # the bypass flag and Update Manager schedules
    hotpatching: bool  # enableHotpatching on the hotpatchable images
    linux_platform_patching: bool = False  # Linux AutomaticByPlatform (the preview's rules before GA)

    @property
    def name(self) -> str:
        return "general availability" if self.general_availability else "preview"


def era_at(when: datetime) -> Era:
    return Era(
        general_availability=when >= GENERAL_AVAILABILITY,
        preview_flags_needed=when < PREVIEW_FLAGS_RETIRED,
        reboot_setting=when >= REBOOT_SETTING_AVAILABLE,
        scheduled_patching=when >= SCHEDULED_PATCHING_AVAILABLE,
        hotpatching=when >= HOTPATCH_AVAILABLE,
        linux_platform_patching=when >= LINUX_PREVIEW,
    )
