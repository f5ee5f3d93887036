"""The durable local queue's tables (QUEUE_BACKEND=inline under `smsctl dev`).

Platform-owned, reached by the system role only: jobs (a topic's delivery to one consumer,
or one task) and the deduplication keys of `schedule(key=...)`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, created_at


class QueueJob(Base):
    __tablename__ = "queue_jobs"
    __table_args__ = (Index("ix_queue_jobs_due", "due_at", postgresql_where="dead_at IS NULL"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(5))  # topic | task
    name: Mapped[str] = mapped_column(String(200))  # the topic or the queue
    consumer: Mapped[int] = mapped_column(Integer, server_default="0")  # a topic's n-th handler
    label: Mapped[str] = mapped_column(String(300), server_default="")
    payload: Mapped[dict[str, Any]]
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    leased_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    dead_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()


class QueueKey(Base):
    __tablename__ = "queue_keys"
    __table_args__ = (Index("ix_queue_keys_expires", "expires_at"),)

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
