"""simulator: inject a contact's reply to a simulated number (local default)."""

from __future__ import annotations

from shared.http.function import HttpFunction, Request
from shared.messaging import schemas, simulation

app = HttpFunction("simulator")


@app.operation
def simulate_inbound(req: Request, body: schemas.SimulatedInboundIn) -> schemas.MessageOut:
    """Goes through the same processing as a real inbound webhook (keywords included)."""
    return simulation.inject_inbound(req.require_principal(), body.from_, body.to, body.body)


handler = app
