"""Pause and resume do not make a campaign crawl: each resume starts a new run whose
batches replace the last run's (those drop themselves), so after ten pause/resume cycles
the campaign has no more batches doing work than a fresh launch, and finishes at its
nominal rate."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import httpx
import pytest

from shared.campaigns.engine import BATCH_QUEUE
from shared.queue import RegistryDispatcher, set_backend
from shared.queue.inline import InlineBackend
from tests.campaigns.helpers import (
    add_contacts,
    create_campaign,
    sends_by_recipient,
    wait_status,
    workspace_with_pool,
)
from tests.campaigns.test_reliability import assert_exactly_once
from tests.fakes.twilio import FakeTwilio

CONTACTS = 40
MPS = 5.0  # the free plan's rate too


class BatchCountingBackend(InlineBackend):
    """The project's in-process queue, counting the batches that reach the sender with the
    campaign's current run (work) and those of an older run (dropped)."""

    def __init__(self) -> None:
        super().__init__(RegistryDispatcher(), workers=32)
        self.lock = threading.Lock()
        self.fanned: dict[tuple[str, int | None], int] = {}

    def schedule(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> bool:
        if queue == BATCH_QUEUE and key and "-busy-" not in key and "-retry-" not in key:
            run = (str(payload["campaign_id"]), payload.get("epoch"))
            with self.lock:
                self.fanned[run] = self.fanned.get(run, 0) + 1
        return super().schedule(queue, payload, at=at, key=key)

    def batches_in_flight(self, campaign_id: str) -> int:
        """Batch tasks of this campaign waiting in the queue (any run)."""
        with self._cv:
            return sum(1 for job in self._heap if job.label.startswith(f"{BATCH_QUEUE}:batch-"))


@pytest.fixture
def counting_queue() -> Iterator[BatchCountingBackend]:
    backend = BatchCountingBackend()
    set_backend(backend)
    yield backend
    set_backend(None)


def _run(
    api: httpx.Client, fake: FakeTwilio, cycles: int
) -> tuple[float, int, dict[str, Any], list[dict[str, Any]]]:
    """Launch a campaign, pause and resume it `cycles` times; returns (seconds from the
    last resume to completion, messages left at that resume, campaign, contacts)."""
    setup = workspace_with_pool(api, fake, dids=1, mps=MPS)
    contacts = add_contacts(api, setup, CONTACTS, ["vip"])
    phones = {c["phone"] for c in contacts}
    campaign = create_campaign(api, setup)
    cid = campaign["id"]
    assert api.post(f"/v1/campaigns/{cid}/launch", headers=setup.headers).status_code == 200
    for _ in range(cycles):
        time.sleep(0.1)
        assert api.post(f"/v1/campaigns/{cid}/pause", headers=setup.headers).status_code == 200
        time.sleep(0.1)
        assert api.post(f"/v1/campaigns/{cid}/resume", headers=setup.headers).status_code == 200
    started = time.monotonic()
    left = CONTACTS - len(sends_by_recipient(fake, phones))
    wait_status(api, setup, cid, "completed", timeout=120)
    return time.monotonic() - started, left, campaign, contacts


def test_ten_pause_resume_cycles_then_nominal_rate(
    api: httpx.Client, fake_twilio: FakeTwilio, counting_queue: BatchCountingBackend
) -> None:
    fresh_seconds, fresh_left, fresh, _ = _run(api, fake_twilio, cycles=0)
    fresh_batches = counting_queue.fanned[(fresh["id"], 1)]

    seconds, left, cycled, contacts = _run(api, fake_twilio, cycles=10)
    assert_exactly_once(fake_twilio, contacts)
    # Eleven runs fanned out; only the last one's batches did work, as many as a fresh
    # launch's at most (fewer: what was sent before the last resume is not fanned again).
    runs = {epoch: n for (cid, epoch), n in counting_queue.fanned.items() if cid == cycled["id"]}
    assert max(runs) == 11
    assert runs[11] <= fresh_batches
    # Its rate after the cycles is the nominal one (as measured on the fresh launch).
    fresh_rate, rate = fresh_left / fresh_seconds, left / seconds
    # (Compared with a fresh launch measured just before on the same machine: an absolute
    # rate would measure the machine's load, not the campaign.)
    assert rate >= 0.9 * fresh_rate, (rate, fresh_rate)
    time.sleep(1.0)
    # Nothing of the old runs lingers: no batch task is waiting once it is done.
    assert counting_queue.batches_in_flight(cycled["id"]) == 0


class LosingBackend(InlineBackend):
    """The in-process queue, dropping every campaign batch while `losing` (as a queue that
    lost its tasks would)."""

    losing = True

    def schedule(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> bool:
        if queue == BATCH_QUEUE and self.losing:
            return True
        return super().schedule(queue, payload, at=at, key=key)


def test_a_campaign_whose_batches_were_lost_is_redriven_by_the_reconciler(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    from sqlalchemy import text

    from functions.reconciler import run as reconciler
    from shared.db.session import system_session

    backend = LosingBackend(RegistryDispatcher())
    set_backend(backend)
    try:
        setup = workspace_with_pool(api, fake_twilio, dids=1, mps=MPS)
        contacts = add_contacts(api, setup, 6, ["vip"])
        phones = {c["phone"] for c in contacts}
        campaign = create_campaign(api, setup)
        cid = campaign["id"]
        assert api.post(f"/v1/campaigns/{cid}/launch", headers=setup.headers).status_code == 200
        time.sleep(1.0)
        assert sends_by_recipient(fake_twilio, phones) == {}  # its batches are gone
        backend.losing = False
        reconciler({})  # not stalled yet: it only just launched
        time.sleep(1.0)
        assert sends_by_recipient(fake_twilio, phones) == {}
        with system_session() as s:  # two minutes without progress
            for table, column in (("campaigns", "id"), ("campaign_contacts", "campaign_id")):
                s.execute(
                    text(
                        f"UPDATE {table} SET updated_at = now() - interval '3 minutes'"
                        f" WHERE {column} = :c"
                    ),
                    {"c": cid},
                )
        reconciler({})
        wait_status(api, setup, cid, "completed", timeout=120)
        assert_exactly_once(fake_twilio, contacts)
    finally:
        set_backend(None)
