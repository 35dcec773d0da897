// The intake keeps the browser's time zone, so that messages keep to the client's daytime.
try {
  var zone = document.getElementById("timezone");
  if (zone) { zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; }
} catch (e) {}
