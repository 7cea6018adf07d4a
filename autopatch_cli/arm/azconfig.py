"""An az configuration folder (AZURE_CONFIG_DIR) that points the stock azure-cli at ``autopatch serve``.

What the folder holds, each for a measured reason (the stock az 2.91, unmodified):
- ``clouds.config``: a cloud of its own, ``Autopatch``, whose resource manager, login endpoint and image
  alias document are the server's URLs (az refuses bearer tokens over http, so the URL is https);
- ``config``: that cloud active; telemetry, the survey prompt, error recommendations (a web service),
  MSAL's instance discovery and dynamic extension installs off, so az contacts nothing but loopback;
- ``azureProfile.json``: one signed-in account, the store's subscription, held by a system-assigned
  managed identity (az then asks IDENTITY_ENDPOINT for tokens: no ``az login``, no Microsoft sign-in);
- ``versionCheck.json``: az's record of its last check for a newer release, dated far ahead for the
  installed az version, so az never fetches release information from the internet.
The environment lines (``shell_lines``) add IDENTITY_ENDPOINT/IDENTITY_HEADER and REQUESTS_CA_BUNDLE.
The user's own ``~/.azure`` is never read or written: az reads only the folder AZURE_CONFIG_DIR names.
"""

from __future__ import annotations

import configparser
import io
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CLOUD_NAME = "Autopatch"
ARM_AUDIENCE = "https://management.core.windows.net/"
DEFAULT_AZ_VERSION = "2.91.0"  # the az release autopatch mirrors; used when the installed one cannot be read
# az treats its release check as fresh for a day after this time; a date this far ahead keeps it fresh.
FAR_FUTURE = "9999-01-01 00:00:00.000000"
VARIABLES = ("AZURE_CONFIG_DIR", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "REQUESTS_CA_BUNDLE")
SHELLS = ("bash", "zsh", "fish", "pwsh")


@dataclass(frozen=True)
class AzEnvironment:
    config_dir: Path
    variables: dict[str, str]
    az_version: str


def folder_for(store_path: Path) -> Path:
    """The default config folder: beside the store, named after it."""
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".azure")


def write(folder: Path, *, url: str, subscription: dict, ca_bundle: Path | None, identity_header: str | None = None,
          az_version: str | None = None) -> AzEnvironment:
    """Write (or rewrite) the config folder and return the environment that uses it."""
    from .identity import TOKEN_PATH

    root = url.rstrip("/")
    folder = Path(folder).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    version = az_version or installed_az_version() or DEFAULT_AZ_VERSION

    clouds = configparser.ConfigParser()
    clouds[CLOUD_NAME] = {
        "profile": "latest",
        "endpoint_resource_manager": root + "/",
        "endpoint_management": ARM_AUDIENCE,
        "endpoint_active_directory": root,
        "endpoint_active_directory_resource_id": ARM_AUDIENCE,
        "endpoint_vm_image_alias_doc": root + "/metadata/vmImageAliasDoc",
    }
    _write_ini(folder / "clouds.config", clouds)

    config = configparser.ConfigParser()
    existing = folder / "config"
    if existing.exists():  # keep what the user set with `az config set` in this folder
        try:
            config.read(existing, encoding="utf-8")
        except configparser.Error:
            config = configparser.ConfigParser()
    settings = {
        "cloud": {"name": CLOUD_NAME},
        "core": {"collect_telemetry": "false", "survey_message": "false", "error_recommendation": "off",
                 "instance_discovery": "false", "first_run": "yes"},
        "extension": {"use_dynamic_install": "no"},
    }
    for section, values in settings.items():
        if not config.has_section(section):
            config.add_section(section)
        for key, value in values.items():
            config.set(section, key, value)
    _write_ini(folder / "config", config)

    profile = {
        "installationId": _installation_id(folder),
        "subscriptions": [{
            "id": subscription["id"],
            "name": subscription["name"],
            "state": "Enabled",
            "user": {"name": "systemAssignedIdentity", "type": "servicePrincipal", "assignedIdentityInfo": "MSI"},
            "isDefault": True,
            "tenantId": subscription["tenantId"],
            "environmentName": CLOUD_NAME,
            "homeTenantId": subscription["tenantId"],
            "managedByTenants": [],
        }],
    }
    # az reads these files as UTF-8 with a byte-order mark allowed; plain UTF-8 is what it writes itself.
    _write_text(folder / "azureProfile.json", json.dumps(profile, indent=2))
    components = {"azure-cli": {"local": version}, "core": {"local": version}, "telemetry": {"local": "1.1.0"}}
    _write_text(folder / "versionCheck.json", json.dumps({"versions": components, "update_time": FAR_FUTURE,
                                                          "check_time": FAR_FUTURE}))
    variables = {
        "AZURE_CONFIG_DIR": str(folder),
        "IDENTITY_ENDPOINT": root + TOKEN_PATH,
        "IDENTITY_HEADER": identity_header or _identity_header(folder),
    }
    if ca_bundle is not None:
        variables["REQUESTS_CA_BUNDLE"] = str(Path(ca_bundle).resolve())
    return AzEnvironment(folder, variables, version)


