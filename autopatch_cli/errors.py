"""The errors every front-end shares.

The operations layer raises these; each front-end turns them into its own form: the az verbs print
``ERROR: (Code) Message`` with az's exit codes, the REST front-end answers ``{"error": {...}}`` with the
HTTP status. Exit codes follow azure-cli's ``handle_exception``: 3 for a missing resource (HTTP 404),
2 for a command line the parser rejects, 1 for everything else.
"""

from __future__ import annotations


class AutopatchError(Exception):
    """Base class: a failure we explain to the user in one message."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AzureError(AutopatchError):
    """An error Azure itself would return, with its ARM error code and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400, target: str | None = None):
        super().__init__(message)
        self.code = code
        self.status = status
        self.target = target

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return 3 if self.status == 404 else 1

    def body(self) -> dict:
        """The ARM error body: ``{"error": {"code", "message"[, "target"]}}``."""
        error = {"code": self.code, "message": self.message}
        if self.target:
            error["target"] = self.target
        return {"error": error}


class UsageError(AutopatchError):
    """A command line az's parser would reject (argparse): exit code 2."""

    exit_code = 2


class ValidationError(AutopatchError):
    """A client-side validation failure az reports after parsing (``CLIError``): exit code 1."""


class StoreError(AutopatchError):
    """The state store cannot be used (unreadable, written by a newer autopatch, locked too long)."""


def resource_group_not_found(name: str) -> AzureError:
    return AzureError("ResourceGroupNotFound", f"Resource group '{name}' could not be found.", 404)


def resource_not_found(resource_type: str, name: str, group: str) -> AzureError:
    return AzureError(
        "ResourceNotFound",
        f"The Resource '{resource_type}/{name}' under resource group '{group}' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
        404,
    )
