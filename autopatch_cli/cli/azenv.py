"""autopatch az-env: point the stock az at `autopatch serve --tls`, in this shell only (autopatch only)."""

from __future__ import annotations

from typing import Annotated

import typer

from .globals import GLOBAL_ARGUMENTS_HELP

app = typer.Typer(rich_markup_mode=None)

DEFAULT_URL = "https://127.0.0.1:8080"

_EPILOG = (
    "Examples:\n\n"
    "    autopatch serve --tls --port 8443 &\n\n"
    '    eval "$(autopatch az-env --url https://127.0.0.1:8443)"\n\n'
    "    az group create -n myResourceGroup -l eastus\n\n"
    "Go back to your own az (its ~/.azure was never touched):\n\n"
    '    eval "$(autopatch az-env --undo)"\n\n' + GLOBAL_ARGUMENTS_HELP
)


@app.command("az-env", epilog=_EPILOG)
def az_env(
    url: Annotated[str, typer.Option("--url", help=f"The https URL of the running 'autopatch serve --tls'. Default: {DEFAULT_URL}.")] = DEFAULT_URL,
    shell: Annotated[str, typer.Option("--shell", help="Shell syntax of the printed lines. Allowed values: bash, zsh, fish, pwsh. Default: bash.")] = "bash",
    config_dir: Annotated[str | None, typer.Option("--config-dir", help="The az configuration folder to write (AZURE_CONFIG_DIR). Default: beside the store, '<store>.azure'.")] = None,
    ca_bundle: Annotated[str | None, typer.Option("--ca-bundle", help="PEM certificate az should trust (REQUESTS_CA_BUNDLE): the one given to 'serve --certfile'. Default: the certificate 'serve --tls' makes beside the store.")] = None,
    token: Annotated[str | None, typer.Option("--token", help="The token 'serve --require-token' was started with: az's managed identity then receives it.")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Print the lines that unset what az-env set, so az uses ~/.azure and Azure again.")] = False,
):
    """Write an az configuration folder for the emulator and print the shell lines that use it."""
    import sys
    from pathlib import Path
    from urllib.parse import urlsplit

    from ..arm import azconfig, tls
    from ..errors import UsageError, ValidationError
    from ..store import default_path
    from .common import reader
    from .globals import settings
    from .output import warn

    if shell not in azconfig.SHELLS:
        raise UsageError(f"argument --shell: invalid choice: '{shell}' (choose from {', '.join(azconfig.SHELLS)})")
    if undo:
        sys.stdout.write(azconfig.undo_lines(shell))
        return 0
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError(
            f"--url must be the https URL of 'autopatch serve --tls' (got '{url}'): az refuses to send bearer tokens "
            "over plain http.")
    if parts.path.strip("/") or parts.query:
        raise ValidationError(f"--url must be the server's root, e.g. https://127.0.0.1:8443 (got '{url}').")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        warn(f"--url {url} is not a loopback address: az will send its requests to that host.")
    store_path = settings.state or default_path()
    if ca_bundle is not None:
        bundle = Path(ca_bundle).expanduser()
        try:
            found = bundle.is_file()
        except OSError:  # a name the file system cannot hold (too long)
            found = False
        if not found:
            raise ValidationError(f"--ca-bundle: no such file: '{bundle}'")
    else:
        bundle = tls.ensure(store_path).certfile  # the same file `serve --tls` reuses
    subscription = reader().section("subscription")
    folder = Path(config_dir).expanduser() if config_dir else azconfig.folder_for(store_path)
    try:
        made = azconfig.write(folder, url=url, subscription=subscription, ca_bundle=bundle, identity_header=token)
    except OSError as exc:
        raise ValidationError(f"Cannot write the az configuration folder '{folder}': {exc.strerror or exc}") from exc
    comment = "#"
    sys.stdout.write(f"{comment} az configuration for autopatch at {url} (subscription {subscription['id']}); "
                     f"undo with: autopatch az-env --undo{'' if shell == 'bash' else ' --shell ' + shell}\n")
    sys.stdout.write(azconfig.shell_lines(made.variables, shell))
    return 0
