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


def not_found(message: str) -> AzureError:
    """404 NotFound: ARM's generic answer for something that is not there (an operation, an image version, a
    subnet, a path)."""
    return AzureError("NotFound", message, 404)


def operation_not_found(operation: str) -> AzureError:
    """404 NotFound for an operation-status id that was never issued (or has expired)."""
    return not_found(f"The operation '{operation}' could not be found.")


def subscription_not_found(subscription: str) -> AzureError:
    return AzureError("SubscriptionNotFound", f"The subscription '{subscription}' could not be found.", 404)


def method_not_allowed(method: str, what: str = "The requested resource") -> AzureError:
    """405 MethodNotAllowed: the path exists but not with this HTTP method."""
    return AzureError("MethodNotAllowed", f"{what} does not support http method '{method}'.", 405)


def internal_server_error(message: str) -> AzureError:
    """500 InternalServerError: autopatch itself failed (a store it cannot use, a bug), never the caller."""
    return AzureError("InternalServerError", message, 500)


def service_unavailable(message: str) -> AzureError:
    """503 ServiceUnavailable: try again later (the store is busy)."""
    return AzureError("ServiceUnavailable", message, 503)


# ---- api-versions and resource types: ARM's gateway refusals ------------------------------------


def missing_api_version() -> AzureError:
    return AzureError(
        "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.", 400
    )


def invalid_api_version(api_version: str, supported_newest_first: Iterable[str]) -> AzureError:
    """400 InvalidApiVersionParameter: ARM's own namespaces (Microsoft.Resources, Features, subscriptions)."""
    return AzureError(
        "InvalidApiVersionParameter",
        f"The api-version '{api_version}' is invalid. The supported versions are '{','.join(supported_newest_first)}'.",
        400,
    )


def no_registered_provider_found(location: str, resource_type: str, api_version: str | None = None,
                                 supported: Iterable[str] | None = None, locations: Iterable[str] = ()) -> AzureError:
    """400 NoRegisteredProviderFound: a resource provider's refusal of an api-version (or a location) it does not
    serve; with ``supported``, the versions and locations it does."""
    version = f" '{api_version}'" if api_version else ""
    message = f"No registered resource provider found for location '{location}' and API version{version} for type " \
              f"'{resource_type}'."
    if supported is not None:
        message += (f" The supported api-versions are '{', '.join(supported)}'. "
                    f"The supported locations are '{', '.join(locations)}'.")
    return AzureError("NoRegisteredProviderFound", message, 400)


def invalid_resource_type(message: str) -> AzureError:
    """404 InvalidResourceType: the namespace has no such resource type (at this api-version)."""
    return AzureError("InvalidResourceType", message, 404)


# ---- Microsoft.Network: the resources a VM's network is made of ------------------------------------


def invalid_resource_reference(referenced: str, by: str) -> AzureError:
    """400 InvalidResourceReference: a network resource names one (a subnet, NSG, public IP) that does not exist."""
    return AzureError("InvalidResourceReference",
                      f"Resource {referenced} referenced by resource {by} was not found. Please make sure that the "
                      "referenced resource exists, and that both resources are in the same region.", 400)


def invalid_address_prefix_format(prefix: str, resource_id: str) -> AzureError:
    return AzureError("InvalidAddressPrefixFormat",
                      f"Address prefix {prefix} of resource {resource_id} is not formatted correctly. It should follow "
                      "CIDR notation, for example 10.0.0.0/24.", 400)


def invalid_cidr_notation(prefix: str, resource_id: str, expected: str) -> AzureError:
    return AzureError("InvalidCIDRNotation",
                      f"The address prefix {prefix} in resource {resource_id} has an invalid CIDR notation. For the "
                      f"given prefix length, the address prefix should be {expected}.", 400)


def subnet_range_outside_vnet(subnet: str, vnet: str) -> AzureError:
    return AzureError("NetcfgSubnetRangeOutsideVnet",
                      f"Subnet '{subnet}' is not valid because its IP address range is outside the IP address range of "
                      f"virtual network '{vnet}'.", 400)


def invalid_subnet(subnet: str, vnet: str) -> AzureError:
    """400 NetcfgInvalidSubnet: a subnet the Network provider cannot make (an IPv4 prefix smaller than /29)."""
    return AzureError("NetcfgInvalidSubnet", f"Subnet '{subnet}' is not valid in virtual network '{vnet}'.", 400)


def subnet_ranges_overlap(subnet: str, vnet: str) -> AzureError:
    return AzureError("NetcfgSubnetRangesOverlap",
                      f"Subnet '{subnet}' is not valid because its IP address range overlaps with that of an existing "
                      f"subnet in virtual network '{vnet}'.", 400)


