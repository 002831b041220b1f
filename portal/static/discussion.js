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
  var picking = false;  // the input event sent after a pick updates the preview, not the list

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-mentions-url]") || picking) { return; }
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

  function options(box) {
    var target = box.getAttribute("data-mentions-target");
    var list = target && document.querySelector(target);
    return list ? Array.prototype.slice.call(list.querySelectorAll("[data-mention]")) : [];
  }

  // The list is worked from the text box: arrow keys move the choice, Enter or Tab picks it, Escape closes.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-mentions-url]")) { return; }
    var choices = options(box);
    if (!choices.length) { return; }
    var current = choices.findIndex(function (b) { return b.getAttribute("data-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = current < 0 ? 0 : (current + (event.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length;
      choices.forEach(function (b, i) {
        b.setAttribute("data-selected", i === next ? "true" : "false");
        b.classList.toggle("selected", i === next);
      });
      choices[next].scrollIntoView({ block: "nearest" });
    } else if ((event.key === "Enter" || event.key === "Tab") && current >= 0 && tokenBeforeCaret(box)) {
      event.preventDefault();
      active = box;
      pick(choices[current]);
    } else if (event.key === "Escape") {
      var list = choices[0].closest(".mentions");
      if (list) { list.innerHTML = ""; }
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-mention]");
    if (!button || !active) { return; }
    pick(button);
  });

  function pick(button) {
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
    picking = true;
    try {
      active.dispatchEvent(new Event("input", { bubbles: true }));  // the preview and the mention check follow
    } finally {
      picking = false;
    }
  }
})();
