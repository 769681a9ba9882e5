"""Report layer: what a reader sees of a run — ``map.png``, ``report.html`` and the
scenario comparison ``comparison.html``. It draws what it is given: the case for geography
and names, the run's tables and summary for every number (time-step weights from
``tables["steps"]``).

Entry points (used by :mod:`model.studies`):

* :mod:`model.report.html` — ``render_report_html`` / ``write_report_html`` (report.html),
  and ``read_run``, ``render_comparison_html``, ``write_comparison_html``,
  ``comparison_frame`` re-exported;
* :mod:`model.report.maps` — ``draw_map``, ``render_map_png``, ``write_map_png`` (map.png).

The house, bottom up (a module imports only from those above it in this list):

* ``format`` (numbers, money, energy, labels as text), ``colours`` (palettes, colour scales);
* ``steps`` (the run's time steps and weights), ``run_data`` (read a run folder; capacity,
  sites, prices by region), ``shading`` (what the regions are shaded by, on both maps);
* matplotlib map: ``map_frame`` (projection, figure), ``map_layers`` (regions, corridors,
  sites, centres), ``map_labels``, ``map_furniture`` (scale bar, legend, caption), ``maps``;
* plotly charts: ``plot`` (shared layout, JSON), ``dispatch`` (dispatch stack), ``charts``
  (costs, capacity, state of charge, price duration), ``sankey`` (compute flows);
* HTML: ``embed`` (what a page inlines: CSS/JS from ``assets/``, Leaflet, plotly.js),
  ``map_data`` (the Leaflet map's data), ``page`` (page shell, tables),
  ``comparison_charts``, ``comparison`` (comparison.html), ``html`` (report.html).
"""
