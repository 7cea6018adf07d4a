"""autopatch rest: one ARM request, as ``az rest`` sends it.

URLs on Azure's Resource Manager endpoint (``https://management.azure.com/...``) or relative ones
(``/subscriptions/...``, which az prefixes with that endpoint) are answered in-process by the ARM router
against the local store; an ``http(s)://`` URL on another host (a running ``autopatch serve``) gets a
real HTTP request. The response is printed as az rest prints it: the JSON body through ``-o``/``--query``,
nothing for an empty body, and a non-2xx status as ``ERROR: <Reason>(<body>)`` with exit code 1.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .globals import GLOBAL_ARGUMENTS_HELP

app = typer.Typer(rich_markup_mode=None)

METHODS = ("head", "get", "put", "post", "delete", "options", "patch")  # az's declared order (its errors list them so)
ARM_HOSTS = ("management.azure.com",)
# Other Azure endpoints az rest would get a token for; autopatch emulates none of them.
_AZURE_DOMAINS = ("microsoft.com", "azure.com", "windows.net", "azure.net", "microsoftonline.com", "azure.cn",
                  "usgovcloudapi.net")


def _read_value(value: str, option: str) -> str:
    """az's ``@{file}`` convention: the value is read from the file."""
    if not value.startswith("@"):
        return value
    from pathlib import Path

    from ..errors import ValidationError

    path = Path(value[1:]).expanduser()
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError(f"Unable to load the file for {option}: {exc.strerror}: '{path}'") from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"Unable to load the file for {option}: it is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
            f"offset {exc.start}): '{path}'"
        ) from exc


def _key_values(values: list[str] | None, option: str) -> dict[str, str]:
    """Space-separated KEY=VALUE pairs or JSON objects (az's shell_safe_json_parse, then split at '=')."""
    import json

    from ..errors import ValidationError

    result: dict[str, str] = {}
    for raw in values or []:
        text = _read_value(raw, option)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            result.update({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()})
            continue
        key, sep, value = text.partition("=")
        if not sep:
            raise ValidationError(f"{option}: '{text}' is not in KEY=VALUE format or a JSON object.")
        result[key] = value
    return result


@app.command("rest", epilog=GLOBAL_ARGUMENTS_HELP)
def rest(
    url: Annotated[str | None, typer.Option("--url", "--uri", "-u", help="Request URL. If it doesn't start with a host, it is taken as an Azure resource ID and prefixed with the ARM endpoint (https://management.azure.com). Common token {subscriptionId} is replaced with the simulated subscription's ID.")] = None,
    method: Annotated[str, typer.Option("--method", "-m", help="HTTP request method.  Allowed values: delete, get, head, options, patch, post, put.  Default: get.")] = "get",
    body: Annotated[str | None, typer.Option("--body", "-b", help="Request body. Use @{file} to load from a file.")] = None,
    headers: Annotated[list[str] | None, typer.Option("--headers", help="Space-separated headers in KEY=VALUE format or JSON string. Use @{file} to load from a file.")] = None,
    uri_parameters: Annotated[list[str] | None, typer.Option("--uri-parameters", "--url-parameters", help="Query parameters in the URL. Space-separated queries in KEY=VALUE format or JSON string. Use @{file} to load from a file.")] = None,
    output_file: Annotated[str | None, typer.Option("--output-file", help="Save response payload to a file.")] = None,
    resource: Annotated[str | None, typer.Option("--resource", help="Accepted for az compatibility; autopatch needs no AAD token.")] = None,
    skip_authorization_header: Annotated[bool, typer.Option("--skip-authorization-header", help="Do not auto-append Authorization header (autopatch never adds one).")] = False,
    acquire_policy_token: Annotated[bool, typer.Option("--acquire-policy-token", help="Acquiring an Azure Policy token automatically for this resource operation (no Azure Policy here: ignored).")] = False,
    change_reference: Annotated[str | None, typer.Option("--change-reference", help="The related change reference ID for this resource operation (ignored).")] = None,
):
    """Invoke a custom request."""
    from ..errors import UsageError
    from .common import choice

    chosen = choice(method, METHODS, "--method")  # az checks the value while parsing: before the required ones
    if not url:
        raise UsageError("the following arguments are required: --url/--uri/-u")
    request_body = _read_value(body, "--body") if body is not None else None
    request_headers = _key_values(headers, "--headers")
    params = _key_values(uri_parameters, "--uri-parameters")
    status, response_headers, content = send(chosen.upper(), url, request_headers, params, request_body)
    _debug_log(chosen.upper(), _resolve_url(url), status, response_headers)  # the URL as it was sent
    if not 200 <= status < 300:
        from http import HTTPStatus

        from ..errors import AutopatchError

        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = str(status)
        text = content.decode("utf-8-sig", errors="replace")
        raise AutopatchError(f"{reason}({text})" if text else reason)
    if output_file:
        _save(output_file, content)
        return
    if not content:
        return
    import json

    try:
        document = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        from .output import warn

        warn('Not a json response, outputting to stdout. For binary data suggest use "--output-file" to write to a file')
        import sys

        sys.stdout.write(content.decode("utf-8", errors="replace") + "\n")
        return
    from .output import emit

    emit(document)


