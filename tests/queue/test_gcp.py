"""The GCP pair (Pub/Sub emulator + the fake Cloud Tasks) passes the queue contract.

Pushes and task dispatches land on a local HTTP receiver that serves the same entry points
as the functions (`shared.queue.entry.event_handler` / `task_handler`) at /_functions/<name>.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shared.config import Settings, get_settings
from shared.queue import build_backend
from shared.queue.base import QueueBackend
from shared.queue.cloudtasks import CloudTasksScheduler, registry_url
from shared.queue.entry import event_handler, task_handler
from shared.queue.events import Envelope
from shared.queue.gcp import GcpBackend
from shared.queue.pubsub import PubSubAdmin, PubSubPublisher
from shared.queue.topology import (
    consumed_topics,
    queue_id,
    subscription_id,
    task_id,
    task_queues,
    topic_id,
)
from tests.fakes.cloudtasks import FakeCloudTasks
from tests.queue.contract import QueueContract, RecordingDispatcher, ThingHappened, wait_for

pytestmark = pytest.mark.pubsub

PROJECT = "test-project"
REGION = "us-central1"
INVOKER = "invoker@test-project.iam.gserviceaccount.com"


class PushReceiver:
    """Serves registered handlers at POST /_functions/<name>, recording every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[Request], Response]] = {}
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def url(self, name: str) -> str:
        return f"{self.base_url}/_functions/{name}"

    def requests_to(self, name: str) -> list[tuple[str, dict[str, str], bytes]]:
        with self.lock:
            return [r for r in self.requests if r[0] == name]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        name = request.path.removeprefix("/_functions/")
        with self.lock:
            self.requests.append((name, dict(request.headers), request.get_data()))
        handler = self.routes.get(name)
        response = handler(request) if handler else Response("no such function", status=404)
        return response(environ, start_response)


@pytest.fixture(scope="module")
def receiver() -> Iterator[PushReceiver]:
    server = PushReceiver()
    server.thread.start()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def fake_tasks() -> Iterator[FakeCloudTasks]:
    fake = FakeCloudTasks().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def admin(pubsub_emulator: str) -> Iterator[PubSubAdmin]:
    client = PubSubAdmin(PROJECT, emulator_host=pubsub_emulator)
    yield client
    client.close()


def _scheduler(
    fake: FakeCloudTasks, receiver: PushReceiver, *, invoker: str = INVOKER
) -> CloudTasksScheduler:
    return CloudTasksScheduler(
        PROJECT,
        REGION,
        api_endpoint=fake.base_url,
        invoker_service_account=invoker,
        url_for=lambda queue: receiver.url(f"task-{queue_id(queue)}"),
    )


def _jwt_claims(authorization: str) -> dict[str, Any]:
    token = authorization.removeprefix("Bearer ")
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


