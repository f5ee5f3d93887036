"""The brokers the queue backends run on answer a real round trip (CI environment check)."""

from __future__ import annotations

import os
import uuid

import pytest


@pytest.mark.rabbitmq
def test_rabbitmq_round_trip(rabbitmq_url: str) -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(rabbitmq_url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        queue = channel.queue_declare(queue="", exclusive=True).method.queue
        body = uuid.uuid4().bytes
        channel.basic_publish("", queue, body, mandatory=True)
        method, _, received = channel.basic_get(queue, auto_ack=True)
        assert method is not None
        assert received == body
    finally:
        connection.close()


@pytest.mark.pubsub
def test_pubsub_emulator_round_trip(pubsub_emulator: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator)
    from google.cloud import pubsub_v1

    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    project = "test-project"
    suffix = uuid.uuid4().hex[:8]
    topic = publisher.topic_path(project, f"smoke-{suffix}")
    subscription = subscriber.subscription_path(project, f"smoke-{suffix}")
    publisher.create_topic(name=topic)
    subscriber.create_subscription(name=subscription, topic=topic)
    publisher.publish(topic, b"hello", origin="test").result(timeout=30)
    response = subscriber.pull(subscription=subscription, max_messages=1, timeout=30)
    assert [m.message.data for m in response.received_messages] == [b"hello"]
    assert os.environ["PUBSUB_EMULATOR_HOST"] == pubsub_emulator
