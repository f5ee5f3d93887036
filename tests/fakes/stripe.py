"""A fake Stripe API on a real local HTTP server, for the calls the platform makes.

The official SDK reaches it through STRIPE_API_BASE (the client's `api` base address).
It speaks Stripe's wire format: form-encoded bodies with bracketed keys
(`line_items[0][price]`, `payload[value]`), JSON objects with `object`, list envelopes
(`{"object": "list", "data": [...], "has_more": ...}`), Stripe's error body
(`{"error": {"type", "code", "message", "param"}}`), Bearer keys, and `Idempotency-Key`
replay. `tiers` of a price are returned only when expanded, as Stripe does.

Resources: customers, products, prices (lookup keys, `transfer_lookup_key`, graduated
tiers, metered prices on a meter), billing meters, meter events (an `identifier` counts
once), meter event summaries, Checkout Sessions, billing portal sessions, subscriptions
(periods on the items, as API 2025-03-31 and later), invoices and the invoice preview
(`POST /v1/invoices/create_preview`, priced from the meter events of the period).

What happens in a browser or in Stripe's billing engine is a helper that changes the
state and returns the events Stripe would send, each a snapshot of its object at that
moment: `complete_checkout`, `fail_renewal`, `pay`, `cancel`, `change_plan`,
`trial_will_end`. `deliver(event)` POSTs one to the webhook with a real Stripe-Signature
(`t=<unix>,v1=<HMAC-SHA256 of "t.payload" with the endpoint secret>`); `tamper` and
`age` forge bad ones. The Checkout and portal URLs answer small HTML pages whose buttons
run those helpers and deliver the events, so a browser can go through them too.

`fail(prefix, status, times)` answers the next `times` requests whose path starts with
`prefix` with a Stripe error (500 `api_error`, 429 `rate_limit`).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import html
import itertools
import json
import re
import secrets
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

API_KEY = "sk_test_fake_0123456789abcdef"
WEBHOOK_SECRET = "whsec_fake_0123456789abcdef0123456789"
API_VERSION = "2026-10-28.endive"
PERIOD_SECONDS = 30 * 24 * 3600


class StripeFailure(Exception):
    def __init__(
        self, status: int, message: str, kind: str = "invalid_request_error", **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": kind, "message": message, **extra}}


def missing(kind: str, object_id: str) -> StripeFailure:
    return StripeFailure(404, f"No such {kind}: '{object_id}'", code="resource_missing", param="id")


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's bracketed form keys into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        if key.endswith("[]"):
            parts.append(str(len(_walk(root, parts))))
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _walk(root: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    node = root
    for part in parts:
        node = node.setdefault(part, {})
    return node


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_listify(node[k]) for k in sorted(node, key=int)]
        return {k: _listify(v) for k, v in node.items()}
    return node


def _bool(value: Any) -> bool:
    return str(value).lower() == "true"


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


@dataclass
class FakeStripe:
    api_key: str = API_KEY
    webhook_secret: str = WEBHOOK_SECRET
    webhook_url: str | None = None
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> object
    meter_events: list[dict[str, Any]] = field(default_factory=list)
    identifiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    faults: deque[tuple[str, int]] = field(default_factory=deque)  # (path prefix, status)
    lock: threading.RLock = field(default_factory=threading.RLock)
    port: int = 0

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._idempotent: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        self._line_items: dict[str, list[dict[str, Any]]] = {}  # checkout session -> items
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- control -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def fail(self, prefix: str, status: int, times: int = 1) -> None:
        with self.lock:
            self.faults.extend([(prefix, status)] * times)

    def writes(self, since: int = 0) -> list[Recorded]:
        """POST requests (creates and updates) from request number `since` on."""
        with self.lock:
            return [r for r in self.requests[since:] if r.method == "POST"]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(o) for o in self.objects.values() if o["object"] == kind]

    def meter_total(self, event_name: str, customer: str) -> int:
        with self.lock:
            return sum(
                int(e["payload"]["value"])
                for e in self.meter_events
                if e["event_name"] == event_name and e["payload"]["stripe_customer_id"] == customer
            )

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(6)}{next(self._ids):04d}"

    # --- events ---------------------------------------------------------------------
    def event(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self._id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }

    def signature(
        self, payload: str, timestamp: int | None = None, secret: str | None = None
    ) -> str:
        at = int(time.time()) if timestamp is None else timestamp
        mac = hmac.new(
            (secret or self.webhook_secret).encode(), f"{at}.{payload}".encode(), hashlib.sha256
        )
        return f"t={at},v1={mac.hexdigest()}"

    def deliver(
        self,
        event: dict[str, Any],
        *,
        age: int = 0,
        tamper: bool = False,
        secret: str | None = None,
        url: str | None = None,
    ) -> httpx.Response:
        """POST one event to the webhook, signed as Stripe signs it (optionally forged)."""
        payload = json.dumps(event, indent=2)
        header = self.signature(payload, int(time.time()) - age, secret)
        if tamper:
            payload = payload.replace('"livemode": false', '"livemode": true ', 1)
        target = url or self.webhook_url
        assert target, "set webhook_url first"
        response = httpx.post(
            target,
            content=payload.encode(),
            headers={"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header},
            timeout=30,
        )
        with self.lock:
            self.delivered.append({"event": event, "status": response.status_code})
        return response

    def deliver_all(self, events: list[dict[str, Any]]) -> list[httpx.Response]:
        return [self.deliver(e) for e in events]

    # --- what happens at Stripe (browser, billing engine) ----------------------------
    def complete_checkout(self, session_id: str, *, trial_days: int = 0) -> list[dict[str, Any]]:
        """The customer paid at Checkout: a subscription, its first invoice, the events."""
        with self.lock:
            session = self._get(session_id, "checkout session")
            now = int(time.time())
            sub_id = self._id("sub")
            items = []
            for line in self._line_items[session_id]:
                price = self._get(line["price"], "price")
                item: dict[str, Any] = {
                    "id": self._id("si"),
                    "object": "subscription_item",
                    "price": self._public_price(price),
                    "subscription": sub_id,
                    "current_period_start": now,
                    "current_period_end": now + PERIOD_SECONDS,
                    "created": now,
                    "metadata": {},
                }
                if price["recurring"]["usage_type"] == "licensed":
                    item["quantity"] = int(line.get("quantity") or 1)
                items.append(item)
            sub = {
                "id": sub_id,
                "object": "subscription",
                "customer": session["customer"],
                "status": "trialing" if trial_days else "active",
                "created": now,
                "start_date": now,
                "cancel_at_period_end": False,
                "canceled_at": None,
                "ended_at": None,
                "trial_end": now + trial_days * 86400 if trial_days else None,
                "metadata": dict((session.get("_subscription_data") or {}).get("metadata") or {}),
                "items": {"object": "list", "data": items, "has_more": False},
                "latest_invoice": None,
                "currency": "usd",
                "livemode": False,
            }
            self.objects[sub_id] = sub
            invoice = self._invoice(sub, "paid", now, now + PERIOD_SECONDS)
            sub["latest_invoice"] = invoice["id"]
            session.update(status="complete", payment_status="paid", subscription=sub_id)
            public = self._public(session)
            return [
                self.event("checkout.session.completed", public),
                self.event("customer.subscription.created", sub),
                self.event("invoice.paid", invoice),
            ]

    def fail_renewal(self, sub_id: str) -> list[dict[str, Any]]:
        """The next period's payment fails: a new open invoice, the subscription past due."""
        with self.lock:
            sub = self._get(sub_id, "subscription")
            self._roll_period(sub)
            item = sub["items"]["data"][0]
            invoice = self._invoice(
                sub, "open", item["current_period_start"], item["current_period_end"]
            )
            invoice["attempt_count"] = 1
            invoice["next_payment_attempt"] = int(time.time()) + 3 * 86400
            sub["status"] = "past_due"
            sub["latest_invoice"] = invoice["id"]
            return [
                self.event("invoice.payment_failed", invoice),
                self.event("customer.subscription.updated", sub),
            ]

    def require_action(self, sub_id: str) -> list[dict[str, Any]]:
        with self.lock:
            sub = self._get(sub_id, "subscription")
            invoice = self._get(sub["latest_invoice"], "invoice")
            return [self.event("invoice.payment_action_required", invoice)]

    def pay(self, invoice_id: str) -> list[dict[str, Any]]:
        with self.lock:
            invoice = self._get(invoice_id, "invoice")
            invoice.update(
                status="paid",
                amount_paid=invoice["amount_due"],
                amount_remaining=0,
                next_payment_attempt=None,
            )
            sub = self._get(
                invoice["parent"]["subscription_details"]["subscription"], "subscription"
            )
            sub["status"] = "active"
            return [
                self.event("invoice.paid", invoice),
                self.event("customer.subscription.updated", sub),
            ]

    def cancel(self, sub_id: str) -> list[dict[str, Any]]:
        with self.lock:
            sub = self._get(sub_id, "subscription")
            now = int(time.time())
            sub.update(status="canceled", canceled_at=now, ended_at=now)
            return [self.event("customer.subscription.deleted", sub)]

    def change_plan(self, sub_id: str, price_ids: list[str]) -> list[dict[str, Any]]:
        """The customer switched plans in the portal (new items, same period)."""
        with self.lock:
            sub = self._get(sub_id, "subscription")
            first = sub["items"]["data"][0]
            items = []
            for price_id in price_ids:
                price = self._get(price_id, "price")
                item = {
                    **copy.deepcopy(first),
                    "id": self._id("si"),
                    "price": self._public_price(price),
                }
                item.pop("quantity", None)
                if price["recurring"]["usage_type"] == "licensed":
                    item["quantity"] = 1
                items.append(item)
            sub["items"]["data"] = items
            return [self.event("customer.subscription.updated", sub)]

    def trial_will_end(self, sub_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                self.event(
                    "customer.subscription.trial_will_end", self._get(sub_id, "subscription")
                )
            ]

    def subscription_of(self, customer: str) -> dict[str, Any]:
        with self.lock:
            subs = [
                o
                for o in self.objects.values()
                if o["object"] == "subscription" and o["customer"] == customer
            ]
            return copy.deepcopy(max(subs, key=lambda s: s["created"]))

    def price_by_lookup_key(self, key: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(
                next(
                    o
                    for o in self.objects.values()
                    if o["object"] == "price" and o.get("lookup_key") == key and o["active"]
                )
            )

    # --- internals -------------------------------------------------------------------
    def _get(self, object_id: str, kind: str) -> dict[str, Any]:
        found = self.objects.get(object_id)
        if found is None:
            raise missing(kind, object_id)
        return found

    def _public(self, obj: dict[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}

    def _public_price(self, price: dict[str, Any], *, tiers: bool = False) -> dict[str, Any]:
        public = self._public(price)
        if not tiers:
            public.pop("tiers", None)
        return public

    def _roll_period(self, sub: dict[str, Any]) -> None:
        for item in sub["items"]["data"]:
            start = item["current_period_end"]
            item["current_period_start"], item["current_period_end"] = start, start + PERIOD_SECONDS

    def _invoice(self, sub: dict[str, Any], status: str, start: int, end: int) -> dict[str, Any]:
        lines = self._lines(sub, start, end)
        total = sum(line["amount"] for line in lines)
        count = sum(1 for o in self.objects.values() if o["object"] == "invoice") + 1
        invoice_id = self._id("in")
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "customer": sub["customer"],
            "number": f"FAKE-{count:04d}",
            "status": status,
            "currency": "usd",
            "subtotal": total,
            "total": total,
            "amount_due": total,
            "amount_paid": total if status == "paid" else 0,
            "amount_remaining": 0 if status == "paid" else total,
            "attempt_count": 1,
            "next_payment_attempt": None,
            "period_start": start,
            "period_end": end,
            "created": int(time.time()) + count,  # strictly increasing: newest first is stable
            "hosted_invoice_url": f"{self.base_url}/i/{invoice_id}",
            "invoice_pdf": f"{self.base_url}/i/{invoice_id}/pdf",
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub["id"], "metadata": {}},
                "quote_details": None,
            },
            "lines": {"object": "list", "data": lines, "has_more": False},
            "livemode": False,
        }
        self.objects[invoice_id] = invoice
        return invoice

    def _lines(self, sub: dict[str, Any], start: int, end: int) -> list[dict[str, Any]]:
        lines = []
        for item in sub["items"]["data"]:
            price = self.objects[item["price"]["id"]]
            product = self.objects.get(price["product"], {}).get("name", price["product"])
            if price["recurring"]["usage_type"] == "licensed":
                quantity = int(item.get("quantity") or 1)
                amount = int(price["unit_amount"]) * quantity
            else:
                meter = self.objects[price["recurring"]["meter"]]
                quantity = max(0, self._usage(meter["event_name"], sub["customer"], start, end))
                amount = self._tiered(price["tiers"], quantity)
            lines.append(
                {
                    "id": self._id("il"),
                    "object": "line_item",
                    "amount": amount,
                    "currency": "usd",
                    "description": f"{quantity} x {price.get('nickname') or product}",
                    "quantity": quantity,
                    "period": {"start": start, "end": end},
                    "pricing": {"type": "price_details", "price_details": {"price": price["id"]}},
                }
            )
        return lines

    def _usage(self, event_name: str, customer: str, start: int, end: int) -> int:
        return sum(
            int(e["payload"]["value"])
            for e in self.meter_events
            if e["event_name"] == event_name
            and e["payload"]["stripe_customer_id"] == customer
            and start <= e["timestamp"] < end
        )

    @staticmethod
    def _tiered(tiers: list[dict[str, Any]], quantity: int) -> int:
        total, below = Decimal(0), 0
        for tier in tiers:
            up_to = tier["up_to"]
            units = quantity - below if up_to is None else max(0, min(quantity, up_to) - below)
            total += (
                Decimal(str(tier.get("unit_amount_decimal") or tier.get("unit_amount") or 0))
                * units
            )
            if up_to is None or quantity <= up_to:
                break
            below = up_to
        return int(total.to_integral_value(ROUND_HALF_UP))

    def _list(
        self, items: list[dict[str, Any]], path: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        limit = int(params.get("limit") or 10)
        after = params.get("starting_after")
        if after:
            ids = [i["id"] for i in items]
            if after not in ids:
                raise missing("object", after)
            items = items[ids.index(after) + 1 :]
        return {
            "object": "list",
            "data": items[:limit],
            "has_more": len(items) > limit,
            "url": path,
        }

    # --- routes ------------------------------------------------------------------------
    def route(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        for verb, pattern, name in ROUTES:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return 200, getattr(self, name)(params, *match.groups())
        raise StripeFailure(404, f"Unrecognized request URL ({method}: {path}).")

    # customers
    def _post_customers(self, p: dict[str, Any]) -> dict[str, Any]:
        customer = {
            "id": self._id("cus"),
            "object": "customer",
            "name": p.get("name"),
            "email": p.get("email"),
            "metadata": p.get("metadata") or {},
            "created": int(time.time()),
            "livemode": False,
        }
        self.objects[customer["id"]] = customer
        return customer

    def _get_customers(self, p: dict[str, Any], customer_id: str) -> dict[str, Any]:
        return self._get(customer_id, "customer")

    # products
    def _post_products(self, p: dict[str, Any], product_id: str | None = None) -> dict[str, Any]:
        if product_id is not None:  # update
            product = self._get(product_id, "product")
            for key in ("name", "description"):
                if key in p:
                    product[key] = p[key]
            if "active" in p:
                product["active"] = _bool(p["active"])
            if "metadata" in p:
                product["metadata"] = {**product["metadata"], **p["metadata"]}
            return product
        new_id = p.get("id") or self._id("prod")
        if new_id in self.objects:
            raise StripeFailure(
                400, f"Product already exists: {new_id}", code="resource_already_exists"
            )
        product = {
            "id": new_id,
            "object": "product",
            "name": p["name"],
            "description": p.get("description"),
            "metadata": p.get("metadata") or {},
            "active": True,
            "created": int(time.time()),
            "livemode": False,
        }
        self.objects[new_id] = product
        return product

    def _get_products(self, p: dict[str, Any], product_id: str) -> dict[str, Any]:
        return self._get(product_id, "product")

    # prices
    def _post_prices(self, p: dict[str, Any], price_id: str | None = None) -> dict[str, Any]:
        if price_id is not None:  # update
            price = self._get(price_id, "price")
            if "active" in p:
                price["active"] = _bool(p["active"])
            return self._public_price(price)
        self._get(p["product"], "product")
        key = p.get("lookup_key")
        if key:
            holder = next(
                (
                    o
                    for o in self.objects.values()
                    if o["object"] == "price" and o.get("lookup_key") == key
                ),
                None,
            )
            if holder is not None:
                if not _bool(p.get("transfer_lookup_key")):
                    raise StripeFailure(
                        400,
                        f"A price ({holder['id']}) already uses that lookup key.",
                        param="lookup_key",
                    )
                holder["lookup_key"] = None
        recurring = p.get("recurring") or {}
        if recurring.get("usage_type") == "metered":
            self._get(recurring.get("meter", ""), "billing meter")
        tiers = None
        if p.get("billing_scheme") == "tiered":
            tiers = [
                {
                    "up_to": None if t["up_to"] == "inf" else int(t["up_to"]),
                    "unit_amount": int(t["unit_amount"]) if "unit_amount" in t else None,
                    "unit_amount_decimal": t.get("unit_amount_decimal", t.get("unit_amount")),
                    "flat_amount": None,
                    "flat_amount_decimal": None,
                }
                for t in p["tiers"]
            ]
        price = {
            "id": self._id("price"),
            "object": "price",
            "product": p["product"],
            "currency": p["currency"],
            "active": True,
            "nickname": p.get("nickname"),
            "lookup_key": key,
            "metadata": p.get("metadata") or {},
            "type": "recurring",
            "billing_scheme": p.get("billing_scheme", "per_unit"),
            "tiers_mode": p.get("tiers_mode"),
            "unit_amount": int(p["unit_amount"]) if "unit_amount" in p else None,
            "unit_amount_decimal": p.get("unit_amount"),
            "recurring": {
                "interval": recurring.get("interval"),
                "interval_count": 1,
                "usage_type": recurring.get("usage_type", "licensed"),
                "meter": recurring.get("meter"),
            },
            "tiers": tiers,
            "created": int(time.time()),
            "livemode": False,
        }
        self.objects[price["id"]] = price
        return self._public_price(price)

    def _get_prices(self, p: dict[str, Any], price_id: str | None = None) -> dict[str, Any]:
        expand = p.get("expand") or []
        if price_id is not None:
            return self._public_price(self._get(price_id, "price"), tiers="tiers" in expand)
        keys = p.get("lookup_keys")
        found = [
            self._public_price(o, tiers="data.tiers" in expand)
            for o in self.objects.values()
            if o["object"] == "price"
            and (keys is None or o.get("lookup_key") in keys)
            and ("active" not in p or o["active"] == _bool(p["active"]))
        ]
        return self._list(found, "/v1/prices", p)

    # billing meters
    def _post_billing_meters(
        self, p: dict[str, Any], meter_id: str | None = None
    ) -> dict[str, Any]:
        if meter_id is not None:
            meter = self._get(meter_id, "billing meter")
            if "display_name" in p:
                meter["display_name"] = p["display_name"]
            meter["updated"] = int(time.time())
            return meter
        if any(
            o["object"] == "billing.meter"
            and o["event_name"] == p["event_name"]
            and o["status"] == "active"
            for o in self.objects.values()
        ):
            raise StripeFailure(
                400, "An active meter with this event_name already exists.", param="event_name"
            )
        now = int(time.time())
        meter = {
            "id": self._id("mtr"),
            "object": "billing.meter",
            "display_name": p["display_name"],
            "event_name": p["event_name"],
            "status": "active",
            "default_aggregation": p.get("default_aggregation") or {"formula": "sum"},
            "customer_mapping": p.get("customer_mapping")
            or {"type": "by_id", "event_payload_key": "stripe_customer_id"},
            "value_settings": p.get("value_settings") or {"event_payload_key": "value"},
            "event_time_window": None,
            "created": now,
            "updated": now,
            "livemode": False,
            "status_transitions": {"deactivated_at": None},
        }
        self.objects[meter["id"]] = meter
        return meter

    def _get_billing_meters(self, p: dict[str, Any], meter_id: str | None = None) -> dict[str, Any]:
        if meter_id is not None:
            return self._get(meter_id, "billing meter")
        meters = [
            o
            for o in self.objects.values()
            if o["object"] == "billing.meter" and ("status" not in p or o["status"] == p["status"])
        ]
        return self._list(meters, "/v1/billing/meters", p)

    def _get_billing_meters_event_summaries(
        self, p: dict[str, Any], meter_id: str
    ) -> dict[str, Any]:
        meter = self._get(meter_id, "billing meter")
        start, end = int(p["start_time"]), int(p["end_time"])
        if start % 60 or end % 60:
            raise StripeFailure(
                400, "start_time and end_time must be aligned with minute boundaries."
            )
        total = self._usage(meter["event_name"], p["customer"], start, end)
        summary = {
            "id": self._id("mtrusg"),
            "object": "billing.meter_event_summary",
            "aggregated_value": total,
            "start_time": start,
            "end_time": end,
            "meter": meter_id,
            "livemode": False,
        }
        return self._list([summary], f"/v1/billing/meters/{meter_id}/event_summaries", p)

    def _post_billing_meter_events(self, p: dict[str, Any]) -> dict[str, Any]:
        meter = next(
            (
                o
                for o in self.objects.values()
                if o["object"] == "billing.meter"
                and o["event_name"] == p.get("event_name")
                and o["status"] == "active"
            ),
            None,
        )
        if meter is None:
            raise StripeFailure(
                400, f"No active meter was found for event_name {p.get('event_name')!r}."
            )
        payload = p.get("payload") or {}
        try:
            int(payload["value"])
        except (KeyError, ValueError) as exc:
            raise StripeFailure(
                400, "payload[value] must be a whole number.", param="payload"
            ) from exc
        if "stripe_customer_id" not in payload:
            raise StripeFailure(400, "payload[stripe_customer_id] is required.", param="payload")
        now = int(time.time())
        timestamp = int(p.get("timestamp") or now)
        if timestamp < now - 35 * 86400 or timestamp > now + 300:
            raise StripeFailure(
                400, "timestamp must be within the past 35 days.", param="timestamp"
            )
        identifier = p.get("identifier") or self._id("mev")
        seen = self.identifiers.get(identifier)
        if seen is not None:  # Stripe counts an identifier once
            return seen
        event = {
            "object": "billing.meter_event",
            "created": now,
            "event_name": p["event_name"],
            "identifier": identifier,
            "livemode": False,
            "payload": payload,
            "timestamp": timestamp,
        }
        self.meter_events.append(event)
        self.identifiers[identifier] = event
        return event

    # checkout and portal
    def _post_checkout_sessions(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("mode") != "subscription":
            raise StripeFailure(400, "Only subscription mode is faked.", param="mode")
        self._get(p.get("customer", ""), "customer")
        items = p.get("line_items") or []
        for item in items:
            price = self._get(item["price"], "price")
            metered = price["recurring"]["usage_type"] == "metered"
            if metered and "quantity" in item:
                raise StripeFailure(400, "Quantity should not be specified for metered prices.")
        session_id = self._id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "subscription",
            "customer": p["customer"],
            "client_reference_id": p.get("client_reference_id"),
            "metadata": p.get("metadata") or {},
            "status": "open",
            "payment_status": "unpaid",
            "subscription": None,
            "success_url": p["success_url"],
            "cancel_url": p.get("cancel_url"),
            "url": f"{self.base_url}/c/pay/{session_id}",
            "created": int(time.time()),
            "livemode": False,
            "_subscription_data": p.get("subscription_data") or {},
        }
        self.objects[session_id] = session
        self._line_items[session_id] = items
        return self._public(session)

    def _get_checkout_sessions(self, p: dict[str, Any], session_id: str) -> dict[str, Any]:
        return self._public(self._get(session_id, "checkout session"))

    def _post_billing_portal_sessions(self, p: dict[str, Any]) -> dict[str, Any]:
        self._get(p.get("customer", ""), "customer")
        session_id = self._id("bps")
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "customer": p["customer"],
            "return_url": p.get("return_url"),
            "url": f"{self.base_url}/p/session/{session_id}",
            "created": int(time.time()),
            "livemode": False,
        }
        self.objects[session_id] = session
        return session

    # subscriptions and invoices
    def _get_subscriptions(self, p: dict[str, Any], sub_id: str | None = None) -> dict[str, Any]:
        if sub_id is not None:
            return self._get(sub_id, "subscription")
        status = p.get("status")
        subs = [
            o
            for o in self.objects.values()
            if o["object"] == "subscription"
            and ("customer" not in p or o["customer"] == p["customer"])
            and (
                status == "all"
                or (status and o["status"] == status)
                or (not status and o["status"] not in ("canceled", "incomplete_expired"))
            )
        ]
        subs.sort(key=lambda s: s["created"], reverse=True)
        return self._list(subs, "/v1/subscriptions", p)

    def _get_invoices(self, p: dict[str, Any], invoice_id: str | None = None) -> dict[str, Any]:
        if invoice_id is not None:
            return self._get(invoice_id, "invoice")
        found = [
            o
            for o in self.objects.values()
            if o["object"] == "invoice" and ("customer" not in p or o["customer"] == p["customer"])
        ]
        found.sort(key=lambda i: i["created"], reverse=True)
        return self._list(found, "/v1/invoices", p)

    def _post_invoices_create_preview(self, p: dict[str, Any]) -> dict[str, Any]:
        sub = self._get(p.get("subscription", ""), "subscription")
        if sub["customer"] != p.get("customer"):
            raise StripeFailure(
                400, "The subscription is not the customer's.", param="subscription"
            )
        item = sub["items"]["data"][0]
        start, end = item["current_period_start"], item["current_period_end"]
        lines = self._lines(sub, start, end)
        total = sum(line["amount"] for line in lines)
        return {
            "id": f"upcoming_{self._id('in')}",
            "object": "invoice",
            "customer": sub["customer"],
            "status": "draft",
            "currency": "usd",
            "subtotal": total,
            "total": total,
            "amount_due": total,
            "amount_paid": 0,
            "period_start": start,
            "period_end": end,
            "next_payment_attempt": end + 3600,
            "created": int(time.time()),
            "lines": {"object": "list", "data": lines, "has_more": False},
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub["id"]},
            },
            "livemode": False,
        }

    # --- the browser pages of Checkout and the portal -----------------------------------
    def page(self, path: str) -> str | None:
        match = re.fullmatch(r"/c/pay/(cs_test_\w+)", path)
        if match:
            session = self.objects.get(match.group(1))
            if session is None:
                return None
            return _page(
                "Checkout (fake Stripe)",
                f"<p>Subscribe {html.escape(str(session['metadata'].get('plan', '')))}</p>"
                f"<form method='post' action='{path}/complete'><button id='pay'>Pay</button></form>"
                f"<a id='cancel' href='{html.escape(session['cancel_url'] or '')}'>Cancel</a>",
            )
        match = re.fullmatch(r"/p/session/(bps_\w+)", path)
        if match:
            session = self.objects.get(match.group(1))
            if session is None:
                return None
            buttons = "".join(
                f"<form method='post' action='{path}/plan/{name}'><button id='plan-{name}'>"
                f"Switch to {name}</button></form>"
                for name in sorted(
                    {
                        o["metadata"].get("plan")
                        for o in self.objects.values()
                        if o["object"] == "price"
                        and o.get("lookup_key")
                        and o["metadata"].get("plan")
                    }
                )
            )
            return _page(
                "Customer portal (fake Stripe)",
                buttons + f"<form method='post' action='{path}/cancel'><button id='cancel-plan'>"
                "Cancel plan</button></form>"
                f"<a id='return' href='{html.escape(session['return_url'] or '')}'>Return</a>",
            )
        return None

    def page_action(self, path: str) -> str | None:
        """Run a page's button and deliver the events; the URL to redirect to."""
        match = re.fullmatch(r"/c/pay/(cs_test_\w+)/complete", path)
        if match:
            with self.lock:
                session = self._get(match.group(1), "checkout session")
                events = self.complete_checkout(session["id"])
            self.deliver_all(events)
            return str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session["id"])
        match = re.fullmatch(r"/p/session/(bps_\w+)/(cancel|plan/(\w+))", path)
        if match:
            with self.lock:
                session = self._get(match.group(1), "portal session")
                sub = self.subscription_of(session["customer"])
                if match.group(2) == "cancel":
                    events = self.cancel(sub["id"])
                else:
                    plan = match.group(3)
                    prices = [
                        o["id"]
                        for o in self.objects.values()
                        if o["object"] == "price"
                        and o["active"]
                        and o.get("lookup_key")
                        and o["metadata"].get("plan") == plan
                    ]
                    events = self.change_plan(sub["id"], prices)
            self.deliver_all(events)
            return str(session["return_url"])
        return None

    # --- HTTP ----------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def _send(
                self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_" + secrets.token_hex(8))
                self.send_header("Stripe-Version", API_VERSION)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _html(self, status: int, text: str, location: str | None = None) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                url = urllib.parse.urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if not url.path.startswith("/v1/"):
                    self._browser(method, url.path)
                    return
                if self.headers.get("Authorization", "") != f"Bearer {fake.api_key}":
                    self._send(
                        401,
                        {
                            "error": {
                                "type": "invalid_request_error",
                                "message": "Invalid API Key provided.",
                            }
                        },
                    )
                    return
                query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
                body = urllib.parse.parse_qsl(raw, keep_blank_values=True)
                params = decode_form(query + body)
                key = self.headers.get("Idempotency-Key")
                with fake.lock:
                    fake.requests.append(Recorded(method, url.path, params, key))
                    fault = next((f for f in fake.faults if url.path.startswith(f[0])), None)
                    if fault is not None:
                        fake.faults.remove(fault)
                    replay = (
                        fake._idempotent.get((url.path, key)) if key and method == "POST" else None
                    )
                if fault is not None:
                    status = fault[1]
                    kind = "api_error" if status >= 500 else "invalid_request_error"
                    code = {429: "rate_limit"}.get(status)
                    self._send(
                        status,
                        {
                            "error": {
                                "type": kind,
                                "code": code,
                                "message": f"Scripted failure {status}.",
                            }
                        },
                    )
                    return
                if replay is not None:
                    self._send(*replay, {"Idempotent-Replayed": "true"})
                    return
                try:
                    with fake.lock:
                        status, answer = fake.route(method, url.path, params)
                        answer = copy.deepcopy(answer)
                except StripeFailure as exc:
                    status, answer = exc.status, exc.body
                except (KeyError, ValueError, TypeError) as exc:
                    status, answer = (
                        400,
                        {
                            "error": {
                                "type": "invalid_request_error",
                                "message": f"Bad parameters: {exc!r}",
                            }
                        },
                    )
                if key and method == "POST":
                    with fake.lock:
                        fake._idempotent[(url.path, key)] = (status, answer)
                self._send(status, answer)

            def _browser(self, method: str, path: str) -> None:
                if method == "GET":
                    page = fake.page(path)
                    if page is None:
                        self._html(404, "not found")
                    else:
                        self._html(200, page)
                    return
                try:
                    target = fake.page_action(path)
                except StripeFailure:
                    target = None
                if target is None:
                    self._html(404, "not found")
                else:
                    self._html(303, "", location=target)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        return Handler


