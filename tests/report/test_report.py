"""Run map (map.png) and interactive report (report.html) as a reader sees them.

The HTML report is opened in headless Chromium (Debian package ``chromium``; CI installs it):
the report records every JavaScript error in ``#wb-errors`` and marks the map and each chart
``data-rendered="1"`` once drawn, so the dumped DOM tells whether it really rendered offline.
A screenshot is saved next to the test's files and, when ``WATTBIT_ARTEFACTS`` names a
folder, copied there.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from casegen import tech, write_case
from pyproj import Geod, Transformer

from model.report.charts import chart_price_duration
from model.report.html import (
    ERROR_HOOK,
    leaflet_assets,
    map_data,
    read_run,
    render_report_html,
    write_comparison_html,
    write_report_html,
)
from model.report.maps import draw_map, write_map_png
from model.report.run_data import region_prices
from model.report.steps import run_steps
from model.studies.cases import load_case
from model.studies.run import run

ROOT = Path(__file__).resolve().parents[2]
TWO_REGION = ROOT / "data" / "cases" / "two-region"
CHART_IDS = ["chart-costs", "chart-capacity", "chart-dispatch", "chart-soc", "chart-prices",
             "chart-sankey"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


# ------------------------------------------------------------------------------ helpers
def chromium() -> str:
    """A headless Chromium binary. Without one the browser test is skipped with the reason,
    except in CI (``CI`` set to true), where its absence is a failure: CI installs Debian's
    chromium, and the README's test command must pass on a fresh machine with Python alone."""
    for name in (os.environ.get("WATTBIT_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome", "google-chrome-stable"):
        if name and shutil.which(name):
            return shutil.which(name)
    message = ("headless Chromium is needed to check report.html in a browser: install the "
               "Debian package 'chromium' (apt-get install -y chromium) or set "
               "WATTBIT_CHROMIUM to a Chrome/Chromium binary")
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def browse(page: Path, profile: Path, *extra: str, timeout: int = 120) -> str:
    """Open ``page`` in headless Chromium (no network use) and return its stdout."""
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}",
           "--virtual-time-budget=8000", *extra, page.resolve().as_uri()]
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


class DomSummary(HTMLParser):
    """For elements with the given ids: their attributes and the tags found inside them."""

    def __init__(self, ids):
        super().__init__(convert_charrefs=True)
        self.ids = set(ids)
        self.attrs: dict[str, dict] = {}
        self.inside: dict[str, dict[str, int]] = {}
        self.stack: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for _, owner in self.stack:
            if owner is not None:
                counts = self.inside[owner]
                counts[tag] = counts.get(tag, 0) + 1
                for cls in (a.get("class") or "").split():
                    counts["." + cls] = counts.get("." + cls, 0) + 1
        own = a.get("id") if a.get("id") in self.ids else None
        if own is not None:
            self.attrs[own] = a
            self.inside[own] = {}
        if tag not in VOID:
            self.stack.append((tag, own))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


def dom_summary(dom: str, ids) -> DomSummary:
    p = DomSummary(ids)
    p.feed(dom)
    return p


def save_artefact(path: Path, name: str | None = None) -> None:
    """Copy a file a person should look at into $WATTBIT_ARTEFACTS (when set)."""
    dest = os.environ.get("WATTBIT_ARTEFACTS")
    if dest:
        Path(dest).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, Path(dest) / (name or path.name))


@pytest.fixture(scope="module")
def two_region(tmp_path_factory):
    out = tmp_path_factory.mktemp("two-region") / "run"
    res = run(TWO_REGION, out=out)
    assert res.status == "optimal"
    return res


