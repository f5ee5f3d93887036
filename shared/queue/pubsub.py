"""`publish` on Google Cloud Pub/Sub (GCP and the Pub/Sub emulator).

The message `data` is the envelope's JSON; its attributes repeat the event type, version,
tenant and envelope id so subscriptions can filter and operators can read them without
decoding. Consumers are the event functions, reached by push subscriptions (Terraform in
GCP, `ensure_local_topology()` against the emulator) whose HTTP entry is
`shared.queue.entry.event_handler`.

Batching: one PublisherClient per process batches concurrent publishes (10 ms / 100
messages), but `publish()` waits for the server's acknowledgement before returning: a
Cloud Function may lose its CPU once it has answered, so an unacknowledged message would
be lost.

Dead letters are Pub/Sub's own (dead-letter policy on each push subscription, topic
`<id>-dead-letter`), not counted by the consumer. Facts checked on the emulator shipped
with the Cloud SDK (528): it honours dead-letter policies (after `max_delivery_attempts`
failed pushes it forwards the message to the dead-letter topic, with the
`CloudPubSubDeadLetterSource*` attributes), refuses `max_delivery_attempts` below 5 like
GCP, delivers push subscriptions (POST {"message": {...}, "subscription": ...}) and
retries a non-2xx push about once a second; it does not put `deliveryAttempt` in push
bodies. So QUEUE_MAX_ATTEMPTS is clamped to 5..100 for Pub/Sub, and no Redis counter is
needed on the consumer side.

google-cloud-pubsub is imported here, and this module only by `build_backend`: function
modules never pay for it at cold start.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1  # type: ignore[attr-defined]

from shared.queue.events import Envelope
from shared.queue.topology import dead_letter_topic_id, topic_id

log = logging.getLogger("queue.pubsub")


def _grpc_channel(emulator_host: str) -> Any:
    import grpc

    return grpc.insecure_channel(emulator_host)


def publisher_client(emulator_host: str = "", max_latency: float = 0.01) -> Any:
    """A PublisherClient; with `emulator_host`, an insecure channel to the emulator."""
    batch = pubsub_v1.types.BatchSettings(max_latency=max_latency, max_messages=100)
    if emulator_host:
        from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport

        transport = PublisherGrpcTransport(channel=_grpc_channel(emulator_host))
        return pubsub_v1.PublisherClient(batch_settings=batch, transport=transport)
    return pubsub_v1.PublisherClient(batch_settings=batch)


def subscriber_client(emulator_host: str = "") -> Any:
    if emulator_host:
        from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

        transport = SubscriberGrpcTransport(channel=_grpc_channel(emulator_host))
        return pubsub_v1.SubscriberClient(transport=transport)
    return pubsub_v1.SubscriberClient()


def attributes(envelope: Envelope) -> dict[str, str]:
    attrs = {
        "event_type": envelope.type,
        "event_version": str(envelope.version),
        "envelope_id": str(envelope.id),
    }
    if envelope.tenant_id is not None:
        attrs["tenant_id"] = str(envelope.tenant_id)
    return attrs


class PubSubPublisher:
    """Publishes envelopes to `projects/<project>/topics/<topic id>`."""

    def __init__(
        self,
        project: str,
        *,
        emulator_host: str = "",
        timeout: float = 30.0,
        max_latency: float = 0.01,
    ) -> None:
        self.project = project
        self._timeout = timeout
        self._client = publisher_client(emulator_host, max_latency)

    def topic_path(self, topic: str) -> str:
        return f"projects/{self.project}/topics/{topic_id(topic)}"

    def publish(self, topic: str, envelope: Envelope) -> None:
        """Returns once Pub/Sub has stored the message (at-least-once from here on).

        A topic that does not exist has no consumer (Terraform creates a topic for each
        consumed one): the event is dropped with a warning, as a topic without
        subscriptions would drop it, and as the other backends do.
        """
        self.publish_many(topic, [envelope])

    def publish_many(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        """All handed to the client at once (it batches them), then each waited for."""
        path = self.topic_path(topic)
        futures = [
            (e, self._client.publish(path, e.model_dump_json().encode(), **attributes(e)))
            for e in envelopes
        ]
        for envelope, future in futures:
            try:
                future.result(timeout=self._timeout)
            except gexc.NotFound:
                log.warning("no topic for %s (no consumer): event %s dropped", topic, envelope.id)

    def health(self) -> tuple[bool, str]:
        # Not probed: the runtime may only publish (no list/get permission) and Pub/Sub
        # is a managed service; a failed publish raises to its caller.
        return True, f"pubsub project {self.project}"

    def close(self) -> None:
        self._client.stop()  # flushes pending batches


class PubSubAdmin:
    """Creates topics and push subscriptions on the emulator (Terraform's job in GCP)."""

    def __init__(self, project: str, *, emulator_host: str = "") -> None:
        self.project = project
        self._publisher = publisher_client(emulator_host)
        self._subscriber = subscriber_client(emulator_host)

    def _topic(self, tid: str) -> str:
        return f"projects/{self.project}/topics/{tid}"

    def _subscription(self, sid: str) -> str:
        return f"projects/{self.project}/subscriptions/{sid}"

    def _create_topic(self, tid: str) -> str:
        name = self._topic(tid)
        with contextlib.suppress(gexc.AlreadyExists):
            self._publisher.create_topic(name=name)
        return name

    def ensure_topic(
        self,
        topic: str,
        push_endpoints: Mapping[str, str],
        *,
        max_delivery_attempts: int = 5,
    ) -> None:
        """Topic, dead-letter topic + its pull subscription, and push subscriptions.

        `push_endpoints` maps subscription id -> push URL. Existing subscriptions are
        kept as they are (idempotent; the emulator forgets everything on restart).
        """
        topic_name = self._create_topic(topic_id(topic))
        dead_letter = self._create_topic(dead_letter_topic_id(topic))
        self._create_subscription(
            {"name": self._subscription(dead_letter_topic_id(topic)), "topic": dead_letter}
        )
        for sid, url in push_endpoints.items():
            self._create_subscription(
                {
                    "name": self._subscription(sid),
                    "topic": topic_name,
                    "push_config": {"push_endpoint": url},
                    "ack_deadline_seconds": 60,
                    "dead_letter_policy": {
                        "dead_letter_topic": dead_letter,
                        "max_delivery_attempts": max_delivery_attempts,
                    },
                }
            )

    def _create_subscription(self, request: dict[str, Any]) -> None:
        with contextlib.suppress(gexc.AlreadyExists):
            self._subscriber.create_subscription(request=request)

    def pull_dead_letters(self, topic: str, max_messages: int = 10) -> list[Any]:
        """Dead letters of `topic`, acknowledged (tests, operators' replay)."""
        sub = self._subscription(dead_letter_topic_id(topic))
        response = self._subscriber.pull(
            request={"subscription": sub, "max_messages": max_messages}, timeout=10
        )
        received = list(response.received_messages)
        if received:
            self._subscriber.acknowledge(
                request={"subscription": sub, "ack_ids": [m.ack_id for m in received]}
            )
        return [m.message for m in received]

    def close(self) -> None:
        self._subscriber.close()
        self._publisher.stop()
