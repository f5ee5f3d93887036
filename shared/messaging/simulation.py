"""The simulator's two ways in: a person's injected reply, and its status callbacks."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import uuid

from sqlalchemy import select

from shared.db.session import tenant_session
from shared.http.problems import Problem, field_error
from shared.messaging import schemas, sending
from shared.messaging.models import Message, PhoneNumber
from shared.messaging.webhooks import Route, receive
from shared.providers.simulator import simulator_auth_token
from shared.tenancy.principal import Principal


def inject_inbound(principal: Principal, from_: str, to: str, body: str) -> schemas.MessageOut:
    with tenant_session(principal.tenant_id) as s:
        number = s.scalar(
            select(PhoneNumber).where(
                PhoneNumber.phone_number == to, PhoneNumber.status != "released"
            )
        )
        if number is None:
            raise field_error("body.to", "Not a number of this workspace.")
        if number.provider != "simulator":
            raise Problem(
                409,
                "not-simulated",
                "Not a simulated number",
                "Only numbers of the simulator accept injected messages.",
            )
        number_id = number.id
    phone = sending.normalize_phone(from_)
    if phone is None:
        raise field_error("body.from", "Not a valid phone number.", "invalid_phone")
    sid = "SM" + uuid.uuid4().hex
    receive(
        Route(principal.tenant_id, number_id, "simulator"),
        {"MessageSid": sid, "From": phone, "To": to, "Body": body, "NumMedia": "0"},
    )
    with tenant_session(principal.tenant_id) as s:
        message = s.execute(select(Message).where(Message.provider_sid == sid)).scalar_one()
        return schemas.MessageOut.model_validate(message)


def post_callback(url: str, params: dict[str, str]) -> None:
    """POST a status callback signed like Twilio's, so it takes the real webhook path."""
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(simulator_auth_token()).compute_signature(url, params)
    request = urllib.request.Request(  # noqa: S310 - our own webhook URL
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - our own URL
            return
    except urllib.error.HTTPError as exc:
        if exc.code < 500:
            return  # refused for good (e.g. the number was released): do not retry
        raise
