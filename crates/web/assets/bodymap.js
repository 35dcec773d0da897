// The body map: a click on a zone ticks its area's box, the zones show what is ticked and
// which areas the screening says to avoid, and ticking one of those says so at once.
(function () {
  var map = document.querySelector('.bodymap');
  if (!map) return;
  var warning = document.getElementById('avoid-warning');
  function sync() {
    var avoided = [];
    map.querySelectorAll('.zone').forEach(function (z) {
      var box = document.getElementById('area-' + z.dataset.area);
      var avoid = !!(box && box.dataset.avoid === 'yes');
      z.classList.toggle('on', !!(box && box.checked));
      z.classList.toggle('avoid', avoid);
      if (avoid && box.checked && avoided.indexOf(box.dataset.label) < 0) avoided.push(box.dataset.label);
    });
    if (warning) {
      warning.textContent = avoided.length
        ? 'The screening says to avoid: ' + avoided.join(', ') + '. Untick it, or tick the box below to confirm.'
        : '';
    }
  }
  // Each zone is named as its box is, in the page's language; so are the two views when the
  // page gives their words.
  map.querySelectorAll('.zone').forEach(function (z) {
    var box = document.getElementById('area-' + z.dataset.area);
    var label = box && box.closest('label');
    var title = z.querySelector('title');
    if (label && title) title.textContent = label.textContent.trim();
  });
  var words = map.closest('[data-front]');
  if (words) {
    var views = map.querySelectorAll('svg > text');
    if (views.length === 2) { views[0].textContent = words.dataset.front; views[1].textContent = words.dataset.back; }
  }
  map.addEventListener('click', function (e) {
    var z = e.target.closest('.zone');
    if (!z) return;
    var box = document.getElementById('area-' + z.dataset.area);
    if (box) { box.checked = !box.checked; sync(); }
  });
  map.closest('fieldset').addEventListener('change', sync);
  sync();
})();
