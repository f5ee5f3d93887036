"""Events of the contacts domain."""

from __future__ import annotations

import uuid

from shared.queue.events import Event


class ImportFinished(Event):
    """An import job ended: `status` is completed or failed."""

    event_type = "import.finished"
    tenant_id: uuid.UUID
    import_id: uuid.UUID
    status: str
