"""Run by azure-cli's own Python (not ours): each command line read from stdin (a JSON list of argv lists)
goes through az's parser in this one process, and what az prints on stderr and its exit code come back as
JSON on stdout. One process for every case keeps az's start-up (about a second) out of each case.

az writes parse errors through a logging handler bound to the stderr of its first command, so stderr is
captured at the file-descriptor level.
"""

import json
import os
import sys
import tempfile


def run(cli, argv):
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile("w+") as capture:
        os.dup2(capture.fileno(), 2)
        try:
            code = cli.invoke(argv, out_file=open(os.devnull, "w"))
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        return {"argv": argv, "exit_code": code, "stderr": capture.read()}


def main():
    from azure.cli.core import get_default_cli

    cases = json.load(sys.stdin)
    results = [run(get_default_cli(), argv) for argv in cases]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
