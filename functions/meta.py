"""meta: /health and /openapi.json (the API reference at /docs is a page of the console)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from shared.http.function import HttpFunction, json_response
from shared.platform.health import HealthOut, check_health

app = HttpFunction("meta")


@app.operation
def health() -> HealthOut | Response:
    result = check_health()
    if result.down:
        # 503 names what is down; load balancers and uptime checks read the status.
        return Response(result.model_dump_json(), status=503, mimetype="application/json")
    return result


@app.operation
def openapi_document() -> Response:
    from shared.platform.openapi import openapi_document as build  # only this route pays

    return json_response(build())


handler = app
