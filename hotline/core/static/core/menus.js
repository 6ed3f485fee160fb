// The header's menus (更多 and the user's) are <details>: they open and close with the mouse,
// Enter and Space without this file. It adds what a menu is expected to do besides: Escape closes
// the open menu and returns the focus to its summary, a click elsewhere or opening the other menu
// closes it.
(function () {
  "use strict";
  function menus() { return document.querySelectorAll("header details.menu[open]"); }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    menus().forEach(function (d) {
      d.open = false;
      if (d.contains(document.activeElement)) d.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (e) {
    menus().forEach(function (d) { if (!d.contains(e.target)) d.open = false; });
  });
  document.addEventListener("toggle", function (e) {
    var opened = e.target;
    if (!opened.matches || !opened.matches("header details.menu") || !opened.open) return;
    menus().forEach(function (d) { if (d !== opened) d.open = false; });
  }, true);
})();
