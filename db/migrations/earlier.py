"""An earlier migration's module, for a later one that reuses its frozen helpers or templates (0036 takes 0031's
rollup templates, 0037 takes 0032's table rebuild): the file is loaded as it is, by path."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

VERSIONS = Path(__file__).with_name("versions")


def load(filename: str) -> ModuleType:
    """The module of ``versions/<filename>``."""
    spec = importlib.util.spec_from_file_location(f"_earlier_{Path(filename).stem}", VERSIONS / filename)
    assert spec is not None and spec.loader is not None  # nosec B101 # a file of this package
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