_ID = "([^/]+)"
ROUTES = (
    ("POST", "/v1/customers", "_post_customers"),
    ("GET", f"/v1/customers/{_ID}", "_get_customers"),
    ("POST", "/v1/products", "_post_products"),
    ("POST", f"/v1/products/{_ID}", "_post_products"),
    ("GET", f"/v1/products/{_ID}", "_get_products"),
    ("POST", "/v1/prices", "_post_prices"),
    ("POST", f"/v1/prices/{_ID}", "_post_prices"),
    ("GET", "/v1/prices", "_get_prices"),
    ("GET", f"/v1/prices/{_ID}", "_get_prices"),
    ("POST", "/v1/billing/meters", "_post_billing_meters"),
    ("GET", "/v1/billing/meters", "_get_billing_meters"),
    ("GET", f"/v1/billing/meters/{_ID}/event_summaries", "_get_billing_meters_event_summaries"),
    ("GET", f"/v1/billing/meters/{_ID}", "_get_billing_meters"),
    ("POST", f"/v1/billing/meters/{_ID}", "_post_billing_meters"),
    ("POST", "/v1/billing/meter_events", "_post_billing_meter_events"),
    ("POST", "/v1/checkout/sessions", "_post_checkout_sessions"),
    ("GET", f"/v1/checkout/sessions/{_ID}", "_get_checkout_sessions"),
    ("POST", "/v1/billing_portal/sessions", "_post_billing_portal_sessions"),
    ("GET", "/v1/subscriptions", "_get_subscriptions"),
    ("GET", f"/v1/subscriptions/{_ID}", "_get_subscriptions"),
    ("POST", "/v1/invoices/create_preview", "_post_invoices_create_preview"),
    ("GET", "/v1/invoices", "_get_invoices"),
    ("GET", f"/v1/invoices/{_ID}", "_get_invoices"),
)


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    )


def main() -> None:
    """Run the fake on its own for a manual run of the platform (`make dev` + this)."""
    import argparse

    parser = argparse.ArgumentParser(description="A fake Stripe API for local runs.")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook", default="http://127.0.0.1:8080/webhooks/stripe")
    args = parser.parse_args()
    fake = FakeStripe(port=args.port, webhook_url=args.webhook).start()
    print(
        f"fake Stripe on {fake.base_url}; start the platform with\n"
        f"  STRIPE_API_KEY={fake.api_key} STRIPE_API_BASE={fake.base_url} "
        f"STRIPE_WEBHOOK_SECRET={fake.webhook_secret}\n"
        "then run `smsctl billing sync` with the same settings. Ctrl-C stops it."
    )
    try:
        fake._thread.join()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