def _save(output_file: str, content: bytes) -> None:
    """``--output-file``: the response payload, as az writes it; a path that cannot be written is an error."""
    from pathlib import Path

    from ..errors import ValidationError

    path = Path(output_file).expanduser()
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise ValidationError(f"Unable to write the response to --output-file: {exc.strerror}: '{path}'") from exc


def _resolve_url(url: str) -> str:
    if "://" not in url:
        url = "https://management.azure.com" + url
    if "{subscriptionId}" in url:
        from .common import reader

        url = url.replace("{subscriptionId}", reader().section("subscription")["id"])
    return url


def send(method: str, url: str, headers: dict[str, str], params: dict[str, str], body: str | None):
    """(status, headers, body bytes) of one request: in-process for ARM URLs, over HTTP otherwise."""
    from urllib.parse import urlencode, urlsplit

    from ..errors import ValidationError

    url = _resolve_url(url)
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    if body is not None and "content-type" not in {k.lower() for k in headers}:
        import json

        try:
            json.loads(body)
            headers["Content-Type"] = "application/json"
        except (json.JSONDecodeError, RecursionError):
            pass  # sent as it is: the service says what is wrong with it
    data = body.encode("utf-8") if body is not None else None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValidationError(f"Invalid URL '{url}': give an https://management.azure.com/... URL, a path starting with /subscriptions, or an http(s) URL of a running 'autopatch serve'.")
    if host in ARM_HOSTS:
        from ..arm import Router
        from .globals import settings

        response = Router(settings.state).handle(method, url, headers, data, "https://management.azure.com")
        return response.status, response.headers, response.body
    if any(host == d or host.endswith("." + d) for d in _AZURE_DOMAINS):
        raise ValidationError(
            f"autopatch emulates only Azure Resource Manager (management.azure.com); '{host}' is not served."
        )
    return _http(method, url, headers, data)


def _http(method: str, url: str, headers: dict[str, str], data: bytes | None):
    import urllib.error
    import urllib.request

    from ..errors import AutopatchError, ValidationError

    try:
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the user's own URL
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers or {}), exc.read()
    except urllib.error.URLError as exc:
        raise AutopatchError(f"Failed to connect to '{url}': {exc.reason}") from exc
    except (UnicodeError, ValueError) as exc:  # a host name IDNA cannot encode, text HTTP cannot carry
        raise ValidationError(f"Invalid URL '{url}': {exc}") from exc


def _debug_log(method: str, url: str, status: int, headers: dict[str, str]) -> None:
    """az rest shows the response headers (Azure-AsyncOperation, Location...) only with --debug/--verbose."""
    import sys

    from .globals import settings

    if not (settings.debug or settings.verbose):
        return
    sys.stderr.write(f"INFO: Request URL: {url!r}\nINFO: Request method: {method!r}\n")
    sys.stderr.write(f"INFO: Response status: {status}\nINFO: Response headers:\n")
    for name, value in headers.items():
        sys.stderr.write(f"INFO:     {name!r}: {value!r}\n")
