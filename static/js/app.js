// Treatycraft page behaviour. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  function banner(show) {
    var el = document.getElementById("connection-banner");
    if (el) { el.hidden = !show; }
  }

  // Keep the chat log in server order and free of duplicates: a message can arrive both in the
  // poster's HTTP reply and in the push, or in a resync and a push racing it.
  function normaliseChat() {
    var log = document.getElementById("chat-log");
    if (!log) { return; }
    var seen = {};
    var items = Array.prototype.slice.call(log.querySelectorAll("li[data-seq]"));
    items.forEach(function (li) {
      if (seen[li.id]) { li.remove(); } else { seen[li.id] = true; }
    });
    var kept = Array.prototype.slice.call(log.querySelectorAll("li[data-seq]"));
    var sorted = kept.slice().sort(function (a, b) { return Number(a.dataset.seq) - Number(b.dataset.seq); });
    var outOfOrder = sorted.some(function (li, i) { return li !== kept[i]; });
    if (outOfOrder) { sorted.forEach(function (li) { log.appendChild(li); }); }
  }

  function scrollChat(force) {
    var log = document.getElementById("chat-log");
    if (!log) { return; }
    var nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 120;
    if (force || nearBottom) { log.scrollTop = log.scrollHeight; }
  }

  function showNotice() {
    var el = document.getElementById("live-notice");
    if (!el) { return; }
    el.hidden = el.textContent.trim() === "";
  }

  document.addEventListener("htmx:wsOpen", function () {
    document.body.dataset.ws = "open";
    banner(false);
  });
  document.addEventListener("htmx:wsClose", function () {
    document.body.dataset.ws = "closed";
    banner(true);
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    normaliseChat();
    scrollChat(false);
    showNotice();
  });
  document.addEventListener("htmx:afterSettle", function () {
    normaliseChat();
    showNotice();
  });
  // Live countdowns: the server renders the deadline; the page only counts down to it.
  function tickCountdowns() {
    document.querySelectorAll("time.countdown[data-deadline]").forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.dataset.deadline) - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      el.textContent = left > 0 ? m + ":" + (s < 10 ? "0" : "") + s : "closing…";
    });
  }
  setInterval(tickCountdowns, 1000);

  document.addEventListener("DOMContentLoaded", function () { scrollChat(true); tickCountdowns(); });
})();
