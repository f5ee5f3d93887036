"""Imports every model so the metadata is complete (Alembic, tests, RLS table list)."""

from shared.ai.models import AiConfig, AiDraft
from shared.billing.models import BillingEvent, MeterBatch, UsageRecord
from shared.campaigns.models import Campaign, CampaignContact
from shared.contacts.models import (
    ConsentEvent,
    Contact,
    ContactTag,
    ImportJob,
    ImportRowError,
    Segment,
)
from shared.conversations.models import Conversation, ConversationRead, LeadQualification
from shared.db.base import Base
from shared.messaging.models import (
    Message,
    NumberPool,
    NumberPoolMember,
    PhoneNumber,
    ProcessedProviderEvent,
    TwilioConfig,
)
from shared.notifications.models import EmailOutbox
from shared.queue.models import QueueJob, QueueKey
from shared.templates.models import Template, TemplateVersion
from shared.tenancy.models import (
    ApiKey,
    EmailToken,
    IdempotencyRecord,
    Invitation,
    Membership,
    RefreshToken,
    Tenant,
    User,
)
from shared.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AiConfig",
    "AiDraft",
    "ApiKey",
    "Base",
    "BillingEvent",
    "Campaign",
    "CampaignContact",
    "ConsentEvent",
    "Contact",
    "ContactTag",
    "Conversation",
    "ConversationRead",
    "EmailOutbox",
    "EmailToken",
    "IdempotencyRecord",
    "ImportJob",
    "ImportRowError",
    "Invitation",
    "LeadQualification",
    "Membership",
    "Message",
    "MeterBatch",
    "NumberPool",
    "NumberPoolMember",
    "PhoneNumber",
    "ProcessedProviderEvent",
    "QueueJob",
    "QueueKey",
    "RefreshToken",
    "Segment",
    "Template",
    "TemplateVersion",
    "Tenant",
    "TwilioConfig",
    "UsageRecord",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
