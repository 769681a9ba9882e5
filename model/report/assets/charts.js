// WB.plot(id, figure): draws a plotly figure (model/report/plot.py) and marks the element
// data-rendered="1"; #wb-status counts the charts drawn. Inlined by model/report/page.py.
var WB = { config: {responsive: true, displaylogo: false, modeBarButtonsToRemove: ['lasso2d','select2d']},
  done: 0, total: 0,
  mark: function(){ var s = document.getElementById('wb-status');
    if (s) { s.setAttribute('data-charts-rendered', String(WB.done));
             s.setAttribute('data-charts-total', String(WB.total)); } },
  plot: function(id, fig){
    WB.total += 1; WB.mark();
    var div = document.getElementById(id);
    try {
      Plotly.newPlot(div, fig.data, fig.layout, WB.config).then(function(){
        div.setAttribute('data-rendered', '1'); WB.done += 1; WB.mark();
      }, function(err){ WB_ERR('chart ' + id + ': ' + err); });
    } catch (err) { WB_ERR('chart ' + id + ': ' + (err && err.message || err)); }
  }
};
