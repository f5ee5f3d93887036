"""Standard Webhooks signing (https://www.standardwebhooks.com), with its reference library.

A secret is `whsec_` + base64 of 32 random bytes. The signed content is
`<webhook-id>.<webhook-timestamp>.<body>`; after a rotation both secrets sign and the
`webhook-signature` header carries both signatures, space-separated, as the spec allows.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
SECRET_BYTES = 32  # the spec allows 24..64


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def webhook_id(delivery_id: object) -> str:
    """The `webhook-id` header of a delivery: stable across its attempts and replays."""
    return f"msg_{getattr(delivery_id, 'hex', delivery_id)}"


def headers(msg_id: str, at: datetime, body: bytes, secrets_: Sequence[str]) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt."""
    signatures = " ".join(Webhook(s).sign(msg_id, at, body) for s in secrets_)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
    }
