"""Build ``dashboard/assets/plotly-locale-zh-cn.js``: plotly.js's zh-CN locale (npm package ``plotly.js-locales``,
MIT) as a browser script that registers it with plotly.js, served by the app (no CDN). Run by
``make plotly-locale``, which fetches the package with ``npm pack``; the output is committed.

    python tools/make_plotly_locale.py plotly.js-locales-3.7.0.tgz
"""

from __future__ import annotations

import re
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "dashboard" / "assets" / "plotly-locale-zh-cn.js"
#: how plotly.js's own dist/plotly-locale-*.js files register a locale, loaded before or after plotly.js
REGISTER = (
    'if (typeof Plotly === "undefined") { window.PlotlyLocales = window.PlotlyLocales || []; '
    "window.PlotlyLocales.push(locale); } else { Plotly.register(locale); }"
)


def main(tgz: str) -> int:
    with tarfile.open(tgz) as tar:
        source = tar.extractfile("package/zh-cn.js")
        meta = tar.extractfile("package/package.json")
        licence = tar.extractfile("package/LICENSE")
        assert source and meta and licence
        body = source.read().decode("utf-8")
        version = re.search(r'"version":\s*"([^"]+)"', meta.read().decode("utf-8"))
        copyright_line = next(
            line for line in licence.read().decode("utf-8").splitlines() if line.startswith("Copyright")
        )
    body = body.replace("'use strict';", "").strip()
    body = re.sub(r"^module\.exports\s*=", "var locale =", body, flags=re.M)
    body = re.sub(r"\s+// [\w/.]+:\d+$", "", body, flags=re.M)  # plotly's source-line notes
    head = (
        f"/* plotly.js zh-CN locale, from the npm package plotly.js-locales {version[1] if version else '?'} "
        f"(MIT License, {copyright_line}).\n   Built by tools/make_plotly_locale.py (make plotly-locale). */\n"
    )
    OUT.write_text(f"{head}(function () {{\n{body}\n{REGISTER}\n}})();\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
