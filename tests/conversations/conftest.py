"""Fixtures of the inbox tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.queue import set_backend
from tests.conversations.helpers import RecordingBackend


@pytest.fixture
def recording_queue() -> Iterator[RecordingBackend]:
    """The inline queue, recording what is published and scheduled."""
    backend = RecordingBackend()
    set_backend(backend)
    yield backend
    set_backend(None)