# --------------------------------------------------------------------------- report.html
def test_report_html_is_self_contained(two_region, tmp_path):
    assert leaflet_assets() is not None, "Leaflet is not installed: pip install " \
                                         "django-js-lib-leaflet (the report needs it offline)"
    path = write_report_html(two_region.case, two_region.tables, two_region.summary,
                             tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    # nothing is loaded from elsewhere: no external scripts, styles, images or frames
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", text, flags=re.S)
    markup = re.sub(r"(<style[^>]*>).*?</style>", r"\1</style>", markup, flags=re.S)
    assert not re.search(r"<(script|img|iframe)[^>]+src=", markup)
    assert not re.search(r"<link[^>]+href=", markup)
    assert "var WB_TILES = null;" in text  # no tile layer unless asked for
    assert text.count("Leaflet 1.9.4, a JS library") == 1  # Leaflet inlined once
    assert text.count("plotly.js v") == 1  # plotly.js inlined once
    assert "url(images/" not in text  # Leaflet's CSS images are inlined as data URIs
    for cid in CHART_IDS:
        assert f"id='{cid}'" in text
    assert "could not draw" not in text
    with_tiles = render_report_html(two_region.case, two_region.tables, two_region.summary,
                                    tiles=True)
    assert re.search(r'var WB_TILES = \{"url":"https://tile\.openstreetmap\.org', with_tiles)


def test_report_html_renders_in_headless_chromium(two_region, tmp_path):
    path = write_report_html(two_region.case, two_region.tables, two_region.summary,
                             tmp_path / "report.html")
    dom = browse(path, tmp_path / "profile", "--dump-dom")
    ids = ["wb-errors", "wb-status", "map", "map-legend", *CHART_IDS]
    d = dom_summary(dom, ids)
    assert set(ids) <= set(d.attrs), f"missing elements: {set(ids) - set(d.attrs)}"
    errors = d.attrs["wb-errors"]
    found = re.search(r'id="wb-errors"[^>]*>(.*?)</div>', dom, re.S)
    assert errors.get("data-count") == "0", f"JavaScript errors: {found.group(1)[:2000]}"
    status = d.attrs["wb-status"]
    assert status["data-charts-rendered"] == status["data-charts-total"] == str(len(CHART_IDS))
    for cid in CHART_IDS:
        assert d.attrs[cid].get("data-rendered") == "1", f"{cid} not rendered"
        assert d.inside[cid].get("svg", 0) >= 1, f"{cid} has no svg"
    # map: Leaflet drew the vector layers into its overlay pane, and the legend is filled
    m = d.inside["map"]
    assert d.attrs["map"].get("data-rendered") == "1"
    assert m.get(".leaflet-overlay-pane", 0) == 1 and m.get("svg", 0) >= 1
    case, t = two_region.case, two_region.tables
    n_new_lines = int((t["corridors"]["new_mw"] > 0).sum())
    expected_paths = len(case.regions) + len(t["corridors"]) + n_new_lines + len(case.sites)
    assert m.get("path", 0) >= expected_paths
    assert m.get(".wb-star", 0) == len(case.demand_centres)
    assert m.get(".leaflet-control-layers", 0) == 1
    assert d.inside["map-legend"].get("b", 0) >= 1  # colour-scale title
    assert "Average power price (EUR/MWh" in dom
    # dispatch defaults to the region with the most load (east in this case)
    assert re.search(r"<option value=\"east\" selected", dom)

    shot = tmp_path / "report-two-region.png"
    browse(path, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1400,3000")
    assert shot.exists() and shot.stat().st_size > 50_000
    save_artefact(shot)


def test_error_hook_catches_javascript_errors(tmp_path):
    """The 'no errors' assertion above is only worth something if errors are recorded."""
    page = tmp_path / "broken.html"
    page.write_text(f"<html><head><script>{ERROR_HOOK}</script></head><body>"
                    "<div id='wb-errors' data-count='0'></div>"
                    "<script>undefinedFunction();</script>"
                    "<script>Promise.reject(new Error('rejected'));</script></body></html>")
    dom = browse(page, tmp_path / "profile", "--dump-dom")
    d = dom_summary(dom, ["wb-errors"])
    assert int(d.attrs["wb-errors"]["data-count"]) == 2
    assert "undefinedFunction" in dom and "rejected" in dom


def test_report_without_leaflet_falls_back_to_static_map(two_region, monkeypatch):
    import model.report.html as report

    monkeypatch.setattr(report, "leaflet_assets", lambda: None)
    text = report.render_report_html(two_region.case, two_region.tables, two_region.summary)
    assert "data:image/png;base64," in text and "django-js-lib-leaflet" in text
    assert "var WB_MAP" not in text and "could not draw" not in text


def test_report_from_run_folder_and_without_solution(two_region, tmp_path):
    tables, summary = read_run(two_region.out_dir)
    assert {"sites", "capacity", "prices", "dispatch", "assignment"} <= set(tables)
    text = render_report_html(two_region.case, tables, summary)
    assert "West campus" in text and "could not draw" not in text
    # a run without a solution (e.g. time limit before any incumbent) still gets a report
    bare = {"status": "time_limit", "objective": None, "message": "no solution"}
    text = render_report_html(two_region.case, {}, bare)
    assert "time_limit" in text and "could not draw" not in text


def test_comparison_html(two_region, tmp_path):
    case = two_region.case
    sites = case.sites.copy()
    sites.loc["west_dc", "max_it_mw"] = 0.0  # "east only": the west campus may not be built
    east_only = dataclasses.replace(case, sites=sites, scenario_names=["east-only"])
    res = run(east_only, write=False)
    assert res.status == "optimal"
    path = write_comparison_html([("free", case, two_region.tables, two_region.summary),
                                  ("east-only", east_only, res.tables, res.summary)],
                                 tmp_path / "comparison.html")
    text = path.read_text(encoding="utf-8")
    assert "east-only" in text and "Δ east-only vs free" in text
    assert "could not draw" not in text and "data:image/png;base64," in text
    dom = browse(path, tmp_path / "profile", "--dump-dom")
    ids = ["wb-errors", "chart-cmp-costs", "chart-cmp-sites", "chart-cmp-compute",
           "chart-cmp-build", "chart-cmp-metrics"]
    d = dom_summary(dom, ids)
    assert d.attrs["wb-errors"].get("data-count") == "0"
    for cid in ids[1:]:
        assert d.attrs[cid].get("data-rendered") == "1" and d.inside[cid].get("svg", 0) >= 1
    # the east-only run builds nothing in the west
    assert res.tables["sites"].set_index("site").at["west_dc", "built"] == 0


def test_compare_command_writes_comparison_html(tmp_path):
    """``solve.py compare`` (model.sweep.compare) writes its chart with this module."""
    from model.studies.sweep import compare

    east_only = {"name": "east-only", "set": {"policies.forbidden_sites": ["west_dc"]}}
    res = compare(TWO_REGION, [east_only], tmp_path / "cmp", base=True)
    assert res.chart == tmp_path / "cmp" / "comparison.html"
    text = res.chart.read_text(encoding="utf-8")
    assert "Δ east-only vs base" in text and "could not draw" not in text


# ------------------------------------------------------------- assets and packaging
ASSETS = ["report.css", "errors.js", "charts.js", "map.js", "dispatch.js"]


def _asset(name: str) -> str:
    from importlib.resources import files

    return (files("model.report") / "assets" / name).read_text(encoding="utf-8")


def test_report_inlines_its_css_and_js_assets(two_region, tmp_path):
    """The style and scripts are package data files, inlined whole into the page."""
    text = render_report_html(two_region.case, two_region.tables, two_region.summary)
    for name in ASSETS:
        body = _asset(name)
        assert body.strip() and body in text, f"assets/{name} not inlined"
    assert f"<style>{_asset('report.css')}</style>" in text
    assert f"<script>{_asset('errors.js')}</script>" in text
    assert ERROR_HOOK == _asset("errors.js")
    # the comparison page shares the style and the chart script, not the map's scripts
    cmp = write_comparison_html(
        [("a", two_region.case, two_region.tables, two_region.summary)],
        tmp_path / "comparison.html", small_maps=False).read_text(encoding="utf-8")
    assert _asset("report.css") in cmp and _asset("charts.js") in cmp
    assert _asset("map.js") not in cmp and _asset("dispatch.js") not in cmp


def test_report_assets_are_package_data():
    import tomllib

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = conf["tool"]["setuptools"]["package-data"]["model.report"]
    folder = ROOT / "model" / "report" / "assets"
    files_ = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert set(ASSETS) <= set(files_)
    assert all(any(Path("assets", f).match(p) for p in patterns) for f in files_)


# ------------------------------------------------------------------ time-step weights
@pytest.fixture(scope="module")
def two_region_days(tmp_path_factory):
    """The two-region case solved on one representative day of six segments."""
    out = tmp_path_factory.mktemp("two-region-days") / "run"
    res = run(TWO_REGION, out=out, days=1, segments=6)
    assert res.status == "optimal" and res.case.n_steps == 6
    return res


def test_read_back_run_is_drawn_with_its_steps_csv_weights(two_region_days, monkeypatch):
    """A run folder read back with the full-time case gets the run's step weights from
    steps.csv (presentation never reduces time again), so its charts add up as in process."""
    import model.inputs.timeseries as timeseries

    monkeypatch.setattr(timeseries, "reduce_case",
                        lambda *a, **k: pytest.fail("the report reduced time again"))
    res = two_region_days
    full = load_case(TWO_REGION)
    assert full.n_steps == 48
    tables, summary = read_run(res.out_dir)
    steps = run_steps(tables)
    assert steps.source == "steps.csv" and steps.n == 6
    np.testing.assert_allclose(steps.weights, res.case.weights)
    np.testing.assert_allclose(steps.hours, res.case.hours)
    assert steps.weights.sum() == pytest.approx(8760.0)
    assert len(set(steps.weights)) > 1  # unequal: equal weights would give other totals

    # average price per region: base load × step weight, as in process
    back, live = region_prices(full, tables), region_prices(res.case, res.tables)
    np.testing.assert_allclose(back.to_numpy(), live.to_numpy(), rtol=1e-9)
    load = tables["load"].drop(columns="time")
    prices = tables["prices"].pivot(index="time", columns="node", values="price_per_mwh")
    prices = prices.reindex(tables["steps"]["time"])
    w = tables["steps"]["weight_hours"].to_numpy()
    for r in full.regions.index:
        lw = load[r].to_numpy() * w
        assert back[r] == pytest.approx(float((prices[r].to_numpy() * lw).sum() / lw.sum()))

    # price duration curves: the same hours (up to 8760) and prices
    dur_back = chart_price_duration(full, tables)
    dur_live = chart_price_duration(res.case, res.tables)
    assert dur_back["layout"]["xaxis"]["range"] == pytest.approx([0, 8760.0])
    for a, b in zip(dur_back["data"], dur_live["data"], strict=True):
        assert a["name"] == b["name"] and a["x"][-1] == pytest.approx(8760.0)
        np.testing.assert_allclose(a["x"], b["x"])
        np.testing.assert_allclose(a["y"], b["y"], rtol=1e-6)

    # the map's region pop-ups: base-load energy and peak per year
    feats_back = map_data(full, tables, summary)["regions"]["features"]
    feats_live = map_data(res.case, res.tables, res.summary)["regions"]["features"]
    for a, b in zip(feats_back, feats_live, strict=True):
        pa, pb = a["properties"], b["properties"]
        assert pa["load_mwh"] == pytest.approx(pb["load_mwh"])
        assert pa["load_mwh"] == pytest.approx(float((load[pa["id"]] * w).sum()))
        assert pa["peak_load_mw"] == pytest.approx(pb["peak_load_mw"])
        assert pa["price"] == pytest.approx(pb["price"])
    text = render_report_html(full, tables, summary)
    assert "could not draw" not in text and "6 time steps" in text
    assert "1 representative days" in text  # x-axis title from summary.json


def test_old_run_folder_without_steps_gets_equal_weights(two_region_days):
    tables, _ = read_run(two_region_days.out_dir)
    del tables["steps"]
    steps = run_steps(tables)
    assert steps.source == "equal" and steps.n == 6
    np.testing.assert_allclose(steps.weights, 8760.0 / 6)
    dur = chart_price_duration(two_region_days.case, tables)
    assert dur["data"][0]["x"][-1] == pytest.approx(8760.0)
    assert run_steps({}) is None  # no results, no time steps


def test_report_layer_never_reduces_time():
    """Presentation receives what it draws: no time reduction inside model/report."""
    import ast

    for f in sorted((ROOT / "model" / "report").glob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names]
            for name in names:
                assert "timeseries" not in name and "tsam" not in name \
                    and name != "reduce_case", f"{f.name} imports {name}"


# ------------------------------------------------------------------------------- map.png
def _artists_by_gid(fig) -> dict[str, list]:
    out: dict[str, list] = {}
    for ax in fig.axes:
        for a in [*ax.collections, *ax.patches, *ax.texts, *ax.lines]:
            if a.get_gid():
                out.setdefault(a.get_gid(), []).append(a)
    return out


def test_map_png_two_region(two_region, tmp_path):
    from PIL import Image

    info = write_map_png(two_region.case, two_region.tables, two_region.summary,
                         tmp_path / "map.png", return_fig=True)
    path = info["path"]
    assert path.exists() and path.stat().st_size > 60_000
    img = np.asarray(Image.open(path).convert("RGB")).astype(np.uint32)
    assert img.shape[0] > 900 and img.shape[1] > 1500
    packed = (img[..., 0] << 16) | (img[..., 1] << 8) | img[..., 2]
    assert len(np.unique(packed)) > 200  # shading, lines, markers, anti-aliased text
    labels = info["legend_labels"]
    for expected in ("new corridor capacity", "built site", "demand centre",
                     "grid connection to host region"):
        assert any(expected in lbl for lbl in labels), (expected, labels)
    assert info["measure"] == "price"
    assert info["colorbar_label"].startswith("average power price (EUR/MWh")
    assert (info["regions"], info["corridors"], info["sites_built"], info["demand_centres"]) == (
        2, 1, 2, 1)
    assert "Two-region example" in info["caption"] and "none (base case)" in info["caption"]
    art = _artists_by_gid(info["figure"])
    for gid in ("regions", "corridors", "corridors-new", "sites-built", "demand-centres",
                "scale-bar", "label-site", "label-region"):
        assert gid in art, f"layer {gid} missing"
    assert len(art["scale-bar"]) == 2

    # the scale bar is true on the ellipsoid at its own latitude (within 1 %)
    fig = info["figure"]
    bar = sorted(art["scale-bar"], key=lambda r: r.get_x())
    x0, y0 = bar[0].get_x(), bar[0].get_y()
    x1 = bar[1].get_x() + bar[1].get_width()
    inv = Transformer.from_crs(info["projection"], 4326, always_xy=True)
    (lon0, lat0), (lon1, lat1) = inv.transform(x0, y0), inv.transform(x1, y0)
    km = Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)[2] / 1000.0
    assert km == pytest.approx(info["scale_bar_km"], rel=0.01)
    assert any(t.get_text() == f"{info['scale_bar_km']:g} km" for t in fig.axes[0].texts)
    fig.savefig(tmp_path / "again.png")  # the returned figure is still usable
    save_artefact(path, "map-two-region.png")


def test_map_point_regions_without_sites(tmp_path):
    """Point regions become discs; no sites and no centres still give a complete map."""
    regions = [{"id": f"n{i}", "lon": 8 + 1.5 * i, "lat": 47 + 0.6 * (i % 2)} for i in range(4)]
    folder = write_case(
        tmp_path / "points", regions=regions,
        load={r["id"]: [100.0, 150.0, 120.0] for r in regions},
        technologies=[tech("gas", capex_per_kw=500, var_om_per_mwh=60)],
        resources=[{"node": r["id"], "tech": "gas", "existing_mw": 0 if i else 600}
                   for i, r in enumerate(regions)],
        corridors=[{"from": f"n{i}", "to": f"n{i + 1}", "existing_mw": 50,
                    "cost_per_mw_km": 10} for i in range(3)],
        config={"name": "Four points"})
    res = run(folder, write=False)
    assert res.status == "optimal"
    info = write_map_png(res.case, res.tables, res.summary, tmp_path / "map.png",
                         return_fig=True)
    assert info["point_regions"] == 4 and info["sites_built"] == info["sites_unbuilt"] == 0
    assert info["corridors"] == 3 and info["demand_centres"] == 0
    assert not any("site" in lbl for lbl in info["legend_labels"])
    assert "regions" in _artists_by_gid(info["figure"])
    html = render_report_html(res.case, res.tables, res.summary)
    assert '"type":"Point"' in html and "could not draw" not in html


def _grid_case(folder: Path, nx: int = 8, ny: int = 6) -> Path:
    """nx × ny polygon regions over the contiguous US (48 'states'), 3 hours, no solve."""
    folder.mkdir(parents=True)
    feats, ids = [], []
    for j in range(ny):
        for i in range(nx):
            x0, y0 = -124 + i * 7.0, 25 + j * 4.0
            rid = f"s{j}{i}"
            ids.append(rid)
            feats.append({"type": "Feature", "properties": {"id": rid,
                                                            "name": f"State {j}-{i}"},
                          "geometry": {"type": "Polygon", "coordinates": [[
                              [x0, y0], [x0 + 7, y0], [x0 + 7, y0 + 4], [x0, y0 + 4],
                              [x0, y0]]]}})
    (folder / "regions.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                        "features": feats}))
    (folder / "case.yaml").write_text(yaml.safe_dump({"name": "48 states", "currency": "USD",
                                                      "discount_rate": 0.05}))
    pd.DataFrame({"time": range(3), **{r: [10.0, 12.0, 11.0] for r in ids}}).to_csv(
        folder / "load.csv", index=False)
    pd.DataFrame([tech("gas", capex_per_kw=800)]).to_csv(folder / "technologies.csv",
                                                         index=False)
    pd.DataFrame({"node": ids, "tech": "gas", "existing_mw": 20.0}).to_csv(
        folder / "resources.csv", index=False)
    return folder


def test_map_many_regions_and_no_solution(tmp_path):
    case = load_case(_grid_case(tmp_path / "grid"))
    fig, info = draw_map(case, {}, {"status": "time_limit"})
    assert info["regions"] == 48 and info["measure"] == "none"
    assert info["labels_placed"] >= 20  # labels placed where they fit, none overlapping
    texts = [t for t in fig.axes[0].texts if t.get_gid() == "label-region"]
    boxes = [t.get_window_extent(fig.canvas.get_renderer()) for t in texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
