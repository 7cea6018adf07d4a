"""The errors every front-end shares.

The operations layer raises these; each front-end turns them into its own form: the az verbs print
``ERROR: (Code) Message`` with az's exit codes, the REST front-end answers ``{"error": {...}}`` with the
HTTP status. Exit codes follow azure-cli's ``handle_exception``: 3 for a missing resource (HTTP 404),
2 for a command line the parser rejects, 1 for everything else.
"""

from __future__ import annotations

from collections.abc import Iterable


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


# ---- ARM's errors, one constructor each ----------------------------------------------------------
# The operations raise these instead of spelling a code, status and message inline, so each error
# reads the same wherever it is raised.


def invalid_parameter(target: str | None, message: str) -> AzureError:
    """400 InvalidParameter: a property's value breaks a rule; ``target`` names the property."""
    return AzureError("InvalidParameter", message, 400, target)


def not_allowed_value(value, prop: str, allowed: tuple[str, ...] | list[str]) -> AzureError:
    """400 InvalidParameter for an enum value outside its allowed values."""
    return invalid_parameter(
        prop,
        f"The value '{value}' of parameter '{prop}' is not allowed. Allowed values are "
        f"{', '.join(repr(a) for a in allowed)}.",
    )


def invalid_request_content(message: str = "The request content was invalid and could not be deserialized.") -> AzureError:
    """400 InvalidRequestContent: the body is not the JSON shape the API takes."""
    return AzureError("InvalidRequestContent", message, 400)


def property_change_not_allowed(prop: str) -> AzureError:
    """409 PropertyChangeNotAllowed: the property is fixed once the resource exists."""
    return AzureError("PropertyChangeNotAllowed", f"Changing property '{prop}' is not allowed.", 409, prop)


def operation_not_allowed(message: str, target: str | None = None) -> AzureError:
    """409 OperationNotAllowed: the resource's state does not allow the operation now."""
    return AzureError("OperationNotAllowed", message, 409, target)


def conflict(message: str) -> AzureError:
    """409 Conflict: another operation on the resource is in progress."""
    return AzureError("Conflict", message, 409)


def location_required() -> AzureError:
    return AzureError("LocationRequired", "The location property is required for this definition.", 400)


def location_not_available(location: str, resource_type: str, available: Iterable[str]) -> AzureError:
    return AzureError(
        "LocationNotAvailableForResourceType",
        f"The provided location '{location}' is not available for resource type '{resource_type}'. "
        f"List of available regions for the resource type is '{','.join(available)}'.",
        400,
    )


def invalid_resource_group(name: str, detail: str) -> AzureError:
    return AzureError(
        "InvalidResourceGroup",
        f"The provided resource group name '{name}'{detail} The name can be up to 90 characters "
        "long, can only be a letter, digit, '-', '.', '(', ')' or '_', and cannot end with '.'.",
        400,
    )


def invalid_resource_group_location(location: str, existing_location: str) -> AzureError:
    return AzureError(
        "InvalidResourceGroupLocation",
        f"Invalid resource group location '{location}'. The Resource group already exists in "
        f"location '{existing_location}'.",
        409,
    )


def invalid_resource_name(name: str, resource_type: str) -> AzureError:
    return AzureError(
        "InvalidResourceName",
        f"Resource name {name} is invalid. The name can be up to 64 characters long. It can contain "
        "only letters, numbers, underscores, periods, and hyphens. It must start with a letter or "
        "number and end with a letter, number, or underscore.",
        400,
        resource_type,
    )


def invalid_resource_namespace(namespace: str, status: int = 404) -> AzureError:
    """ARM answers an unknown namespace with 404 on providers, 400 on the features API."""
    return AzureError("InvalidResourceNamespace", f"The resource namespace '{namespace}' is invalid.", status)


def feature_not_found(name: str) -> AzureError:
    return AzureError("FeatureNotFound", f"The feature '{name}' could not be found.", 404)


def missing_subscription_registration(namespace: str) -> AzureError:
    return AzureError(
        "MissingSubscriptionRegistration",
        f"The subscription is not registered to use namespace '{namespace}'. See "
        "https://aka.ms/rps-not-found for how to register subscriptions.",
        409,
    )


def subscription_not_registered_for_feature(subscription: str, namespace: str, feature: str, hint: str) -> AzureError:
    return AzureError(
        "SubscriptionNotRegisteredForFeature",
        f"The subscription '{subscription}' is not registered for the feature "
        f"{namespace}/{feature} required to carry out the requested operation. {hint}.",
        400,
    )


def platform_image_not_found(urn: str) -> AzureError:
    """404 PlatformImageNotFound: the marketplace image does not exist (yet, at the simulated date)."""
    return AzureError(
        "PlatformImageNotFound",
        f"The platform image '{urn}' is not available. Verify that all fields in the storage profile are correct. "
        "For more details about storage profile information, please refer to https://aka.ms/storageprofile",
        404,
        "imageReference",
    )


def maintenance_configuration_not_found(config_id: str) -> AzureError:
    """404 NotFound: an assignment names a maintenance configuration that does not exist."""
    return AzureError("NotFound", f"The maintenance configuration '{config_id}' was not found.", 404,
                      "maintenanceConfigurationId")
