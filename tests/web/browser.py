"""A browser profile on the console, with the checks every page gets (see tests/web/README.md).

console.goto("/dashboard")
console.page.get_by_role("button", name="Log in").click()
console.check_page("dashboard")      # axe-core (no serious/critical) + a screenshot
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.services import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "console"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@dataclass
class Console:
    context: Any
    page: Any
    base: str
    name: str
    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, browser: Any, base: str, name: str, **context_options: Any) -> Console:
        context = browser.new_context(
            viewport={"width": 1280, "height": 860}, base_url=base, **context_options
        )
        # axe-core in every page before its own scripts: injected by the browser's debugging
        # protocol, so the pages' Content-Security-Policy stays in force and is checked.
        context.add_init_script(path=str(AXE))
        session = cls(context, context.new_page(), base, re.sub(r"[^\w.-]+", "-", name))
        session._watch(session.page)
        context.route("**/*", session._only_this_machine)
        return session

    def new_tab(self) -> Any:
        page = self.context.new_page()
        self._watch(page)
        return page

    def _watch(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))

        def on_console(message: Any) -> None:
            if "Content Security Policy" in message.text:
                self.csp.append(f"{page.url}: {message.text}")

        page.on("console", on_console)

    def _only_this_machine(self, route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def url(self, path: str) -> str:
        return self.base + path

    def goto(self, path: str, page: Any = None) -> Any:
        target = page or self.page
        target.goto(self.url(path))
        target.wait_for_load_state("networkidle")
        return target

    def log_in(self, email: str, password: str, then: str = "/dashboard") -> Any:
        """Log in through the login page as a person does; lands on `then`."""
        page = self.goto(f"/login?next={then}")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(re.escape(then) + r"/?(\?.*)?$"))
        page.wait_for_load_state("networkidle")
        return page

    def check_a11y(self, label: str, page: Any = None) -> None:
        """axe-core on the page as it is now: no serious or critical violation."""
        target = page or self.page
        result = target.evaluate(
            """async () => {
                // Colours are judged at rest: let finite transitions (a step turning
                // active, a button's hover) end first; a spinner's endless one is left.
                const ending = document.getAnimations().filter(
                    a => a.effect && a.effect.getComputedTiming().iterations !== Infinity
                );
                await Promise.all(ending.map(a => a.finished.catch(() => null)));
                const r = await axe.run(document, { resultTypes: ["violations"] });
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
                }));
            }"""
        )
        blocking = [v for v in result if v["impact"] in BLOCKING]
        assert not blocking, f"{label}: accessibility violations\n" + "\n".join(
            f"- {v['impact']} {v['id']}: {v['help']} at {v['targets']}" for v in blocking
        )

    def screenshot(self, label: str, page: Any = None, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}--{label}.png"
        (page or self.page).screenshot(path=str(path), full_page=full_page)
        return path

    def check_page(self, label: str, page: Any = None, full_page: bool = True) -> Path:
        """What every page of every journey gets: axe-core, then a screenshot (the viewport
        only with `full_page=False`, for menus and dialogs that sit over the page)."""
        self.check_a11y(label, page)
        return self.screenshot(label, page, full_page)

    def close(self) -> None:
        self.context.close()

    def assert_clean(self) -> None:
        assert not self.errors, "page errors:\n" + "\n".join(self.errors)
        assert not self.csp, "Content-Security-Policy violations:\n" + "\n".join(self.csp)
        assert not self.outside, "requests that left the machine:\n" + "\n".join(self.outside)
