"""Which provider a workspace sends through, and its Twilio credentials (encrypted)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.config import get_settings
from shared.crypto import Sealed, seal, unseal
from shared.db.session import system_session, tenant_session
from shared.http.problems import Problem, conflict, not_found
from shared.messaging.models import PhoneNumber, TwilioConfig
from shared.providers.sms import ProviderError, SmsProvider


def _context(tenant_id: uuid.UUID) -> str:
    return f"twilio-auth-token:{tenant_id}"


def auth_token(config: TwilioConfig) -> str:
    return _unsealed(
        config.auth_token_ciphertext,
        config.auth_token_wrapped_key,
        config.master_key_id,
        _context(config.tenant_id),
    )


@lru_cache(maxsize=1024)
def _unsealed(ciphertext: bytes, wrapped_key: bytes, key_id: str, context: str) -> str:
    # Keyed by the sealed bytes: a rotated token is new ciphertext, never a stale hit. With
    # Cloud KMS an unseal is a network call; every batch and webhook needs the token.
    return unseal(Sealed(ciphertext, wrapped_key, key_id), context)


def _is_taken(phone: str) -> bool:
    with system_session() as s:
        return (
            s.scalar(
                select(PhoneNumber.id).where(
                    PhoneNumber.phone_number == phone, PhoneNumber.status != "released"
                )
            )
            is not None
        )


def provider_for_config(tenant_id: uuid.UUID, config: TwilioConfig | None) -> SmsProvider:
    if config is not None:
        from shared.providers.twilio import TwilioProvider

        return TwilioProvider(config.account_sid, auth_token(config))
    if not get_settings().simulator_enabled:
        raise conflict(
            "Connect a Twilio account first (PUT /v1/twilio/config).", "provider-not-configured"
        )
    from shared.providers.simulator import SimulatorProvider

    return SimulatorProvider(str(tenant_id), is_taken=_is_taken)


def provider_for(session: Session, tenant_id: uuid.UUID) -> SmsProvider:
    config = session.scalar(select(TwilioConfig))
    return provider_for_config(tenant_id, config)


def messaging_service_sid(session: Session) -> str | None:
    return session.scalar(select(TwilioConfig.messaging_service_sid))


def put_config(
    tenant_id: uuid.UUID, account_sid: str, token: str, messaging_service_sid: str | None
) -> TwilioConfig:
    from shared.providers.twilio import TwilioProvider

    try:
        TwilioProvider(account_sid, token).validate()
    except ProviderError as exc:
        if exc.http_status in (401, 403, 404):
            raise Problem(
                422,
                "invalid-credentials",
                "Invalid credentials",
                "Twilio did not accept this account SID and auth token.",
                errors=[{"field": "body.auth_token", "message": str(exc), "code": "rejected"}],
            ) from exc
        raise Problem(
            502,
            "provider-unavailable",
            "Provider unavailable",
            f"Twilio could not be reached to check the credentials: {exc}",
        ) from exc
    sealed = seal(token, _context(tenant_id))
    with tenant_session(tenant_id) as s:
        config = s.scalar(select(TwilioConfig)) or TwilioConfig(tenant_id=tenant_id)
        config.account_sid = account_sid
        config.auth_token_ciphertext = sealed.ciphertext
        config.auth_token_wrapped_key = sealed.wrapped_key
        config.master_key_id = sealed.master_key_id
        config.auth_token_last4 = token[-4:]
        config.messaging_service_sid = messaging_service_sid
        config.validated_at = datetime.now(UTC)
        s.add(config)
        s.flush()
        s.refresh(config)
        return config


def get_config(tenant_id: uuid.UUID) -> TwilioConfig:
    with tenant_session(tenant_id) as s:
        config: TwilioConfig | None = s.scalar(select(TwilioConfig))
        if config is None:
            raise not_found("Twilio configuration")
        return config


def delete_config(tenant_id: uuid.UUID) -> None:
    with tenant_session(tenant_id) as s:
        config = s.scalar(select(TwilioConfig))
        if config is None:
            raise not_found("Twilio configuration")
        s.delete(config)
