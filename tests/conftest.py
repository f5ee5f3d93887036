"""Test harness: a fresh migrated database per run on real PostgreSQL, real Redis."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

os.environ.setdefault("BCRYPT_ROUNDS", "4")  # fast hashing; production uses 12
os.environ["ENVIRONMENT"] = "test"
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Every test calls from 127.0.0.1: the per-IP limit is tested on its own, lowered there.
os.environ["LOGIN_LIMIT_PER_IP"] = "100000"

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests import services
from tests.fakes.smtp import Mailbox
from tests.fakes.twilio import FakeTwilio

if TYPE_CHECKING:
    from tests.conversations.helpers import RecordingBackend


def _reset_singletons() -> None:
    from shared.cache import reset_redis
    from shared.config import get_settings
    from shared.db.engine import reset_engine
    from shared.platform.openapi import openapi_document
    from shared.queue import set_backend

    get_settings.cache_clear()
    reset_engine()
    reset_redis()
    set_backend(None)
    openapi_document.cache_clear()


def create_database(admin_url: str, name: str) -> str:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args=_sock(admin_url))
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return str(make_url(admin_url).set(database=name).render_as_string(hide_password=False))


def drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args=_sock(admin_url))
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _sock(url: str) -> dict[str, str]:
    query = make_url(url).query
    return {"unix_sock": str(query["unix_sock"])} if "unix_sock" in query else {}


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    return services.postgres_admin_url()


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    port = box.start()
    os.environ.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
    yield box
    box.stop()


@pytest.fixture(scope="session", autouse=True)
def platform_env(pg_admin_url: str, mailbox: Mailbox) -> Iterator[dict[str, str]]:
    """DATABASE_URL (a fresh, migrated database), REDIS_URL and SMTP for the whole run."""
    from shared.db import migrate

    name = f"smsplat_test_{uuid.uuid4().hex[:10]}"
    url = create_database(pg_admin_url, name)
    redis_url = services.redis_url()
    redis.Redis.from_url(redis_url).flushdb()
    os.environ.update(DATABASE_URL=url, REDIS_URL=redis_url, QUEUE_BACKEND="inline")
    _reset_singletons()
    migrate.upgrade(url)
    yield {"database_url": url, "redis_url": redis_url, "database": name}
    _reset_singletons()
    drop_database(pg_admin_url, name)


@pytest.fixture(scope="session")
def pubsub_emulator() -> Iterator[str]:
    emulator = services.PubSubEmulator()
    host = emulator.start()
    yield host
    emulator.stop()


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    return services.rabbitmq_url()


@pytest.fixture(scope="session")
def fake_twilio() -> Iterator[FakeTwilio]:
    """The fake Twilio API; the real SDK reaches it through TWILIO_API_BASE."""
    fake = FakeTwilio().start()
    os.environ["TWILIO_API_BASE"] = fake.base_url
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def gateway_url(platform_env: dict[str, str], fake_twilio: FakeTwilio) -> Iterator[str]:
    """Every function served on one port, as `make dev` does; it is also the public URL
    that providers sign their webhooks against."""
    from shared.config import get_settings
    from shared.platform.gateway import serve

    port = services.free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ.update(PUBLIC_BASE_URL=base, SIMULATOR_CALLBACK_DELAY_SECONDS="0.05")
    get_settings.cache_clear()
    server = serve("127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()


@pytest.fixture
def api(gateway_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        yield client


@pytest.fixture
def recording_queue() -> Iterator[RecordingBackend]:
    """The inline queue, recording what is published and scheduled."""
    from shared.queue import set_backend
    from tests.conversations.helpers import RecordingBackend as Recording

    backend = Recording()
    set_backend(backend)
    yield backend
    set_backend(None)
