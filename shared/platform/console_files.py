"""Serves the console's static export (web/out) from the local gateway, as the bucket
behind the load balancer does in GCP: the API keeps its paths, everything else is a file.

Pages are folders with an index.html (`trailingSlash: true` in next.config.ts), so
`/login`, `/login/` and `/login/index.html` are one page; dynamic records use query
parameters (`/campaigns/view?id=...`), so every URL of the console is a real file and a
reload of any page finds it. Hashed assets under /_next/static are cached for a year, HTML
is revalidated on every load.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from werkzeug.security import safe_join
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

API_PREFIXES = ("/v1/", "/webhooks/", "/_functions/")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

mimetypes.add_type("text/plain", ".txt")  # RSC payloads fetched on client navigation
mimetypes.add_type("application/javascript", ".js")


class ConsoleFiles:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    @property
    def built(self) -> bool:
        return (self.root / "index.html").is_file()

    def handles(self, request: Request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(API_PREFIXES)
            and self.built
        )

    def _find(self, path: str) -> Path | None:
        relative = path.strip("/")
        candidates = [relative, f"{relative}/index.html", f"{relative}.html"]
        for candidate in candidates if relative else ["index.html"]:
            joined = safe_join(str(self.root), candidate)
            if joined and Path(joined).is_file():
                return Path(joined)
        return None

    def respond(self, request: Request) -> Response:
        found = self._find(request.path)
        status = 200
        if found is None:
            found, status = self.root / "404.html", 404
        response = send_file(
            found,
            request.environ,
            mimetype=mimetypes.guess_type(found.name)[0] or "application/octet-stream",
            conditional=status == 200,
            etag=True,
            max_age=None,
        )
        response.status_code = status if response.status_code == 200 else response.status_code
        immutable = request.path.startswith("/_next/static/")
        response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
        response.headers["X-Content-Type-Options"] = "nosniff"
        if found.suffix == ".html":
            # The page's own <meta> Content-Security-Policy lists its inline scripts' hashes
            # (web/scripts/csp.mjs); framing is refused here, as a <meta> cannot do it.
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Referrer-Policy"] = "same-origin"
        return response
