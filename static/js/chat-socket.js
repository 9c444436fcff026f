// Chat over the game socket when it is open: the same service as the form's HTTP post (the server
// answers each frame with an acknowledgement or an error), about a third less server work per
// message (docs/performance.md). Whenever the socket is not open, or no answer comes within a few
// seconds, the form posts over HTTP as it always did, with the same client token, so a message is
// stored once whichever way it went. Without this file the form simply posts over HTTP.
(function () {
  "use strict";
  if (window.treatycraftChatSocket) { return; }  // included twice: one is enough
  window.treatycraftChatSocket = true;

  var ANSWER_WITHIN_MS = 4000;
  var socket = null;  // htmx's socket wrapper while the game socket is open
  var pending = {};   // client token -> {form, body, timer}

  function newToken() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function field(form, name) { return form.querySelector("[name='" + name + "']"); }

  function setBusy(form, busy) {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = busy; }
  }

  function showError(form, text) {
    var error = form.querySelector("#chat-error");
    var input = field(form, "body");
    if (!text) {
      if (error) { error.remove(); }
      if (input) { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
      return;
    }
    if (!error) {
      error = document.createElement("p");
      error.id = "chat-error";
      error.className = "error";
      error.setAttribute("role", "alert");
      error.dataset.testid = "chat-error";
      form.appendChild(error);
    }
    error.textContent = text;  // text, never HTML
    if (input) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", "chat-error"); }
  }

  // The HTTP post, with the token the frame carried: the server stores the message once.
  function overHttp(form) {
    form.dataset.chatOverHttp = "1";
    setBusy(form, false);
    if (window.htmx) { window.htmx.trigger(form, "submit"); }
  }

  function settle(answer) {
    var entry = pending[answer.token];
    if (!entry) { return; }
    delete pending[answer.token];
    window.clearTimeout(entry.timer);
    var form = entry.form;
    setBusy(form, false);
    if (!document.body.contains(form)) { return; }
    if (answer.type === "chat.ack") {
      var input = field(form, "body");
      if (input && input.value === entry.body) { input.value = ""; }
      var token = field(form, "client_token");
      if (token) { token.value = newToken(); }
      showError(form, "");
      if (input) { input.focus(); }
    } else {
      showError(form, answer.message || "");
    }
  }

  document.addEventListener("htmx:wsOpen", function (evt) { socket = evt.detail.socketWrapper; });
  document.addEventListener("htmx:wsClose", function () {
    socket = null;
    Object.keys(pending).forEach(function (token) {  // unanswered: send them over HTTP now
      var entry = pending[token];
      delete pending[token];
      window.clearTimeout(entry.timer);
      if (document.body.contains(entry.form)) { overHttp(entry.form); }
    });
  });

  // The server's answers are JSON; everything else on the socket is HTML for htmx to swap.
  document.addEventListener("htmx:wsBeforeMessage", function (evt) {
    var text = evt.detail && evt.detail.message;
    if (typeof text !== "string" || text.charAt(0) !== "{") { return; }
    var answer;
    try { answer = JSON.parse(text); } catch (e) { return; }
    if (!answer || (answer.type !== "chat.ack" && answer.type !== "chat.error")) { return; }
    evt.preventDefault();
    settle(answer);
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = evt.detail && evt.detail.elt;
    if (!form || form.id !== "chat-form") { return; }
    if (form.dataset.chatOverHttp === "1") { delete form.dataset.chatOverHttp; return; }
    if (!socket || document.body.dataset.ws !== "open") { return; }
    var body = field(form, "body"), channel = field(form, "channel"), token = field(form, "client_token");
    if (!body || !channel || !token || !token.value) { return; }
    if (pending[token.value]) { evt.preventDefault(); return; }  // a double click: already on its way
    evt.preventDefault();
    var entry = {form: form, body: body.value, timer: 0};
    pending[token.value] = entry;
    entry.timer = window.setTimeout(function () {
      if (pending[token.value] === entry) { delete pending[token.value]; overHttp(form); }
    }, ANSWER_WITHIN_MS);
    setBusy(form, true);
    socket.send(JSON.stringify({type: "chat", body: body.value, channel: channel.value, client_token: token.value}));
  });
})();
