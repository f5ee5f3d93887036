"""The one declaration of every Cloud Function.

From this list are derived, never written twice: the local gateway (which function serves
which path), the OpenAPI document (with the handlers' type hints), and the Terraform
inputs (`infra/functions.auto.tfvars.json`). Tests fail when they disagree.

This module is plain data and imports nothing heavy: every function imports it at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    HTTP = "http"  # API routes and provider webhooks
    EVENT = "event"  # a Pub/Sub topic's consumer (push subscription)
    TASK = "task"  # the target of a Cloud Tasks queue


class Auth(StrEnum):
    NONE = "none"
    USER = "user"  # access token (JWT) or API key
    TWILIO_SIGNATURE = "twilio_signature"
    STRIPE_SIGNATURE = "stripe_signature"
    OIDC = "oidc"  # Pub/Sub push or Cloud Tasks, with a Google-signed OIDC token


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # OpenAPI-style template: /v1/contacts/{contact_id}
    operation: str  # the handler's name in the function module; also the operationId
    summary: str
    status: int = 200
    auth: Auth | None = None  # overrides the function's auth for this route
    min_role: str = "member"  # owner > admin > member, for user-authenticated routes
    # A provider called while the request waits (twilio, anthropic, stripe): its failures
    # answer 502/503, which the OpenAPI document then lists.
    provider: str | None = None
    # Conditional GETs: the answer carries a strong `ETag` (a hash of its body) and an
    # `If-None-Match` that still matches is a bodiless 304 (consoles polling live numbers).
    etag: bool = False


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    module: str
    kind: Kind
    auth: Auth
    description: str
    routes: tuple[Route, ...] = ()
    topic: str | None = None
    also_topics: tuple[str, ...] = ()  # an event function may consume several topics
    queue: str | None = None
    memory: str = "256Mi"
    cpu: str = "0.167"
    timeout_seconds: int = 60
    min_instances: int = 0
    max_instances: int = 100
    tag: str | None = None  # OpenAPI tag; defaults to the function's name

    @property
    def entry_point(self) -> str:
        return self.name.replace("-", "_")

    @property
    def public(self) -> bool:
        """Reachable from the internet (it authenticates callers itself)."""
        return self.kind is Kind.HTTP and self.auth is not Auth.OIDC

    def route_auth(self, route: Route) -> Auth:
        return route.auth or self.auth

    @property
    def topics(self) -> tuple[str, ...]:
        """Every topic an event function consumes (one subscription each)."""
        return ((self.topic,) if self.topic else ()) + self.also_topics


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="meta",
        module="functions.meta",
        kind=Kind.HTTP,
        auth=Auth.NONE,
        description="Health of the platform's dependencies and the OpenAPI document.",
        routes=(
            Route("GET", "/health", "health", "Health of the database, Redis and the queue"),
            Route("GET", "/openapi.json", "openapi_document", "The OpenAPI 3.1 document"),
            Route("GET", "/docs/{guide}", "guide_page", "A guide: template-variables, segments"),
        ),
        timeout_seconds=30,
        max_instances=10,
    ),
    FunctionSpec(
        name="auth",
        module="functions.auth",
        kind=Kind.HTTP,
        auth=Auth.NONE,
        description="Sign up, log in, token refresh and logout, email verification, passwords.",
        routes=(
            Route("POST", "/v1/auth/signup", "signup", "Create an account and a workspace", 202),
            Route("POST", "/v1/auth/login", "login", "Log in to the last-used workspace"),
            Route("POST", "/v1/auth/refresh", "refresh", "Rotate a refresh token for a new pair"),
            Route(
                "POST",
                "/v1/auth/logout",
                "logout",
                "Revoke a session (refresh token family)",
                status=204,
                auth=Auth.USER,
            ),
            Route(
                "POST",
                "/v1/auth/verify-email/request",
                "request_email_verification",
                "Send a new email verification link",
                status=202,
                auth=Auth.USER,
            ),
            Route("POST", "/v1/auth/verify-email", "verify_email", "Confirm an email address"),
            Route(
                "POST",
                "/v1/auth/password/forgot",
                "forgot_password",
                "Email a password reset link (always 202)",
                status=202,
            ),
            Route(
                "POST",
                "/v1/auth/password/reset",
                "reset_password",
                "Set a new password with a reset link (ends every session)",
            ),
        ),
    ),
    FunctionSpec(
        name="workspaces",
        module="functions.workspaces",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="The signed-in user, their workspaces, the switcher and workspace settings.",
        routes=(
            Route("GET", "/v1/me", "get_me", "The caller, current workspace, role, memberships"),
            Route("PATCH", "/v1/me", "update_me", "Change the signed-in user's name"),
            Route(
                "POST",
                "/v1/me/password",
                "change_password",
                "Change the password (ends the user's other sessions)",
                status=204,
            ),
            Route("GET", "/v1/workspaces", "list_workspaces", "Workspaces the caller belongs to"),
            Route("POST", "/v1/workspaces", "create_workspace", "Create a workspace", 201),
            Route(
                "POST",
                "/v1/workspaces/{workspace_id}/switch",
                "switch_workspace",
                "Tokens scoped to another of the caller's workspaces",
            ),
            Route(
                "GET",
                "/v1/workspace/settings",
                "get_workspace_settings",
                "Settings of the current workspace",
            ),
            Route(
                "PATCH",
                "/v1/workspace/settings",
                "update_workspace_settings",
                "Change settings of the current workspace",
                min_role="admin",
            ),
        ),
    ),
    FunctionSpec(
        name="members",
        module="functions.members",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="Members of the workspace, their roles, and invitations.",
        routes=(
            Route("GET", "/v1/members", "list_members", "Members of the workspace"),
            Route(
                "POST",
                "/v1/members/invitations",
                "invite_member",
                "Invite someone by email",
                201,
                min_role="admin",
            ),
            Route(
                "GET",
                "/v1/members/invitations",
                "list_invitations",
                "Pending invitations",
                min_role="admin",
            ),
            Route(
                "DELETE",
                "/v1/members/invitations/{invitation_id}",
                "revoke_invitation",
                "Revoke a pending invitation",
                status=204,
                min_role="admin",
            ),
            Route(
                "POST",
                "/v1/members/invitations/{invitation_id}/resend",
                "resend_invitation",
                "Email a new link for a pending invitation",
                min_role="admin",
            ),
            Route(
                "POST",
                "/v1/invitations/accept",
                "accept_invitation",
                "Join the workspace of an invitation",
            ),
            Route(
                "PATCH",
                "/v1/members/{user_id}",
                "change_member_role",
                "Change a member's role",
                min_role="admin",
            ),
            Route(
                "DELETE",
                "/v1/members/{user_id}",
                "remove_member",
                "Remove a member (or leave)",
                status=204,
            ),
        ),
    ),
    FunctionSpec(
        name="api-keys",
        module="functions.api_keys",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="API keys: authenticate as the workspace with a role (`Bearer sk_live_...`).",
        routes=(
            Route(
                "GET",
                "/v1/api-keys",
                "list_api_keys",
                "API keys of the workspace",
                min_role="admin",
            ),
            Route(
                "POST",
                "/v1/api-keys",
                "create_api_key",
                "Create a key (secret shown once)",
                201,
                min_role="admin",
            ),
            Route(
                "DELETE",
                "/v1/api-keys/{key_id}",
                "revoke_api_key",
                "Revoke a key",
                status=204,
                min_role="admin",
            ),
        ),
    ),
    FunctionSpec(
        name="emails",
        module="functions.emails",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description=(
            "The workspace's outgoing mail (invitations, notices, its members' verification and "
            "reset mail): status, attempts, why it failed; a dead-lettered mail can be resent."
        ),
        routes=(
            Route(
                "GET",
                "/v1/emails",
                "list_emails",
                "Outgoing mail of the workspace (`status=failed`: dead letters)",
                min_role="admin",
            ),
            Route(
                "POST",
                "/v1/emails/{email_id}/resend",
                "resend_email",
                "Send a dead-lettered email again",
                min_role="admin",
            ),
        ),
    ),
    FunctionSpec(
        name="email-sender",
        module="functions.email_sender",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Sends one email of the outbox over SMTP.",
        queue="email",
        timeout_seconds=60,
        max_instances=10,
    ),
    FunctionSpec(
        name="contacts",
        module="functions.contacts",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="Contacts with custom fields and tags; opt-out state and consent events.",
        routes=(
            Route("GET", "/v1/contacts", "list_contacts", "List contacts (cursor paged, filters)"),
            Route("POST", "/v1/contacts", "create_contact", "Create a contact", 201),
            Route("GET", "/v1/contacts/{contact_id}", "get_contact", "Get a contact"),
            Route("PATCH", "/v1/contacts/{contact_id}", "update_contact", "Update a contact"),
            Route(
                "DELETE",
                "/v1/contacts/{contact_id}",
                "delete_contact",
                "Erase a contact's personal data (its opt-out is kept)",
                status=204,
            ),
            Route(
                "POST",
                "/v1/contacts/{contact_id}/opt-out",
                "opt_out_contact",
                "Opt a contact out (recorded as a consent event)",
            ),
            Route(
                "POST",
                "/v1/contacts/{contact_id}/opt-in",
                "opt_in_contact",
                "Opt a contact back in (recorded as a consent event)",
            ),
            Route(
                "GET",
                "/v1/contacts/{contact_id}/consent-events",
                "contact_consent_events",
                "The contact's opt-outs and opt-ins with their source (newest first)",
            ),
            Route("POST", "/v1/contacts/{contact_id}/tags", "add_contact_tags", "Add tags"),
            Route(
                "DELETE",
                "/v1/contacts/{contact_id}/tags/{tag}",
                "remove_contact_tag",
                "Remove a tag",
                status=204,
            ),
            Route(
                "POST",
                "/v1/contacts/bulk",
                "bulk_contacts",
                "Tag, untag or delete many contacts (ids or a segment)",
            ),
            Route("GET", "/v1/tags", "list_tags", "Tags of the workspace with their counts"),
            Route(
                "GET",
                "/v1/consent-events",
                "list_consent_events",
                "The consent log: opt-outs and opt-ins (paged)",
            ),
            Route(
                "GET",
                "/v1/consent-events/export.csv",
                "export_consent_events",
                "The consent log as CSV",
            ),
            Route(
                "GET",
                "/v1/compliance/keywords",
                "opt_out_keywords",
                "The opt-out, opt-in and HELP keywords in force",
            ),
        ),
    ),
    FunctionSpec(
        name="segments",
        module="functions.segments",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="Saved audiences: filter trees over contacts compiled to one SQL query.",
        routes=(
            Route("GET", "/v1/segments", "list_segments", "List segments"),
            Route("POST", "/v1/segments", "create_segment", "Create a segment", 201),
            Route(
                "POST",
                "/v1/segments/count",
                "count_filter",
                "Number of contacts a filter matches now (a segment being built; not saved)",
            ),
            Route("GET", "/v1/segments/{segment_id}", "get_segment", "Get a segment"),
            Route("PATCH", "/v1/segments/{segment_id}", "update_segment", "Update a segment"),
            Route(
                "DELETE",
                "/v1/segments/{segment_id}",
                "delete_segment",
                "Delete a segment",
                status=204,
            ),
            Route(
                "GET",
                "/v1/segments/{segment_id}/contacts",
                "segment_contacts",
                "Contacts in the segment (paged preview)",
            ),
            Route(
                "GET",
                "/v1/segments/{segment_id}/count",
                "segment_count",
                "Number of contacts in the segment",
            ),
        ),
    ),
    FunctionSpec(
        name="contact-imports",
        module="functions.contact_imports",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="CSV imports of contacts, run as queued jobs.",
        routes=(
            Route("GET", "/v1/contacts/imports", "list_imports", "Import jobs of the workspace"),
            Route(
                "POST",
                "/v1/contacts/imports",
                "create_import",
                "Start an import from a CSV upload or a gs:// URI",
                status=202,
            ),
            Route("GET", "/v1/contacts/imports/{import_id}", "get_import", "An import's progress"),
            Route(
                "GET",
                "/v1/contacts/imports/{import_id}/errors.csv",
                "import_errors_csv",
                "Rows that could not be imported, as CSV",
            ),
        ),
        memory="512Mi",
    ),
    FunctionSpec(
        name="contact-import-worker",
        module="functions.contact_import_worker",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Runs a contact import job in committed chunks (resumable).",
        queue="contact-imports",
        memory="1Gi",
        cpu="1",
        timeout_seconds=540,
        max_instances=10,
    ),
    FunctionSpec(
        name="twilio-config",
        module="functions.twilio_config",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="The workspace's Twilio account (auth token encrypted at rest).",
        tag="messaging",
        routes=(
            Route("GET", "/v1/twilio/config", "get_twilio_config", "The connected account, masked"),
            Route(
                "PUT",
                "/v1/twilio/config",
                "put_twilio_config",
                "Connect a Twilio account (checked with Twilio first)",
                min_role="admin",
                provider="twilio",
            ),
            Route(
                "DELETE",
                "/v1/twilio/config",
                "delete_twilio_config",
                "Disconnect the Twilio account",
                status=204,
                min_role="admin",
            ),
        ),
    ),
    FunctionSpec(
        name="numbers",
        module="functions.numbers",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="Phone numbers (DIDs): import, search, buy, pause, release; each has a rate.",
        tag="messaging",
        routes=(
            Route("GET", "/v1/numbers", "list_numbers", "Numbers of the workspace"),
            Route(
                "POST",
                "/v1/numbers/import",
                "import_numbers",
                "Import every SMS-capable number of the connected account",
                min_role="admin",
                provider="twilio",
            ),
            Route(
                "GET",
                "/v1/numbers/available",
                "available_numbers",
                "Numbers available to buy",
                provider="twilio",
            ),
            Route(
                "POST",
                "/v1/numbers/purchase",
                "purchase_number",
                "Buy a number (its webhooks point here)",
                201,
                min_role="admin",
                provider="twilio",
            ),
            Route("GET", "/v1/numbers/{number_id}", "get_number", "A number"),
            Route(
                "PATCH",
                "/v1/numbers/{number_id}",
                "update_number",
                "Pause or resume a number, or change its rate",
                min_role="admin",
            ),
            Route(
                "DELETE",
                "/v1/numbers/{number_id}",
                "release_number",
                "Release a number at the provider",
                status=204,
                min_role="admin",
                provider="twilio",
            ),
        ),
    ),
    FunctionSpec(
        name="number-pools",
        module="functions.number_pools",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="Pools of numbers that campaigns rotate over.",
        tag="messaging",
        routes=(
            Route("GET", "/v1/number-pools", "list_pools", "Pools of the workspace"),
            Route("POST", "/v1/number-pools", "create_pool", "Create a pool", 201),
            Route("GET", "/v1/number-pools/{pool_id}", "get_pool", "A pool"),
            Route("PATCH", "/v1/number-pools/{pool_id}", "update_pool", "Update a pool"),
            Route(
                "DELETE",
                "/v1/number-pools/{pool_id}",
                "delete_pool",
                "Delete a pool",
                status=204,
            ),
            Route(
                "PUT",
                "/v1/number-pools/{pool_id}/numbers",
                "set_pool_numbers",
                "Set the numbers of a pool (a number may be in several pools)",
            ),
        ),
    ),
    FunctionSpec(
        name="messages",
        module="functions.messages",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="Send one message now; list and inspect messages with their states.",
        tag="messaging",
        routes=(
            Route("POST", "/v1/messages", "send_message", "Send one message now", 201),
            Route("GET", "/v1/messages", "list_messages", "Messages (paged, filtered)"),
            Route("GET", "/v1/messages/{message_id}", "get_message", "A message and its states"),
        ),
    ),
    FunctionSpec(
        name="twilio-webhooks",
        module="functions.twilio_webhooks",
        kind=Kind.HTTP,
        auth=Auth.TWILIO_SIGNATURE,
        description="Twilio's status callbacks and inbound messages (X-Twilio-Signature).",
        tag="webhooks",
        routes=(
            Route("POST", "/webhooks/twilio/inbound", "twilio_inbound", "An inbound message"),
            Route("POST", "/webhooks/twilio/status", "twilio_status", "A delivery status update"),
        ),
        min_instances=1,
    ),
    FunctionSpec(
        name="simulator",
        module="functions.simulator",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="The SMS simulator of the local default: inject a contact's reply.",
        tag="messaging",
        routes=(
            Route(
                "POST",
                "/v1/simulator/inbound",
                "simulate_inbound",
                "Inject an inbound message to one of the workspace's simulated numbers",
            ),
        ),
        max_instances=2,
    ),
    FunctionSpec(
        name="send-worker",
        module="functions.send_worker",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Delivers one queued message (claims it, calls the provider, records).",
        queue="sends",
        timeout_seconds=60,
    ),
    FunctionSpec(
        name="simulator-callbacks",
        module="functions.simulator_callbacks",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Posts the simulator's signed status callbacks to the webhook route.",
        queue="simulator",
        max_instances=2,
    ),
    FunctionSpec(
        name="campaigns",
        module="functions.campaigns",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="Campaigns: audience, message, pool, schedule, quiet hours; launch, control.",
        routes=(
            Route("GET", "/v1/campaigns", "list_campaigns", "Campaigns (paged)"),
            Route("POST", "/v1/campaigns", "create_campaign", "Create a draft campaign", 201),
            Route(
                "POST",
                "/v1/campaigns/audience-count",
                "campaign_audience_count",
                "Count an audience before saving it (the wizard's live count)",
            ),
            Route("GET", "/v1/campaigns/{campaign_id}", "get_campaign", "A campaign", etag=True),
            Route(
                "PATCH",
                "/v1/campaigns/{campaign_id}",
                "update_campaign",
                "Edit (draft or scheduled only)",
            ),
            Route(
                "DELETE",
                "/v1/campaigns/{campaign_id}",
                "delete_campaign",
                "Delete a campaign that is not active",
                status=204,
            ),
            Route(
                "POST",
                "/v1/campaigns/{campaign_id}/launch",
                "launch_campaign",
                "Freeze the audience and start (or schedule for send_at)",
            ),
            Route(
                "POST",
                "/v1/campaigns/{campaign_id}/pause",
                "pause_campaign",
                "Stop new sends within a second",
            ),
            Route(
                "POST",
                "/v1/campaigns/{campaign_id}/resume",
                "resume_campaign",
                "Continue without resending anyone",
            ),
            Route(
                "POST", "/v1/campaigns/{campaign_id}/cancel", "cancel_campaign", "Drop what is left"
            ),
            Route(
                "GET",
                "/v1/campaigns/{campaign_id}/stats",
                "campaign_stats",
                "Progress, outcomes and cost",
                etag=True,
            ),
            Route(
                "GET",
                "/v1/campaigns/{campaign_id}/messages",
                "campaign_messages",
                "Messages of the campaign",
            ),
            Route(
                "POST",
                "/v1/campaigns/{campaign_id}/preview",
                "preview_campaign",
                "Render for sample contacts; segments, encoding, duration at pool capacity",
            ),
        ),
    ),
    FunctionSpec(
        name="campaign-fanout",
        module="functions.campaign_fanout",
        kind=Kind.EVENT,
        auth=Auth.OIDC,
        description="Slices a launched campaign's audience into batches, scheduled at its pace.",
        topic="campaign.launched",
        memory="512Mi",
        timeout_seconds=540,
    ),
    FunctionSpec(
        name="campaign-sender",
        module="functions.campaign_sender",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Sends one batch: suppression, render, DID, rate slots, provider, state.",
        queue="campaign-batches",
        memory="512Mi",
        cpu="1",
        timeout_seconds=300,
        max_instances=50,
    ),
    FunctionSpec(
        name="campaign-launcher",
        module="functions.campaign_launcher",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Starts a scheduled campaign at its send_at.",
        queue="campaign-launch",
    ),
    FunctionSpec(
        name="conversations",
        module="functions.conversations",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="The inbox: one conversation per contact; assignment, unread, snooze, replies.",
        routes=(
            Route("GET", "/v1/conversations", "list_conversations", "Conversations, newest first"),
            Route(
                "GET",
                "/v1/conversations/counts",
                "conversation_counts",
                "Open, unread, mine, unassigned, snoozed, closed and per-stage counts",
            ),
            Route(
                "GET",
                "/v1/conversations/changes",
                "conversation_changes",
                "What changed since a cursor (ETag, 304 when nothing did): live inboxes",
            ),
            Route(
                "GET", "/v1/conversations/{conversation_id}", "get_conversation", "A conversation"
            ),
            Route(
                "PATCH",
                "/v1/conversations/{conversation_id}",
                "update_conversation",
                "Status, assignee, snooze, AI mode",
            ),
            Route(
                "POST",
                "/v1/conversations/{conversation_id}/read",
                "mark_conversation_read",
                "Mark read for the caller",
            ),
            Route(
                "DELETE",
                "/v1/conversations/{conversation_id}/read",
                "mark_conversation_unread",
                "Mark unread for the caller",
            ),
            Route(
                "GET",
                "/v1/conversations/{conversation_id}/lead",
                "get_conversation_lead",
                "The lead: stage, qualification fields and their history",
            ),
            Route(
                "PUT",
                "/v1/conversations/{conversation_id}/lead",
                "set_conversation_lead",
                "Set the lead stage and qualification fields (agent)",
            ),
            Route(
                "POST",
                "/v1/conversations/{conversation_id}/messages/preview",
                "preview_reply",
                "Preview a reply: rendered text, encoding and segments (nothing sent)",
            ),
            Route(
                "GET",
                "/v1/conversations/{conversation_id}/messages",
                "conversation_messages",
                "Messages of a conversation (paged)",
            ),
            Route(
                "POST",
                "/v1/conversations/{conversation_id}/messages",
                "reply_in_conversation",
                "Reply (same number as the thread; refused for opted-out contacts)",
                201,
            ),
        ),
    ),
    FunctionSpec(
        name="dashboard",
        module="functions.dashboard",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="The console's overview (one aggregate query per route) and onboarding.",
        routes=(
            Route(
                "GET",
                "/v1/dashboard/activity",
                "dashboard_activity",
                "Sent, delivered, failed, replies and opt-outs over time; spend estimate",
            ),
            Route(
                "GET",
                "/v1/dashboard/campaigns",
                "dashboard_campaigns",
                "Scheduled, running and paused campaigns with their progress",
            ),
            Route(
                "GET",
                "/v1/onboarding",
                "get_onboarding",
                "The first-steps checklist, ticked from the workspace's data",
            ),
        ),
    ),
    FunctionSpec(
        name="conversation-snoozer",
        module="functions.conversation_snoozer",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Reopens a snoozed conversation when its time comes.",
        queue="snoozes",
    ),
    FunctionSpec(
        name="templates",
        module="functions.templates",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="Message templates with immutable versions; rendering preview.",
        routes=(
            Route("GET", "/v1/templates", "list_templates", "Templates"),
            Route("POST", "/v1/templates", "create_template", "Create a template", 201),
            Route(
                "POST",
                "/v1/templates/preview",
                "preview_template_draft",
                "Segments and encoding of an unsaved body (the editor as one types)",
            ),
            Route(
                "GET",
                "/v1/templates/{template_id}",
                "get_template",
                "A template and its current version",
            ),
            Route(
                "PATCH",
                "/v1/templates/{template_id}",
                "update_template",
                "Rename, or change the body (new version)",
            ),
            Route(
                "DELETE",
                "/v1/templates/{template_id}",
                "delete_template",
                "Delete a template",
                status=204,
            ),
            Route(
                "GET",
                "/v1/templates/{template_id}/versions",
                "template_versions",
                "Every version of a template",
            ),
            Route(
                "POST",
                "/v1/templates/{template_id}/preview",
                "preview_template",
                "Render for a contact or sample values; segments and encoding",
            ),
        ),
    ),
    FunctionSpec(
        name="ai",
        module="functions.ai",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="The AI reply engine (Claude): configuration, usage, drafts, suggestions.",
        routes=(
            Route("GET", "/v1/ai/config", "get_ai_config", "The workspace's AI configuration"),
            Route(
                "PUT", "/v1/ai/config", "put_ai_config", "Configure the AI engine", min_role="admin"
            ),
            Route(
                "POST",
                "/v1/ai/try",
                "try_ai_reply",
                "Draft a reply to a sample message (nothing saved or sent)",
                min_role="admin",
                provider="anthropic",
            ),
            Route("GET", "/v1/ai/usage", "ai_usage", "Token usage of the workspace"),
            Route(
                "GET",
                "/v1/conversations/{conversation_id}/ai/draft",
                "get_ai_draft",
                "The AI's draft reply",
            ),
            Route(
                "POST",
                "/v1/conversations/{conversation_id}/ai/draft/send",
                "send_ai_draft",
                "Send the draft (edited or not)",
            ),
            Route(
                "DELETE",
                "/v1/conversations/{conversation_id}/ai/draft",
                "discard_ai_draft",
                "Discard the draft",
                status=204,
            ),
            Route(
                "POST",
                "/v1/conversations/{conversation_id}/ai/suggest",
                "suggest_ai_reply",
                "Draft a reply now",
                provider="anthropic",
            ),
        ),
    ),
    FunctionSpec(
        name="ai-responder",
        module="functions.ai_responder",
        kind=Kind.EVENT,
        auth=Auth.OIDC,
        description="On message.received: schedules one debounced AI reply per conversation.",
        topic="message.received",
    ),
    FunctionSpec(
        name="ai-reply-worker",
        module="functions.ai_reply_worker",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Builds the prompt, calls Claude, stores qualification, drafts or sends.",
        queue="ai-replies",
        memory="512Mi",
        timeout_seconds=120,
    ),
    FunctionSpec(
        name="billing",
        module="functions.billing",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description="Plans, usage and invoices; Stripe Checkout and the customer portal.",
        routes=(
            Route(
                "GET",
                "/v1/billing",
                "get_billing",
                "Plan, subscription, usage against the plan, upcoming invoice",
                min_role="admin",
            ),
            Route(
                "POST",
                "/v1/billing/checkout",
                "create_checkout",
                "A Checkout Session URL to subscribe to a plan",
                min_role="admin",
            ),
            Route(
                "POST",
                "/v1/billing/portal",
                "create_portal",
                "A customer portal URL (payment method, plan change, cancel)",
                min_role="admin",
            ),
            Route(
                "GET",
                "/v1/billing/invoices",
                "list_invoices",
                "Invoices (number, period, amount, status, links)",
                min_role="admin",
            ),
            Route(
                "GET",
                "/v1/billing/usage",
                "billing_usage",
                "Daily segments (SMS, MMS) and AI tokens",
                min_role="admin",
            ),
        ),
    ),
    FunctionSpec(
        name="stripe-webhooks",
        module="functions.stripe_webhooks",
        kind=Kind.HTTP,
        auth=Auth.STRIPE_SIGNATURE,
        description="Stripe's events (Stripe-Signature on the raw body); state re-read.",
        tag="webhooks",
        routes=(Route("POST", "/webhooks/stripe", "stripe_webhook", "A Stripe event"),),
        max_instances=20,
    ),
    FunctionSpec(
        name="billing-meter",
        module="functions.billing_meter",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Pushes a workspace's usage to Stripe Billing Meters (deduplicated batches).",
        queue="billing-meter",
        max_instances=10,
    ),
    FunctionSpec(
        name="billing-reconciler",
        module="functions.billing_reconciler",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Hourly: pushes usage left behind, reports drift against Stripe's meters.",
        queue="billing-maintenance",
        timeout_seconds=540,
        max_instances=1,
    ),
    FunctionSpec(
        name="reconciler",
        module="functions.reconciler",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Reconciles messages stuck in `sending` with the provider (run every minute).",
        queue="maintenance",
        timeout_seconds=300,
        max_instances=1,
    ),
    FunctionSpec(
        name="webhook-endpoints",
        module="functions.webhook_endpoints",
        kind=Kind.HTTP,
        auth=Auth.USER,
        description=(
            "Outgoing webhooks (Standard Webhooks): endpoints, signing secrets, the event "
            "catalogue, the delivery log, replay and test pings."
        ),
        routes=(
            Route(
                "GET", "/v1/webhook-events", "list_webhook_event_types", "Event types and schemas"
            ),
            Route("GET", "/v1/webhook-endpoints", "list_webhook_endpoints", "Webhook endpoints"),
            Route(
                "POST",
                "/v1/webhook-endpoints",
                "create_webhook_endpoint",
                "Create an endpoint (its secret is shown once)",
                201,
                min_role="admin",
            ),
            Route(
                "GET",
                "/v1/webhook-endpoints/{endpoint_id}",
                "get_webhook_endpoint",
                "A webhook endpoint",
            ),
            Route(
                "PATCH",
                "/v1/webhook-endpoints/{endpoint_id}",
                "update_webhook_endpoint",
                "Change the URL, description, event types, or enable / disable",
                min_role="admin",
            ),
            Route(
                "DELETE",
                "/v1/webhook-endpoints/{endpoint_id}",
                "delete_webhook_endpoint",
                "Delete an endpoint and its delivery log",
                status=204,
                min_role="admin",
            ),
            Route(
                "POST",
                "/v1/webhook-endpoints/{endpoint_id}/rotate-secret",
                "rotate_webhook_secret",
                "A new secret (shown once); the old one keeps signing for 24 hours",
                min_role="admin",
            ),
            Route(
                "GET",
                "/v1/webhook-endpoints/{endpoint_id}/deliveries",
                "list_webhook_deliveries",
                "Deliveries with their attempts (paged, filtered)",
            ),
            Route(
                "GET",
                "/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}",
                "get_webhook_delivery",
                "A delivery with its payload and attempts",
            ),
            Route(
                "POST",
                "/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay",
                "replay_webhook_delivery",
                "Send a delivery again now (same webhook-id)",
                status=202,
                min_role="admin",
            ),
            Route(
                "POST",
                "/v1/webhook-endpoints/{endpoint_id}/test",
                "send_webhook_test",
                "Send a `ping` event to the endpoint",
                status=202,
                min_role="admin",
            ),
        ),
    ),
    FunctionSpec(
        name="webhook-fanout",
        module="functions.webhook_fanout",
        kind=Kind.EVENT,
        auth=Auth.OIDC,
        description="Turns internal events into public ones: a delivery per matching endpoint.",
        # The internal topics the public event catalogue (shared/webhooks/catalogue.py)
        # maps; a test keeps the two in agreement.
        topic="message.status",
        also_topics=(
            "message.received",
            "contact.opted_out",
            "contact.opted_in",
            "conversation.updated",
            "campaign.launched",
            "campaign.paused",
            "campaign.completed",
            "number.health_changed",
            "lead.qualified",
            "import.finished",
            "billing.updated",
            "billing.usage_warning",
            "endpoint.disabled",
        ),
    ),
    FunctionSpec(
        name="webhook-sender",
        module="functions.webhook_sender",
        kind=Kind.TASK,
        auth=Auth.OIDC,
        description="Makes one signed attempt of a webhook delivery (SSRF-checked, 15 s).",
        queue="webhooks",
        timeout_seconds=60,
    ),
)


def by_name(name: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def http_functions() -> list[FunctionSpec]:
    return [f for f in FUNCTIONS if f.kind is Kind.HTTP]


def consumers_of(topic: str) -> list[FunctionSpec]:
    return [f for f in FUNCTIONS if f.kind is Kind.EVENT and topic in f.topics]


def task_target(queue: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.kind is Kind.TASK and spec.queue == queue:
            return spec
    raise KeyError(queue)
