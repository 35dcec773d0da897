// The body map: a click on a zone ticks its area's box, and the zones show what is ticked.
(function () {
  var map = document.querySelector('.bodymap');
  if (!map) return;
  function sync() {
    map.querySelectorAll('.zone').forEach(function (z) {
      var box = document.getElementById('area-' + z.dataset.area);
      z.classList.toggle('on', !!(box && box.checked));
    });
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
