/* The portal's one script, an enhancement: choosing a category brings its extra fields into the
   form at once (a fragment from the server), instead of the 选择类别 button posting the form
   back. Without script, or if the fetch fails, the button does the same. */
(function () {
  "use strict";
  var select = document.getElementById("id_category");
  var box = document.getElementById("category-fields");
  var button = document.getElementById("choose-category");
  if (!select || !box || !button || !window.fetch) return;
  button.hidden = true;
  var latest = 0;
  select.addEventListener("change", function () {
    var mine = ++latest;
    var url = box.getAttribute("data-url") + "?category=" + encodeURIComponent(select.value);
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (mine === latest) box.innerHTML = html; // an older answer never replaces a newer one
      })
      .catch(function () {
        button.hidden = false;
      });
  });
})();
