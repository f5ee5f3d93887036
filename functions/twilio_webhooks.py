"""twilio-webhooks: status callbacks and inbound messages, authenticated by signature."""

from __future__ import annotations

from urllib.parse import parse_qsl

from werkzeug.wrappers import Response

from shared.config import get_settings
from shared.http.function import HttpFunction, Request
from shared.messaging import webhooks

app = HttpFunction("twilio-webhooks")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _signed(req: Request) -> tuple[str, dict[str, str], str]:
    """The public URL Twilio signed, the form parameters (the first value of each), and the
    signature. The form is parsed here, not by werkzeug's general form machinery: two
    callbacks per message make its cost count."""
    query = req.raw.query_string.decode()
    url = get_settings().public_base_url.rstrip("/") + req.raw.path + (f"?{query}" if query else "")
    params: dict[str, str] = {}
    if req.raw.mimetype == "application/x-www-form-urlencoded":
        body = req.read_body().decode("utf-8", "replace")
        for key, value in parse_qsl(body, keep_blank_values=True):
            params.setdefault(key, value)
    return url, params, req.headers.get("X-Twilio-Signature", "")


@app.operation
def twilio_inbound(req: Request) -> Response:
    """Answers empty TwiML: replies (STOP/START/HELP) go out through the API, recorded."""
    webhooks.handle_inbound(*_signed(req))
    return Response(EMPTY_TWIML, mimetype="text/xml")


@app.operation
def twilio_status(req: Request) -> Response:
    webhooks.handle_status(*_signed(req))
    return Response(EMPTY_TWIML, mimetype="text/xml")


handler = app
