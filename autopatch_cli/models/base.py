from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class WireModel(BaseModel):
    """A REST shape: unknown input fields are ignored (as ARM ignores them), output omits unset ones."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, validate_assignment=False)

    def wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def from_request(cls, body: Any):
        """A request body in this shape, with JSON's types as the spec has them (no "yes" for true, no string
        for an array); anything else is ARM's 400 InvalidRequestContent, in one line that never repeats the
        input's values (pydantic's own text would echo them: a password would leak)."""
        from ..errors import invalid_request_content

        try:
            return cls.model_validate(body, strict=True)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            raise invalid_request_content(f"The request content was invalid: {problems}.") from exc