def shell_lines(environment: dict[str, str], shell: str) -> str:
    """The lines that set ``environment`` in ``shell`` (for eval / Invoke-Expression)."""
    lines = []
    for name, value in environment.items():
        if shell == "fish":
            lines.append(f"set -gx {name} {shlex.quote(value)};")
        elif shell == "pwsh":
            lines.append(f"$env:{name} = '{value.replace(chr(39), chr(39) * 2)}'")
        else:
            lines.append(f"export {name}={shlex.quote(value)}")
    return "\n".join(lines) + "\n"


def undo_lines(shell: str) -> str:
    """The lines that take the az environment away again (az goes back to ~/.azure and Azure)."""
    if shell == "fish":
        return "".join(f"set -e {name};\n" for name in VARIABLES)
    if shell == "pwsh":
        return "".join(f"Remove-Item Env:{name} -ErrorAction SilentlyContinue\n" for name in VARIABLES)
    return f"unset {' '.join(VARIABLES)}\n"


def installed_az_version(az: str | None = None) -> str | None:
    """The version of the az on PATH (or $AUTOPATCH_AZ), read from its Python without running az itself
    (``az version`` would ask the internet for the newest release)."""
    az = az or os.environ.get("AUTOPATCH_AZ") or shutil.which("az")
    if not az:
        return None
    try:
        text = Path(az).read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return None
    interpreter = None
    first = text.splitlines()[0] if text else ""
    if first.startswith("#!") and "python" in first:
        interpreter = first[2:].strip().split()[0]
    else:  # the packaged az (deb, rpm, brew) is a shell script that runs its own python
        found = re.search(r"(/\S*?/python3?(?:\.\d+)?)\b", text)
        interpreter = found.group(1) if found else None
    if not interpreter or not Path(interpreter).exists():
        return None
    try:
        done = subprocess.run([interpreter, "-c", "from azure.cli.core import __version__; print(__version__)"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = done.stdout.strip()
    return version if done.returncode == 0 and re.fullmatch(r"\d+\.\d+\.\d+\S*", version) else None


def _identity_header(folder: Path) -> str:
    """A per-folder secret for IDENTITY_HEADER, kept so that re-running az-env keeps the same value."""
    path = folder / "autopatch-identity-header"
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    except OSError:
        pass
    value = secrets.token_urlsafe(24)
    _write_text(path, value, private=True)
    return value


def _installation_id(folder: Path) -> str:
    try:
        return json.loads((folder / "azureProfile.json").read_text(encoding="utf-8-sig"))["installationId"]
    except (OSError, ValueError, KeyError, TypeError):
        import uuid

        return str(uuid.uuid4())


def _write_ini(path: Path, parser: configparser.ConfigParser) -> None:
    buffer = io.StringIO()
    parser.write(buffer)
    _write_text(path, buffer.getvalue())


def _write_text(path: Path, text: str, private: bool = False) -> None:
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
