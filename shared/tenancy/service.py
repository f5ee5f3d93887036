"""Identity: accounts, sessions (token pairs), workspaces, members, invitations, API keys.

Token and email-link lookups run in `system_session()`: the workspace is not known until
the secret is matched. Everything a signed-in caller does to a workspace runs in
`tenant_session(principal.tenant_id)`, so RLS backs every check made here.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.billing.limits import check_seats
from shared.config import get_settings
from shared.db.session import system_session, tenant_session, user_session
from shared.http.problems import (
    Problem,
    conflict,
    field_error,
    forbidden,
    not_found,
    too_many_requests,
    unauthorized,
)
from shared.notifications.outbox import dispatch, queue_email
from shared.ratelimit import clear, hit, key_for, record_failure, wait_seconds
from shared.tenancy import revocation, schemas
from shared.tenancy.models import (
    ApiKey,
    EmailToken,
    Invitation,
    Membership,
    RefreshToken,
    Tenant,
    User,
)
from shared.tenancy.passwords import burn_time, hash_password, password_problem, verify_password
from shared.tenancy.principal import ROLE_RANK, Principal
from shared.tenancy.tokens import digest, issue_access_token, new_secret, same_digest

BAD_LOGIN = "Wrong email or password."
API_KEY_PREFIX = "sk_live_"


def _now() -> datetime:
    return datetime.now(UTC)


# --- sessions -------------------------------------------------------------------------


def _issue_pair(
    s: Session,
    user_id: uuid.UUID,
    tenant_id: uuid.UUID,
    role: str,
    *,
    family_id: uuid.UUID | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> schemas.TokenPair:
    """A new access token and a new refresh token (in `s`, a system session)."""
    settings = get_settings()
    refresh = new_secret("rt_")
    family_id = family_id or uuid.uuid4()
    s.add(
        RefreshToken(
            user_id=user_id,
            tenant_id=tenant_id,
            family_id=family_id,
            token_hash=digest(refresh),
            expires_at=_now() + timedelta(seconds=settings.refresh_token_ttl_seconds),
            ip=ip,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    return schemas.TokenPair(
        access_token=issue_access_token(user_id, tenant_id, role, session_id=family_id),
        refresh_token=refresh,
        expires_in=settings.access_token_ttl_seconds,
    )


def _user_out(user: User) -> schemas.UserOut:
    return schemas.UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        email_verified=user.email_verified_at is not None,
        created_at=user.created_at,
    )


def _session_out(
    pair: schemas.TokenPair, user: User, tenant: Tenant, role: str
) -> schemas.SessionOut:
    return schemas.SessionOut(
        **pair.model_dump(),
        user=_user_out(user),
        workspace=schemas.WorkspaceOut.model_validate(tenant),
        role=role,
    )


def _check_password(password: str, email: str | None, field: str = "body.password") -> None:
    reason = password_problem(password, email)
    if reason:
        raise field_error(field, reason, "weak_password")


def _create_workspace(user_id: uuid.UUID, name: str) -> Tenant:
    tenant_id = uuid.uuid4()
    with tenant_session(tenant_id, user_id=user_id) as s:
        tenant = Tenant(id=tenant_id, name=name, settings={"default_region": "US"})
        s.add(tenant)
        s.flush()
        s.add(Membership(tenant_id=tenant_id, user_id=user_id, role="owner"))
        s.flush()
        s.refresh(tenant)
    return tenant


SIGNUP_ACCEPTED = (
    "Check your inbox: we sent a link to confirm the address. Then log in with your password."
)


def signup(data: schemas.SignupIn, ip: str | None = None) -> schemas.Accepted:
    """The same answer whether the email is new or taken (no account enumeration): a new
    one gets its account, workspace and a verification link; the owner of a taken one is
    told by email that someone tried to sign up with it."""
    _limit("signup", str(data.email), ip)
    _check_password(data.password, data.email)
    email = str(data.email)
    user_id = uuid.uuid4()
    password_hash = hash_password(data.password)  # hashed either way: the same time spent
    try:
        with system_session() as s:
            s.add(User(id=user_id, email=email, name=data.name, password_hash=password_hash))
            s.flush()
    except IntegrityError:
        dispatch([_queue_signup_attempt(email)])
        return schemas.Accepted(detail=SIGNUP_ACCEPTED)
    tenant = _create_workspace(user_id, data.workspace_name)
    with system_session() as s:
        user = s.get_one(User, user_id)
        user.last_tenant_id = tenant.id
        email_ids = [_queue_verification(s, user)]
    dispatch(email_ids)
    return schemas.Accepted(detail=SIGNUP_ACCEPTED)


def _queue_signup_attempt(email: str) -> uuid.UUID:
    settings = get_settings()
    with system_session() as s:
        user = s.scalar(select(User).where(func.lower(User.email) == email.lower()))
        name = user.name if user else ""
        return queue_email(
            s,
            user.email if user else email,
            "Someone tried to sign up with your email address",
            f"Hello {name},\n\nSomeone (maybe you) tried to create an account with this "
            "address, which already has one. Nothing was changed.\n\nIf it was you, log in "
            f"at {settings.app_base_url}, or choose a new password at "
            f"{settings.app_base_url}/forgot-password.\n",
        )


def _limit(kind: str, email: str, ip: str | None) -> None:
    settings = get_settings()
    window = settings.login_limit_window_seconds
    checks = [(key_for(f"{kind}:email", email), settings.login_limit_per_email)]
    if ip:
        checks.append((key_for(f"{kind}:ip", ip), settings.login_limit_per_ip))
    for key, limit in checks:
        allowed, retry_after = hit(key, limit, window)
        if not allowed:
            raise too_many_requests(retry_after, "Too many attempts; try again later.")


def _login_failure_keys(email: str, ip: str | None) -> tuple[str, str | None]:
    """Failures of this email from this address, and of this address for any email."""
    pair = key_for("login-fail:email-ip", f"{email.strip().lower()}|{ip or ''}")
    return pair, (key_for("login-fail:ip", ip) if ip else None)


def login(
    data: schemas.LoginIn, ip: str | None = None, user_agent: str | None = None
) -> schemas.SessionOut:
    """Only failures count. Past LOGIN_LIMIT_PER_EMAIL failures of one email from one
    address, or LOGIN_LIMIT_PER_IP failures from one address, each new attempt waits a
    delay that doubles (429 with Retry-After); nothing locks the account itself, so a
    stranger's failures elsewhere never keep its owner out."""
    settings = get_settings()
    pair_key, ip_key = _login_failure_keys(data.email, ip)
    keys = [pair_key] + ([ip_key] if ip_key else [])
    wait = wait_seconds(keys)
    if wait:
        raise too_many_requests(wait, f"Too many failed logins; try again in {wait} s.")
    try:
        session = _login(data, ip, user_agent)
    except Problem as problem:
        if problem.status == 401:
            base, window = settings.login_delay_base_seconds, settings.login_limit_window_seconds
            record_failure(pair_key, settings.login_limit_per_email, base, window)
            if ip_key:
                record_failure(ip_key, settings.login_limit_per_ip, base, window)
        raise
    clear(pair_key)
    return session


