"""dashboard: the console's overview aggregates and the onboarding checklist."""

from __future__ import annotations

from shared.dashboard import schemas, service
from shared.http.function import HttpFunction, Request

app = HttpFunction("dashboard")


@app.operation
def dashboard_activity(req: Request, query: schemas.ActivityQuery) -> schemas.ActivityOut:
    """Counts per hour (24h) or per day (7d, 30d) in the given time zone, with totals."""
    return service.activity(req.require_principal(), query)


@app.operation
def dashboard_campaigns(req: Request) -> schemas.CampaignProgressList:
    """Running first, then paused, then scheduled by send time; at most 20."""
    return service.campaigns_in_flight(req.require_principal())


@app.operation
def get_onboarding(req: Request) -> schemas.OnboardingOut:
    return service.onboarding(req.require_principal())


handler = app
