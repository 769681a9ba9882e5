"""The report of a PyPSA import: ``IMPORT_REPORT.md`` and the printed summary.

Every :class:`model.inputs.pypsa_common.Note` appears in it: what was not mapped (left out)
and what was mapped with a change (approximated), with the component names (the first few in
the page, all of them in ``import_notes.csv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.inputs.finance import capital_recovery_factor
from model.inputs.pypsa_common import NAMES_SHOWN, ImportContext, Note

MAPPED_AS = {
    "Bus": "regions (regions.geojson)", "Load": "load.csv (summed per bus)",
    "Generator": "technologies.csv, resources.csv, profiles.csv",
    "StorageUnit": "storage technologies (duration_hours = max_hours)",
    "Store": "storage technologies (power and energy sized apart)",
    "Line": "corridors.csv (lossless)", "Transformer": "corridors.csv (lossless)",
    "Link": "corridors.csv, or a storage's charger and discharger",
    "GlobalConstraint": "policies.co2_cap_t", "Network": "time steps and weights",
}


def notes_table(notes: list[Note]) -> pd.DataFrame:
    """One row per kind of note (kind, component, what, detail), with the count and the
    names of every component it concerns, in the order the notes were made."""
    merged: dict[tuple, list[str]] = {}
    for n in notes:
        names = merged.setdefault((n.kind, n.component, n.what, n.detail), [])
        names += [x for x in n.names if x not in names]
    rows = [{"kind": k[0], "component": k[1], "count": len(v), "what": k[2], "detail": k[3],
             "names": v} for k, v in merged.items()]
    return pd.DataFrame(rows, columns=["kind", "component", "count", "what", "detail", "names"])


def _names(names: list[str]) -> str:
    shown = ", ".join(f"`{x}`" for x in names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def notes_markdown(notes: pd.DataFrame, kind: str) -> list[str]:
    sub = notes[notes["kind"] == kind]
    if sub.empty:
        return ["Nothing.", ""]
    header = "why" if kind == "not mapped" else "how"
    lines = [f"| component | count | what | {header} | names |", "|---|---:|---|---|---|"]
    for _, r in sub.iterrows():
        lines.append(f"| {r['component']} | {r['count']} | {_cell(r['what'])} | "
                     f"{_cell(r['detail'])} | {_cell(_names(r['names']))} |")
    return lines + [""]


def mapped_markdown(mapped: pd.DataFrame) -> list[str]:
    counts = mapped.groupby("component", sort=False).size()
    lines = ["| PyPSA component | rows mapped | became |", "|---|---:|---|"]
    for component, count in counts.items():
        lines.append(f"| {component} | {count} | {MAPPED_AS.get(component, '')} |")
    return lines + [""]


def write_report(imp, cx: ImportContext, source: str) -> None:
    """IMPORT_REPORT.md in the case folder."""
    cfg = imp.config
    n = cx.network
    w = cfg["time_step_weight_hours"]
    r = cfg["discount_rate"]
    life = cx.lifetime_years
    techs, res = imp.tables["technologies"], imp.tables["resources"]
    lines = [
        f"# Import report: {cfg['name']}", "",
        f"Imported from {source} with PyPSA {_pypsa_version()}: {len(n.snapshots)} snapshots "
        f"of {w:g} h each; {len(imp.regions)} regions, {len(techs)} technologies, "
        f"{len(res)} resources, {len(imp.tables['corridors'])} corridors.", "",
        "## Mapped", "", *mapped_markdown(imp.mapped),
        "Every mapped row and the case row it became: `import_map.csv`.", "",
        "## Conversions", "",
        f"- **Costs.** PyPSA's `capital_cost` is per MW and year; the case holds the overnight "
        f"cost whose annuity at `discount_rate` {r:g} over the component's `lifetime` "
        f"({life:g} years where PyPSA's is infinite) is that annual cost: capex_per_kw = "
        f"capital_cost / (1000 · CRF), e.g. CRF({r:g}, {life:g}) = "
        f"{float(capital_recovery_factor(r, life)):.6g}. WattBit annualises it back with the "
        "same CRF, so its annual costs are PyPSA's. `fom_cost` becomes fixed_om_per_kw_year.",
        "- **Unserved power.** PyPSA has none; WattBit may leave load unserved at "
        f"value_of_lost_load_per_mwh = {cfg['value_of_lost_load_per_mwh']:g}. Raise it if "
        "prices reach it and the network must serve every MWh.",
        "- **Emissions.** co2_t_per_mwh = carrier `co2_emissions` / generator `efficiency` (t "
        "per MWh of electricity); zero-emission generators are `clean`.",
        "- **Data centres** are not in PyPSA networks: add `sites.geojson`, "
        "`demand_centres.geojson`, `compute_demand.csv` and `workloads.csv` (docs/inputs.md).",
        "", "## Not mapped (left out)", "", *notes_markdown(imp.notes, "not mapped"),
        "## Approximated (mapped with a change)", "",
        *notes_markdown(imp.notes, "approximated"),
        "Every note with all its component names: `import_notes.csv`.", ""]
    (imp.path / "IMPORT_REPORT.md").write_text("\n".join(lines))


def _pypsa_version() -> str:
    try:
        import pypsa
    except ImportError:
        return "(not installed)"
    return str(pypsa.__version__)


def summary_lines(imp) -> list[str]:
    """A few lines for the command line: what was imported, what was left out or changed."""
    t = imp.tables
    lines = [f"{len(imp.regions)} regions, {len(t['technologies'])} technologies, "
             f"{len(t['resources'])} resources, {len(t['corridors'])} corridors, "
             f"{len(t['load'])} time steps"]
    for _, r in imp.notes.iterrows():
        lines.append(f"{r['kind']}: {r['component']} ×{r['count']} — {r['what']}: "
                     f"{r['detail']}")
    if imp.notes.empty:
        lines.append("every component was mapped as it is")
    total = int(np.sum(imp.notes["kind"] == "not mapped")) if len(imp.notes) else 0
    lines.append(f"{total} kind(s) of component not mapped; report: "
                 f"{imp.path / 'IMPORT_REPORT.md'}")
    return lines
