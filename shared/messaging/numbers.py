"""Numbers (DIDs) of a workspace and the pools campaigns send over."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import phonenumbers
from sqlalchemy import column, delete, func, select, table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.billing.limits import check_numbers
from shared.config import get_settings
from shared.db.session import tenant_session
from shared.http.pagination import keyset_page, page_of
from shared.http.problems import Problem, conflict, field_error, not_found
from shared.messaging import health, schemas
from shared.messaging.accounts import provider_for
from shared.messaging.models import NumberPool, NumberPoolMember, PhoneNumber
from shared.messaging.rotation import forget_pools, pools_of
from shared.providers.sms import ProviderError
from shared.tenancy.principal import Principal

# Default sending rate (message segments per second) by kind of number.
DEFAULT_MPS = {"long_code": 1.0, "toll_free": 3.0, "short_code": 100.0}


def webhook_urls() -> tuple[str, str]:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/webhooks/twilio/inbound", f"{base}/webhooks/twilio/status"


def number_type(phone: str) -> str:
    if not phone.startswith("+"):
        return "short_code"
    try:
        parsed = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return "long_code"
    if phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE:
        return "toll_free"
    return "long_code"


def provider_failure(exc: ProviderError) -> Problem:
    if exc.permanent:
        return Problem(
            422, "provider-rejected", "Rejected by the provider", str(exc), provider_code=exc.code
        )
    return Problem(502, "provider-unavailable", "Provider unavailable", str(exc))


def _get_number(s: Session, number_id: uuid.UUID) -> PhoneNumber:
    number = s.get(PhoneNumber, number_id)
    if number is None or number.status == "released":
        raise not_found("Number")
    return number


def get_number(principal: Principal, number_id: uuid.UUID) -> schemas.NumberOut:
    with tenant_session(principal.tenant_id) as s:
        return schemas.NumberOut.model_validate(_get_number(s, number_id))


def list_numbers(principal: Principal, query: schemas.NumberQuery) -> schemas.NumberList:
    with tenant_session(principal.tenant_id) as s:
        stmt = select(PhoneNumber)
        if query.status:
            stmt = stmt.where(PhoneNumber.status == query.status)
        else:
            stmt = stmt.where(PhoneNumber.status != "released")
        rows = list(s.scalars(keyset_page(stmt, PhoneNumber.created_at, PhoneNumber.id, query)))
        page, cursor = page_of(rows, query, "created_at")
        return schemas.NumberList(
            data=[schemas.NumberOut.model_validate(n) for n in page], next_cursor=cursor
        )


def _add_number(
    s: Session,
    tenant_id: uuid.UUID,
    provider: str,
    sid: str,
    phone: str,
    name: str,
    capabilities: dict[str, bool],
) -> PhoneNumber | None:
    """Insert a number; None when it is already live (here or in another workspace)."""
    kind = number_type(phone)
    stmt = (
        insert(PhoneNumber)
        .values(
            tenant_id=tenant_id,
            phone_number=phone,
            provider=provider,
            provider_sid=sid,
            friendly_name=name,
            number_type=kind,
            capabilities=capabilities,
            mps=DEFAULT_MPS[kind],
        )
        .on_conflict_do_nothing(
            index_elements=["phone_number"], index_where=PhoneNumber.status != "released"
        )
        .returning(PhoneNumber.id)
    )
    new_id = s.scalar(stmt)
    return s.get(PhoneNumber, new_id) if new_id else None


def import_numbers(principal: Principal) -> schemas.ImportResult:
    """Every SMS-capable number of the connected account; importing twice changes nothing."""
    sms_url, status_url = webhook_urls()
    with tenant_session(principal.tenant_id) as s:
        provider = provider_for(s, principal.tenant_id)
        try:
            owned = provider.list_numbers()
        except ProviderError as exc:
            raise provider_failure(exc) from exc
        mine = set(
            s.scalars(select(PhoneNumber.phone_number).where(PhoneNumber.status != "released"))
        )
        imported: list[PhoneNumber] = []
        skipped: list[str] = []
        new = [n for n in owned if n.phone_number not in mine and n.capabilities.get("sms")]
        if new:
            check_numbers(s, principal.tenant_id, adding=len(new))
        for number in owned:
            if number.phone_number in mine:
                continue
            if not number.capabilities.get("sms"):
                skipped.append(number.phone_number)
                continue
            row = _add_number(
                s,
                principal.tenant_id,
                provider.name,
                number.sid,
                number.phone_number,
                number.friendly_name,
                number.capabilities,
            )
            if row is None:
                skipped.append(number.phone_number)  # live in another workspace
                continue
            try:
                provider.configure_number(number.sid, sms_url=sms_url, status_url=status_url)
            except ProviderError as exc:
                raise provider_failure(exc) from exc
            imported.append(row)
        return schemas.ImportResult(
            imported=len(imported),
            already_present=len([n for n in owned if n.phone_number in mine]),
            skipped=skipped,
            data=[schemas.NumberOut.model_validate(n) for n in imported],
        )


def available(principal: Principal, query: schemas.AvailableQuery) -> schemas.AvailableList:
    with tenant_session(principal.tenant_id) as s:
        provider = provider_for(s, principal.tenant_id)
    try:
        found = provider.search_numbers(
            country=query.country.upper(),
            area_code=query.area_code,
            contains=query.contains,
            limit=query.limit,
        )
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    return schemas.AvailableList(
        data=[
            schemas.AvailableNumberOut(
                phone_number=n.phone_number,
                friendly_name=n.friendly_name,
                region=n.region,
                locality=n.locality,
                capabilities=n.capabilities,
            )
            for n in found
        ]
    )


def purchase(principal: Principal, phone: str) -> schemas.NumberOut:
    sms_url, status_url = webhook_urls()
    with tenant_session(principal.tenant_id) as s:
        provider = provider_for(s, principal.tenant_id)
        if _live_anywhere(s, phone):
            raise conflict(f"{phone} is already in use.", "number-taken")
        check_numbers(s, principal.tenant_id)
        try:
            bought = provider.buy_number(phone, sms_url=sms_url, status_url=status_url)
        except ProviderError as exc:
            raise provider_failure(exc) from exc
        try:
            with s.begin_nested():
                row = _add_number(
                    s,
                    principal.tenant_id,
                    provider.name,
                    bought.sid,
                    bought.phone_number,
                    bought.friendly_name,
                    bought.capabilities,
                )
        except IntegrityError:
            row = None
        if row is None:
            raise conflict(f"{phone} is already in use.", "number-taken")
        return schemas.NumberOut.model_validate(row)


def _live_anywhere(s: Session, phone: str) -> bool:
    # RLS hides other workspaces' rows; the unique index still guards the insert.
    count = s.scalar(
        select(func.count())
        .select_from(PhoneNumber)
        .where(PhoneNumber.phone_number == phone, PhoneNumber.status != "released")
    )
    return bool(count)


def patch_number(
    principal: Principal, number_id: uuid.UUID, patch: schemas.NumberPatch
) -> schemas.NumberOut:
    with tenant_session(principal.tenant_id) as s:
        number = _get_number(s, number_id)
        was_failing = number.status == "failing"
        if patch.status is not None:
            number.status = patch.status
            number.status_reason = None if patch.status == "active" else "paused by a user"
        if patch.mps is not None:
            number.mps = patch.mps
        forget_pools(pools_of(s, number_id))
        s.flush()
        s.refresh(number)
        result = schemas.NumberOut.model_validate(number)
    if patch.status == "active":
        health.reset_window("did", number_id)  # judged afresh, not on its old failures
        if was_failing:
            health.announce_recovered(principal.tenant_id, number_id, result.phone_number)
    return result


def release(principal: Principal, number_id: uuid.UUID) -> None:
    """Give the number back to the provider; the row stays for the message history."""
    with tenant_session(principal.tenant_id) as s:
        number = _get_number(s, number_id)
        provider = provider_for(s, principal.tenant_id)
        if number.provider_sid:
            try:
                provider.release_number(number.provider_sid)
            except ProviderError as exc:
                if exc.code != 20404:  # already gone at the provider: finish here
                    raise provider_failure(exc) from exc
        number.status = "released"
        number.status_reason = f"released {datetime.now(UTC).date().isoformat()}"
        forget_pools(pools_of(s, number_id))
        s.execute(delete(NumberPoolMember).where(NumberPoolMember.number_id == number_id))


# --- pools ---------------------------------------------------------------------------


def _pool_out(s: Session, pool: NumberPool) -> schemas.PoolOut:
    rows = s.execute(
        select(PhoneNumber.id, PhoneNumber.status, PhoneNumber.mps)
        .join(NumberPoolMember, NumberPoolMember.number_id == PhoneNumber.id)
        .where(NumberPoolMember.pool_id == pool.id)
        .order_by(PhoneNumber.phone_number)
    ).all()
    return schemas.PoolOut(
        id=pool.id,
        name=pool.name,
        description=pool.description,
        sticky=pool.sticky,
        number_ids=[r.id for r in rows],
        capacity_mps=sum(r.mps for r in rows if r.status == "active"),
        created_at=pool.created_at,
    )


def _get_pool(s: Session, pool_id: uuid.UUID) -> NumberPool:
    pool = s.get(NumberPool, pool_id)
    if pool is None:
        raise not_found("Number pool")
    return pool


def list_pools(principal: Principal) -> schemas.PoolList:
    with tenant_session(principal.tenant_id) as s:
        pools = s.scalars(select(NumberPool).order_by(NumberPool.created_at))
        return schemas.PoolList(data=[_pool_out(s, p) for p in pools])


def create_pool(principal: Principal, data: schemas.PoolIn) -> schemas.PoolOut:
    try:
        with tenant_session(principal.tenant_id) as s:
            pool = NumberPool(tenant_id=principal.tenant_id, **data.model_dump())
            s.add(pool)
            s.flush()
            s.refresh(pool)
            return _pool_out(s, pool)
    except IntegrityError as exc:
        raise conflict("A pool with this name exists.", "pool-name-taken") from exc


def get_pool(principal: Principal, pool_id: uuid.UUID) -> schemas.PoolOut:
    with tenant_session(principal.tenant_id) as s:
        return _pool_out(s, _get_pool(s, pool_id))


def patch_pool(
    principal: Principal, pool_id: uuid.UUID, data: schemas.PoolPatch
) -> schemas.PoolOut:
    try:
        with tenant_session(principal.tenant_id) as s:
            pool = _get_pool(s, pool_id)
            for key, value in data.model_dump(exclude_unset=True).items():
                if value is not None or key == "description":
                    setattr(pool, key, value)
            s.flush()
            s.refresh(pool)
            return _pool_out(s, pool)
    except IntegrityError as exc:
        raise conflict("A pool with this name exists.", "pool-name-taken") from exc


# The campaigns that name a pool (campaigns sit above numbers: their table, not their model).
_CAMPAIGNS = table(
    "campaigns",
    column("id"),
    column("name"),
    column("status"),
    column("pool_id"),
    column("created_at"),
)


def delete_pool(principal: Principal, pool_id: uuid.UUID) -> None:
    """A pool a campaign names stays (409 listing those campaigns); a campaign created
    meanwhile is caught by the foreign key, as a 409 too."""
    with tenant_session(principal.tenant_id) as s:
        pool = _get_pool(s, pool_id)
        users = s.execute(
            select(_CAMPAIGNS.c.id, _CAMPAIGNS.c.name, _CAMPAIGNS.c.status)
            .where(_CAMPAIGNS.c.pool_id == pool.id)
            .order_by(_CAMPAIGNS.c.created_at)
        ).all()
        if users:
            raise conflict(
                f"{len(users)} campaign(s) use this pool; change their pool or delete them first.",
                "pool-in-use",
                campaigns=[{"id": str(c.id), "name": c.name, "status": c.status} for c in users],
            )
        s.delete(pool)


def set_pool_numbers(
    principal: Principal, pool_id: uuid.UUID, number_ids: list[uuid.UUID]
) -> schemas.PoolOut:
    wanted = list(dict.fromkeys(number_ids))
    with tenant_session(principal.tenant_id) as s:
        pool = _get_pool(s, pool_id)
        found = (
            set(
                s.scalars(
                    select(PhoneNumber.id).where(
                        PhoneNumber.id.in_(wanted), PhoneNumber.status != "released"
                    )
                )
            )
            if wanted
            else set()
        )
        unknown = [str(i) for i in wanted if i not in found]
        if unknown:
            raise field_error("body.number_ids", f"Unknown numbers: {', '.join(unknown[:10])}")
        s.execute(delete(NumberPoolMember).where(NumberPoolMember.pool_id == pool_id))
        forget_pools([pool_id])
        if wanted:
            s.execute(
                insert(NumberPoolMember),
                [
                    {"tenant_id": principal.tenant_id, "pool_id": pool_id, "number_id": n}
                    for n in wanted
                ],
            )
        s.flush()
        return _pool_out(s, pool)
