// Keeps the header clock 「時刻 HH:MM:SS」 running in Japan time. The server renders the time,
// so the page is complete without this script.
(function () {
  var el = document.getElementById("clock");
  if (!el) return;
  var skew = Number(el.getAttribute("data-epoch")) * 1000 - Date.now();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var t = new Date(Date.now() + skew + 9 * 3600 * 1000);
    el.textContent = pad(t.getUTCHours()) + ":" + pad(t.getUTCMinutes()) + ":" + pad(t.getUTCSeconds());
  }
  setInterval(tick, 1000);
})();
