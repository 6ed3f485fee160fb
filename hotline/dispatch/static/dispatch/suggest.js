// "采用" on a suggestion: one click fills the intake form's category, or the queue row's unit
// or (an order registered without one) its category.
// The fragment is swapped in by htmx many times; the listener is installed once per page.
(function () {
  if (window.hotlineDispatchSuggest) return;
  window.hotlineDispatchSuggest = true;
  function set(el, value) {
    if (!el) return;
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".dispatch-adopt-category, .dispatch-adopt-unit");
    if (!button) return;
    event.preventDefault();
    if (button.classList.contains("dispatch-adopt-category") && button.dataset.order) {
      // The dispatch queue: an order registered without a category gets it with its dispatch.
      var order = '[data-order="' + button.dataset.order + '"]';
      set(document.querySelector('input[name="category"]' + order), button.dataset.category);
      var shown = document.querySelector(".dispatch-category-chosen" + order);
      if (shown) {
        shown.textContent = shown.dataset.label + button.dataset.name;
        shown.hidden = false;
      }
    } else if (button.classList.contains("dispatch-adopt-category")) {
      set(document.getElementById("id_category"), button.dataset.category);
      set(document.getElementById("id_category_search"), button.dataset.name);
    } else {
      var selector = 'select[name="lead_unit"][data-order="' + button.dataset.order + '"]';
      set(document.querySelector(selector), button.dataset.unit);
    }
    button.classList.add("adopted");
  });
})();
