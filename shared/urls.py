"""URLs a workspace gives us for someone to fetch (message media): public HTTPS only.

The address must be one anyone on the internet could reach: not loopback, private,
link-local (the cloud metadata service), shared, multicast or reserved, whether written
as an IP literal or as a name that only an internal resolver knows (localhost, *.local,
*.internal, a single label). Names are not resolved here: whoever fetches the URL must
check the address it connects to as well.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from shared.config import get_settings

_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+))*$", re.IGNORECASE)


def public_url_problem(url: str, *, allow_http: bool = False) -> str | None:
    """Why this URL is refused, or None when it may be given out to be fetched."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "Not a valid URL."
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        return f"Use {' or '.join(schemes)} URLs."
    if parts.username or parts.password:
        return "URLs with credentials are not accepted."
    if not host:
        return "The URL has no host."
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if _NUMERIC_HOST.match(host):
            return "Write an IP address in dotted form."
        if host == "localhost" or host.endswith(_INTERNAL_SUFFIXES) or "." not in host:
            return "The host is not a public internet name."
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_global or address.is_multicast:
        return "The address is not a public internet address."
    return None


def _public_media_url(url: str) -> str:
    problem = public_url_problem(url, allow_http=get_settings().environment == "local")
    if problem:
        raise ValueError(problem)
    return url


# A media URL of a message: Twilio fetches it. http is taken in the local environment only.
PublicMediaUrl = Annotated[
    str,
    Field(
        min_length=9,
        max_length=2000,
        # No `pattern`: JSON Schema's regex dialect and pydantic's disagree on what \S
        # is (U+0085); the scheme and host are checked below, named in the message.
        description=(
            "A public https URL (http only in the local environment); private, loopback, "
            "link-local and internal addresses are refused."
        ),
    ),
    AfterValidator(_public_media_url),
]
