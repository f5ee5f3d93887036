"""meta: /health, /openapi.json and the guides at /docs/{guide} (the API reference at
/docs is a page of the console)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from shared.http.function import HttpFunction, json_response
from shared.http.problems import not_found
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


@app.operation
def guide_page(guide: str) -> Response:
    """Markdown. `template-variables`: what a message template may say; `segments`: the
    fields and operators of segment filters."""
    from shared.platform.guides import read_guide

    text = read_guide(guide)
    if text is None:
        raise not_found("Guide")
    return Response(text, mimetype="text/markdown")


handler = app
