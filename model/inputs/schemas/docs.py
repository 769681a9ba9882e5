'''docs/inputs.md, generated from the schemas: the page's prose is kept here, next to the
generator; every table of columns comes from the schemas (:mod:`.grid`, :mod:`.compute`).

Rewrite the page with ``python -m model.inputs.schemas`` (``tests/test_inputs_doc.py`` fails
while the committed page differs from :func:`inputs_markdown`).
'''

from __future__ import annotations

import pandera.pandas as pa

from model.inputs.geo import SITE_REGION_TOLERANCE_KM
from model.inputs.schemas.fields import FALSE_WORDS, TRUE_WORDS
from model.inputs.schemas.registry import (
    SCHEMAS,
    TABLES,
    columns,
    file_name,
    is_geo,
    is_required,
    row_ids,
)

INTRO = """\
# Input reference: the case folder

A case is a folder. Units: MW, MWh, hours, km, ms, tonnes (t CO2); money in the case currency
(`currency` in `case.yaml`). Every capital cost is an overnight cost, annualised with the capital
recovery factor `CRF = r / (1 - (1 + r)^-n)` of `discount_rate` r and the row's `lifetime_years` n
(`CRF = 1/n` when r = 0).

Columns in **bold** are required (a value in every row); the others have the default shown,
which also fills an empty cell. Ids (regions, sites, demand centres, techs, classes) are
case-sensitive strings and must not contain `:`. Geodata files (`.geojson`, or `.gpkg`) may be
in any coordinate reference system; they are converted to EPSG:4326 (lon/lat degrees).

This page is generated from the input schemas in `model/inputs/schemas/` (one pandera
`DataFrameModel` per file, which the validation uses too); edit the schemas and run
`python -m model.inputs.schemas` to rewrite it.
"""

CASE_YAML = """\
## `case.yaml`

| key | meaning | default |
|---|---|---|
| **name** | case name, printed in reports | |
| currency | currency code for every money column | `EUR` |
| **discount_rate** | real discount rate for annualisation (fraction) | |
| base_year | year the costs refer to | none |
| value_of_lost_load_per_mwh | penalty for unserved power | 10000 |
| time_step_weight_hours | hours each time step represents | 8760 / number of steps |
| latency | `{base_ms, route_factor, fibre_km_per_ms}` for latency = base_ms + 2 · route_factor · km / fibre_km_per_ms | `{base_ms: 2, route_factor: 1.5, fibre_km_per_ms: 200}` |
| time_reduction | `{days: N}` representative days (tsam), or absent for full time | absent |
| solver | `{algorithm, threads, time_limit_s, mip_gap, presolve, mip_strategy, scale_costs, scale_bounds, check_time_limit_s, check_window_days, highs_options}`; `time_limit_s` bounds the planning solve, `check_time_limit_s` the full-year check (`--check-full-year`), `check_window_days` its storage-cycle windows (7: weekly windows solved one by one; 0: one annual LP); algorithm is `auto`, `simplex`, `ipm`, `ipx`, `hipo`, `pdlp`; `mip_strategy` is `relax_round` (LP relaxation, round up, branch only outside the gap) or `branch` (HiGHS branch and bound alone); `scale_costs` multiplies the costs HiGHS sees by a power of two so the largest is ≤ 2^19 ≈ 5.2e5, below HiGHS's 1e6 warning mark (exact; objective and prices are mapped back; see formulation, "Numerical hygiene"); `scale_bounds` does the same for continuous variables' units when a bound or right-hand side exceeds 2^19; `highs_options` passes any HiGHS option | `{algorithm: auto, threads: 0 (HiGHS default), time_limit_s: none, mip_gap: 0.01, mip_strategy: relax_round, scale_costs: true, scale_bounds: true, check_time_limit_s: none, check_window_days: 7}` |
| policies | policy levers, see `docs/policies.md` | none |
| periods | years of operation of a multi-period plan, e.g. `[2027, 2030, 2035]`; each period stands for the years up to the next (the last for the gap before it, or up to `horizon_end_year`); see formulation, "Periods" | absent: one static year |
| decision_year | the year decisions are taken; new capacity runs in period p only if p ≥ decision_year + its lead time | first period − 1 |
| foresight | `perfect` (all periods in one model) or `myopic` (period by period, each build carried forward) | `perfect` |
| horizon_end_year | first year after the horizon (length of the last period) | last period + the gap before it |
| description | one paragraph about the case, shown at the top of `report.html` | none |
| options | free-form settings; `options.map_caption_note` is printed in the caption of `map.png` (e.g. "regions are Voronoi cells around the provincial capitals") | none |
"""  # noqa: E501 (markdown table rows)

