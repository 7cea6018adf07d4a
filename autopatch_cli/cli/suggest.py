"""az's recommendation for a mistyped word: "Did you mean 'create' ?" under the error, as azure-cli's parser
prints it (difflib's closest match, cutoff 0.7; case is ignored, as az matches enum values)."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches


def closest(value: str, candidates: Iterable[str]) -> str | None:
    choices = list(candidates)
    by_lower = {c.lower(): c for c in choices}
    found = get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.7)
    return by_lower[found[0]] if found else None


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """The recommendation line to append to an error message ("" when nothing is close)."""
    match = closest(value, candidates)
    return f"\nDid you mean '{match}' ?" if match else ""
