"""Azure's naming rules for the resources we create, with ARM's error codes."""

from __future__ import annotations

import re
import unicodedata

from ..errors import ValidationError, invalid_parameter, invalid_resource_name

_RESOURCE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_])?")
_WINDOWS_COMPUTER_BAD = set("`~!@#$%^&*()=+_[]{}\\|;:.'\",<>/?")

# azure-cli's reserved admin user names (its VM validators' list), compared case-insensitively.
DISALLOWED_USERNAMES = frozenset(
    """administrator admin user user1 test user2 test1 user3 admin1 1 123 a actuser adm admin2 aspnet
    backup console david guest john owner root server sql support support_388945a0 sys test2 test3
    user4 user5""".split()
)
# azure-cli's list of passwords Azure refuses although they pass the complexity rules.
DISALLOWED_PASSWORDS = frozenset(
    {"abc@123", "P@$$w0rd", "P@ssw0rd", "P@ssword123", "Pa$$word", "pass@word1", "Password!",
     "Password1", "Password22", "iloveyou!"}
)


def validate_resource_name(name: str, resource_type: str) -> None:
    if not _RESOURCE_NAME.fullmatch(name or ""):
        raise invalid_resource_name(name, resource_type)


def validate_windows_computer_name(name: str) -> None:
    # az's list of characters, and what no host name can hold: whitespace, control and format characters
    unprintable = any(c.isspace() or unicodedata.category(c)[0] == "C" for c in name)
    if len(name) > 15 or name.isdigit() or unprintable or any(c in _WINDOWS_COMPUTER_BAD for c in name):
        raise ValidationError(
            "Windows computer name cannot be more than 15 characters long, be entirely numeric, or "
            "contain the following characters: `~!@#$%^&*()=+_[]{}\\|;:.'\",<>/?"
        )


def validate_admin_username(username: str, windows: bool) -> None:
    if not re.fullmatch(r"[a-zA-Z0-9_.-]+", username) or username.endswith("."):
        raise ValidationError(
            r'admin user name cannot contain upper case character A-Z, special characters \/"[]:|<>+=;,?*@#()! '
            "or start with $ or -"
            if not windows
            else r'admin user name cannot contain special characters \/"[]:|<>+=;,?*@# or ends with .'
        )
    if username.lower() in DISALLOWED_USERNAMES:
        raise ValidationError(
            f"This user name '{username}' meets the general requirements, but is specifically "
            "disallowed for this image. Please try a different value."
        )
    if windows and len(username) > 20:
        raise ValidationError("The username length must be between 1 and 20 characters for Windows VMs")


def validate_admin_password(password: str, windows: bool) -> None:
    """Azure's complexity rules, as az checks them before sending: length, then 3 of 4 classes."""
    low, high = (12, 123) if windows else (12, 72)  # az 2.91 _validate_admin_password: at least 12 for both
    if not low <= len(password) <= high:
        raise ValidationError(f"The password length must be between {low} and {high}")
    classes = (
        any(c.islower() for c in password)
        + any(c.isupper() for c in password)
        + any(c.isdigit() for c in password)
        + any(not c.isalnum() for c in password)
    )
    if classes < 3:
        raise ValidationError(
            "Password must have the 3 of the following: 1 lower case character, 1 upper case character, "
            "1 number and 1 special character"
        )
    if password in DISALLOWED_PASSWORDS:
        raise invalid_parameter(
            "adminPassword",
            "The supplied password must be between 8-123 characters long and must satisfy at least 3 of "
            "password complexity requirements from the following: 1) Contains an uppercase character "
            "2) Contains a lowercase character 3) Contains a numeric digit 4) Contains a special character "
            "5) Control characters are not allowed",
        )
