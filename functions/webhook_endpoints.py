"""webhook-endpoints: outgoing webhooks for developers (Standard Webhooks)."""

from __future__ import annotations

import uuid

from shared.http.function import HttpFunction, Request
from shared.webhooks import schemas, service

app = HttpFunction("webhook-endpoints")


@app.operation
def list_webhook_event_types(req: Request) -> schemas.WebhookEventTypeList:
    """Every event type an endpoint can subscribe to, with the JSON Schema of its body
    (the same models as the OpenAPI document's `webhooks`)."""
    req.require_principal()
    from shared.webhooks.catalogue import event_types

    return event_types()


@app.operation
def list_webhook_endpoints(req: Request) -> schemas.WebhookEndpointList:
    return service.list_endpoints(req.require_principal())


@app.operation
def create_webhook_endpoint(
    req: Request, body: schemas.WebhookEndpointIn
) -> schemas.WebhookEndpointCreated:
    """The `secret` is in this answer only (sealed at rest). Verify deliveries with any
    Standard Webhooks library: `Webhook(secret).verify(body, headers)`."""
    return service.create_endpoint(req.require_principal(), body)


@app.operation
def get_webhook_endpoint(req: Request, endpoint_id: uuid.UUID) -> schemas.WebhookEndpointOut:
    return service.get_endpoint(req.require_principal(), endpoint_id)


@app.operation
def update_webhook_endpoint(
    req: Request, endpoint_id: uuid.UUID, body: schemas.WebhookEndpointPatch
) -> schemas.WebhookEndpointOut:
    return service.update_endpoint(req.require_principal(), endpoint_id, body)


@app.operation
def delete_webhook_endpoint(req: Request, endpoint_id: uuid.UUID) -> None:
    service.delete_endpoint(req.require_principal(), endpoint_id)


@app.operation
def rotate_webhook_secret(req: Request, endpoint_id: uuid.UUID) -> schemas.WebhookSecretOut:
    """For 24 hours both secrets sign: `webhook-signature` carries two signatures."""
    return service.rotate_secret(req.require_principal(), endpoint_id)


@app.operation
def list_webhook_deliveries(
    req: Request, endpoint_id: uuid.UUID, query: schemas.WebhookDeliveryQuery
) -> schemas.WebhookDeliveryPage:
    """Newest first, each with its attempts (status, latency, first 2 KB, next retry)."""
    return service.list_deliveries(req.require_principal(), endpoint_id, query)


@app.operation
def get_webhook_delivery(
    req: Request, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> schemas.WebhookDeliveryOut:
    return service.get_delivery(req.require_principal(), endpoint_id, delivery_id)


@app.operation
def replay_webhook_delivery(
    req: Request, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> schemas.WebhookDeliveryOut:
    return service.replay(req.require_principal(), endpoint_id, delivery_id)


@app.operation
def send_webhook_test(req: Request, endpoint_id: uuid.UUID) -> schemas.WebhookDeliveryOut:
    return service.send_test(req.require_principal(), endpoint_id)


handler = app
