"""The files a report page inlines, so that it opens offline from a single file.

* our own style and scripts, package data in ``model/report/assets/`` (read with
  :mod:`importlib.resources`): ``report.css`` (both pages), ``errors.js`` (records JavaScript
  errors in ``#wb-errors``), ``charts.js`` (``WB.plot``), ``map.js`` (the Leaflet map) and
  ``dispatch.js`` (the dispatch chart's region menu);
* Leaflet 1.9 (BSD-2, from the ``django-js-lib-leaflet`` wheel, or Debian's
  ``libjs-leaflet``), its CSS images inlined as data URIs;
* plotly.js (MIT, shipped with the ``plotly`` package).
"""

from __future__ import annotations

import base64
import importlib.util
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

LEAFLET_DIRS = (Path("/usr/share/javascript/leaflet"),)


@cache
def asset(name: str) -> str:
    """The text of ``model/report/assets/<name>``."""
    return (files("model.report") / "assets" / name).read_text(encoding="utf-8")


def _leaflet_dirs() -> list[Path]:
    dirs = []
    spec = importlib.util.find_spec("js_lib_leaflet")
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            dirs.append(Path(loc) / "static" / "js_lib_leaflet")
    dirs.extend(LEAFLET_DIRS)
    return dirs


def _inline_images(css_text: str, base: Path) -> str:
    """Leaflet's CSS with its ``url(images/….png)`` turned into data URIs."""
    def inline(m):
        f = base / m.group(1)
        if not f.is_file():
            return "url(data:,)"
        return f"url(data:image/png;base64,{base64.b64encode(f.read_bytes()).decode()})"

    return re.sub(r"url\((images/[^)]+\.png)\)", inline, css_text)


def leaflet_assets() -> tuple[str, str] | None:
    """(leaflet.js, leaflet.css with its images inlined), or None when not installed."""
    for d in _leaflet_dirs():
        js, css = d / "leaflet.js", d / "leaflet.css"
        if js.is_file() and css.is_file():
            return (js.read_text(encoding="utf-8"),
                    _inline_images(css.read_text(encoding="utf-8"), d))
    return None


def plotly_js() -> str:
    """plotly.js (minified) as shipped with the installed plotly package."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