def subnet_is_full(subnet: str, prefix: str, wanted: int = 1) -> AzureError:
    return AzureError("SubnetIsFull",
                      f"Subnet {subnet} with address prefix {prefix} does not have enough capacity for {wanted} IP "
                      "addresses.", 400)


def private_ip_not_in_subnet(address: str, prefix: str) -> AzureError:
    return AzureError("PrivateIPAddressNotInSubnet",
                      f"Private static IP address {address} does not belong to the range of subnet prefix {prefix}.", 400)


def private_ip_in_use(config_id: str, address: str, holder: str) -> AzureError:
    return AzureError("PrivateIPAddressInUse",
                      f"IP configuration {config_id} is using the private IP address {address} which is already "
                      f"allocated to resource {holder}.", 400)


def nic_in_use(nic_id: str, vm_id: str) -> AzureError:
    """400 NicInUse: a VM's PUT names a NIC another VM uses."""
    return AzureError("NicInUse", f"Network Interface {nic_id} is used by existing resource {vm_id}. In order to use "
                      "this network interface, you must first delete or detach it from the existing resource.", 400)


def nic_in_use_delete(nic_id: str, vm_id: str) -> AzureError:
    """400 NicInUse: a DELETE of a NIC a VM still uses."""
    return AzureError("NicInUse", f"Network Interface {nic_id} is used by existing resource {vm_id}. In order to "
                      "delete the network interface, it must be dissociated from the resource. To learn more, see "
                      "aka.ms/deletenic.", 400)


def public_ip_cannot_be_deleted(ip_id: str, config_id: str) -> AzureError:
    """400 PublicIPAddressCannotBeDeleted: a DELETE of a public IP an ipConfiguration still holds."""
    return AzureError("PublicIPAddressCannotBeDeleted",
                      f"Public IP address {ip_id} can not be deleted since it is still allocated to resource {config_id}. "
                      "In order to delete the public IP, disassociate/detach the Public IP address from the resource.  "
                      "To learn how to do this, see aka.ms/deletepublicip.", 400)


def nsg_in_use(nsg_id: str, users: list[str]) -> AzureError:
    """400 InUseNetworkSecurityGroupCannotBeDeleted: a DELETE of an NSG a NIC or subnet still uses."""
    return AzureError("InUseNetworkSecurityGroupCannotBeDeleted",
                      f"Network security group {nsg_id} cannot be deleted because it is in use by the following "
                      f"resources: {', '.join(users)}. In order to delete the Network security group, remove the "
                      "association with the resource(s). To learn how to do this, see aka.ms/deletensg.", 400)


def subnet_in_use(subnet: str, config_id: str) -> AzureError:
    """400 InUseSubnetCannotBeDeleted: a DELETE of a VNet whose subnet a NIC's ipConfiguration still uses."""
    return AzureError("InUseSubnetCannotBeDeleted",
                      f"Subnet {subnet} is in use by {config_id} and cannot be deleted. In order to delete the subnet, "
                      "delete all the resources within the subnet. See aka.ms/deletesubnet.", 400)


def public_ip_in_use(config_id: str, ip_id: str, holder: str) -> AzureError:
    """400 PublicIPAddressInUse: a NIC's ipConfiguration names a public IP another ipConfiguration holds."""
    return AzureError("PublicIPAddressInUse",
                      f"Resource {config_id} is referencing public IP address {ip_id} that is already allocated to "
                      f"resource {holder}.", 400)


def invalid_domain_name_label(label: str) -> AzureError:
    """400 InvalidDomainNameLabel: a public IP's ``dnsSettings.domainNameLabel`` breaks the Network provider's rule."""
    return AzureError("InvalidDomainNameLabel",
                      f"The domain name label {label} is invalid. It must conform to the following regular expression: "
                      "^[a-z][a-z0-9-]{1,61}[a-z0-9]$.", 400)


def dns_record_in_use(fqdn: str) -> AzureError:
    """400 DnsRecordInUse: another public IP of the region has the DNS label."""
    return AzureError("DnsRecordInUse", f"DNS record {fqdn} is already used by another public IP.", 400)


def linked_resource_not_found(resource_id: str) -> AzureError:
    """404 NotFound: a VM names a network interface that does not exist (Compute checks it on the PUT)."""
    return AzureError("NotFound", f"Resource {resource_id} not found.", 404)


# ---- template deployments ------------------------------------------------------------------------


def deployment_not_found(name: str) -> AzureError:
    return AzureError("DeploymentNotFound", f"Deployment '{name}' could not be found.", 404)


