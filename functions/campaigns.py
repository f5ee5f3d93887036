"""campaigns: create, edit, launch and control campaigns; stats and preview."""

from __future__ import annotations

import uuid

from shared.campaigns import schemas, service
from shared.http.function import HttpFunction, Request
from shared.messaging.schemas import MessageList

app = HttpFunction("campaigns")


@app.operation
def list_campaigns(req: Request, query: schemas.CampaignQuery) -> schemas.CampaignList:
    return service.list_campaigns(req.require_principal(), query)


@app.operation
def create_campaign(req: Request, body: schemas.CampaignIn) -> schemas.CampaignOut:
    return service.create(req.require_principal(), body)


@app.operation
def campaign_audience_count(req: Request, body: schemas.Audience) -> schemas.AudienceCount:
    """Union of segments, tags and contacts minus exclusions, opted-out contacts left out."""
    return service.audience_count(req.require_principal(), body)


@app.operation
def get_campaign(req: Request, campaign_id: uuid.UUID) -> schemas.CampaignOut:
    return service.get(req.require_principal(), campaign_id)


@app.operation
def update_campaign(
    req: Request, campaign_id: uuid.UUID, body: schemas.CampaignPatch
) -> schemas.CampaignOut:
    """409 once the campaign is running, paused or finished."""
    return service.update_campaign(req.require_principal(), campaign_id, body)


@app.operation
def delete_campaign(req: Request, campaign_id: uuid.UUID) -> None:
    service.delete(req.require_principal(), campaign_id)


@app.operation
def launch_campaign(req: Request, campaign_id: uuid.UUID) -> schemas.LaunchOut:
    """Opted-out, erased, invalid and duplicate numbers are left out of the audience. A
    message with an unknown variable that has no fallback is refused: 422
    `unknown-template-variables`, naming them (/docs/template-variables)."""
    return service.launch(req.require_principal(), campaign_id)


@app.operation
def pause_campaign(req: Request, campaign_id: uuid.UUID) -> schemas.CampaignOut:
    return service.pause(req.require_principal(), campaign_id)


@app.operation
def resume_campaign(req: Request, campaign_id: uuid.UUID) -> schemas.CampaignOut:
    return service.resume(req.require_principal(), campaign_id)


@app.operation
def cancel_campaign(req: Request, campaign_id: uuid.UUID) -> schemas.CampaignOut:
    return service.cancel(req.require_principal(), campaign_id)


@app.operation
def campaign_stats(req: Request, campaign_id: uuid.UUID) -> schemas.CampaignStats:
    """Where every contact of the audience is; `waiting_for_quiet_hours` and `next_due_at`
    explain a running campaign that sends nothing now."""
    return service.stats(req.require_principal(), campaign_id)


@app.operation
def campaign_messages(
    req: Request, campaign_id: uuid.UUID, query: schemas.CampaignMessagesQuery
) -> MessageList:
    return service.campaign_messages(req.require_principal(), campaign_id, query)  # type: ignore[no-any-return]


@app.operation
def preview_campaign(
    req: Request, campaign_id: uuid.UUID, body: schemas.PreviewIn | None
) -> schemas.PreviewOut:
    """Sample messages, the unknown variables, and how long the send will take: at the pace
    of the slowest bucket it sends through (its pool, the plan, the provider account, its
    own cap), each contact reached only inside the sending window in their time zone."""
    return service.preview(req.require_principal(), campaign_id, body or schemas.PreviewIn())


handler = app