def _login(data: schemas.LoginIn, ip: str | None, user_agent: str | None) -> schemas.SessionOut:
    with system_session() as s:
        user = s.scalar(select(User).where(func.lower(User.email) == data.email.lower()))
        if user is None:
            burn_time(data.password)
            raise unauthorized(BAD_LOGIN)
        if not verify_password(data.password, user.password_hash):
            raise unauthorized(BAD_LOGIN)
        membership = _pick_membership(s, user)
        if membership is None:
            raise Problem(403, "no-workspace", "No workspace", "You belong to no workspace.")
        tenant = s.get_one(Tenant, membership.tenant_id)
        user.last_tenant_id = tenant.id
        pair = _issue_pair(s, user.id, tenant.id, membership.role, ip=ip, user_agent=user_agent)
        return _session_out(pair, user, tenant, membership.role)


def _pick_membership(s: Session, user: User) -> Membership | None:
    """The last-used workspace if still a member, else the oldest membership."""
    memberships = list(
        s.scalars(
            select(Membership).where(Membership.user_id == user.id).order_by(Membership.created_at)
        )
    )
    for m in memberships:
        if m.tenant_id == user.last_tenant_id:
            return m
    return memberships[0] if memberships else None


def refresh(token: str, ip: str | None = None, user_agent: str | None = None) -> schemas.TokenPair:
    """Rotate: the presented token is spent. A spent token presented again revokes its family."""
    reused_family: uuid.UUID | None = None
    with system_session() as s:
        row = s.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == digest(token)).with_for_update()
        )
        if row is None or row.revoked_at is not None or row.expires_at <= _now():
            raise unauthorized("This refresh token is not valid.")
        if row.used_at is not None:
            reused_family = row.family_id
        else:
            membership = s.get(Membership, (row.user_id, row.tenant_id))
            if membership is None:
                row.revoked_at = _now()
                s.commit()
                raise unauthorized("You are no longer a member of this workspace.")
            row.used_at = _now()
            return _issue_pair(
                s,
                row.user_id,
                row.tenant_id,
                membership.role,
                family_id=row.family_id,
                ip=ip,
                user_agent=user_agent,
            )
    # Reuse: someone holds a copy of a spent token. Revoke the whole chain.
    _revoke_family(reused_family)
    raise unauthorized("This refresh token was already used; the session has been revoked.")


