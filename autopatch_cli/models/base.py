from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """A REST shape: unknown input fields are ignored (as ARM ignores them), output omits unset ones."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, validate_assignment=False)

    def wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
