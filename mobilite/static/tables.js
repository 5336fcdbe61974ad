/*
 * mobilite — a table wider than the screen scrolls inside its own box (app.css, small screens). This makes
 * that box reachable with the keyboard (Tab onto the table, then the arrow keys), only while it really
 * scrolls: on a wide screen the table is no extra stop. Without this script the table still scrolls by touch
 * and, in recent browsers, by keyboard.
 */
(function () {
  "use strict";

  function update() {
    var tables = document.querySelectorAll("table");
    for (var i = 0; i < tables.length; i += 1) {
      var table = tables[i];
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
        table.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && table.hasAttribute("data-scroll-focus")) {
        table.removeAttribute("tabindex");
        table.removeAttribute("data-scroll-focus");
      }
    }
  }

  update();
  window.addEventListener("resize", update);
  document.addEventListener("toggle", update, true); // a table inside <details> gets its size when opened
})();