def _revoke_family(family_id: uuid.UUID) -> None:
    """Its refresh tokens, and its access tokens from the next request on."""
    revocation.end_session(family_id)
    with system_session() as s:
        s.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=_now())
        )


def logout(principal: Principal, token: str) -> None:
    with system_session() as s:
        row = s.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest(token)))
        if row is None or row.user_id != principal.user_id:
            raise unauthorized("This refresh token is not valid.")
        family_id = row.family_id
    _revoke_family(family_id)


# --- email links ----------------------------------------------------------------------


def _queue_verification(s: Session, user: User) -> uuid.UUID:
    settings = get_settings()
    token = new_secret("ev_")
    s.add(
        EmailToken(
            user_id=user.id,
            purpose="verify_email",
            token_hash=digest(token),
            expires_at=_now() + timedelta(seconds=settings.email_token_ttl_seconds),
        )
    )
    link = f"{settings.app_base_url}/verify-email?token={token}"
    return queue_email(
        s,
        user.email,
        "Confirm your email address",
        f"Hello {user.name},\n\nConfirm your email address by opening this link:\n{link}\n\n"
        "If you did not sign up, ignore this message.\n",
    )


def request_email_verification(principal: Principal) -> None:
    if principal.user_id is None:
        raise forbidden("API keys have no email address to verify.")
    with system_session() as s:
        user = s.get_one(User, principal.user_id)
        if user.email_verified_at is not None:
            raise conflict("Your email address is already verified.", "already-verified")
        email_id = _queue_verification(s, user)
    dispatch([email_id])


def _spend_email_token(s: Session, token: str, purpose: str) -> EmailToken:
    row = s.scalar(
        select(EmailToken)
        .where(EmailToken.token_hash == digest(token), EmailToken.purpose == purpose)
        .with_for_update()
    )
    if row is None or row.used_at is not None or row.expires_at <= _now():
        raise Problem(
            400, "invalid-token", "Invalid token", "This link is invalid, used or expired."
        )
    row.used_at = _now()
    return row


def verify_email(token: str) -> None:
    with system_session() as s:
        row = _spend_email_token(s, token, "verify_email")
        user = s.get_one(User, row.user_id)
        user.email_verified_at = user.email_verified_at or _now()


def forgot_password(email: str, ip: str | None = None) -> None:
    """Always accepted: the answer never tells whether the email has an account."""
    _limit("forgot", email, ip)
    settings = get_settings()
    email_ids: list[uuid.UUID] = []
    with system_session() as s:
        user = s.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if user is not None:
            token = new_secret("pr_")
            s.add(
                EmailToken(
                    user_id=user.id,
                    purpose="reset_password",
                    token_hash=digest(token),
                    expires_at=_now() + timedelta(seconds=settings.password_reset_ttl_seconds),
                )
            )
            link = f"{settings.app_base_url}/reset-password?token={token}"
            email_ids.append(
                queue_email(
                    s,
                    user.email,
                    "Reset your password",
                    f"Hello {user.name},\n\nChoose a new password here (valid for one hour):\n"
                    f"{link}\n\nIf you did not ask for this, ignore this message.\n",
                )
            )
    dispatch(email_ids)


def reset_password(token: str, password: str) -> None:
    with system_session() as s:
        row = _spend_email_token(s, token, "reset_password")
        user = s.get_one(User, row.user_id)
        _check_password(password, user.email)
        user.password_hash = hash_password(password)
        user.password_changed_at = _now()
        # Every session of this user ends: whoever had the old password is out.
        s.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=_now())
        )
        revocation.end_user_tokens(user.id)


