"""User configuration (TOML in platformdirs' config dir), mirroring az configure and az config.

``autopatch configure --defaults group=rg location=eastus`` writes ``[defaults]``;
``autopatch config set core.output=table`` writes ``[core]``. ``AUTOPATCH_CONFIG_DIR`` moves the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import ValidationError

_cache: dict[str, Any] | None = None


def path() -> Path:
    env = os.environ.get("AUTOPATCH_CONFIG_DIR")
    if env:
        return Path(env).expanduser() / "config.toml"
    from platformdirs import user_config_dir

    return Path(user_config_dir("autopatch", appauthor=False)) / "config.toml"


def load() -> dict[str, Any]:
    global _cache
    if _cache is None:
        import tomllib

        try:
            _cache = tomllib.loads(path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            _cache = {}
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValidationError(f"The configuration file '{path()}' cannot be read: {exc}") from exc
    return _cache


def get(key: str) -> Any:
    section, _, name = key.partition(".")
    return load().get(section, {}).get(name)


def set_values(pairs: dict[str, Any]) -> dict[str, Any]:
    global _cache
    import tomli_w

    from .store import write_atomic

    data = {k: dict(v) for k, v in load().items()}
    for key, value in pairs.items():
        section, _, name = key.partition(".")
        if not section or not name:
            raise ValidationError(f"invalid configuration key '{key}': use section.name, e.g. core.output")
        if value in ("", None):
            data.get(section, {}).pop(name, None)
        else:
            data.setdefault(section, {})[name] = value
    data = {k: v for k, v in data.items() if v}
    write_atomic(path(), tomli_w.dumps(data))
    _cache = data
    return data
