"""`.env.example` and README's settings table, generated from `Settings` (never by hand)."""

from __future__ import annotations

import re

from pydantic import SecretStr

from shared.config import Settings

BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"


def default_text(value: object) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def env_example() -> str:
    lines = ["## Settings of the SMS platform, with their defaults. Copy to .env and edit.", ""]
    for name, field in Settings.model_fields.items():
        lines += [f"# {field.description}", f"{name.upper()}={default_text(field.default)}", ""]
    return "\n".join(lines)


def readme_table() -> str:
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        value = default_text(field.default)
        shown = "(dev-only value)" if isinstance(field.default, SecretStr) and value else value
        rows.append(
            f"| `{name.upper()}` | {f'`{shown}`' if shown else '(empty)'} | {field.description} |"
        )
    return "\n".join(rows)


def with_table(readme: str) -> str:
    block = f"{BEGIN}\n{readme_table()}\n{END}"
    return re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, readme, flags=re.S)