# --- me and workspaces ----------------------------------------------------------------


def _memberships(user_id: uuid.UUID) -> list[schemas.MembershipOut]:
    with user_session(user_id) as s:
        rows = s.execute(
            select(Membership, Tenant)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(Membership.user_id == user_id)
            .order_by(Membership.created_at)
        ).all()
        return [
            schemas.MembershipOut(
                workspace=schemas.WorkspaceOut.model_validate(t),
                role=m.role,
            )
            for m, t in rows
        ]


def me(principal: Principal) -> schemas.MeOut:
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        tenant = s.get_one(Tenant, principal.tenant_id)
        workspace = schemas.WorkspaceOut.model_validate(tenant)
        user = s.get(User, principal.user_id) if principal.user_id else None
        user_out = _user_out(user) if user else None
    memberships = (
        _memberships(principal.user_id)
        if principal.user_id
        else [schemas.MembershipOut(workspace=workspace, role=principal.role)]
    )
    return schemas.MeOut(
        user=user_out,
        workspace=workspace,
        role=principal.role,
        api_key_id=principal.api_key_id,
        memberships=memberships,
    )


def list_workspaces(principal: Principal) -> schemas.WorkspaceList:
    return schemas.WorkspaceList(data=me(principal).memberships)


def _require_user(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise forbidden("This needs a signed-in user, not an API key.")
    return principal.user_id


def create_workspace(principal: Principal, name: str) -> schemas.MembershipOut:
    user_id = _require_user(principal)
    tenant = _create_workspace(user_id, name)
    return schemas.MembershipOut(
        workspace=schemas.WorkspaceOut.model_validate(tenant), role="owner"
    )


def switch_workspace(
    principal: Principal, workspace_id: uuid.UUID, ip: str | None = None, ua: str | None = None
) -> schemas.SessionOut:
    user_id = _require_user(principal)
    with user_session(user_id) as s:
        membership = s.get(Membership, (user_id, workspace_id))
        if membership is None:
            raise not_found("Workspace")
        role = membership.role
    with system_session() as s:
        user = s.get_one(User, user_id)
        tenant = s.get_one(Tenant, workspace_id)
        user.last_tenant_id = workspace_id
        pair = _issue_pair(s, user_id, workspace_id, role, ip=ip, user_agent=ua)
        return _session_out(pair, user, tenant, role)


def _settings_out(tenant: Tenant) -> schemas.WorkspaceSettingsOut:
    from shared.messaging.webhooks import DEFAULT_REPLIES

    stored = tenant.settings or {}
    return schemas.WorkspaceSettingsOut(
        name=tenant.name,
        timezone=stored.get("timezone") or "UTC",
        quiet_hours=schemas.QuietHoursWindow.model_validate(
            stored.get("quiet_hours") or schemas.DEFAULT_QUIET_HOURS
        ),
        help_reply=stored.get("help_reply"),
        default_help_reply=DEFAULT_REPLIES["help"],
        smart_encoding=tenant.smart_encoding,
    )


def default_quiet_hours(tenant_id: uuid.UUID) -> dict[str, str]:
    """The send window a new campaign starts with (the workspace's, else 08:00-21:00)."""
    with tenant_session(tenant_id) as s:
        stored = s.scalar(select(Tenant.settings).where(Tenant.id == tenant_id)) or {}
    return dict(stored.get("quiet_hours") or schemas.DEFAULT_QUIET_HOURS)


def workspace_settings(principal: Principal) -> schemas.WorkspaceSettingsOut:
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        return _settings_out(s.get_one(Tenant, principal.tenant_id))


def update_workspace_settings(
    principal: Principal, patch: schemas.WorkspaceSettingsPatch
) -> schemas.WorkspaceSettingsOut:
    _require_role(principal, "admin")
    sent = patch.model_fields_set
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        tenant = s.get_one(Tenant, principal.tenant_id, with_for_update=True)
        if patch.smart_encoding is not None:
            tenant.smart_encoding = patch.smart_encoding
        if patch.name is not None:
            tenant.name = patch.name.strip() or tenant.name
        stored = dict(tenant.settings or {})
        if patch.timezone is not None:
            stored["timezone"] = patch.timezone
        if patch.quiet_hours is not None:
            stored["quiet_hours"] = patch.quiet_hours.model_dump()
        if "help_reply" in sent:
            if patch.help_reply and patch.help_reply.strip():
                stored["help_reply"] = patch.help_reply.strip()
            else:
                stored.pop("help_reply", None)
        if stored != (tenant.settings or {}):
            tenant.settings = stored  # a new dict: JSONB changes are seen by assignment
        s.flush()
        return _settings_out(tenant)


# --- the signed-in user's profile ------------------------------------------------------


def update_profile(principal: Principal, data: schemas.ProfilePatch) -> schemas.UserOut:
    user_id = _require_user(principal)
    name = data.name.strip()
    if not name:
        raise field_error("body.name", "Enter your name.", "blank")
    with system_session() as s:
        user = s.get_one(User, user_id)
        user.name = name
        s.flush()
        return _user_out(user)


def change_password(principal: Principal, data: schemas.PasswordChangeIn) -> None:
    """Checks the current password; every other session of the user ends (this one stays)."""
    user_id = _require_user(principal)
    with system_session() as s:
        user = s.get_one(User, user_id, with_for_update=True)
        if not verify_password(data.current_password, user.password_hash):
            raise field_error(
                "body.current_password", "This is not your current password.", "wrong_password"
            )
        _check_password(data.new_password, user.email, "body.new_password")
        user.password_hash = hash_password(data.new_password)
        user.password_changed_at = _now()
        others = RefreshToken.user_id == user_id
        if principal.session_id is not None:
            others = others & (RefreshToken.family_id != principal.session_id)
        families = set(
            s.scalars(
                select(RefreshToken.family_id).where(others, RefreshToken.revoked_at.is_(None))
            )
        )
        s.execute(
            update(RefreshToken)
            .where(others, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=_now())
        )
    for family_id in families:
        revocation.end_session(family_id)


# --- members and invitations ----------------------------------------------------------


def _require_role(principal: Principal, role: str) -> None:
    if not principal.at_least(role):
        raise forbidden(f"This needs the {role} role or higher.")


def list_members(principal: Principal) -> schemas.MemberList:
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        rows = s.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == principal.tenant_id)
            .order_by(Membership.created_at)
        ).all()
        return schemas.MemberList(
            data=[
                schemas.MemberOut(
                    user_id=u.id,
                    email=u.email,
                    name=u.name,
                    role=m.role,
                    joined_at=m.created_at,
                )
                for m, u in rows
            ]
        )


