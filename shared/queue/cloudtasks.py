"""`schedule` on Google Cloud Tasks: one HTTP task per call, to the queue's function.

- Queue `projects/<GCP_PROJECT>/locations/<GCP_REGION>/queues/<queue id>` (Terraform).
- With a `key`, the task is named `<queue>/tasks/<task id of key>`: Cloud Tasks refuses a
  second task of that name (ALREADY_EXISTS) for a while even after the first ran or was
  deleted, which is the deduplication `schedule` promises; we answer False then.
- The task POSTs the JSON payload to the function's URL (FUNCTION_URL_PREFIX + name, or
  the local gateway's /_functions/<name>) with an OIDC token of INVOKER_SERVICE_ACCOUNT
  when set; `schedule_time` is `at`.
- Retries with backoff and the attempt limit are the queue's retry_config (Terraform).

With CLOUD_TASKS_API_ENDPOINT (tests: tests/fakes/cloudtasks.py) the client speaks REST to
that endpoint with anonymous credentials. Through REST a 409 surfaces as `Conflict`, not
`AlreadyExists` (google.api_core maps REST errors by HTTP status only), so the body's
status decides.

google-cloud-tasks is imported here, and this module only by `build_backend`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import tasks_v2
from google.protobuf import duration_pb2, timestamp_pb2

from shared import registry
from shared.config import Settings, get_settings
from shared.queue.topology import function_url, queue_id, task_id

log = logging.getLogger("queue.cloudtasks")


def already_exists(exc: gexc.GoogleAPICallError) -> bool:
    """ALREADY_EXISTS, whether it came over gRPC (AlreadyExists) or REST (409 Conflict)."""
    if isinstance(exc, gexc.AlreadyExists):
        return True
    if not isinstance(exc, gexc.Conflict):
        return False
    response = getattr(exc, "response", None)
    try:
        status = response.json()["error"]["status"] if response is not None else ""
    except (ValueError, KeyError, TypeError, AttributeError):
        status = ""
    return bool(status == "ALREADY_EXISTS")


def _timestamp(at: datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime((at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC))
    return ts


def _duration(seconds: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(int(seconds * 1e9))
    return d


def registry_url(settings: Settings | None = None) -> Callable[[str], str]:
    """queue -> URL of its task function in the registry."""

    def url_for(queue: str) -> str:
        return function_url(registry.task_target(queue).name, settings)

    return url_for


class CloudTasksScheduler:
    def __init__(
        self,
        project: str,
        region: str,
        *,
        api_endpoint: str = "",
        invoker_service_account: str = "",
        url_for: Callable[[str], str] | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.project = project
        self.region = region
        self._invoker = invoker_service_account
        self._url_for = url_for or registry_url()
        self._timeout = timeout
        if api_endpoint:
            from google.auth.credentials import AnonymousCredentials

            self._client = tasks_v2.CloudTasksClient(
                transport="rest",
                client_options={"api_endpoint": api_endpoint},
                credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            )
        else:
            self._client = tasks_v2.CloudTasksClient()

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> CloudTasksScheduler:
        settings = settings or get_settings()
        return cls(
            settings.gcp_project,
            settings.gcp_region,
            api_endpoint=settings.cloud_tasks_api_endpoint,
            invoker_service_account=settings.invoker_service_account,
            url_for=registry_url(settings),
        )

    @property
    def location_path(self) -> str:
        return f"projects/{self.project}/locations/{self.region}"

    def queue_path(self, queue: str) -> str:
        return f"{self.location_path}/queues/{queue_id(queue)}"

    def task_name(self, queue: str, key: str) -> str:
        return f"{self.queue_path(queue)}/tasks/{task_id(key)}"

    def build_task(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        url = self._url_for(queue)
        http_request: dict[str, Any] = {
            "http_method": tasks_v2.HttpMethod.POST,
            "url": url,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(dict(payload), separators=(",", ":")).encode(),
        }
        if self._invoker:
            http_request["oidc_token"] = {
                "service_account_email": self._invoker,
                "audience": url,
            }
        task: dict[str, Any] = {"http_request": http_request}
        if at is not None:
            task["schedule_time"] = _timestamp(at)
        if key is not None:
            task["name"] = self.task_name(queue, key)
        return task

    def schedule(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> bool:
        task = self.build_task(queue, payload, at, key)
        try:
            self._client.create_task(
                parent=self.queue_path(queue), task=tasks_v2.Task(task), timeout=self._timeout
            )
        except gexc.GoogleAPICallError as exc:
            if key is not None and already_exists(exc):
                log.info("task %s already exists: deduplicated", task["name"])
                return False
            raise
        return True

    def ensure_queue(
        self,
        queue: str,
        *,
        max_attempts: int,
        min_backoff: float = 0.1,
        max_backoff: float = 60.0,
        max_doublings: int = 16,
    ) -> None:
        """Create the queue if missing (the fake in tests; Terraform's job in GCP)."""
        request: dict[str, Any] = {
            "name": self.queue_path(queue),
            "retry_config": {
                "max_attempts": max_attempts,
                "min_backoff": _duration(min_backoff),
                "max_backoff": _duration(max_backoff),
                "max_doublings": max_doublings,
            },
        }
        try:
            self._client.create_queue(
                parent=self.location_path, queue=tasks_v2.Queue(request), timeout=self._timeout
            )
        except gexc.GoogleAPICallError as exc:
            if not already_exists(exc):
                raise

    def health(self) -> tuple[bool, str]:
        # Not probed: the runtime may only enqueue (no queue read permission).
        return True, f"cloudtasks {self.location_path}"

    def close(self) -> None:
        transport = getattr(self._client, "transport", None)
        if transport is not None:
            transport.close()
