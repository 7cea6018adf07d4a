"""autopatch serve: the ARM REST API over HTTP(S), for the Azure SDKs and az rest (autopatch only)."""

from __future__ import annotations

from typing import Annotated

import typer

from .globals import GLOBAL_ARGUMENTS_HELP

app = typer.Typer(rich_markup_mode=None)


@app.command("serve", epilog=GLOBAL_ARGUMENTS_HELP)
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind. Default: 127.0.0.1 (this machine only); 0.0.0.0 exposes the emulator to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port; 0 picks a free one. Default: 8080.")] = 8080,
    require_token: Annotated[str | None, typer.Option("--require-token", help="Refuse requests whose 'Authorization: Bearer' token is not this value (401, ARM error body). Other users of this machine can read a command line (ps): prefer --require-token-file or the AUTOPATCH_SERVE_TOKEN environment variable.")] = None,
    require_token_file: Annotated[str | None, typer.Option("--require-token-file", help="Read the token of --require-token from this file (its first line).")] = None,
    public_url: Annotated[str | None, typer.Option("--public-url", help="The URL clients reach this server at, for the Location and Azure-AsyncOperation URLs of long-running operations. Default: the bound address.")] = None,
    speed: Annotated[float | None, typer.Option("--speed", help="Move the simulated clock this many seconds per real second (e.g. 3600: an hour a second). Default: the clock moves only when told (autopatch tick, POST /autopatch/tick).")] = None,
    tls: Annotated[bool, typer.Option("--tls", help="Serve https with a self-signed certificate for 127.0.0.1 and localhost, made once and kept beside the store (its path is printed; give it to clients, e.g. REQUESTS_CA_BUNDLE). The real az needs https: see 'autopatch az-env'.")] = False,
    certfile: Annotated[str | None, typer.Option("--certfile", help="PEM certificate (chain) to serve https, so the SDK's default bearer-token policy works.")] = None,
    keyfile: Annotated[str | None, typer.Option("--keyfile", help="PEM private key of --certfile, if not in that file.")] = None,
    retry_after: Annotated[int | None, typer.Option("--retry-after", help="Seconds in the Retry-After header of long-running operations. Default: 1 (an SDK with its default polling finishes in about a second; 0 lets polling_interval=0 clients finish at once).")] = None,
    max_body: Annotated[int | None, typer.Option("--max-body", help="Largest request body accepted, in bytes (413 beyond). Default: 4194304.")] = None,
):
    """Serve Azure Resource Manager's REST API for the local store until interrupted.

    With a token (--require-token, --require-token-file, or the AUTOPATCH_SERVE_TOKEN environment
    variable), requests must carry 'Authorization: Bearer TOKEN'. GET /autopatch/health reports the
    version, the store and the clock; --verbose logs each request (Common Log Format, with milliseconds).
    """
    import signal
    import sys

    from ..arm.server import DEFAULT_MAX_BODY, LOOPBACK_HOSTS, ClockDriver, make_server
    from ..errors import UsageError, ValidationError
    from ..store import default_path
    from .globals import settings
    from .output import warn

    if not 0 <= port <= 65535:
        raise UsageError(f"argument --port: invalid value: '{port}' (0-65535)")
    if speed is not None and speed <= 0:
        raise ValidationError("--speed must be positive (simulated seconds per real second)")
    if keyfile and not certfile:
        raise UsageError("usage error: --keyfile needs --certfile")
    if tls and certfile:
        raise UsageError("usage error: --tls makes its own certificate; give either --tls or --certfile/--keyfile")
    if retry_after is not None and retry_after < 0:
        raise ValidationError("--retry-after must be 0 or more seconds")
    if max_body is not None and max_body < 1:
        raise ValidationError("--max-body must be a positive number of bytes")
    token = _token(require_token, require_token_file)
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise ValidationError(f"--public-url must be an http:// or https:// URL, not '{public_url}'")
    if host not in LOOPBACK_HOSTS:
        warn(
            f"--host {host} makes the emulator reachable from other machines. It is a simulator with no real "
            "authentication: use --require-token, and expose it only on networks you trust. --public-url names the "
            "address clients use in the URLs of long-running operations."
        )
    if tls:
        from ..arm import tls as tls_files

        made = tls_files.ensure(settings.state or default_path())
        certfile, keyfile = str(made.certfile), str(made.keyfile)
        sys.stdout.write(f"TLS certificate ({'made' if made.created else 'reused'}, self-signed for 127.0.0.1, ::1 and "
                         f"localhost): {made.certfile}\n")
    try:
        server = make_server(settings.state, host, port, token=token, certfile=certfile, keyfile=keyfile,
                             max_body=max_body or DEFAULT_MAX_BODY, retry_after=retry_after,
                             log=settings.verbose or settings.debug, public_url=public_url)
    except OSError as exc:
        raise ValidationError(f"Cannot serve on {host}:{port}: {exc.strerror or exc}") from exc
    driver = None
    if speed:
        driver = ClockDriver(server.router, speed)
        driver.start()
    sys.stdout.write(f"Serving the ARM REST API on {server.url} (store: {server.router.path}). Ctrl+C stops.\n")
    sys.stdout.flush()

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        if driver:
            driver.stop()
        server.server_close()
    return 0


TOKEN_ENVIRONMENT_VARIABLE = "AUTOPATCH_SERVE_TOKEN"


def _token(given: str | None, path: str | None) -> str | None:
    """The token from --require-token, --require-token-file or AUTOPATCH_SERVE_TOKEN (one of them); never empty."""
    import os

    from ..errors import UsageError, ValidationError

    if given is not None and path is not None:
        raise UsageError("usage error: give --require-token or --require-token-file, not both")
    if path is not None:
        try:
            with open(path, encoding="utf-8") as file:
                given = file.readline().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"Cannot read the token file '{path}': {getattr(exc, 'strerror', None) or exc}") from exc
        source = f"the token file '{path}'"
    elif given is not None:
        source = "--require-token"
    else:
        given = os.environ.get(TOKEN_ENVIRONMENT_VARIABLE)
        source = TOKEN_ENVIRONMENT_VARIABLE
    if given is not None and not given.strip():
        raise ValidationError(f"{source} is empty: an empty token would turn authentication off. Give a token, or none.")
    return given