def _invitation_email(
    email: str, tenant_id: uuid.UUID, tenant_name: str, role: str, token: str
) -> uuid.UUID:
    link = f"{get_settings().app_base_url}/invitations/accept?token={token}"
    with system_session() as s:
        return queue_email(
            s,
            email,
            f"You are invited to {tenant_name}",
            f"You have been invited to join {tenant_name} as {role}.\n"
            f"Accept the invitation here:\n{link}\n",
            tenant_id=tenant_id,
        )


def invite(principal: Principal, data: schemas.InvitationIn) -> schemas.InvitationOut:
    _require_role(principal, "admin")
    if ROLE_RANK[data.role] > ROLE_RANK[principal.role]:
        raise forbidden("You cannot grant a role above your own.")
    settings = get_settings()
    token = new_secret("inv_")
    email = str(data.email)
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        already = s.scalar(
            select(func.count())
            .select_from(Membership)
            .join(User, User.id == Membership.user_id)
            .where(func.lower(User.email) == email.lower())
        )
        if already:
            raise conflict("This person is already a member.", "already-member")
        check_seats(s, principal.tenant_id)
        invitation = Invitation(
            tenant_id=principal.tenant_id,
            email=email,
            role=data.role,
            token_hash=digest(token),
            invited_by=principal.user_id,
            expires_at=_now() + timedelta(seconds=settings.email_token_ttl_seconds),
        )
        s.add(invitation)
        s.flush()
        s.refresh(invitation)
        tenant_name = s.get_one(Tenant, principal.tenant_id).name
        out = schemas.InvitationOut.model_validate(invitation)
    dispatch([_invitation_email(email, principal.tenant_id, tenant_name, data.role, token)])
    return out


def _pending(s: Session, invitation_id: uuid.UUID) -> Invitation:
    invitation = s.get(Invitation, invitation_id, with_for_update=True)
    if invitation is None or invitation.accepted_at is not None or invitation.revoked_at:
        raise not_found("Invitation")
    return invitation