class TestGcpBackend(QueueContract):
    @pytest.fixture(autouse=True)
    def _services(
        self,
        pubsub_emulator: str,
        fake_tasks: FakeCloudTasks,
        receiver: PushReceiver,
        admin: PubSubAdmin,
    ) -> None:
        self.emulator = pubsub_emulator
        self.fake = fake_tasks
        self.receiver = receiver
        self.admin = admin

    def make_backend(self, dispatcher: RecordingDispatcher, max_attempts: int) -> QueueBackend:
        self.task_max_attempts = max_attempts
        publisher = PubSubPublisher(PROJECT, emulator_host=self.emulator)
        return GcpBackend(publisher, _scheduler(self.fake, self.receiver))

    def prepare_topic(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher, topic: str
    ) -> None:
        """Two push subscriptions, one per handler, as Terraform makes one per function."""
        endpoints = {}
        for i, handler in enumerate(dispatcher.topic_handlers(topic)):
            sid = subscription_id(topic, f"h{i}")
            self.receiver.routes[sid] = event_handler(handler)
            endpoints[sid] = self.receiver.url(sid)
        self.admin.ensure_topic(topic, endpoints, max_delivery_attempts=5)

    def prepare_queue(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher, queue: str
    ) -> None:
        self.receiver.routes[f"task-{queue_id(queue)}"] = task_handler(
            dispatcher.queue_handler(queue)
        )
        assert isinstance(backend, GcpBackend)
        backend.scheduler.ensure_queue(
            queue, max_attempts=self.task_max_attempts, min_backoff=0.05, max_backoff=0.5
        )

    # --- beyond the contract ---
    def test_events_carry_type_version_and_tenant_as_attributes(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        topic = f"test.attrs.{uuid.uuid4().hex[:6]}"
        self.prepare_topic(backend, dispatcher, topic)
        envelope = Envelope.wrap(ThingHappened(thing_id=uuid.uuid4()), tenant_id=uuid.uuid4())
        backend.publish(topic, envelope)
        sid = subscription_id(topic, "h0")
        assert wait_for(lambda: len(self.receiver.requests_to(sid)) >= 1)
        push = json.loads(self.receiver.requests_to(sid)[0][2])
        assert push["subscription"] == f"projects/{PROJECT}/subscriptions/{sid}"
        assert push["message"]["attributes"] == {
            "event_type": "test.thing_happened",
            "event_version": "1",
            "envelope_id": str(envelope.id),
            "tenant_id": str(envelope.tenant_id),
        }
        assert Envelope.model_validate_json(base64.b64decode(push["message"]["data"])) == envelope

    def test_a_consumer_that_always_fails_is_dead_lettered(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        """The emulator honours the dead-letter policy: after 5 failed pushes (Pub/Sub's
        minimum) the message lands on `<topic id>-dead-letter`; the sibling is unaffected."""
        topic = f"test.dead.{uuid.uuid4().hex[:6]}"
        dispatcher.fail_first[f"{topic}#0"] = 10_000
        self.prepare_topic(backend, dispatcher, topic)
        envelope = Envelope.wrap(ThingHappened(thing_id=uuid.uuid4()))
        backend.publish(topic, envelope)

        dead: list[Any] = []
        assert wait_for(lambda: bool(dead.extend(self.admin.pull_dead_letters(topic)) or dead), 30)
        (message,) = dead
        assert Envelope.model_validate_json(message.data).id == envelope.id
        assert message.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
        assert message.attributes["CloudPubSubDeadLetterSourceSubscription"] == (
            subscription_id(topic, "h0")
        )
        assert len(dispatcher.calls[f"{topic}#0"]) == 5
        assert len(dispatcher.calls[f"{topic}#1"]) == 1

    def test_a_topic_without_consumers_drops_the_event(self, backend: QueueBackend) -> None:
        backend.publish(
            f"test.nobody.{uuid.uuid4().hex[:6]}",
            Envelope.wrap(ThingHappened(thing_id=uuid.uuid4())),
        )  # no topic in Pub/Sub: no consumer; no error either

    def test_task_names_deduplicate_even_after_the_task_ran(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        assert isinstance(backend, GcpBackend)
        odd_key = f"send/{uuid.uuid4()} to +1 555 0100 " + "x" * 600  # '/', ' ', '+', long
        assert backend.schedule(queue, {"n": 1}, key=odd_key) is True
        name = backend.scheduler.task_name(queue, odd_key)
        tid = name.rsplit("/", 1)[-1]
        assert name == f"projects/{PROJECT}/locations/{REGION}/queues/{queue}/tasks/{tid}"
        assert len(tid) <= 500
        assert tid == task_id(odd_key)  # deterministic
        assert task_id(odd_key.replace(" ", "_")) != tid  # no collision by sanitizing
        assert wait_for(lambda: len(dispatcher.calls[queue]) == 1)
        assert backend.schedule(queue, {"n": 2}, key=odd_key) is False  # ran, still reserved
        assert backend.schedule(queue, {"n": 3}, key="plain-key_1") is True
        assert "plain-key_1" in backend.scheduler.task_name(queue, "plain-key_1")
        assert backend.schedule(queue, {"n": 4}, key="plain-key_1") is False
        assert backend.schedule(queue, {"n": 5}) is True  # no key: never deduplicated
        assert backend.schedule(queue, {"n": 5}) is True
        assert wait_for(lambda: len(dispatcher.calls[queue]) == 4)
        assert sorted(p["n"] for p in dispatcher.calls[queue]) == [1, 3, 5, 5]

    def test_tasks_carry_an_oidc_token_of_the_invoker(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        backend.schedule(queue, {"n": 1})
        url = self.receiver.url(f"task-{queue}")
        assert wait_for(lambda: len(self.fake.attempts_to(url)) == 1)
        (attempt,) = self.fake.attempts_to(url)
        assert attempt.headers["Content-Type"] == "application/json"
        claims = _jwt_claims(attempt.headers["Authorization"])
        assert claims["email"] == INVOKER
        assert claims["aud"] == url

    def test_no_token_without_an_invoker_account(
        self, dispatcher: RecordingDispatcher, fake_tasks: FakeCloudTasks
    ) -> None:
        scheduler = _scheduler(fake_tasks, self.receiver, invoker="")
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.receiver.routes[f"task-{queue}"] = task_handler(dispatcher.queue_handler(queue))
        scheduler.ensure_queue(queue, max_attempts=3)
        scheduler.schedule(queue, {"n": 1})
        url = self.receiver.url(f"task-{queue}")
        assert wait_for(lambda: len(fake_tasks.attempts_to(url)) == 1)
        (attempt,) = fake_tasks.attempts_to(url)
        assert "Authorization" not in attempt.headers
        scheduler.close()

    def test_failed_dispatches_are_retried_with_exponential_backoff(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        dispatcher.fail_first[queue] = 3
        assert isinstance(backend, GcpBackend)
        self.receiver.routes[f"task-{queue}"] = task_handler(dispatcher.queue_handler(queue))
        backend.scheduler.ensure_queue(queue, max_attempts=5, min_backoff=0.1, max_backoff=10)
        backend.schedule(queue, {"n": 1})
        url = self.receiver.url(f"task-{queue}")
        assert wait_for(lambda: len(self.fake.attempts_to(url)) == 4)
        attempts = self.fake.attempts_to(url)
        assert [a.status for a in attempts] == [500, 500, 500, 204]
        gaps = [b.at - a.at for a, b in itertools.pairwise(attempts)]
        for gap, expected in zip(gaps, [0.1, 0.2, 0.4], strict=True):
            assert expected * 0.9 <= gap < expected + 0.5
        retry_counts = [a.headers["X-CloudTasks-TaskRetryCount"] for a in attempts]
        assert retry_counts == ["0", "1", "2", "3"]

    def test_schedule_time_is_sent_to_cloud_tasks(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        at = datetime.now(UTC) + timedelta(seconds=30)
        assert backend.schedule(queue, {"n": 1}, at=at, key="later") is True
        assert isinstance(backend, GcpBackend)
        task = self.fake.tasks[backend.scheduler.task_name(queue, "later")]
        assert abs(task.schedule_time - at.timestamp()) < 0.001
        assert dispatcher.calls[queue] == []


def test_build_backend_makes_the_local_topology_from_the_registry(
    monkeypatch: pytest.MonkeyPatch,
    pubsub_emulator: str,
    fake_tasks: FakeCloudTasks,
    receiver: PushReceiver,
    admin: PubSubAdmin,
) -> None:
    """QUEUE_BACKEND=pubsub with the emulators: topics, push subscriptions to the gateway,
    dead-letter policies and task queues exist, and a registry queue's task reaches its
    function's URL with the invoker's token."""
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator)
    monkeypatch.setenv("CLOUD_TASKS_API_ENDPOINT", fake_tasks.base_url)
    monkeypatch.setenv("GCP_PROJECT", PROJECT)
    monkeypatch.setenv("PUBLIC_BASE_URL", receiver.base_url)
    monkeypatch.setenv("INVOKER_SERVICE_ACCOUNT", INVOKER)
    monkeypatch.setenv("QUEUE_MAX_ATTEMPTS", "7")
    get_settings.cache_clear()
    try:
        backend = build_backend("pubsub")
    finally:
        get_settings.cache_clear()
    try:
        assert isinstance(backend, GcpBackend)
        topics = consumed_topics()
        assert topics, "the registry has event functions"
        for topic, functions in topics.items():
            for function in functions:
                path = f"projects/{PROJECT}/subscriptions/{subscription_id(topic, function)}"
                sub = admin._subscriber.get_subscription(subscription=path)
                assert sub.topic == f"projects/{PROJECT}/topics/{topic_id(topic)}"
                assert sub.push_config.push_endpoint == receiver.url(function)
                assert sub.dead_letter_policy.max_delivery_attempts == 7
                assert sub.dead_letter_policy.dead_letter_topic.endswith(
                    f"/topics/{topic_id(topic)}-dead-letter"
                )
        for queue in task_queues():
            path = f"projects/{PROJECT}/locations/{REGION}/queues/{queue_id(queue)}"
            assert fake_tasks.queues[path].max_attempts == 7

        seen: list[dict[str, str]] = []

        def email_sender(request: Request) -> Response:
            seen.append(dict(request.headers))
            return Response(status=204)

        receiver.routes["email-sender"] = email_sender
        assert backend.schedule("email", {"email_id": str(uuid.uuid4())}, key="e-1") is True
        assert backend.schedule("email", {"email_id": "again"}, key="e-1") is False
        assert wait_for(lambda: len(seen) == 1)
        claims = _jwt_claims(seen[0]["Authorization"])
        assert claims["email"] == INVOKER
        assert claims["aud"] == receiver.url("email-sender")
    finally:
        backend.close()


def test_registry_url_prefers_the_function_url_prefix() -> None:
    settings = Settings(function_url_prefix="https://fn.example/p-", public_base_url="http://x")
    assert registry_url(settings)("sends") == "https://fn.example/p-send-worker"
    local = Settings(function_url_prefix="", public_base_url="http://127.0.0.1:9/")
    assert registry_url(local)("email") == "http://127.0.0.1:9/_functions/email-sender"
