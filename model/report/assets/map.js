// The Leaflet map of report.html: draws WB_MAP (model/report/map_data.py), its pop-ups,
// layer switcher, scale and legend. Inlined by model/report/html.py. A multi-period run's
// WB_MAP.periods holds one view per period (model/report/map_periods.py): the period menu
// (#map-period) redraws corridors, sites, centres, region numbers and the legend from it.
(function(){
  var D = WB_MAP, div = document.getElementById('map');
  function fin(v){ return v !== null && v !== undefined && isFinite(v); }
  function f(v, d){ if (v === null || v === undefined || (typeof v === 'number' && !isFinite(v))) return '—';
    return Number(v).toLocaleString('en-US', {maximumFractionDigits: (d === undefined ? 1 : d)}); }
  function en(mwh){ if (mwh === null || !isFinite(mwh)) return '—';
    var a = Math.abs(mwh); if (a >= 1e6) return f(mwh/1e6, 2) + ' TWh';
    if (a >= 1e3) return f(mwh/1e3, 1) + ' GWh'; return f(mwh, 0) + ' MWh'; }
  function esc(s){ return String(s).replace(/[&<>"']/g, function(c){ return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]; }); }
  function rows(pairs){ return '<table>' + pairs.map(function(p){ return '<tr><th>' + esc(p[0]) + '</th><td>' + p[1] + '</td></tr>'; }).join('') + '</table>'; }
  var cur = esc(D.currency);
  var map = L.map(div, {zoomSnap: 0.25, preferCanvas: false, worldCopyJump: false});
  if (WB_TILES) { L.tileLayer(WB_TILES.url, {attribution: WB_TILES.attribution, maxZoom: 18, opacity: 0.9}).addTo(map); }
  function regionStyle(ft){ return {fillColor: ft.properties.colour, fillOpacity: WB_TILES ? 0.55 : 0.85, color: '#6b6b6b', weight: 0.8}; }
  function regionPopup(p){
      var nb = [], ex = [];
      Object.keys(p.new_by_tech).forEach(function(k){ nb.push(esc(k) + ' ' + f(p.new_by_tech[k], 0)); });
      Object.keys(p.existing_by_tech).forEach(function(k){ ex.push(esc(k) + ' ' + f(p.existing_by_tech[k], 0)); });
      return '<div class="popup"><h3>' + esc(p.name) + ' <span class="muted">(' + esc(p.id) + ')</span></h3>' + periodRow() + rows([
        ['group', esc(p.group || '—')],
        ['average price', p.price === null ? '—' : f(p.price, 2) + ' ' + cur + '/MWh'],
        ['peak base load', f(p.peak_load_mw, 0) + ' MW'],
        ['base load energy', en(p.load_mwh) + '/yr'],
        ['new capacity', f(p.new_mw, 0) + ' MW' + (nb.length ? '<br><span class="muted">' + nb.join(', ') + '</span>' : '')],
        ['existing capacity', f(p.existing_mw, 0) + ' MW' + (ex.length ? '<br><span class="muted">' + ex.join(', ') + '</span>' : '')]
      ]) + '</div>';
  }
  var regions = L.geoJSON(D.regions, {
    style: regionStyle,
    pointToLayer: function(ft, ll){ return L.circleMarker(ll, {radius: 16}); },
    onEachFeature: function(ft, layer){
      layer.bindPopup(function(){ return regionPopup(layer.feature.properties); }, {maxWidth: 380});
      layer.bindTooltip(function(){ var p = layer.feature.properties;
        return esc(p.name) + (p.price === null ? '' : ': ' + f(p.price, 1) + ' ' + cur + '/MWh'); }, {sticky: true});
    }
  }).addTo(map);
  var names = L.layerGroup();
  if (D.regions.features.length <= 15) {
    D.regions.features.forEach(function(ft){
      var p = ft.properties;
      L.marker([p.lat, p.lon], {interactive: false, keyboard: false,
        icon: L.divIcon({className: 'wb-region-label', html: esc(p.name), iconSize: [140, 16], iconAnchor: [70, 22]})}).addTo(names);
    });
    names.addTo(map);
  }
  var corridors = L.layerGroup(), sites = L.layerGroup(), centres = L.layerGroup();
  var P = D.periods || null, shown = P ? String(P['default']) : null;
  function periodRow(){ return shown ? '<div class="muted">period ' + esc(shown) + '</div>' : ''; }
  var servedNote = P ? ' <span class="muted">(all periods together)</span>' : '';
  function drawCorridors(V){
  var mt = V.max_total_mw || 1;
  V.corridors.forEach(function(c){
    var w = 1.2 + 9 * c.total_mw / mt;
    var pop = '<div class="popup"><h3>' + esc(c.name) + '</h3>' + rows([
      ['from → to', esc(c.from) + ' → ' + esc(c.to)],
      ['existing', f(c.existing_mw, 0) + ' MW'], ['new', '<b>' + f(c.new_mw, 0) + ' MW</b>'],
      ['total', f(c.total_mw, 0) + ' MW'], ['length', f(c.length_km, 0) + ' km'],
      ['flow ' + esc(c.from) + ' → ' + esc(c.to), en(c.fwd_mwh) + '/yr'],
      ['flow ' + esc(c.to) + ' → ' + esc(c.from), en(c.bwd_mwh) + '/yr'],
      ['peak flow', f(c.max_flow_mw, 0) + ' MW' + (c.utilisation === null ? '' : ' (' + f(100 * c.utilisation, 0) + ' % of capacity)')]
    ]) + '</div>';
    pop = pop.replace('<h3>' + esc(c.name) + '</h3>', '<h3>' + esc(c.name) + '</h3>' + periodRow());
    L.polyline(c.latlngs, {color: '#3c3c3c', weight: w, opacity: 0.85, lineCap: 'round'}).bindPopup(pop).addTo(corridors);
    if (c.new_mw > 1e-3 * mt) {
      L.polyline(c.latlngs, {color: '#0097a7', weight: Math.max(9 * c.new_mw / mt, 2), opacity: 1, lineCap: 'round'}).bindPopup(pop).addTo(corridors);
    }
  });
  }
  function drawSites(V){
  var mi = V.max_it_mw || 1;
  V.sites.forEach(function(s){
    var built = s.built && s.it_mw > 0;
    var r = built ? 5 + 17 * Math.sqrt(s.it_mw / mi) : 5;
    var sv = s.served.map(function(a){ return esc(a['class']) + ' from ' + esc(D.centre_names[a.centre] || a.centre) + ': ' + en(a.mwh) + ', ' + f(a.latency_ms, 1) + ' ms'; });
    var os = Object.keys(s.onsite).map(function(k){ return esc(k) + ' ' + f(s.onsite[k][0], 0) + ' + ' + f(s.onsite[k][1], 0) + ' new MW'; });
    var online = fin(s.online_year) ? [['online from', f(s.online_year, 0) + (fin(s.time_to_power_years) ? ' (time to power ' + f(s.time_to_power_years, 0) + ' years)' : '')]] : [];
    var pop = '<div class="popup"><h3>' + esc(s.name) + ' <span class="muted">(' + esc(s.id) + ')</span></h3>' + periodRow() + rows([
      ['status', built ? '<b>built</b>' : 'not built']].concat(online, [ ['host region', esc(s.region)], ['group', esc(s.group || '—')],
      ['IT capacity', f(s.it_mw, 0) + ' MW' + (fin(s.max_it_mw) ? ' (max ' + f(s.max_it_mw, 0) + ')' : ' (no maximum)')],
      ['capex', f(s.capex_per_kw_it, 0) + ' ' + cur + '/kW IT + ' + f(s.fixed_cost / 1e6, 1) + ' M' + cur + ' per site'],
      ['PUE (mean)', f(s.pue, 3)], ['idle share', f(s.idle_share, 2)],
      ['grid connection', fin(s.grid_limit_mw) ? f(s.grid_limit_mw, 0) + ' MW' : 'unlimited'],
      ['utilisation', f(100 * s.utilisation, 0) + ' %'],
      ['IT energy', en(s.it_mwh) + '/yr'], ['site power', en(s.power_mwh) + '/yr, peak ' + f(s.peak_power_mw, 0) + ' MW'],
      ['cost of power', f(s.power_cost_per_mwh_it, 2) + ' ' + cur + '/MWh IT'],
      ['served' + servedNote, sv.length ? sv.join('<br>') : '—'],
      ['on-site resources', os.length ? os.join('<br>') : '—']
    ])) + '</div>';
    L.circleMarker([s.lat, s.lon], {radius: r, color: built ? '#ffffff' : '#4a148c', weight: built ? 1.2 : 2,
      fillColor: built ? '#4a148c' : '#ffffff', fillOpacity: built ? 0.85 : 0.9})
      .bindPopup(pop, {maxWidth: 420}).bindTooltip(esc(s.name) + (built ? ': ' + f(s.it_mw, 0) + ' MW IT' : ' (not built)')).addTo(sites);
  });
  }
  function drawCentres(V){
  V.centres.forEach(function(c){
    var dm = Object.keys(c.demand).map(function(k){ return esc(k) + ' ' + f(c.demand[k], 0) + ' MW IT'; });
    var sv = c.served.map(function(a){ return esc(a['class']) + ' at ' + esc(D.site_names[a.site] || a.site) + ': ' + en(a.mwh) + ', ' + f(a.latency_ms, 1) + ' ms'; });
    var pop = '<div class="popup"><h3>' + esc(c.name) + ' <span class="muted">(demand centre)</span></h3>' + periodRow() + rows([
      ['demand (average)', dm.length ? dm.join('<br>') : '—'], ['served at' + servedNote, sv.length ? sv.join('<br>') : '—'],
      ['not served', en(c.unserved_mwh) + '/yr']]) + '</div>';
    L.marker([c.lat, c.lon], {icon: L.divIcon({className: 'wb-star', html: '&#9733;', iconSize: [20, 20], iconAnchor: [10, 10]}), keyboard: false})
      .bindPopup(pop, {maxWidth: 420}).bindTooltip(esc(c.name)).addTo(centres);
  });
  }
  drawCorridors(D); drawSites(D); drawCentres(D);
  corridors.addTo(map); sites.addTo(map); centres.addTo(map);
  var overlays = {'Regions (average price)': regions};
  if (D.regions.features.length <= 15) { overlays['Region names'] = names; }
  overlays['Corridors'] = corridors; overlays['Data-centre sites'] = sites; overlays['Demand centres'] = centres;
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  L.control.scale({metric: true, imperial: false, maxWidth: 160}).addTo(map);
  function legend(D){
    var el = document.getElementById('map-legend'), h = '';
    if (shown) { h += '<div style="margin-bottom:4px"><b>Period ' + esc(shown) + '</b></div>'; }
    if (D.scale) {
      h += '<b>' + esc(D.scale.label) + '</b><div class="bar" style="background:linear-gradient(to right,' + D.scale.stops.join(',') + ')"></div>' +
           '<div class="ticks"><span>' + (D.scale.extend === 'min' || D.scale.extend === 'both' ? '≤ ' : '') + f(D.scale.min, 1) + '</span><span>' +
           (D.scale.extend === 'max' || D.scale.extend === 'both' ? '≥ ' : '') + f(D.scale.max, 1) + '</span></div>';
    }
    h += '<div><span class="sym" style="color:#3c3c3c">━━</span> corridor (width ∝ total MW, max ' + f(D.max_total_mw, 0) + ')</div>' +
         '<div><span class="sym" style="color:#0097a7">━━</span> new corridor capacity</div>' +
         '<div><span class="sym" style="color:#4a148c">●</span> built site (size ∝ IT MW' + (D.max_it_mw > 0 ? ', max ' + f(D.max_it_mw, 0) : '; none built') + ')</div>' +
         '<div><span class="sym" style="color:#4a148c">○</span> candidate site, not built</div>' +
         '<div><span class="sym">★</span> demand centre</div>';
    h += '<div class="muted" style="margin-top:6px">Click any feature for its numbers.</div>';
    if (el) { el.innerHTML = h; }
  }
  legend(D);
  function showPeriod(year){
    var V = P.views[String(year)];
    if (!V) { return; }
    shown = String(year);
    var byId = {};
    V.regions.forEach(function(r){ byId[r.id] = r; });
    regions.eachLayer(function(l){ l.feature.properties = byId[l.feature.properties.id] || l.feature.properties; });
    regions.setStyle(regionStyle);
    corridors.clearLayers(); sites.clearLayers(); centres.clearLayers();
    drawCorridors(V); drawSites(V); drawCentres(V);
    legend(V);
    div.setAttribute('data-period', shown);
  }
  var menu = document.getElementById('map-period');
  if (P && menu) {
    menu.addEventListener('change', function(){ showPeriod(menu.value); });
    div.setAttribute('data-period', shown);
  }
  var bounds = regions.getBounds();
  sites.eachLayer(function(l){ bounds.extend(l.getLatLng()); });
  centres.eachLayer(function(l){ bounds.extend(l.getLatLng()); });
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.03), {paddingTopRight: [200, 10], paddingBottomLeft: [10, 30]}); }
  else { map.setView([0, 0], 2); }
  map.whenReady(function(){ div.setAttribute('data-rendered', '1'); });
  window.WB_LEAFLET_MAP = map;
})();
