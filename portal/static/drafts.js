// Nothing typed is lost when the session ends: a form sent without a valid session is kept by the
// portal (a sign-in page that sends it on); an htmx action that is refused with a redirect to sign in
// keeps a draft of the page's text in sessionStorage, put back when the person returns to the page.
(function () {
  "use strict";
  var PREFIX = "portal-draft:";

  function key(path) { return PREFIX + (path || (window.location.pathname + window.location.search)); }

  function keptFields(root) {
    var kept = [];
    root.querySelectorAll("form").forEach(function (form, formIndex) {
      form.querySelectorAll("textarea, input, select").forEach(function (field) {
        var type = (field.type || "").toLowerCase();
        if (!field.name || field.name === "csrf_token" || ["password", "file", "hidden", "submit", "button"].indexOf(type) >= 0) { return; }
        if (field.closest(".global-search")) { return; }
        var value = (type === "checkbox" || type === "radio") ? (field.checked ? "1" : "") : field.value;
        if (value && value !== field.defaultValue) {
          kept.push({form: formIndex, name: field.name, type: type, value: value, id: field.id || ""});
        }
      });
    });
    return kept;
  }

  function saveDraft() {
    var kept = keptFields(document);
    if (!kept.length) { return; }
    try { window.sessionStorage.setItem(key(), JSON.stringify(kept)); } catch (e) { /* storage full or off */ }
  }

  function restoreDraft() {
    var raw;
    try { raw = window.sessionStorage.getItem(key()); } catch (e) { return; }
    if (!raw) { return; }
    window.sessionStorage.removeItem(key());
    var kept;
    try { kept = JSON.parse(raw); } catch (e) { return; }
    var forms = document.querySelectorAll("form");
    var restored = 0;
    kept.forEach(function (item) {
      var field = item.id ? document.getElementById(item.id) : null;
      if (!field && forms[item.form]) { field = forms[item.form].querySelector("[name='" + CSS.escape(item.name) + "']"); }
      if (!field) { return; }
      if (item.type === "checkbox" || item.type === "radio") { field.checked = item.value === "1"; }
      else if (!field.value || field.value === field.defaultValue) { field.value = item.value; }
      restored += 1;
    });
    if (restored) {
      var box = document.getElementById("flashes");
      if (box) {
        var note = document.createElement("p");
        note.className = "flash flash-info";
        note.setAttribute("role", "status");
        note.id = "draft-restored";
        note.textContent = "What you typed before your session ended is back in the form. Check it and send it again.";
        box.appendChild(note);
      }
    }
  }

  // Before htmx follows a redirect to sign in (401) or a reload of an expired page (400), keep the page's text.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if ((xhr.status === 401 || xhr.status === 400) && xhr.getResponseHeader("HX-Redirect")) { saveDraft(); }
  });

  function start() {
    restoreDraft();
    var pending = document.querySelector("form[data-autosubmit]");
    if (pending && !pending.dataset.sent) {
      pending.dataset.sent = "1";
      pending.submit();
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
