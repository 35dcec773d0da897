// The check-in form, made quicker with a script (it works without one): after a refused
// send, the focus goes to the list of what to fix, so that a screen reader reads it first
// and a keyboard starts there.
(function () {
  var errors = document.getElementById('errors');
  if (errors) errors.focus();
})();
