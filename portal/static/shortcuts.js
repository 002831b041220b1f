// Keyboard and small conveniences: "/" focuses the header search, Escape closes its results,
// a saved view takes the filters from the address bar (htmx keeps it current as filters change).
(function () {
  "use strict";

  function typing(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search");
    if (!box) { return; }
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(document.activeElement)) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === "Escape" && document.activeElement === box) {
      var results = document.getElementById("global-search-results");
      if (results) { results.innerHTML = ""; }
      box.blur();
    }
  });

  document.addEventListener("click", function (event) {
    var results = document.getElementById("global-search-results");
    if (results && !event.target.closest(".global-search")) { results.innerHTML = ""; }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("save-view-form")) { return; }
    var query = form.querySelector("[data-current-query]");
    if (query) { query.value = window.location.search.replace(/^\?/, ""); }
  }, true);
})();
