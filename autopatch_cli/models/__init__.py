"""Pydantic models of the Azure resources, in the REST wire shape.

Field names are the wire names (``provisionVMAgent``, ``kbId``), so a model dumps straight to what ARM
sends. Each model is the union of what Compute 2020-06-01, 2020-12-01 and 2021-03-01 define; the
per-version differences are applied by :mod:`autopatch_cli.models.versions`.
"""
