"""The lean send path: the SDK's form, URL and auth over a keep-alive connection, the guard
right before the request is written, and errors classified as the SDK's."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from shared.messaging import throttle
from shared.messaging.dispatcher import Dispatcher, Later
from shared.providers.sms import NotSent, Outcome, ProviderError
from shared.providers.twilio import TwilioProvider
from tests.fakes.twilio import FakeTwilio


@pytest.fixture
def provider(fake_twilio: FakeTwilio) -> Iterator[TwilioProvider]:
    from shared.config import get_settings

    get_settings.cache_clear()  # TWILIO_API_BASE points at the fake
    sid, token = fake_twilio.add_account()
    fake_twilio.auto_callbacks = False  # these sends name callback URLs nobody serves
    try:
        yield TwilioProvider(sid, token)
    finally:
        fake_twilio.auto_callbacks = True


def test_send_posts_the_sdk_form_and_reuses_the_connection(
    provider: TwilioProvider, fake_twilio: FakeTwilio
) -> None:
    to = f"+1415{uuid.uuid4().int % 8_000_000 + 2_000_000}"
    first = provider.send(
        from_="+12125550100", to=to, body="hello", status_callback="http://x.invalid/s?m=1"
    )
    second = provider.send(
        from_="+12125550100",
        to=to,
        body="a picture",
        status_callback="http://x.invalid/s?m=2",
        media_urls=["https://example.com/a.png", "https://example.com/b.png"],
    )
    assert first.sid.startswith("SM")
    assert first.sid != second.sid
    assert first.segments == 1
    assert first.status == "queued"
    sent = [r for r in fake_twilio.creates() if r.params["To"] == [to]]
    assert sent[0].params["Body"] == ["hello"]
    assert sent[0].params["StatusCallback"] == ["http://x.invalid/s?m=1"]
    assert sent[1].params["MediaUrl"] == ["https://example.com/a.png", "https://example.com/b.png"]
    assert all(r.account == provider.account_sid for r in sent)


def test_a_guard_that_refuses_sends_nothing(
    provider: TwilioProvider, fake_twilio: FakeTwilio
) -> None:
    to = f"+1415{uuid.uuid4().int % 8_000_000 + 2_000_000}"
    with pytest.raises(NotSent):
        provider.send(
            from_="+12125550100", to=to, body="no", status_callback="", guard=lambda: False
        )
    assert [r for r in fake_twilio.creates() if r.params["To"] == [to]] == []


def test_refusals_are_classified_like_the_sdks(
    provider: TwilioProvider, fake_twilio: FakeTwilio
) -> None:
    with pytest.raises(ProviderError) as refused:
        provider.send(from_="+12125550100", to="+14155521211", body="x", status_callback="")
    assert refused.value.code == 21211
    assert refused.value.outcome is Outcome.PERMANENT
    fake_twilio.fail_next(503, 20503)
    with pytest.raises(ProviderError) as unavailable:
        provider.send(from_="+12125550100", to="+14155550199", body="x", status_callback="")
    assert unavailable.value.outcome is Outcome.TRANSIENT


def test_an_unreachable_provider_is_transient_not_unknown() -> None:
    from shared.providers.twilio import SendWire

    wire = SendWire("http://127.0.0.1:9/2010-04-01/Accounts/AC1/Messages.json", {}, 1.0)
    with pytest.raises(ConnectionError):
        wire.post(b"To=%2B1", None)


def test_the_dispatcher_runs_calls_at_their_time_and_takes_back_later() -> None:
    dispatcher = Dispatcher(threads=2)
    runs: list[float] = []
    again = threading.Event()

    def call() -> object:
        runs.append(time.time())
        if not again.is_set():
            again.set()
            return Later(time.time() + 0.2)
        return "done"

    start = time.time()
    assert dispatcher.submit(start + 0.1, call).result(timeout=5) == "done"
    assert runs[0] - start >= 0.09
    assert runs[1] - runs[0] >= 0.19
    assert not dispatcher.is_busy(1.0)
    assert dispatcher.lag_seconds() == 0.0


def test_a_send_late_by_more_than_its_spacing_takes_a_new_slot() -> None:
    """It leaves at the DID's next free instant on the wire (never bunching with a send
    that just left), and the DID's reservations move back by its spacing."""
    from shared.cache import get_redis

    bucket = throttle.did_bucket(uuid.uuid4(), 1.0)  # ~1 s spacing
    spacing = bucket.interval_ms
    reserved = throttle.reserve([bucket], 1, bulk=False)  # the next slot: ~1 s from now
    tat = float(get_redis().get(bucket.key) or 0)
    first = throttle.pace(bucket, 1, slot_ms=reserved.at_ms)  # on time: leaves now
    assert first.go

    late = throttle.pace(bucket, 1, slot_ms=reserved.at_ms - 5000)  # missed its slot by 5 s
    assert not late.go  # the wire is busy for one spacing
    assert first.at * 1000 + spacing - 50 <= late.at * 1000 <= first.at * 1000 + spacing + 50
    assert abs(late.slot_ms - first.at * 1000) < 100  # its new slot: now, not its old one
    assert float(get_redis().get(bucket.key) or 0) >= tat + spacing - 1  # room made for it

    other = throttle.did_bucket(uuid.uuid4(), 1.0)
    assert throttle.pace(other, 1, slot_ms=int(time.time() * 1000) - 5000).go  # wire free


def _answered(*parts: bytes) -> tuple[int, bytes, bool]:
    """read_response over a socket the parts are written to one by one (a response split
    across reads anywhere)."""
    import socket

    from shared.providers.twilio import read_response

    ours, theirs = socket.socketpair()
    ours.settimeout(2)

    def write() -> None:
        for part in parts:
            theirs.sendall(part)
            time.sleep(0.01)
        theirs.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        return read_response(ours)
    finally:
        writer.join()
        ours.close()


def test_responses_are_read_by_length_chunks_or_close() -> None:
    import http.client

    body = b'{"sid": "SM1"}'
    head = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
    assert _answered(head + b"Content-Length: 14\r\n\r\n" + body) == (201, body, False)
    # Split inside the head and the body.
    whole = head + b"Content-Length: 14\r\n\r\n" + body
    assert _answered(whole[:10], whole[10:60], whole[60:]) == (201, body, False)
    chunked = head + b"Transfer-Encoding: chunked\r\n\r\n5\r\n" + body[:5] + b"\r\n"
    tail = b"9;ext=1\r\n" + body[5:] + b"\r\n0\r\nX-Trailer: 1\r\n\r\n"
    assert _answered(chunked, tail) == (201, body, False)
    assert _answered(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", body) == (200, body, True)
    assert _answered(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n") == (200, b"", True)
    assert _answered(b"HTTP/1.1 204 No Content\r\n\r\n") == (204, b"", False)
    for broken in (
        b"HTTP/1.1 201 Created\r\nContent-Length: 99\r\n\r\n{}",  # closed mid-body
        b"HTTP/1.1 201 Crea",  # closed mid-head
        b"SSH-2.0-OpenSSH\r\n\r\n",  # not HTTP
        b"HTTP/1.1 201 Created\r\nContent-Length: x\r\n\r\n",
    ):
        with pytest.raises(http.client.HTTPException):
            _answered(broken)
