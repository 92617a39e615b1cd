"""Every setting is documented (issue #11): each environment variable that a settings class reads appears in
the README's settings table (the ``| variable | default | meaning |`` table under "Configuration")."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from pydantic import AliasChoices
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "db", "ops", "demo", "dashboard", "cli", "bench")
#: A class with BaseSettings among its bases (``Settings`` also inherits its storage fields from a plain model).
CLASS = re.compile(r"^class (\w+)\([^)]*\bBaseSettings\b[^)]*\):", re.M)


def settings_classes() -> list[type[BaseSettings]]:
    """Every ``BaseSettings`` subclass in our packages, found in the source so a new one cannot hide."""
    found: list[type[BaseSettings]] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            names = CLASS.findall(path.read_text(encoding="utf-8"))
            if names:
                module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
                found += [getattr(module, name) for name in names]
    return found


def variables(cls: type[BaseSettings]) -> list[tuple[str, ...]]:
    """The environment variable names of each field (several when the field accepts aliases)."""
    prefix = cls.model_config.get("env_prefix", "")
    out: list[tuple[str, ...]] = []
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            out.append(tuple(str(c).upper() for c in alias.choices))
        elif isinstance(alias, str):
            out.append((alias.upper(),))
        else:
            out.append(((prefix + name).upper(),))
    return out


def settings_table() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def test_every_setting_is_in_the_readme_table() -> None:
    classes = settings_classes()
    assert {c.__name__ for c in classes} >= {"Settings", "Open311Settings"}  # the scan finds them
    table = settings_table()
    missing = [
        names[0]
        for cls in classes
        for names in variables(cls)
        if not any(re.search(rf"`{n}`", table) for n in names)
    ]
    assert missing == [], f"add these settings to the README's table: {missing}"


def test_the_check_sees_a_missing_setting() -> None:
    class Extra(BaseSettings):
        model_config = {"env_prefix": "GUIYANG_"}
        not_documented_anywhere: int = 1

    assert variables(Extra) == [("GUIYANG_NOT_DOCUMENTED_ANYWHERE",)]
    assert "`GUIYANG_NOT_DOCUMENTED_ANYWHERE`" not in settings_table()
