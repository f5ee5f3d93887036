"""SSRF: outside the local environment, private, loopback, link-local, metadata and
multicast targets are refused at creation and again at send time, when every address is
resolved and checked; redirects are never followed; nothing reaches the target."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from shared import net
from tests.identity_helpers import Account
from tests.webhooks.conftest import create_endpoint, deliveries
from tests.webhooks.receiver import Receiver, Reply


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "reserved"),  # shared address space (CGNAT)
        ("169.254.169.254", "link-local (cloud metadata)"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("255.255.255.255", "private"),
        ("::1", "loopback"),
        ("fe80::1", "link-local (cloud metadata)"),
        ("fd00:ec2::254", "private"),
        ("ff02::1", "multicast"),
        ("::", "unspecified"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local (cloud metadata)"),
        ("2002:a00:1::1", "private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local (cloud metadata)"),  # NAT64 of 169.254.169.254
    ],
)
def test_forbidden_addresses(address: str, reason: str) -> None:
    assert net.forbidden_reason(ipaddress.ip_address(address), allow_loopback=False) == reason


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert net.forbidden_reason(ipaddress.ip_address(address), allow_loopback=False) is None


def test_loopback_is_allowed_only_when_asked_and_private_never() -> None:
    assert net.forbidden_reason(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert net.forbidden_reason(ipaddress.ip_address("::1"), allow_loopback=True) is None
    assert net.forbidden_reason(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)


def test_every_resolved_address_is_checked_and_the_connection_uses_a_checked_one() -> None:
    def rebinding(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.1"]  # one public, one private

    with pytest.raises(net.ForbiddenAddress, match=r"10\.0\.0\.1"):
        net.resolve_target("https://hooks.example.test/x", resolver=rebinding, allow_loopback=False)
    target = net.resolve_target(
        "https://hooks.example.test:8443/x?y=1",
        resolver=lambda h, p: ["93.184.216.34"],
        allow_loopback=False,
    )
    assert target.address_url == "https://93.184.216.34:8443/x?y=1"
    assert target.host_header == "hooks.example.test:8443"
    assert target.host == "hooks.example.test"  # TLS SNI and the certificate check
    with pytest.raises(net.ForbiddenAddress):
        net.resolve_target("https://metadata.google.internal/computeMetadata/v1/")


@pytest.fixture
def non_local(settings_env: Callable[..., None]) -> None:
    settings_env(ENVIRONMENT="test", WEBHOOK_RETRY_SCALE="0.002")


@pytest.mark.usefixtures("non_local")
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://10.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://[::ffff:10.0.0.1]/hooks",
        "https://localhost/hooks",
        "http://example.com/hooks",  # https is required outside the local environment
    ],
)
def test_creation_refuses_forbidden_targets(api: httpx.Client, account: Account, url: str) -> None:
    r = api.post("/v1/webhook-endpoints", json={"url": url}, headers=account.headers)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.url"


def test_send_time_check_refuses_and_sends_nothing(
    api: httpx.Client,
    account: Account,
    settings_env: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Endpoints accepted while local (or whose DNS changed since) are refused at send time
    outside the local environment: no connection is even opened."""
    v4, v6 = Receiver(), Receiver(host="::1")
    try:
        settings_env(ENVIRONMENT="local", WEBHOOK_RETRY_SCALE="0.002")
        targets = [
            f"https://127.0.0.1:{v4.port}/hooks",
            f"https://[::1]:{v6.port}/hooks",
            f"https://localhost:{v4.port}/hooks",
            "https://intranet.example.test/hooks",
        ]
        endpoints = [create_endpoint(api, account, url) for url in targets]
        # The name did not resolve at creation; now its DNS answers a private address.
        real = net.system_resolver
        monkeypatch.setattr(
            net,
            "system_resolver",
            lambda host, port: (
                ["10.0.0.1"] if host == "intranet.example.test" else real(host, port)
            ),
        )
        settings_env(ENVIRONMENT="test")
        for endpoint in endpoints:
            r = api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=account.headers)
            assert r.status_code == 202

        def refused_twice(endpoint: dict[str, Any]) -> Callable[[], bool]:
            def check() -> bool:
                log = deliveries(api, account, endpoint["id"])[0]["attempt_log"]
                return len(log) >= 2

            return check

        for endpoint in endpoints:
            v4.wait_for(refused_twice(endpoint))
            log = deliveries(api, account, endpoint["id"])[0]["attempt_log"]
            assert all(a["error"].startswith("refused:") for a in log), log
            assert all(a["status_code"] is None for a in log)
        assert "10.0.0.1, a private address" in log[0]["error"]
        assert v4.connections == 0
        assert v6.connections == 0
    finally:
        v4.close()
        v6.close()


@pytest.mark.usefixtures("local")
def test_redirects_are_not_followed(api: httpx.Client, account: Account) -> None:
    target, elsewhere = Receiver(), Receiver()
    try:
        target.script = [Reply(302, b"", headers={"Location": elsewhere.url})]
        endpoint = create_endpoint(api, account, f"http://localhost:{target.port}/hooks")
        api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=account.headers)

        def settled() -> dict[str, Any] | None:
            d = deliveries(api, account, endpoint["id"])[0]
            return d if d["status"] == "succeeded" else None

        delivery = target.wait_for(settled)
        latest, first = delivery["attempt_log"]
        assert first["status_code"] == 302
        assert first["error"].startswith("redirect not followed")
        assert latest["status_code"] == 200
        assert elsewhere.connections == 0
        # Connected to the checked address, presenting the name it was given.
        assert target.requests[0].headers["host"] == f"localhost:{target.port}"
    finally:
        target.close()
        elsewhere.close()
