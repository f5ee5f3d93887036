"""The send path reads top-down: messaging does not import campaigns; campaigns plug in."""

from __future__ import annotations

import ast
from pathlib import Path

import shared.messaging
from shared.messaging import hooks

MESSAGING = Path(shared.messaging.__file__).parent
# Sender health pauses campaigns itself (owned by the sender-health work, not the send path).
NOT_YET_INVERTED = {"health.py"}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_messaging_does_not_import_campaigns() -> None:
    offenders = {
        path.name: sorted(m for m in _imports(path) if m.startswith("shared.campaigns"))
        for path in MESSAGING.glob("*.py")
        if path.name not in NOT_YET_INVERTED
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}
    # the check can fail: campaigns do import messaging
    engine = MESSAGING.parent / "campaigns" / "engine.py"
    assert any(m.startswith("shared.messaging") for m in _imports(engine))


def test_functions_plug_the_campaign_layer_into_the_send_path() -> None:
    import functions  # noqa: F401  (the composition root installs the campaign hooks)
    from shared.campaigns import send_hooks

    assert send_hooks.settle in hooks._hooks.on_settled
    assert hooks._hooks.claim_gate is send_hooks.running_gate
    assert hooks._hooks.campaign_cap is send_hooks.campaign_cap
