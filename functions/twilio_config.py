"""twilio-config: connect the workspace's Twilio account."""

from __future__ import annotations

from shared.http.function import HttpFunction, Request
from shared.messaging import accounts, schemas

app = HttpFunction("twilio-config")


def _out(config: object) -> schemas.TwilioConfigOut:
    from shared.messaging.models import TwilioConfig
    from shared.messaging.numbers import webhook_urls

    assert isinstance(config, TwilioConfig)
    inbound, status = webhook_urls()
    return schemas.TwilioConfigOut(
        inbound_webhook_url=inbound,
        status_webhook_url=status,
        account_sid=config.account_sid,
        auth_token="•" * 28 + config.auth_token_last4,
        messaging_service_sid=config.messaging_service_sid,
        validated_at=config.validated_at,
    )


@app.operation
def get_twilio_config(req: Request) -> schemas.TwilioConfigOut:
    return _out(accounts.get_config(req.require_principal().tenant_id))


@app.operation
def put_twilio_config(req: Request, body: schemas.TwilioConfigIn) -> schemas.TwilioConfigOut:
    """The credentials are checked with Twilio before they are saved (422 when refused)."""
    principal = req.require_principal()
    return _out(
        accounts.put_config(
            principal.tenant_id, body.account_sid, body.auth_token, body.messaging_service_sid
        )
    )


@app.operation
def delete_twilio_config(req: Request) -> None:
    accounts.delete_config(req.require_principal().tenant_id)


handler = app
