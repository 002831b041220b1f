// PMO Portal behaviour. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";

  // Forms that destroy or revoke something ask first (htmx forms use hx-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // htmx does not swap error responses: show their message in the page instead.
  function showError(text) {
    var box = document.getElementById("htmx-error");
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var message = doc.querySelector(".error-message");
    showError((message ? message.textContent : "") || ("The portal answered " + xhr.status + "."));
  });

  document.addEventListener("htmx:sendError", function () {
    showError("The portal could not be reached. Check your connection and try again.");
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("htmx-error");
    if (box) { box.hidden = true; }
  });
})();

// Status report form: show "Previous: …" beside a field only while its value differs from the last report.
(function () {
  "use strict";
  function refresh(input) {
    var box = input.closest && input.closest(".field");
    var was = box && box.querySelector(".was");
    if (!was || !input.hasAttribute("data-previous")) { return; }
    was.hidden = input.value === input.getAttribute("data-previous");
  }
  ["input", "change"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.target.closest && event.target.closest("form.status-form")) { refresh(event.target); }
    });
  });
})();
