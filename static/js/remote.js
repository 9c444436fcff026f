/* Games over days: the viewer's time zone, local deadline times, and (opt-in) browser
   notifications while the tab is in the background. No dependencies; CSP-safe (no inline code). */
(function () {
  "use strict";

  // 1. Tell the server the browser's time zone, so dates it renders are local (remote.TimeZoneMiddleware).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("treatycraft_tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "treatycraft_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* an old browser: dates stay in the server's zone, labelled */ }

  // 2. <time data-local datetime="…"> shows the instant in the viewer's zone, also after live redraws.
  var formatter = null;
  try {
    formatter = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
  } catch (e) { formatter = null; }

  function localise(root) {
    if (!formatter || !root.querySelectorAll) { return; }
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var iso = el.getAttribute("datetime");
      if (!iso || el.dataset.localDone === iso) { return; }
      var when = new Date(iso);
      if (isNaN(when.getTime())) { return; }
      el.dataset.localDone = iso;
      el.textContent = formatter.format(when);
    });
  }

  // 3. Browser notifications (after the player opts in) while the tab is hidden: what needs them.
  var KEY = "treatycraft-notify";
  var last = null;

  function enabled() {
    return "Notification" in window && Notification.permission === "granted" && localStorage.getItem(KEY) === "on";
  }

  function snapshot() {
    var phase = document.querySelector("[data-testid=phase]");
    var unread = 0;
    document.querySelectorAll(".unread[data-count]").forEach(function (el) {
      unread += parseInt(el.dataset.count, 10) || 0;
    });
    var sign = document.querySelectorAll("[data-testid^=sign-]").length;
    return { phase: phase ? phase.textContent.trim() : "", unread: unread, sign: sign };
  }

  function say(body) {
    var box = document.getElementById("notify-optin");
    var title = (box && box.dataset.title) || document.title;
    try {
      var note = new Notification(title, { body: body, tag: "treatycraft-" + location.pathname });
      note.onclick = function () { window.focus(); note.close(); };
    } catch (e) { /* some mobile browsers allow notifications only from a service worker */ }
  }

  function compare() {
    var now = snapshot();
    if (last && now.phase !== last.phase) {
      // Parts of the page that load themselves (reflection questions) refresh when the phase changes.
      document.body.dispatchEvent(new CustomEvent("treatycraft:phase", { bubbles: true }));
    }
    if (last && document.hidden && enabled()) {
      var box = document.getElementById("notify-optin");
      var words = box ? box.dataset : {};
      if (now.phase && now.phase !== last.phase) { say((words.phase || "Now: ") + now.phase); }
      else if (now.sign > last.sign) { say(words.sign || "A proposal awaits your signature."); }
      else if (now.unread > last.unread) { say(words.message || "New messages."); }
    }
    last = now;
  }

  function setupOptIn() {
    var box = document.getElementById("notify-optin");
    if (!box) { return; }
    var button = box.querySelector("button");
    var status = box.querySelector("[data-role=status]");
    if (!("Notification" in window)) { box.hidden = true; return; }
    function show() {
      var on = enabled();
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? box.dataset.off : box.dataset.on;
      if (status) { status.textContent = Notification.permission === "denied" ? box.dataset.denied : ""; }
    }
    button.addEventListener("click", function () {
      if (enabled()) { localStorage.setItem(KEY, "off"); show(); return; }
      Notification.requestPermission().then(function (permission) {
        localStorage.setItem(KEY, permission === "granted" ? "on" : "off");
        show();
      });
    });
    box.hidden = false;
    show();
  }

  function start() {
    localise(document);
    setupOptIn();
    last = snapshot();
    var pending = false;
    new MutationObserver(function () {
      if (pending) { return; }
      pending = true;
      window.setTimeout(function () { pending = false; localise(document); compare(); }, 100);
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { last = snapshot(); } });
    // A swap or a push shows the local time at once (the observer above waits 100 ms, long enough
    // to flash the server's format in between).
    document.addEventListener("htmx:afterSettle", function () { localise(document); });
    document.addEventListener("htmx:wsAfterMessage", function () { localise(document); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
