// The dispatch chart's region menu: draws WB_DISPATCH.figs[region] (model/report/dispatch.py).
// Inlined by model/report/html.py.
(function(){
  var sel = document.getElementById('dispatch-area');
  function show(id){
    var fig = WB_DISPATCH.figs[id];
    fig.data.forEach(function(t){ t.x = WB_DISPATCH.x; });
    var div = document.getElementById('chart-dispatch');
    if (div.getAttribute('data-rendered')) { Plotly.react(div, fig.data, fig.layout, WB.config); }
    else { WB.plot('chart-dispatch', fig); }
  }
  if (sel) { sel.addEventListener('change', function(){ show(sel.value); }); }
  show(WB_DISPATCH.default);
})();
