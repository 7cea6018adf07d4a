"""az's recommendation for a mistyped word: "Did you mean 'create' ?" under the error, as azure-cli's parser
prints it: difflib's closest match with cutoff 0.7, the word as typed against the choices as declared (case
counts there, though az matches enum values in any case: 'manua' gets 'Manual', 'spotplu' nothing)."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches


def closest(value: str, candidates: Iterable[str]) -> str | None:
    found = get_close_matches(value, list(candidates), n=1, cutoff=0.7)
    return found[0] if found else None


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """The recommendation line to append to an error message ("" when nothing is close)."""
    match = closest(value, candidates)
    return f"\nDid you mean '{match}' ?" if match else ""
