"""Versioned events carried by `publish()`: a pydantic model inside a stable envelope."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

_EVENT_TYPES: dict[tuple[str, int], type[Event]] = {}


class Event(BaseModel):
    """Base of every event. Subclasses set `event_type` (the topic) and `event_version`."""

    model_config = ConfigDict(frozen=True)

    event_type: ClassVar[str] = ""
    event_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.event_type:
            _EVENT_TYPES[(cls.event_type, cls.event_version)] = cls


class Envelope(BaseModel):
    """What travels on the wire. `id` is stable across redeliveries (idempotency key)."""

    id: uuid.UUID
    type: str
    version: int
    occurred_at: datetime
    tenant_id: uuid.UUID | None = None
    data: dict[str, Any]

    @classmethod
    def wrap(cls, event: Event, tenant_id: uuid.UUID | None = None) -> Envelope:
        return cls(
            id=uuid.uuid4(),
            type=event.event_type,
            version=event.event_version,
            occurred_at=datetime.now(UTC),
            tenant_id=tenant_id if tenant_id is not None else getattr(event, "tenant_id", None),
            data=event.model_dump(mode="json"),
        )

    def event(self) -> Event:
        """The typed event; unknown types or versions are an error (never guessed)."""
        cls = _EVENT_TYPES.get((self.type, self.version))
        if cls is None:
            raise LookupError(f"unknown event {self.type} v{self.version}")
        return cls.model_validate(self.data)
