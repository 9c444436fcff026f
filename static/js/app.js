// Treatycraft page behaviour. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  function banner(show) {
    var el = document.getElementById("connection-banner");
    if (el) { el.hidden = !show; }
  }

  // Keep each chat log in server order and free of duplicates: a message can arrive both in the
  // poster's HTTP reply and in the push, or in a resync and a push racing it.
  function normaliseChat() {
    document.querySelectorAll("ol.chat-log").forEach(function (log) {
      var seen = {};
      log.querySelectorAll("li[data-seq]").forEach(function (li) {
        if (seen[li.id]) { li.remove(); } else { seen[li.id] = true; }
      });
      var kept = Array.prototype.slice.call(log.querySelectorAll("li[data-seq]"));
      var sorted = kept.slice().sort(function (a, b) { return Number(a.dataset.seq) - Number(b.dataset.seq); });
      if (sorted.some(function (li, i) { return li !== kept[i]; })) {
        sorted.forEach(function (li) { log.appendChild(li); });
      }
    });
  }

  function scrollChat(force) {
    document.querySelectorAll("ol.chat-log").forEach(function (log) {
      var nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 120;
      if (force || nearBottom) { log.scrollTop = log.scrollHeight; }
    });
  }

  // The tab of the open channel is marked current, whatever list the server last sent.
  function markCurrentChannel() {
    var pane = document.getElementById("chat-pane");
    if (!pane) { return; }
    document.querySelectorAll(".channel-tab").forEach(function (tab) {
      var current = tab.dataset.channel === pane.dataset.channel;
      if (current) { tab.setAttribute("aria-current", "true"); } else { tab.removeAttribute("aria-current"); }
      tab.parentElement.classList.toggle("current", current);
    });
  }

  // A message for a channel that is not open has no log to land in: count it as unread instead.
  document.addEventListener("htmx:oobErrorNoTarget", function (evt) {
    var content = evt.detail && evt.detail.content;
    if (!content || !content.id || content.id.indexOf("chat-log-") !== 0) { return; }
    var badge = document.getElementById("unread-" + content.id.slice("chat-log-".length));
    if (!badge) { return; }
    var count = Number(badge.dataset.count || "0") + content.querySelectorAll("li[data-seq]").length;
    badge.dataset.count = String(count);
    badge.firstChild.nodeValue = String(count);
    badge.hidden = false;
  });

  function showNotice() {
    var el = document.getElementById("live-notice");
    if (!el) { return; }
    el.hidden = el.textContent.trim() === "";
  }

  // The region map: the reach filter hides the arrows of other classes (the choice is kept here
  // and put back when a push redraws the map); hovering, focusing or tapping a state, site or
  // arrow puts its details in words in the map's info line (a polite live region).
  var mapFilters = {};

  function applyMapFilters() {
    document.querySelectorAll("select[data-map-filter]").forEach(function (sel) {
      var kept = mapFilters[sel.dataset.mapFilter];
      if (kept !== undefined && sel.value !== kept) { sel.value = kept; }
      var svg = document.querySelector("svg[data-map='" + sel.dataset.mapFilter + "']");
      if (!svg) { return; }
      svg.querySelectorAll(".map-reach-line").forEach(function (line) {
        var classes = (line.dataset.classes || "").split(" ");
        var hide = sel.value === "-" || (sel.value !== "" && classes.indexOf(sel.value) < 0);
        line.classList.toggle("is-filtered", hide);
      });
    });
  }

  // A push that redraws a fragment must not take the keyboard focus away: the element that had
  // it (found again by its id or test id) gets it back, and a map item puts its new details in words.
  var refocus = null;

  function restoreFocus() {
    if (!refocus) { return; }
    var el = document.querySelector(refocus);
    refocus = null;
    if (!el || el === document.activeElement) { return; }
    el.focus({ preventScroll: true });
    if (el.matches("[data-map-info]")) { showMapInfo(el); }
  }

  function mapItem(evt) {
    var target = evt.target;
    return target && target.closest ? target.closest("[data-map-info]") : null;
  }

  function showMapInfo(item) {
    var svg = item.closest("svg[data-map]");
    var box = svg && document.getElementById(svg.dataset.map + "-info");
    if (box && box.textContent !== item.dataset.mapInfo) { box.textContent = item.dataset.mapInfo; }
  }

  document.addEventListener("change", function (evt) {
    var sel = evt.target;
    if (sel && sel.matches && sel.matches("select[data-map-filter]")) {
      mapFilters[sel.dataset.mapFilter] = sel.value;
      applyMapFilters();
    }
  });
  document.addEventListener("focusin", function (evt) { var item = mapItem(evt); if (item) { showMapInfo(item); } });
  document.addEventListener("mouseover", function (evt) { var item = mapItem(evt); if (item) { showMapInfo(item); } });
  document.addEventListener("click", function (evt) {
    var item = mapItem(evt);
    if (!item) { return; }
    showMapInfo(item);
    if (item.tagName.toLowerCase() === "a") { evt.preventDefault(); }
  });

  // A table or code block that scrolls (a phone, a narrow column) must be reachable by keyboard:
  // its box becomes a focusable, named region while, and only while, it overflows.
  function markScrollableTables() {
    document.querySelectorAll(".table-wrap, pre").forEach(function (wrap) {
      var scrollable = wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1;
      if (scrollable && !wrap.hasAttribute("tabindex")) {
        var caption = wrap.querySelector("caption");
        var section = wrap.closest("section, details, article");
        var heading = section && section.querySelector("h1, h2, h3, summary");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", (caption || heading || document.querySelector("h1, h2") || document.body)
          .textContent.trim().replace(/\s+/g, " ").slice(0, 120));
        wrap.dataset.scrollFocus = "1";
      } else if (!scrollable && wrap.dataset.scrollFocus) {
        ["tabindex", "role", "aria-label", "data-scroll-focus"].forEach(function (a) { wrap.removeAttribute(a); });
      }
    });
  }
  window.addEventListener("resize", markScrollableTables);
  document.addEventListener("toggle", markScrollableTables, true);

  // Screen readers hear each phase change: the status card is replaced wholesale by pushes, which
  // live regions do not announce reliably, so a never-replaced announcer says it.
  var lastPhase = null;
  function announcePhase() {
    var phase = document.querySelector("[data-testid=phase]");
    var announcer = document.getElementById("announcer");
    if (!phase || !announcer) { return; }
    var text = phase.textContent.trim();
    if (lastPhase !== null && text !== lastPhase) { announcer.textContent = text; }
    lastPhase = text;
  }

  document.addEventListener("htmx:wsOpen", function () {
    document.body.dataset.ws = "open";
    document.body.dataset.synced = "0";
    banner(false);
  });
  document.addEventListener("htmx:wsClose", function () {
    document.body.dataset.ws = "closed";
    banner(true);
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    document.body.dataset.synced = "1";  // the first message after (re)connecting is the resync
    restoreFocus();
    announcePhase();
    applyMapFilters();
    markScrollableTables();
    normaliseChat();
    scrollChat(false);
    showNotice();
    markCurrentChannel();
  });
  document.addEventListener("htmx:afterSettle", function () {
    restoreFocus();
    applyMapFilters();
    markScrollableTables();
    normaliseChat();
    showNotice();
    markCurrentChannel();
    scrollChat(false);
  });

  // Forms that say so are cleared after the server accepted them.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (form && form.matches && form.matches("form[data-reset-on-success]") && evt.detail.successful) {
      form.reset();
      var preview = document.getElementById("inject-preview");
      if (preview && form.contains(preview)) { preview.innerHTML = ""; }
    }
  });

  // Live countdowns: the server renders the deadline; the page only counts down to it.
  function tickCountdowns() {
    document.querySelectorAll("time.countdown[data-deadline]").forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.dataset.deadline) - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      // The words come from the page, in its language.
      el.textContent = left > 0 ? m + ":" + (s < 10 ? "0" : "") + s : (el.dataset.closing || "closing…");
    });
  }
  setInterval(tickCountdowns, 1000);

  document.addEventListener("DOMContentLoaded", function () {
    scrollChat(true); tickCountdowns(); markCurrentChannel(); applyMapFilters(); markScrollableTables();
    announcePhase();
  });

  // A push rendered just before a change committed can arrive after the reply that shows the
  // change: a fragment that carries a version never goes back to an older one.
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var detail = evt.detail;
    var incoming = detail.fragment && detail.fragment.firstElementChild;
    var target = detail.target;
    var active = document.activeElement;
    if (target && target.contains && active && active !== document.body && target.contains(active)) {
      if (active.id) { refocus = "#" + CSS.escape(active.id); }
      else if (active.dataset && active.dataset.testid) { refocus = "[data-testid='" + CSS.escape(active.dataset.testid) + "']"; }
    }
    if (!incoming || !target || !incoming.dataset || !target.dataset) { return; }
    if (incoming.dataset.version && target.dataset.version &&
        Number(incoming.dataset.version) < Number(target.dataset.version)) {
      detail.shouldSwap = false;
    }
  });
})();
