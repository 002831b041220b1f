// Mentions in comment boxes: typing @ and a few letters lists the project's people (htmx);
// choosing one writes @Full Name into the text. No inline script: the CSP forbids it.
(function () {
  "use strict";

  function tokenBeforeCaret(box) {
    var text = box.value.slice(0, box.selectionStart);
    var at = text.lastIndexOf("@");
    if (at < 0 || (at > 0 && !/\s/.test(text.charAt(at - 1)))) { return null; }
    var token = text.slice(at + 1);
    if (token.length > 40 || token.indexOf("\n") >= 0) { return null; }
    return { start: at, token: token };
  }

  var active = null;

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-mentions-url]")) { return; }
    var found = tokenBeforeCaret(box);
    var target = box.getAttribute("data-mentions-target");
    if (!target || !window.htmx) { return; }
    if (!found) {
      var list = document.querySelector(target);
      if (list) { list.innerHTML = ""; }
      return;
    }
    active = box;
    window.htmx.ajax("GET", box.getAttribute("data-mentions-url") + "?q=" + encodeURIComponent(found.token),
                     { target: target, swap: "innerHTML" });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-mention]");
    if (!button || !active) { return; }
    var found = tokenBeforeCaret(active);
    var name = button.getAttribute("data-mention");
    var caret = active.selectionStart;
    var start = found ? found.start : caret;
    active.value = active.value.slice(0, start) + "@" + name + " " + active.value.slice(caret);
    var position = start + name.length + 2;
    active.focus();
    active.setSelectionRange(position, position);
    var list = button.closest(".mentions");
    if (list) { list.innerHTML = ""; }
  });
})();
