"""Messages stuck in `sending` are reconciled against the provider, never blindly resent.

A message is stuck when the provider call's outcome was unknown (a timeout after the
request left) or its callbacks never came. With a provider id we fetch it; without one we
look for it among the provider's messages to that contact from that number since the
claim. Only when the provider has no such message, past a grace period, does it go back
to `queued` to be sent (for the first time, as far as the provider knows).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from shared.db.session import system_session, tenant_session
from shared.messaging.accounts import provider_for
from shared.messaging.models import Message
from shared.providers.sms import ProviderError

log = logging.getLogger("reconcile")
STUCK_AFTER = timedelta(minutes=2)
RESEND_GRACE = timedelta(minutes=10)  # the default of RECONCILE_RESEND_GRACE_SECONDS


def resend_grace() -> timedelta:
    from shared.config import get_settings

    return timedelta(seconds=get_settings().reconcile_resend_grace_seconds)


def stuck_messages(
    older_than: timedelta = STUCK_AFTER, limit: int = 500
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    cutoff = datetime.now(UTC) - older_than
    with system_session() as s:
        rows = s.execute(
            select(Message.tenant_id, Message.id)
            .where(Message.status == "sending", Message.sending_at < cutoff)
            .order_by(Message.sending_at)
            .limit(limit)
        ).all()
    return [(r.tenant_id, r.id) for r in rows]


def reconcile_message(
    tenant_id: uuid.UUID, message_id: uuid.UUID, grace: timedelta | None = None
) -> str:
    from shared.messaging.delivery import Accepted, record_accepted, send_when_allowed
    from shared.messaging.webhooks import apply_status

    with tenant_session(tenant_id) as s:
        message = s.get(Message, message_id)
        if message is None or message.status != "sending":
            return "settled"
        provider = provider_for(s, tenant_id)
        sid, to, from_ = message.provider_sid, message.to_number, message.from_number
        since = (message.sending_at or datetime.now(UTC)) - timedelta(minutes=1)
        sending_at = message.sending_at or datetime.now(UTC)
    try:
        if sid is None:
            found = list(provider.find_sent(to=to, from_=from_, after=since))
            known = _known_sids(tenant_id, [m.sid for m in found])
            fresh = [m for m in found if m.sid not in known]
            if fresh:
                sid = fresh[0].sid
                record_accepted(tenant_id, [Accepted(message_id, sid, None, sending_at)])
                apply_status(
                    tenant_id,
                    {
                        "MessageSid": sid,
                        "MessageStatus": fresh[0].status,
                        "ErrorCode": str(fresh[0].error_code or ""),
                    },
                    message_id=message_id,
                )
                return "found"
            if datetime.now(UTC) - sending_at < (grace if grace is not None else resend_grace()):
                return "waiting"
            # The provider never got it: safe to send, for the first time.
            with tenant_session(tenant_id) as s:
                s.execute(
                    update(Message)
                    .where(Message.id == message_id, Message.status == "sending")
                    .values(status="queued")
                )
            send_when_allowed(tenant_id, message_id, bulk=False)
            return "requeued"
        remote = provider.fetch(sid)
    except ProviderError as exc:
        log.warning("cannot reconcile %s yet: %s", message_id, exc)
        return "error"
    apply_status(
        tenant_id,
        {
            "MessageSid": sid,
            "MessageStatus": remote.status,
            "ErrorCode": str(remote.error_code or ""),
        },
    )
    return "fetched"


def _known_sids(tenant_id: uuid.UUID, sids: list[str]) -> set[str]:
    if not sids:
        return set()
    with tenant_session(tenant_id) as s:
        return set(s.scalars(select(Message.provider_sid).where(Message.provider_sid.in_(sids))))


def reconcile_all(
    older_than: timedelta = STUCK_AFTER, grace: timedelta | None = None
) -> dict[str, int]:
    results: dict[str, int] = {}
    for tenant_id, message_id in stuck_messages(older_than):
        outcome = reconcile_message(tenant_id, message_id, grace)
        results[outcome] = results.get(outcome, 0) + 1
    return results
