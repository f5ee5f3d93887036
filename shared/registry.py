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


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    module: str
    kind: Kind
    auth: Auth
    description: str
    routes: tuple[Route, ...] = ()
    topic: str | None = None
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


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="meta",
        module="functions.meta",
        kind=Kind.HTTP,
        auth=Auth.NONE,
        description="Health of the platform's dependencies and the API's documentation.",
        routes=(
            Route("GET", "/health", "health", "Health of the database, Redis and the queue"),
            Route("GET", "/openapi.json", "openapi_document", "The OpenAPI 3.1 document"),
            Route("GET", "/docs", "docs_page", "Human-readable API documentation"),
        ),
        timeout_seconds=30,
        max_instances=10,
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
    return [f for f in FUNCTIONS if f.kind is Kind.EVENT and f.topic == topic]


def task_target(queue: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.kind is Kind.TASK and spec.queue == queue:
            return spec
    raise KeyError(queue)
