"""The enum values of the patch settings and of az's options over them, each listed once.

Validation (``ops.vm_rules``, ``cli.common.choice``) and the "Allowed values" of ``--help`` both read
these tuples, as azure-cli's ``get_enum_type`` drives both from one list. Sources: the Compute REST spec
(``WindowsVMGuestPatchMode``, ``LinuxVMGuestPatchMode``, ``WindowsPatchAssessmentMode``, ``licenseType``),
and azure-cli's VM argument definitions for az's own lists, kept in their declaration order.
"""

from __future__ import annotations

# ARM's values, in the spec's order.
WINDOWS_PATCH_MODES = ("AutomaticByOS", "AutomaticByPlatform", "Manual")
LINUX_PATCH_MODES = ("ImageDefault", "AutomaticByPlatform")
ASSESSMENT_MODES = ("ImageDefault", "AutomaticByPlatform")
# licenseType is a free string in the spec, whose description lists these (None removes a license).
LICENSE_TYPES = ("Windows_Client", "Windows_Server", "RHEL_BYOS", "SLES_BYOS", "None")

# az vm create's lists (get_enum_type), in azure-cli's declaration order.
AZ_PATCH_MODES = ("AutomaticByOS", "AutomaticByPlatform", "Manual", "ImageDefault")
AZ_AUTHENTICATION_TYPES = ("ssh", "password", "all")