def list_invitations(principal: Principal) -> schemas.InvitationList:
    """Pending invitations, newest first (an expired one is listed: it can be sent again)."""
    _require_role(principal, "admin")
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        rows = s.scalars(
            select(Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .order_by(Invitation.created_at.desc())
            .limit(500)
        )
        return schemas.InvitationList(data=[schemas.InvitationOut.model_validate(r) for r in rows])


def revoke_invitation(principal: Principal, invitation_id: uuid.UUID) -> None:
    """Its link stops working at once."""
    _require_role(principal, "admin")
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        _pending(s, invitation_id).revoked_at = _now()


def resend_invitation(principal: Principal, invitation_id: uuid.UUID) -> schemas.InvitationOut:
    """A new link (the old one stops working) valid for the full period again."""
    _require_role(principal, "admin")
    token = new_secret("inv_")
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        invitation = _pending(s, invitation_id)
        if ROLE_RANK[invitation.role] > ROLE_RANK[principal.role]:
            raise forbidden("You cannot grant a role above your own.")
        invitation.token_hash = digest(token)
        invitation.expires_at = _now() + timedelta(seconds=get_settings().email_token_ttl_seconds)
        s.flush()
        out = schemas.InvitationOut.model_validate(invitation)
        tenant_name = s.get_one(Tenant, principal.tenant_id).name
    dispatch([_invitation_email(out.email, principal.tenant_id, tenant_name, out.role, token)])
    return out


def accept_invitation(
    principal: Principal, token: str, ip: str | None = None, ua: str | None = None
) -> schemas.SessionOut:
    """The invitation (not the caller's token) names the workspace; its email must match."""
    user_id = _require_user(principal)
    with system_session() as s:
        invitation = s.scalar(
            select(Invitation).where(Invitation.token_hash == digest(token)).with_for_update()
        )
        if (
            invitation is None
            or invitation.accepted_at is not None
            or invitation.revoked_at is not None
            or invitation.expires_at <= _now()
        ):
            raise Problem(
                400,
                "invalid-token",
                "Invalid token",
                "This invitation is invalid, used or expired.",
            )
        user = s.get_one(User, user_id)
        if user.email.lower() != invitation.email.lower():
            raise forbidden("This invitation was sent to another email address.")
        invitation.accepted_at = _now()
        tenant_id, role = invitation.tenant_id, invitation.role
        if s.get(Membership, (user_id, tenant_id)) is None:
            s.add(Membership(tenant_id=tenant_id, user_id=user_id, role=role))
        else:
            role = s.get_one(Membership, (user_id, tenant_id)).role
        s.flush()
        user.last_tenant_id = tenant_id
        pair = _issue_pair(s, user_id, tenant_id, role, ip=ip, user_agent=ua)
        return _session_out(pair, user, s.get_one(Tenant, tenant_id), role)


def _lock_owners(s: Session, tenant_id: uuid.UUID) -> list[Membership]:
    """Lock the owner rows so two concurrent demotions cannot both pass the last-owner check."""
    return list(
        s.scalars(
            select(Membership)
            .where(Membership.tenant_id == tenant_id, Membership.role == "owner")
            .with_for_update()
        )
    )


def change_role(principal: Principal, user_id: uuid.UUID, role: str) -> schemas.MemberOut:
    _require_role(principal, "admin")
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        owners = _lock_owners(s, principal.tenant_id)
        membership = s.get(Membership, (user_id, principal.tenant_id), with_for_update=True)
        if membership is None:
            raise not_found("Member")
        touches_owner = membership.role == "owner" or role == "owner"
        if touches_owner and principal.role != "owner":
            raise forbidden("Only an owner can grant or change the owner role.")
        if membership.role == "owner" and role != "owner" and len(owners) <= 1:
            raise conflict("The last owner cannot be demoted.", "last-owner")
        membership.role = role
        user = s.get_one(User, user_id)
        # Tokens carry the role: the old ones end, a refresh gets the new role.
        revocation.end_user_tokens(user_id, principal.tenant_id)
        return schemas.MemberOut(
            user_id=user.id,
            email=user.email,
            name=user.name,
            role=role,
            joined_at=membership.created_at,
        )


def remove_member(principal: Principal, user_id: uuid.UUID) -> None:
    leaving_self = principal.user_id == user_id
    if not leaving_self:
        _require_role(principal, "admin")
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        owners = _lock_owners(s, principal.tenant_id)
        membership = s.get(Membership, (user_id, principal.tenant_id), with_for_update=True)
        if membership is None:
            raise not_found("Member")
        if membership.role == "owner":
            if not leaving_self and principal.role != "owner":
                raise forbidden("Only an owner can remove an owner.")
            if len(owners) <= 1:
                raise conflict("The last owner cannot be removed.", "last-owner")
        s.delete(membership)
    # Their sessions in this workspace end now, access tokens included.
    revocation.end_user_tokens(user_id, principal.tenant_id)
    with system_session() as s:
        s.execute(
            update(RefreshToken)
            .where(
                RefreshToken.user_id == user_id,
                RefreshToken.tenant_id == principal.tenant_id,
                RefreshToken.revoked_at.is_(None),
            )
            .values(revoked_at=_now())
        )


# --- API keys -------------------------------------------------------------------------


def list_api_keys(principal: Principal) -> schemas.ApiKeyList:
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        rows = s.scalars(
            select(ApiKey).where(ApiKey.revoked_at.is_(None)).order_by(ApiKey.created_at.desc())
        )
        return schemas.ApiKeyList(data=[schemas.ApiKeyOut.model_validate(r) for r in rows])


def create_api_key(principal: Principal, data: schemas.ApiKeyIn) -> schemas.ApiKeyCreated:
    _require_role(principal, "admin")
    if ROLE_RANK[data.role] > ROLE_RANK[principal.role]:
        raise forbidden("You cannot create a key with a role above your own.")
    body = new_secret("", 30).replace("-", "A").replace("_", "z")
    secret = API_KEY_PREFIX + body
    cap = get_settings().api_keys_per_workspace
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        # The workspace row is the lock: two creations cannot both pass the count.
        s.execute(select(Tenant.id).where(Tenant.id == principal.tenant_id).with_for_update())
        active = s.scalar(
            select(func.count()).select_from(ApiKey).where(ApiKey.revoked_at.is_(None))
        )
        if (active or 0) >= cap:
            raise conflict(
                f"A workspace holds at most {cap} active API keys; revoke one first.",
                "api-key-limit",
            )
        key = ApiKey(
            tenant_id=principal.tenant_id,
            name=data.name,
            prefix=secret[: len(API_KEY_PREFIX) + 8],
            secret_hash=digest(secret),
            role=data.role,
            created_by=principal.user_id,
        )
        s.add(key)
        s.flush()
        s.refresh(key)
        return schemas.ApiKeyCreated(
            **schemas.ApiKeyOut.model_validate(key).model_dump(), secret=secret
        )


def revoke_api_key(principal: Principal, key_id: uuid.UUID) -> None:
    _require_role(principal, "admin")
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        key = s.get(ApiKey, key_id)
        if key is None or key.revoked_at is not None:
            raise not_found("API key")
        key.revoked_at = _now()


def authenticate_api_key(secret: str) -> Principal | None:
    if not secret.startswith(API_KEY_PREFIX) or len(secret) < len(API_KEY_PREFIX) + 16:
        return None
    with system_session() as s:
        key = s.scalar(select(ApiKey).where(ApiKey.prefix == secret[: len(API_KEY_PREFIX) + 8]))
        if key is None or key.revoked_at is not None or not same_digest(secret, key.secret_hash):
            return None
        return Principal(tenant_id=key.tenant_id, role=key.role, api_key_id=key.id)


_KEY_USE_RECORDED: dict[uuid.UUID, float] = {}  # key -> monotonic time of the last write


def record_api_key_use(key_id: uuid.UUID) -> None:
    """`last_used_at` of a key whose call was allowed; written at most once a minute
    (per process, and in the database), not on every request."""
    now = time.monotonic()
    if now - _KEY_USE_RECORDED.get(key_id, -60.0) < 60:
        return
    _KEY_USE_RECORDED[key_id] = now
    with system_session() as s:
        s.execute(
            update(ApiKey)
            .where(
                ApiKey.id == key_id,
                (ApiKey.last_used_at.is_(None))
                | (ApiKey.last_used_at < func.now() - timedelta(minutes=1)),
            )
            .values(last_used_at=func.now())
        )
