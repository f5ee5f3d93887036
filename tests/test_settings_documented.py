"""Every setting is listed, with its default, in README.md and .env.example."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from shared.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def _default(value: object) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def test_every_setting_is_in_env_example_with_its_default() -> None:
    lines = {
        line.split("=", 1)[0].lstrip("# ").strip(): line.split("=", 1)[1].strip()
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("##")
    }
    for name, field in Settings.model_fields.items():
        assert name.upper() in lines, f"{name.upper()} missing from .env.example"
        assert lines[name.upper()] == _default(field.default), name.upper()


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, f"{name.upper()} missing from README"
