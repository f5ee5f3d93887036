"""What the layers above messaging add to the send path, without messaging importing them.

Messaging knows that a message may belong to a campaign (`messages.campaign_id`), not what
a campaign is. The campaigns package plugs in here (`shared.campaigns.send_hooks.install`,
run at start-up by `functions/__init__.py` and by the campaign engine):

- `claim_gate`: a condition on the `messages` rows of a claim (a campaign's messages go
  only while it runs: pause stops them at the claim);
- `campaign_cap`: the rate bucket a campaign's sends share, if it has a cap;
- `on_settled`: called in the transaction that moves campaign messages to an outcome
  (accepted, failed, suppressed, a callback's status), so whoever follows them (the
  campaign's audience rows) settles atomically with the message.

Without a plug-in, every message may be claimed, none has a cap, and outcomes go nowhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from shared.messaging.throttle import Bucket


class Settled(NamedTuple):
    """A campaign message that reached an outcome: its message status (ours)."""

    campaign_id: uuid.UUID
    message_id: uuid.UUID
    status: str


ClaimGate = Callable[[], ColumnElement[bool]]
CampaignCap = Callable[[Session, uuid.UUID], Bucket | None]
OnSettled = Callable[[Session, Sequence[Settled]], None]


@dataclass
class _Hooks:
    claim_gate: ClaimGate | None = None
    campaign_cap: CampaignCap | None = None
    on_settled: list[OnSettled] = field(default_factory=list)


_hooks = _Hooks()


def install(*, claim_gate: ClaimGate, campaign_cap: CampaignCap, on_settled: OnSettled) -> None:
    """Plug a campaign layer in (idempotent: installing the same functions again is a no-op)."""
    _hooks.claim_gate = claim_gate
    _hooks.campaign_cap = campaign_cap
    if on_settled not in _hooks.on_settled:
        _hooks.on_settled.append(on_settled)


def claim_gate() -> ColumnElement[bool]:
    return _hooks.claim_gate() if _hooks.claim_gate is not None else true()


def campaign_cap(s: Session, campaign_id: uuid.UUID | None) -> Bucket | None:
    if campaign_id is None or _hooks.campaign_cap is None:
        return None
    return _hooks.campaign_cap(s, campaign_id)


def settled(s: Session, rows: Sequence[tuple[Any, Any, str]]) -> None:
    """Tell the subscribers, in this transaction, which campaign messages reached which
    status; rows without a campaign are left out."""
    found = [Settled(c, m, status) for c, m, status in rows if c is not None]
    if not found:
        return
    for subscriber in _hooks.on_settled:
        subscriber(s, found)
