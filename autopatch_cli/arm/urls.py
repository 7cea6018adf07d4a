"""The route table: every ARM (method, URL template) autopatch serves, and the handler that serves it.

Each handler module keeps its own ``ROUTES`` list next to its handlers; this table gathers them. To serve
a new resource, write a module with its handlers and a ``ROUTES`` list of ``Route(method, template,
handler, family)`` rows, and add the module to ``ROUTE_MODULES``.

Matching never depends on the order of the rows: a path goes to the template that matches it with the
most literal segments, compared from the left (``.../providers/Microsoft.Compute/virtualMachines`` wins
over ``.../providers/{ns}/{action}``), then the request's method picks the row; a template that matches
without a row for the method answers 405. Two rows for the same method and template are refused when
the table is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import (
    availability_sets,
    compute,
    deployments,
    features,
    images,
    maintenance,
    metadata,
    network,
    resources,
    subscriptions,
)
from .framework import Route

ROUTE_MODULES = (features, resources, compute, subscriptions, images, network, deployments, metadata, maintenance,
                 availability_sets)


@dataclass(frozen=True)
class _Template:
    segments: tuple[str, ...]  # lower-case literals; None-like placeholders are kept as "{name}"
    names: tuple[str | None, ...]  # the placeholder's name per segment, None for a literal
    methods: dict[str, Route]

    @property
    def specificity(self) -> tuple[bool, ...]:
        return tuple(name is None for name in self.names)

    def match(self, segments: list[str]) -> dict[str, str] | None:
        parts: dict[str, str] = {}
        for literal, name, segment in zip(self.segments, self.names, segments, strict=True):
            if name is not None:
                if not segment:
                    return None
                parts[name] = segment
            elif segment.lower() != literal:
                return None
        return parts


class RouteTable:
    """Routes by template; ``match`` finds the most specific template for a path."""

    def __init__(self, routes: list[Route]):
        templates: dict[tuple[str, ...], _Template] = {}
        for route in routes:
            names = tuple(s[1:-1] if s.startswith("{") and s.endswith("}") else None for s in route.segments)
            literals = tuple(s.lower() if n is None else "{}" for s, n in zip(route.segments, names, strict=True))
            entry = templates.setdefault(literals, _Template(literals, names, {}))
            if route.method in entry.methods:
                raise ValueError(f"two routes for {route.method} {route.template}")
            entry.methods[route.method] = route
        by_length: dict[int, list[_Template]] = {}
        for entry in templates.values():
            by_length.setdefault(len(entry.segments), []).append(entry)
        # most specific first, so the first template that matches is the one to use
        self._by_length = {n: sorted(group, key=lambda t: t.specificity, reverse=True) for n, group in by_length.items()}
        self.routes = tuple(routes)

    def match(self, path: str) -> tuple[dict[str, Route], dict[str, str]] | None:
        """The routes by method of the template ``path`` matches, and its ``{name}`` parts; None if none does."""
        segments = path.strip("/").split("/")
        for entry in self._by_length.get(len(segments), ()):
            parts = entry.match(segments)
            if parts is not None:
                return entry.methods, parts
        return None


TABLE = RouteTable([route for module in ROUTE_MODULES for route in module.ROUTES])
