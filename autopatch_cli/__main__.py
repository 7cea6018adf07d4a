"""Entry point: ``autopatch`` and ``python -m autopatch_cli``.

Maps every failure to az's form: ``ERROR: ...`` on stderr, exit 1, 2 (usage) or 3 (not found), and no
traceback unless ``--debug``.
"""

from __future__ import annotations

import sys


def _print_error(message: str) -> None:
    sys.stderr.write(f"ERROR: {message}\n")


def _print_recommendations(message: str, args: list[str]) -> None:
    """az's examples and reference link under a command line its parser rejected (``cli/recommend.py``)."""
    from .cli.recommend import trailer

    try:
        text = trailer(message, args)
    except Exception:  # the error itself is what matters; never fail while adding to it
        if "--debug" in args:
            raise
        return
    sys.stderr.write(text)


def _as_autopatch(message: str) -> str:
    """Azure's messages name az commands to run; when it was autopatch that ran, name autopatch's (the same
    verbs), and say how simulated time gets a registration done."""
    import re

    message = re.sub(r"'az (feature|provider) ", r"'autopatch \1 ", message)
    if "still Registering" in message:
        message += " Simulated time moves with 'autopatch tick --minutes 15'."
    return message


def _click_usage_message(exc) -> str:
    """az (argparse) wording for what the command-line parser rejected."""
    from typer._click import exceptions as click_exc

    from .cli.argscan import az_names

    words = (exc.ctx.command_path.split()[1:] if exc.ctx is not None else [])
    if isinstance(exc, click_exc.MissingParameter) and exc.param is not None:
        names = az_names(words, exc.param) if exc.param.opts else ""
        return f"the following arguments are required: {names or exc.param.name}"
    if isinstance(exc, click_exc.NoSuchOption):
        return f"unrecognized arguments: {exc.option_name}"
    message = exc.format_message()
    if message.startswith("No such command"):
        name = message.split("'")[1] if "'" in message else message
        return f"'{name}' is misspelled or not recognized by the system."
    if message.startswith("Got unexpected extra argument"):
        extra = message.split(" (", 1)[-1].removesuffix(")")
        return f"unrecognized arguments: {extra}"
    return message


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    import os

    if os.environ.get(COMPLETE_VAR, "").startswith("complete_"):
        # A Tab: answered from the cached command tree, before typer (hundreds of ms) is imported.
        from .completion import main as complete_main

        return complete_main(os.environ[COMPLETE_VAR])
    if args[:1] == ["--version"]:
        from . import __version__

        sys.stdout.write(f"autopatch {__version__}\n")
        return 0
    import os
    import time

    from .cli import globals as global_args
    from .errors import AutopatchError, AzureError, UsageError

    debug = "--debug" in args
    started = time.perf_counter()
    try:
        from .cli.common import check_text_arguments

        check_text_arguments(args)
        found, rest = global_args.extract(args)
        global_args.settings.__dict__.update(found.__dict__)
        if found.query:
            from .cli.output import compile_query

            compile_query(found.query)
        from .cli import logging as cli_logging

        before = cli_logging.before_command(args) if not os.environ.get(COMPLETE_VAR) else {}
        code = _run(rest)
        cli_logging.after_command(before)
        if found.verbose or found.debug:
            sys.stderr.write(f"INFO: Command ran in {time.perf_counter() - started:.3f} seconds\n")
        return code
    except AzureError as exc:
        message = _as_autopatch(exc.message)
        _print_error(f"({exc.code}) {message}")
        sys.stderr.write(f"Code: {exc.code}\nMessage: {message}\n")
        return exc.exit_code
    except AutopatchError as exc:
        _print_error(exc.message)
        if isinstance(exc, UsageError):
            _print_recommendations(exc.message, args)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`autopatch ... | head`): leave quietly, as a Unix tool killed by SIGPIPE does
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # an autopatch bug: say so without a traceback unless --debug
        if debug:
            raise
        _print_error(
            f"The command failed with an unexpected error: {type(exc).__name__}: {exc}. "
            "Run it again with --debug for the traceback."
        )
        return 1


PROG_NAME = "autopatch"
# Set by the completion scripts in completions/ (typer's protocol: complete_bash, complete_zsh...).
COMPLETE_VAR = "_AUTOPATCH_COMPLETE"


def root_command():
    """The ``autopatch`` command (built in :mod:`autopatch_cli.cli`, which imports typer)."""
    from .cli import root_command as build

    return build()


def complete(instruction: str) -> int:
    """Answer a shell's completion request: the candidates for the words in COMP_WORDS (or the
    shell's equivalent), one a line, as typer's completion scripts expect."""
    from typer._completion_classes import completion_init
    from typer.completion import shell_complete

    completion_init()  # typer registers its bash/zsh/fish/powershell classes only here
    return shell_complete(root_command(), {}, PROG_NAME, COMPLETE_VAR, instruction)


def _multi_value(rest: list[str]) -> frozenset[str]:
    """The options of several values (argparse nargs '+') of the command ``rest`` runs."""
    from .cli import globals as global_args

    multi = global_args.NARGS_OPTIONS | global_args.GROUPED_OPTIONS
    if rest[:1] == ["vm"]:
        from .cli.azargs import command_value_options

        multi |= command_value_options(tuple(rest[:2]))[0]
    return multi


def _run(rest: list[str]) -> int:
    import os

    from typer._click import exceptions as click_exc
    from typer.exceptions import Abort

    from .errors import UsageError

    if os.environ.get(COMPLETE_VAR):
        return complete(os.environ[COMPLETE_VAR])
    root = root_command()
    from .cli import argscan

    argscan.defer([])
    rest, extras = argscan.scan(root, rest, _multi_value(rest))
    if extras and rest[:1] and rest[0] in argscan.AZ_GROUPS:
        argscan.defer(extras)  # az reports them after the verb's own parse errors: see cli/argscan.py
    elif extras:
        raise argscan.unrecognized(extras)
    try:
        try:
            result = root.main(args=rest, prog_name="autopatch", standalone_mode=False)
        except UsageError as exc:
            from .cli.recommend import EXAMPLES, kind_of

            if kind_of(exc.message) != EXAMPLES:
                argscan.pending_unrecognized()  # a check az makes after parsing: the parser's error comes first
            raise
        except click_exc.UsageError:
            raise
        except Exception:
            argscan.pending_unrecognized()
            raise
        argscan.pending_unrecognized()  # a verb that never reached the store
    except click_exc.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n")
        return 0
    except click_exc.UsageError as exc:
        raise UsageError(_click_usage_message(exc)) from exc
    except click_exc.ClickException as exc:
        raise UsageError(exc.format_message()) from exc
    except Abort:
        sys.stderr.write("Aborted!\n")
        return 1
    except SystemExit as exc:
        # typer meets a closed stdout (EPIPE) with sys.exit(1); the reader going away is a broken pipe
        if isinstance(exc.__context__, BrokenPipeError):
            raise exc.__context__ from None
        raise
    finally:
        argscan.defer([])  # nothing left over for the next command of this process (the Python API, tests)
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
