"""What `smsctl dev` runs besides the gateway: the durable queue, the re-drive of a stopped
run's work, and the scheduler jobs Cloud Scheduler runs in GCP (the reconciler).

A restart loses nothing: queued jobs and due tasks are rows (shared/queue/durable.py);
messages the stopped run had handed to the provider are reconciled against it at start
(found, fetched, or sent again once the provider surely never got them); and each running
campaign starts a new run that fans out what is left (the old run's batches drop
themselves), so a campaign goes on at its pace after a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from shared.queue.durable import DurableBackend

log = logging.getLogger("local")
RECONCILE_EVERY_SECONDS = 60.0


def start_durable_queue() -> tuple[DurableBackend, dict[str, int]]:
    """The durable queue, started once the previous run's work is re-driven (before this
    run sends anything, so every message in `sending` is the stopped run's)."""
    from shared.queue import RegistryDispatcher, set_backend

    backend = DurableBackend.from_settings(RegistryDispatcher(), start=False)
    set_backend(backend)
    redriven = redrive_stopped_run()
    backend.start()
    return backend, redriven


def redrive_stopped_run() -> dict[str, int]:
    """Settle the previous run's sends (reconciled with the provider now, not after the
    reconciler's usual two minutes), restart its running campaigns. Returns counts."""
    from shared.campaigns.service import redrive_running
    from shared.messaging.reconcile import reconcile_all

    outcomes = reconcile_all(older_than=timedelta(0))
    campaigns = redrive_running()
    return {**{f"sending {k}": v for k, v in outcomes.items()}, "campaigns restarted": campaigns}


class LocalScheduler:
    """Cloud Scheduler's jobs, in process: the reconciler every minute. Each tick is a task
    keyed by its minute, so two processes on one database run it once."""

    def __init__(self, every: float = RECONCILE_EVERY_SECONDS) -> None:
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-scheduler", daemon=True)

    def start(self) -> LocalScheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        from shared.queue import schedule

        while not self._stop.wait(self._every):
            tick = int(time.time() // self._every)
            try:
                schedule(
                    "maintenance",
                    {"at": datetime.now(UTC).isoformat()},
                    key=f"local-reconciler-{tick}",
                )
            except Exception:
                log.warning("could not schedule the reconciler", exc_info=True)
