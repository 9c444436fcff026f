// Treatycraft page behaviour. No inline scripts or styles anywhere (the CSP forbids them).
// Swaps are morphs (idiomorph, static/vendor/idiomorph): focus, caret and scroll survive a push
// without any restore code here. What this file adds: the room's tabs, the connection state, the
// "not sent" answer while offline, focus on an error, the results announcement and small helpers.
(function () {
  "use strict";

  // --- Morphing: a push never takes away what someone is typing ---------------------------------
  // A push (an out-of-band swap) leaves alone any field the person changed and any <details> they
  // opened; the reply to their own form is the server's word (it echoes a refused input back).
  var swapSource = null;   // the element whose request is being swapped, or null for a push
  var previewSwap = false; // a composer preview ([data-preview]): every field keeps what was typed

  function isDirty(el) {
    if (el.matches("input[type=checkbox], input[type=radio]")) { return el.checked !== el.defaultChecked; }
    if (el.matches("input:not([type=hidden]), textarea")) { return el.value !== el.defaultValue; }
    if (el.matches("option")) { return el.selected !== el.defaultSelected; }
    if (el.matches("select")) {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return false;
  }

  // The "morph" htmx extension, defined here over the vendored one: idiomorph 0.8.0's own counts
  // every swap style it does not know (beforeend...) as an inline swap, so a chat message pushed
  // "beforeend" into its log landed as a whole nested list; and its "morph:{config}" form needs
  // eval, which the CSP forbids. Swap styles: morph (= morph:outerHTML) and morph:innerHTML.
  if (window.htmx && window.Idiomorph) {
    window.htmx.defineExtension("morph", {
      isInlineSwap: function (style) { return style === "morph" || style === "morph:outerHTML"; },
      handleSwap: function (style, target, fragment) {
        if (style === "morph" || style === "morph:outerHTML") {
          return window.Idiomorph.morph(target, fragment.children, { morphStyle: "outerHTML" });
        }
        if (style === "morph:innerHTML") {
          return window.Idiomorph.morph(target, fragment.children, { morphStyle: "innerHTML" });
        }
        return false;
      }
    });
  }

  function setUpMorph() {
    if (!window.Idiomorph || !window.Idiomorph.defaults) { return; }
    // Only the composer's own requests redraw it ([data-keep-on-push]): a push, or the reply to
    // "Remove" or "Ready" beside it, leaves it as the person is filling it (its type, fields,
    // price and any message beside a control belong together).
    window.Idiomorph.defaults.callbacks.beforeNodeMorphed = function (oldNode) {
      if (oldNode.nodeType !== 1 || !oldNode.hasAttribute("data-keep-on-push")) { return true; }
      return !!swapSource && (swapSource.contains(oldNode) || oldNode.contains(swapSource));
    };
    window.Idiomorph.defaults.callbacks.beforeAttributeUpdated = function (attr, el, kind) {
      if (attr === "open" && kind === "remove" && el.matches("details") && !swapSource) { return false; }
      if (attr !== "value" && attr !== "checked" && attr !== "selected") { return true; }
      if (previewSwap) { return false; } // a preview shows the cost; what was typed is the person's
      var mine = swapSource && swapSource.contains(el);
      if (!mine && isDirty(el)) { return false; }
      return true;
    };
  }

  // A preview must not undo the reply to "Add order": one that was asked before (or while) the
  // order was posted is dropped, so an error shown beside its control stays there.
  var composerPosts = 0;
  var composerPosting = false;
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt || !evt.detail.xhr) { return; }
    if (elt.id === "order-composer") { composerPosts += 1; composerPosting = true; }
    else if (elt.hasAttribute && elt.hasAttribute("data-preview")) { evt.detail.xhr.tcPosts = composerPosts; }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.elt && evt.detail.elt.id === "order-composer") { composerPosting = false; }
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    // The element that asked (beforeSwap fires on the target, and names it as detail.elt).
    var elt = evt.detail.requestConfig ? evt.detail.requestConfig.elt : null;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-preview") && evt.detail.xhr &&
        (composerPosting || evt.detail.xhr.tcPosts !== composerPosts)) {
      evt.detail.shouldSwap = false;
      return;
    }
    swapSource = elt && elt.closest ? (elt.closest("form") || elt) : null;
    previewSwap = !!(elt && elt.hasAttribute && elt.hasAttribute("data-preview"));
  });
  // The push that follows a command can arrive before the command's own reply, and redraw the
  // element that asked: the push after "Remove" takes that order's row, with its form, out of the
  // page. htmx looks for a reply's out-of-band fragments (the ready bar beside the order panel)
  // from the asking element's root, which is then that detached row: they would be dropped with
  // an error. Such a reply is swapped from the document instead (its target was resolved when the
  // request left and is still in the page).
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var detail = evt.detail;
    var elt = detail.requestConfig ? detail.requestConfig.elt : null;
    if (!detail.shouldSwap || !elt || elt.isConnected || !detail.target || !detail.target.isConnected) { return; }
    var styled = elt.closest ? elt.closest("[hx-swap]") : null;
    var style = styled ? styled.getAttribute("hx-swap").trim().split(/\s+/)[0] : window.htmx.config.defaultSwapStyle;
    detail.shouldSwap = false;
    window.htmx.swap(detail.target, detail.serverResponse, { swapStyle: style },
                     { contextElement: detail.target, eventInfo: detail });
  });
  function swapDone() { swapSource = null; previewSwap = false; }
  document.addEventListener("htmx:afterSwap", swapDone);
  document.addEventListener("htmx:afterRequest", swapDone);

  // --- Connection state: the status bar, and a band that cannot be missed ------------------------
  var wsOpen = false;

  function connected() { return wsOpen && navigator.onLine !== false; }

  function showConnection() {
    // Only a page that holds the game's socket (room, console, projector) can be disconnected
    // from it: the review pages, the lists and the forms have no socket and show no banner.
    var up = connected() || !document.querySelector("[ws-connect]");
    var state = document.getElementById("conn-state");
    if (state) {
      state.textContent = up ? state.dataset.online : state.dataset.offline;
      state.classList.toggle("is-down", !up);
    }
    var band = document.getElementById("offline-band");
    var banner = document.getElementById("connection-banner");
    if (band) { band.hidden = up; } else if (banner) { banner.hidden = up; }
    if (up) {
      document.querySelectorAll("[data-unsent-note]").forEach(function (note) { note.remove(); });
    }
  }

  function unsent(form) {
    var room = document.querySelector(".room[data-unsent]");
    var text = room ? room.dataset.unsent : "Not sent: you are offline.";
    var note = form.querySelector("[data-unsent-note]");
    if (!note) {
      note = document.createElement("p");
      note.className = "unsent";
      note.setAttribute("role", "alert");
      note.setAttribute("data-unsent-note", "");
      note.setAttribute("data-testid", "not-sent");
      form.appendChild(note);
    }
    note.textContent = text;
  }

  // While the game is unreachable a command is not even tried: the text stays and says so.
  document.addEventListener("htmx:confirm", function (evt) {
    var elt = evt.detail.elt;
    if (connected() || !elt || !elt.closest || !elt.closest(".room[data-unsent]")) { return; }
    var verb = (evt.detail.verb || "").toLowerCase();
    if (verb !== "post") { return; }
    evt.preventDefault();
    unsent(elt.closest("form") || elt);
  });
  document.addEventListener("htmx:sendError", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.closest && elt.closest(".room[data-unsent]")) { unsent(elt.closest("form") || elt); }
  });

  document.addEventListener("htmx:wsOpen", function () {
    wsOpen = true;
    document.body.dataset.ws = "open";
    document.body.dataset.synced = "0";
    showConnection();
  });
  document.addEventListener("htmx:wsClose", function () {
    wsOpen = false;
    document.body.dataset.ws = "closed";
    showConnection();
  });
  window.addEventListener("offline", showConnection);
  window.addEventListener("online", showConnection);

  // --- The room's tabs (WAI-ARIA tabs pattern; plain links to sections without script) ----------
  var WIDE = window.matchMedia("(min-width: 1200px)");

  function tabs() { return Array.prototype.slice.call(document.querySelectorAll(".room .tabs [role=tab]")); }
  function visibleTabs() { return tabs().filter(function (t) { return t.offsetParent !== null; }); }

  function selectPanel(name, focusTab) {
    var room = document.querySelector(".room.tabs-on");
    if (!room) { return; }
    if (name === "talks" && WIDE.matches) { name = "situation"; } // the talks are always beside
    tabs().forEach(function (tab) {
      var on = tab.dataset.panel === name;
      if (on) { delete tab.dataset.new; }
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) { panel.classList.toggle("is-back", !on); }
      if (on && focusTab) { tab.focus(); }
    });
    room.dataset.front = name;
    markScrollableTables();
  }

  // A reload keeps the panel the person chose during this phase (a new phase brings its own).
  function phaseKey() {
    var status = document.getElementById("game-status");
    var room = document.querySelector(".room[data-game]");
    return room && status ? "tc-panel:" + room.dataset.game + ":" + status.dataset.phase + ":" + status.dataset.turn : null;
  }
  function rememberPanel(name) {
    var key = phaseKey();
    try { if (key) { sessionStorage.setItem(key, name); } } catch (e) { /* storage off: nothing kept */ }
  }
  function rememberedPanel() {
    var key = phaseKey();
    try { return key ? sessionStorage.getItem(key) : null; } catch (e) { return null; }
  }

  function setUpTabs() {
    var room = document.querySelector(".room[data-front]");
    if (!room || !room.querySelector(".tabs")) { return; }
    room.classList.add("tabs-on");
    var fromHash = location.hash && document.querySelector(".room .tabs [href='" + CSS.escape(location.hash) + "']");
    var kept = rememberedPanel();
    var known = kept && document.querySelector(".room .tabs [data-panel='" + CSS.escape(kept) + "']");
    selectPanel(fromHash ? fromHash.dataset.panel : (known ? kept : room.dataset.front), false);
    WIDE.addEventListener("change", function () { selectPanel(room.dataset.front, false); });
  }

  document.addEventListener("click", function (evt) {
    var tab = evt.target.closest && evt.target.closest(".room.tabs-on [role=tab]");
    if (tab) {
      evt.preventDefault();
      selectPanel(tab.dataset.panel, true);
      rememberPanel(tab.dataset.panel);
      return;
    }
    // A link to a panel (e.g. "your private report") opens its tab.
    var link = evt.target.closest && evt.target.closest("a[data-open-panel]");
    if (link) {
      evt.preventDefault();
      selectPanel(link.dataset.openPanel, false);
      var goal = document.querySelector(link.getAttribute("href"));
      if (goal) { goal.setAttribute("tabindex", "-1"); goal.focus(); }
    }
  });
  document.addEventListener("keydown", function (evt) {
    var tab = evt.target.closest && evt.target.closest(".room.tabs-on [role=tab]");
    if (!tab) { return; }
    var list = visibleTabs();
    var i = list.indexOf(tab);
    var next = null;
    if (evt.key === "ArrowRight") { next = list[(i + 1) % list.length]; }
    else if (evt.key === "ArrowLeft") { next = list[(i - 1 + list.length) % list.length]; }
    else if (evt.key === "Home") { next = list[0]; }
    else if (evt.key === "End") { next = list[list.length - 1]; }
    else if (evt.key === " " || evt.key === "Enter") { evt.preventDefault(); selectPanel(tab.dataset.panel, true); rememberPanel(tab.dataset.panel); return; }
    if (next) { evt.preventDefault(); selectPanel(next.dataset.panel, true); rememberPanel(next.dataset.panel); }
  });

  // --- The phase puts its panel in front; results are announced ----------------------------------
  var PHASE_PANEL = { lobby: "situation", negotiation: "talks", orders: "orders", report: "reports", finished: "reports" };
  var lastStatus = null;

  function phaseChanged() {
    var status = document.getElementById("game-status");
    var phase = document.querySelector("[data-testid=phase]");
    if (!status || !phase) { return; }
    var key = status.dataset.phase + ":" + status.dataset.turn;
    var text = phase.textContent.trim();
    if (lastStatus !== null && key !== lastStatus) {
      var room = document.querySelector(".room.tabs-on");
      var wanted = PHASE_PANEL[status.dataset.phase] || "situation";
      // The phase's panel comes to the front, unless the keyboard is at work in another panel:
      // the ground never moves under it; the wanted tab is marked new and the change announced.
      var active = document.activeElement;
      var busy = active && active.closest ? active.closest(".room .panel") : null;
      var wantedPanel = document.getElementById("panel-" + wanted);
      if (room && busy && wantedPanel && busy !== wantedPanel && !(wanted === "talks" && WIDE.matches)) {
        var tab = document.getElementById("tab-" + wanted);
        if (tab) { tab.dataset.new = "true"; }
      } else if (room) {
        selectPanel(wanted, false);
      }
      // Screen readers hear the new phase (the status is morphed in place, which live regions do
      // not announce reliably) and, at the report, the turn's results: how and why the index moved.
      var announcer = document.getElementById("announcer");
      if (announcer) { announcer.textContent = text; }

    }
    lastStatus = key;
  }

  // New results (a turn resolved) are read out once, whichever push brings them.
  var lastResults = null;
  function announceResults() {
    var results = document.getElementById("public-results");
    var live = document.getElementById("results-announcer");
    if (!results || !live) { return; }
    var words = Array.prototype.map.call(results.querySelectorAll("[data-announce]"), function (el) {
      return el.textContent.trim().replace(/\s+/g, " ");
    }).join(" ");
    if (lastResults !== null && words && words !== lastResults) { live.textContent = words; }
    lastResults = words;
  }

  // --- The composer's price: asked again as the person types (the latest answer wins) ------------
  // The server prices the order (GET, nothing saved); only the price line is replaced, so nothing
  // typed and no message beside a control is touched.
  var priceAsked = 0;
  var priceTimer = null;

  function refreshPrice() {
    var form = document.getElementById("order-composer");
    var line = document.getElementById("order-cost");
    if (!form || !line || !line.dataset.priceUrl) { return; }
    priceAsked += 1;
    var asked = priceAsked;
    var query = new URLSearchParams(new FormData(form)).toString();
    fetch(line.dataset.priceUrl + "?" + query, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (reply) { return reply.ok ? reply.text() : null; })
      .then(function (html) {
        if (!html || asked !== priceAsked) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("order-cost");
        var now = document.getElementById("order-cost");
        if (fresh && now && now.innerHTML !== fresh.innerHTML) { now.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* offline: the price line waits for the next change */ });
  }

  function priceSoon(evt, wait) {
    var el = evt.target;
    if (!el || !el.closest || !el.closest("#composer-fields")) { return; }
    clearTimeout(priceTimer);
    priceTimer = setTimeout(refreshPrice, wait);
  }
  document.addEventListener("input", function (evt) { priceSoon(evt, 300); });
  document.addEventListener("change", function (evt) { priceSoon(evt, 0); });

  // --- Errors: the control that caused one takes the focus, in view ------------------------------
  function focusError(root) {
    var el = root && root.querySelector && root.querySelector("[aria-invalid=true], [data-focus-error]");
    if (!el) { return; }
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
  }

  // --- Chat helpers ------------------------------------------------------------------------------
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

  // A message for a channel that is not open has no log to land in: it is counted as unread and
  // taken out of the push before htmx looks for its target (htmx would log a missing target as an
  // error). An htmx extension, so it sees every push and reply before the swap.
  function countUnread(log) {
    var badge = document.getElementById("unread-" + log.id.slice("chat-log-".length));
    if (!badge) { return; }
    var count = Number(badge.dataset.count || "0") + log.querySelectorAll("li[data-seq]").length;
    badge.dataset.count = String(count);
    badge.firstChild.nodeValue = String(count);
    badge.hidden = false;
  }

  if (window.htmx) {
    window.htmx.defineExtension("chat-unread", {
      transformResponse: function (text) {
        if (typeof text !== "string" || text.indexOf('id="chat-log-') < 0) { return text; }
        var tpl = document.createElement("template");
        tpl.innerHTML = text;
        var dropped = false;
        Array.prototype.slice.call(tpl.content.children).forEach(function (el) {
          if (el.id && el.id.indexOf("chat-log-") === 0 && el.hasAttribute("hx-swap-oob") && !document.getElementById(el.id)) {
            countUnread(el);
            el.remove();
            dropped = true;
          }
        });
        return dropped ? tpl.innerHTML : text;
      }
    });
  }

  function showNotice() {
    var el = document.getElementById("live-notice");
    if (!el) { return; }
    el.hidden = el.textContent.trim() === "";
  }

  // --- The region map ----------------------------------------------------------------------------
  // The reach filter hides the arrows of other classes (the choice is kept here and put back when
  // a push redraws the map); hovering, focusing or tapping a state, site or arrow puts its details
  // in words in the map's info line (a polite live region).
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
  // A push that redraws the map brings its info line back to the hint: the details of the state or
  // site under the keyboard's focus or the pointer are put back at once.
  function restoreMapInfo() {
    var focused = document.activeElement;
    var item = focused && focused.closest ? focused.closest("[data-map-info]") : null;
    if (!item) {
      var hovered = document.querySelectorAll("[data-map-info]:hover");
      item = hovered.length ? hovered[hovered.length - 1] : null;
    }
    if (item) { showMapInfo(item); }
  }
  document.addEventListener("htmx:afterSwap", restoreMapInfo);
  document.addEventListener("htmx:oobAfterSwap", restoreMapInfo);
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

  // --- After every push and every reply ----------------------------------------------------------
  function afterChange() {
    phaseChanged();
    announceResults();
    applyMapFilters();
    markScrollableTables();
    normaliseChat();
    showNotice();
    markCurrentChannel();
    scrollChat(false);
  }

  document.addEventListener("htmx:wsAfterMessage", function () {
    document.body.dataset.synced = "1";  // the first message after (re)connecting is the resync
    afterChange();
  });
  document.addEventListener("htmx:afterSettle", function (evt) {
    afterChange();
    var elt = evt.detail && evt.detail.elt;
    var target = evt.detail && evt.detail.target;
    if (elt && evt.detail.requestConfig && (evt.detail.requestConfig.verb || "").toLowerCase() === "post") {
      focusError(target && target.isConnected ? target : document.getElementById("order-panel"));
    }
  });

  // Forms that say so are cleared after the server accepted them.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (form && form.matches && form.matches("form[data-reset-on-success]") && evt.detail.successful) {
      form.reset();
      var note = form.querySelector("[data-unsent-note]");
      if (note) { note.remove(); }
      var preview = document.getElementById("inject-preview");
      if (preview && form.contains(preview)) { preview.innerHTML = ""; }
    }
  });

  // Live countdowns: the server renders the deadline; the page only counts down to it.
  // The server's own wording ("4 minutes") arrives with every push of the fragment: each swap is
  // followed at once (same task, so before the next paint) by a tick that puts m:ss back, and the
  // ticks are timed to the deadline's own seconds rather than to whenever the page loaded.
  function tickCountdowns() {
    document.querySelectorAll("time.countdown[data-deadline]").forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.dataset.deadline) - Date.now()) / 1000));
      var d = Math.floor(left / 86400), h = Math.floor(left / 3600) % 24, m = Math.floor(left / 60) % 60, s = left % 60;
      var two = function (n) { return (n < 10 ? "0" : "") + n; };
      // m:ss within the hour, h:mm:ss within the day, "2d 05h" for a game over days (the local
      // closing time is written beside it). The words come from the page, in its language.
      var text = left <= 0 ? (el.dataset.closing || "closing…")
        : d > 0 ? d + "d " + two(h) + "h"
        : left >= 3600 ? h + ":" + two(m) + ":" + two(s)
        : Math.floor(left / 60) + ":" + two(s);
      if (el.textContent !== text) { el.textContent = text; }
      // A day or more away the countdown is coarse: the closing time beside it is then shown on a
      // phone too (app.css hides it there otherwise, to keep the sticky status bar short).
      var box = el.closest(".deadline-box");
      if (box && box.hasAttribute("data-far") !== (d > 0)) { box.toggleAttribute("data-far", d > 0); }
    });
  }
  var countdownTimer = null;
  function scheduleCountdowns() {
    clearTimeout(countdownTimer);
    var first = document.querySelector("time.countdown[data-deadline]");
    var wait = 1000;
    var left = first ? Date.parse(first.dataset.deadline) - Date.now() : NaN;
    if (left > 0) {
      // The seconds shown are the rounded seconds left: they change as `left` crosses k s + 500 ms.
      wait = (((left - 500) % 1000) + 1000) % 1000 + 15;
    }
    countdownTimer = setTimeout(function () { tickCountdowns(); scheduleCountdowns(); }, wait);
  }
  scheduleCountdowns();
  document.addEventListener("htmx:afterSwap", tickCountdowns);
  document.addEventListener("htmx:oobAfterSwap", tickCountdowns);
  document.addEventListener("htmx:wsAfterMessage", tickCountdowns);

  document.addEventListener("DOMContentLoaded", function () {
    setUpMorph();
    setUpTabs();
    scrollChat(true); tickCountdowns(); markCurrentChannel(); applyMapFilters(); markScrollableTables();
    phaseChanged();
    announceResults();
    showConnection();
  });

  // A push rendered just before a change committed can arrive after the reply that shows the
  // change: a fragment that carries a version never goes back to an older one.
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var detail = evt.detail;
    var incoming = detail.fragment && detail.fragment.firstElementChild;
    var target = detail.target;
    if (!incoming || !target || !incoming.dataset || !target.dataset) { return; }
    if (incoming.dataset.version && target.dataset.version &&
        Number(incoming.dataset.version) < Number(target.dataset.version)) {
      detail.shouldSwap = false;
    }
  });
})();
