"""The simulation: clock, timed transitions, patch catalog, VM lifecycle, orchestrator.

Pure logic: no printing, no file I/O, no typer. Deterministic for a given seed.
"""
