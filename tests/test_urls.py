"""Media URLs: public https addresses only (http in the local environment)."""

from __future__ import annotations

import pytest

from shared.urls import public_url_problem


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "ftp://example.com/a.png",
        "http://example.com/a.png",
        "https://169.254.169.254/latest/meta-data/",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://127.0.0.1/a.png",
        "https://10.1.2.3/a.png",
        "https://192.168.0.10/a.png",
        "https://172.16.5.4/a.png",
        "https://100.64.0.1/a.png",
        "https://[::1]/a.png",
        "https://[fd00::1]/a.png",
        "https://[::ffff:10.0.0.1]/a.png",
        "https://localhost/a.png",
        "https://printer.local/a.png",
        "https://intranet/a.png",
        "https://2130706433/a.png",
        "https://0x7f000001/a.png",
        "https://user:secret@example.com/a.png",
    ],
)
def test_refused(url: str) -> None:
    assert public_url_problem(url) is not None


@pytest.mark.parametrize(
    "url", ["https://example.com/a.png", "https://8.8.8.8/x.jpg", "https://cdn.example.org:8443/x"]
)
def test_accepted(url: str) -> None:
    assert public_url_problem(url) is None


def test_http_only_where_allowed() -> None:
    assert public_url_problem("http://example.com/a.png", allow_http=True) is None
    assert public_url_problem("http://10.0.0.1/a.png", allow_http=True) is not None