# prose after a table's columns
NOTES = {
    "regions": "The region's node location is given by the optional `lon`/`lat` columns "
               "(e.g. the capital), else by its representative point (the point itself for "
               "points).",
    "resources": "A tech may only be built or dispatched at nodes where it has a row. Rows at "
                 "a site node are the site's on-site plant: new capacity there exists only if "
                 "the site is built, and existing capacity is allowed only at sites with "
                 "`existing_it_mw > 0`.",
    "profiles": "Real profiles (atlite, renewables.ninja) can be dropped in with the same "
                "column names.",
    "corridors": "A scenario key finds a corridor in either direction (`a:b` or `b:a`).",
    "compute_demand": "Every `profile` named must be a column of `compute_profiles.csv`. In a "
                      "multi-period case, a `period` column gives one row per (centre, class, "
                      "period); without it, the same demand applies in every period.",
    "load_growth": "Multi-period cases: regions or periods without a row keep load.csv as it "
                   "is (factor 1).",
    "tech_costs": "Multi-period cases: capital and fixed costs apply to capacity built for the "
                  "period (for as long as it lives), running costs to operation in the period.",
    "connection_queue": "Multi-period cases: each row adds `mw` to its region's load in every "
                        "period from `online_year` on.",
}

OUTRO = f"""\
## Checks across files

Each file's columns are checked by its schema (type, range or allowed words, required values,
unique row ids), all at once. Across files: ids must exist where they are used (resources'
nodes and techs, corridors' ends, sites' host regions, compute demand's centres, classes and
profiles, the id columns of `load.csv`, `profiles.csv` and `pue.csv`); node ids are unique
across regions and sites; every time series has as many rows as `load.csv`; a site outside
every region polygon is joined to the nearest one within {SITE_REGION_TOLERANCE_KM:g} km
(a warning), farther is an error; corridor losses must stay below 100 % over their length.
Every problem names the file, the row (counted from 1 below the header), the column and a hint.

## Unknown columns

A column that no schema declares is not read by the model: it is reported as a warning that
names the file, the column and the nearest declared column (a misspelt `lifetime_yeras` would
otherwise be ignored silently), not as an error, so that a case may carry notes of its own.
The notes columns of the shipped cases are declared above and give no warning.
"""

TYPES = {"number": "number", "values": "number", "id": "id", "ref": "id", "choice": "text",
         "flag": "true/false", "text": "text", "notes": "text", "time": "label",
         "geometry": "geometry"}
FLAG_WORDS = ("/".join(f"`{w}`" for w in TRUE_WORDS if "." not in w) + " or "
              + "/".join(f"`{w}`" for w in FALSE_WORDS if w.isalnum() and w not in ("nan", "none"))
              + "/empty")
SIGNS = {"greater_than_or_equal_to": "≥", "greater_than": ">", "less_than_or_equal_to": "≤",
         "less_than": "<"}


def _allowed(col: pa.Column) -> str:
    """What values the column's checks allow, in words."""
    parts = []
    for check in col.checks:
        stats = check.statistics or {}
        if check.name in SIGNS:
            parts.append(f"{SIGNS[check.name]} {next(iter(stats.values())):g}")
        elif check.name == "id_without":
            parts.append(f"no `{stats['sep']}`")
        elif check.name == "one_of_words" and col.metadata["kind"] == "flag":
            parts.append(FLAG_WORDS)
        elif check.name == "one_of_words":
            parts.append(" or ".join(f"`{w}`" for w in stats["words"]))
    if col.metadata["kind"] == "geometry":
        parts.append(col.metadata["shape"])
    return ", ".join(parts)


def _row(name: str, col: pa.Column) -> str:
    meta = col.metadata
    shown = meta.get("columns") and f"*{meta['columns']}*" or f"`{name}`"
    if col.required or (meta["kind"] == "values"):
        shown = f"**{shown}**"
    cells = [shown, TYPES[meta["kind"]], meta["unit"], meta["default"], _allowed(col),
             col.description or ""]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _heading(table: str) -> str:
    file = file_name(table)
    text = f"## `{file}`"
    if is_geo(table):
        text += f" (or `{file.split('.')[0]}.gpkg`)"
    return text + ("" if is_required(table) else " (optional)")


def _row_ids(table: str, unique: list[str] | None) -> str:
    ids = row_ids(table)
    if ids == ("time",):
        return ("Scenario keys name a row by its `time` label"
                + (", which may appear only once." if unique else "."))
    text = f"Scenario keys name a row by `{':'.join(ids)}`"
    if unique:
        return text + f"; each {' × '.join(f'`{c}`' for c in unique)} may appear only once."
    return text + "."


def table_markdown(table: str) -> str:
    """The section of one file: what a row is, its columns, its notes columns and notes."""
    model = SCHEMAS[table]
    cols = columns(table)
    lines = [_heading(table), " ".join((model.__doc__ or "").split()), "",
             "| column | type | unit | default | allowed | meaning |", "|---|---|---|---|---|---|"]
    lines += [_row(n, c) for n, c in cols.items() if c.metadata["kind"] != "notes"]
    lines += ["", _row_ids(table, model.to_schema().unique)]
    notes = [f"- `{n}`: {c.description}" for n, c in cols.items()
             if c.metadata["kind"] == "notes"]
    if notes:
        lines += ["", "Notes columns, kept with the case and never read by the model:", ""]
        lines += notes
    if table in NOTES:
        lines += ["", NOTES[table]]
    return "\n".join(lines) + "\n"


def inputs_markdown() -> str:
    """The whole of docs/inputs.md."""
    parts = [INTRO, CASE_YAML] + [table_markdown(t) for t in TABLES] + [OUTRO]
    return "\n".join(parts)
