"""Names of the queue resources, as infra/messaging.tf derives them, and the local topology.

In GCP, Terraform creates every topic, subscription and queue. Against the emulators
(local `dev`, tests) nothing exists until `ensure_local_topology()` creates the same shapes:
per consumed topic a topic, a dead-letter topic with a pull subscription, and one push
subscription per consuming function to `PUBLIC_BASE_URL/_functions/<function>` (the local
gateway); and, when CLOUD_TASKS_API_ENDPOINT points at a fake, one queue per task queue.

The naming helpers are plain functions: no Google client is imported here at module level.
"""

from __future__ import annotations

import hashlib
import re

from shared import registry
from shared.config import Settings, get_settings

_QUEUE_ID_BAD = re.compile(r"[^A-Za-z0-9-]")
_TASK_ID_OK = re.compile(r"[A-Za-z0-9_-]{1,500}")
_TASK_ID_BAD = re.compile(r"[^A-Za-z0-9_-]")

# Pub/Sub accepts 5..100 delivery attempts in a dead-letter policy (the emulator checks too).
MIN_DELIVERY_ATTEMPTS = 5
MAX_DELIVERY_ATTEMPTS = 100


def topic_id(topic: str) -> str:
    """`campaign.launched` -> `campaign-launched` (the Terraform topic id)."""
    return topic.replace(".", "-")


def dead_letter_topic_id(topic: str) -> str:
    return f"{topic_id(topic)}-dead-letter"


def subscription_id(topic: str, function: str) -> str:
    """The push subscription of one consuming function: `<topic id>-<function>`."""
    return f"{topic_id(topic)}-{function}"


def queue_id(queue: str) -> str:
    """Cloud Tasks queue ids allow letters, digits and `-` only."""
    return _QUEUE_ID_BAD.sub("-", queue)


def task_id(key: str) -> str:
    """A Cloud Tasks task id for a deduplication key, deterministic.

    Task ids allow [A-Za-z0-9_-], at most 500 characters. A key that already fits is used
    as is (readable in the console); any other is a readable prefix plus a SHA-256 of the
    whole key, so two keys that differ only in forbidden characters never collide.
    """
    if _TASK_ID_OK.fullmatch(key):
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    prefix = _TASK_ID_BAD.sub("-", key)[:100]
    return f"{prefix}-{digest}" if prefix else digest


def delivery_attempts(max_attempts: int) -> int:
    """QUEUE_MAX_ATTEMPTS clamped to what a Pub/Sub dead-letter policy accepts."""
    return max(MIN_DELIVERY_ATTEMPTS, min(MAX_DELIVERY_ATTEMPTS, max_attempts))


def function_url(name: str, settings: Settings | None = None) -> str:
    """URL of a private function: FUNCTION_URL_PREFIX + name, else the local gateway."""
    settings = settings or get_settings()
    prefix = settings.function_url_prefix or (settings.public_base_url.rstrip("/") + "/_functions/")
    return prefix + name


def consumed_topics() -> dict[str, list[str]]:
    """Registry topic -> names of its consuming functions, in registry order."""
    topics: dict[str, list[str]] = {}
    for spec in registry.FUNCTIONS:
        if spec.kind is registry.Kind.EVENT:
            for topic in spec.topics:
                topics.setdefault(topic, []).append(spec.name)
    return topics


def task_queues() -> list[str]:
    return [
        spec.queue
        for spec in registry.FUNCTIONS
        if spec.kind is registry.Kind.TASK and spec.queue is not None
    ]


def ensure_local_topology(settings: Settings | None = None) -> None:
    """Create on the emulators what Terraform creates in GCP (idempotent).

    Pub/Sub needs PUBSUB_EMULATOR_HOST; Cloud Tasks queues are created only when
    CLOUD_TASKS_API_ENDPOINT overrides the API (a real project's queues are Terraform's).
    """
    settings = settings or get_settings()
    if settings.pubsub_emulator_host:
        from shared.queue.pubsub import PubSubAdmin

        admin = PubSubAdmin(settings.gcp_project, emulator_host=settings.pubsub_emulator_host)
        try:
            for topic, functions in consumed_topics().items():
                admin.ensure_topic(
                    topic,
                    {subscription_id(topic, f): function_url(f, settings) for f in functions},
                    max_delivery_attempts=delivery_attempts(settings.queue_max_attempts),
                )
        finally:
            admin.close()
    if settings.cloud_tasks_api_endpoint:
        from shared.queue.cloudtasks import CloudTasksScheduler

        scheduler = CloudTasksScheduler.from_settings(settings)
        for queue in task_queues():
            scheduler.ensure_queue(queue, max_attempts=settings.queue_max_attempts)
