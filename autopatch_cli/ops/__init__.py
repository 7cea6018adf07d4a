"""Resource operations: the one place where Azure's validation rules and error codes live.

Every front-end (az verbs, PowerShell verbs, REST) calls these functions with plain values and gets
plain wire-shaped dicts back or an :class:`~autopatch_cli.errors.AzureError`.
"""
