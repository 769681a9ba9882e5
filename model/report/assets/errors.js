// Records every JavaScript error in #wb-errors (data-count): the tests read it. First
// script of every page (model/report/page.py).
(function(){
  var errs = [];
  function rec(m){ errs.push(String(m)); var el = document.getElementById('wb-errors');
    if (el) { el.setAttribute('data-count', String(errs.length)); el.textContent = errs.join('\n');
              el.style.display = 'block'; } }
  window.WB_ERRORS = errs; window.WB_ERR = rec;
  window.addEventListener('error', function(e){
    if (e && e.target && e.target !== window && (e.target.src || e.target.href)) {
      rec('resource failed: ' + (e.target.src || e.target.href)); return; }
    rec('error: ' + (e.message || e) + ' at ' + (e.filename || '') + ':' + (e.lineno || ''));
  }, true);
  window.addEventListener('unhandledrejection', function(e){
    rec('promise: ' + ((e.reason && e.reason.message) || e.reason)); });
  document.addEventListener('DOMContentLoaded', function(){
    var el = document.getElementById('wb-errors');
    if (el && errs.length) { el.setAttribute('data-count', String(errs.length));
      el.textContent = errs.join('\n'); el.style.display = 'block'; } });
})();
