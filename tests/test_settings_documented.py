"""Every setting is listed, with its default, in README.md and .env.example."""

from __future__ import annotations

from pathlib import Path

from shared.config import Settings
from shared.platform.settings_doc import default_text, env_example, with_table

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_is_generated_from_settings() -> None:
    text = (ROOT / ".env.example").read_text()
    assert text == env_example(), "run `smsctl settings-doc`"
    for name, field in Settings.model_fields.items():
        assert f"\n{name.upper()}={default_text(field.default)}\n" in text


def test_readme_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme == with_table(readme), "run `smsctl settings-doc`"
    for name in Settings.model_fields:
        assert f"| `{name.upper()}` |" in readme