def deployment_operation_not_found(operation: str) -> AzureError:
    return AzureError("DeploymentOperationNotFound", f"The deployment operation '{operation}' could not be found.", 404)


def invalid_deployment_name(name: str) -> AzureError:
    return AzureError("InvalidDeploymentName", f"The deployment name '{name}' is invalid. It can be up to 64 "
                      "characters long and contain letters, digits, '-', '.', '_', '(' and ')'.", 400)


def invalid_deployment_mode(message: str) -> AzureError:
    """400 InvalidDeploymentMode: the deployment's mode cannot be carried out."""
    return AzureError("InvalidDeploymentMode", message, 400)


def invalid_template(problem: str, *, quoted: bool = True) -> AzureError:
    """400 InvalidTemplate: the template fails ARM's validation; ``problem`` is quoted, as ARM quotes the
    failing expression or rule (``quoted=False`` when the text quotes its own words)."""
    detail = f"'{problem}'." if quoted else problem
    return AzureError("InvalidTemplate", f"Deployment template validation failed: {detail}", 400)


def invalid_template_deployment(message: str) -> AzureError:
    """400 InvalidTemplateDeployment: a valid template that cannot be deployed (a resource type not emulated)."""
    return AzureError("InvalidTemplateDeployment", f"The template deployment failed: {message}", 400)


# ---- the HTTP server's own answers (`autopatch serve`): transport, origin and control refusals ----------

# What the standard library's server refuses on its own (a bad request line, headers, an unknown method),
# by HTTP status, answered with an ARM error body rather than its HTML page.
HTTP_REFUSAL_CODES = {400: "BadRequest", 408: "RequestTimeout", 414: "RequestUriTooLong",
                      431: "RequestHeaderFieldsTooLarge", 501: "MethodNotAllowed", 505: "HttpVersionNotSupported"}


def http_refusal(status: int, message: str) -> AzureError:
    """The stdlib HTTP server's own refusal, as an ARM error of the same status."""
    return AzureError(HTTP_REFUSAL_CODES.get(status, "BadRequest"), message, status)


def length_required() -> AzureError:
    """411: a body without a valid Content-Length (chunked bodies are not read)."""
    return AzureError("InvalidRequestContent",
                      "The request must carry a valid Content-Length (chunked bodies are not accepted).", 411)


def invalid_host_header(host: str, base_url: str) -> AzureError:
    """421: a Host header naming another server (DNS rebinding) is refused."""
    return AzureError(
        "InvalidHostHeader",
        f"The Host header '{host}' does not name this server ({base_url}); requests for other "
        "names are refused, so a web page cannot reach the emulator through a name it controls.", 421)


def cross_origin_refused(origin: str | None = None) -> AzureError:
    """403: a request a web page made (an Origin header, or Sec-Fetch-Site cross-site/same-site)."""
    if origin is not None:
        return AzureError(
            "CrossOriginRequestRefused",
            f"Requests from the web origin '{origin}' are refused: autopatch serve answers clients "
            "on this machine (SDKs, az, curl), never pages in a browser.", 403)
    return AzureError(
        "CrossOriginRequestRefused",
        "Cross-site requests are refused: autopatch serve answers clients on this machine, never pages "
        "in a browser.", 403)


def unsupported_media_type(declared: str, accepted: Iterable[str]) -> AzureError:
    """415: a body that is not declared as JSON (or the route's other accepted types)."""
    return AzureError(
        "UnsupportedMediaType",
        f"The content media type '{declared or '(none)'}' is not supported. Only "
        f"{' or '.join(repr(t) for t in accepted)} is supported.", 415)


def request_entity_too_large(length: int, maximum: int) -> AzureError:
    """413: a body over the server's limit (refused before it is read)."""
    return AzureError(
        "RequestEntityTooLarge",
        f"The request content length {length} exceeds the maximum allowed content length of {maximum} bytes.", 413)


def unauthorized(code: str, message: str) -> AzureError:
    """401 with the token problem's own code (AuthenticationFailed, InvalidAuthenticationToken, ...)."""
    return AzureError(code, message, 401)


def control_not_found(path: str, controls: Iterable[str]) -> AzureError:
    """404 for a path under /autopatch/ that names no emulator control."""
    return not_found(f"No emulator control '{path}'. Controls: " + ", ".join(controls) + ".")


def operation_timed_out(message: str) -> AzureError:
    """400 OperationTimedOut: a request's work ran past the time it may hold the store."""
    return AzureError("OperationTimedOut", message, 400)


def store_unavailable(path: str, detail: str) -> AzureError:
    """503 StoreUnavailable: the health endpoint cannot read the store."""
    return AzureError("StoreUnavailable", f"The store '{path}' cannot be read: {detail}", 503)
