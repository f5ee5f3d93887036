"""The inline backend passes the queue contract."""

from __future__ import annotations

from shared.queue.base import QueueBackend
from shared.queue.inline import InlineBackend
from tests.queue.contract import QueueContract, RecordingDispatcher


class TestInlineBackend(QueueContract):
    def make_backend(self, dispatcher: RecordingDispatcher, max_attempts: int) -> QueueBackend:
        return InlineBackend(dispatcher, max_attempts=max_attempts, backoff_base=0.05)

    def test_dead_letters_are_kept(self, dispatcher: RecordingDispatcher) -> None:
        backend = InlineBackend(dispatcher, max_attempts=2, backoff_base=0.01)
        dispatcher.fail_first["dl"] = 99
        backend.schedule("dl", {"x": 1})
        from tests.queue.contract import wait_for

        assert wait_for(lambda: len(backend.dead_letters) == 1)
        assert backend.dead_letters[0].attempts == 2
        backend.close()
