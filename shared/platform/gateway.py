"""The local gateway: every function of the registry on one port (dev and e2e tests).

It only picks the function by path, as API Gateway / the load balancer does in GCP, and
calls that function's own entry point with the request, exactly as functions-framework
would. Event and task functions are reachable at POST /_functions/<name> (emulator pushes).
Given the console's static export, it serves it for every other GET, as the bucket does.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from shared import registry
from shared.http.function import problem_response
from shared.http.headers import secure
from shared.http.problems import Problem
from shared.http.routing import Router
from shared.platform.console_files import ConsoleFiles

_INTERNAL_PREFIX = "/_functions/"
_LOCAL_PREFIX = "/_local/"  # local-only tools (the captured mail); 404 in any other environment


class Gateway:
    def __init__(self, console_dir: Path | None = None) -> None:
        self.console = ConsoleFiles(console_dir) if console_dir else None
        self._router: Router[str] = Router(
            (route.method, route.path, spec.name)
            for spec in registry.http_functions()
            for route in spec.routes
        )
        self._handlers: dict[str, Callable[[Request], Response]] = {}
        self._lock = threading.Lock()

    def handler_for(self, name: str) -> Callable[[Request], Response]:
        handler = self._handlers.get(name)
        if handler is None:
            with self._lock:
                module = importlib.import_module(registry.by_name(name).module)
                handler = self._handlers[name] = module.handler
        return handler

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.respond(request)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        return secure(request, self._respond(request))

    def _respond(self, request: Request) -> Response:
        if request.path.startswith(_LOCAL_PREFIX):
            from shared.config import get_settings
            from shared.local.mail import respond

            settings = get_settings()
            return respond(request, Path(settings.data_dir).resolve(), settings.environment)
        if request.path.startswith(_INTERNAL_PREFIX):
            name = request.path[len(_INTERNAL_PREFIX) :].strip("/")
            try:
                spec = registry.by_name(name)
            except KeyError:
                return problem_response(
                    Problem(404, "not-found", "Not found", f"No function {name}."),
                    request.path,
                    None,
                )
            return self.handler_for(spec.name)(request)
        # The function that owns the path answers every method on it (405 and OPTIONS
        # included), as the load balancer's URL map routes by path alone in GCP.
        try:
            template, _ = self._router.resource(request.path)
        except Problem as problem:
            # Not an API path: a page or asset of the console (its 404 page otherwise).
            if self.console is not None and self.console.handles(request):
                return self.console.respond(request)
            return problem_response(problem, request.path, None)
        return self.handler_for(next(iter(template.endpoints.values())))(request)


GATEWAY_THREADS = 64


def serve(host: str, port: int, console_dir: Path | None = None) -> BaseWSGIServer:
    """A threaded server for the gateway; call `serve_forever()` or run it in a thread."""
    # Each function logs its own JSON access line; werkzeug's would repeat it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return _Server(host, port, Gateway(console_dir), handler=_Handler)


class _Handler(WSGIRequestHandler):
    def send_response(self, code: int, message: str | None = None) -> None:
        """As the base class, without a `Server: Werkzeug/x Python/y` header: what runs
        behind the API is nobody's business."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    # Headers and body are separate writes: with Nagle on, the body waits for the client's
    # delayed ACK (40-200 ms per response).
    disable_nagle_algorithm = True
    # An idle keep-alive connection gives its worker back after this many seconds.
    timeout = 5


class _Server(ThreadedWSGIServer):
    """Connections are served by a bounded pool of threads, as a deployed function serves a
    bounded number of requests at once. A thread per connection (werkzeug's default) lets a
    burst of webhooks start hundreds of threads that fight over the GIL until every request
    is slow; bounded, the extra connections wait in the listen queue and the server keeps
    its full throughput."""

    # Webhooks come in bursts (two status callbacks per message sent): queue connections
    # while every worker is busy rather than reset them (werkzeug's default is 128).
    request_queue_size = 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._workers = ThreadPoolExecutor(GATEWAY_THREADS, thread_name_prefix="gateway")

    def process_request(self, request: Any, client_address: Any) -> None:
        self._workers.submit(self.process_request_thread, request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self._workers.shutdown(wait=False, cancel_futures=True)
