"""Where a person is in a routine, as saved between runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FORMAT = 1


@dataclass(frozen=True)
class Progress:
    """The saved place: which step on which side, and what the safety check left out."""

    routine: str
    variant: str
    step: str
    side: str | None
    omitted: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self), "omitted": list(self.omitted)}

    @classmethod
    def from_json(cls, data: Any) -> Progress:
        """Parse saved progress; ValueError when it is not a progress record of this format."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a progress record of a known format")
        try:
            side = data["side"]
            omitted = data.get("omitted", [])
            fields = (data["routine"], data["variant"], data["step"])
            if not all(isinstance(f, str) for f in fields) or not (
                side is None or isinstance(side, str)
            ):
                raise ValueError("progress fields have the wrong types")
            if not isinstance(omitted, list) or not all(isinstance(o, str) for o in omitted):
                raise ValueError("'omitted' must be a list of step ids")
        except KeyError as exc:
            raise ValueError(f"progress record lacks {exc}") from None
        return cls(*fields, side=side, omitted=tuple(omitted))
