// The resource grid: a cell's link opens the bookings behind it below the grid (htmx), instead of each
// of the page's hundreds of cells carrying its own htmx attributes; without JavaScript it is a plain link.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#load-grid td a");
    if (!link || !window.htmx || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    window.htmx.ajax("GET", link.getAttribute("href"), {target: "#bookings", swap: "innerHTML"});
  });
}());
