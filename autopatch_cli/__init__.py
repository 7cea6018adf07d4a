"""autopatch: a local emulator of Azure's automatic VM guest patching."""

__version__ = "0.1.0"
