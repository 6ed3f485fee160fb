// The hotline's desks. A refused row action (400 bad input, 409 someone else moved first)
// answers with the row itself, the reason beside it: swap it in like a success, which htmx
// does not do by default for 4xx answers.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if ((status === 400 || status === 409) && event.detail.target.closest(".desk")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// The header checkbox ticks every order of the page for the batch buttons.
document.addEventListener("change", function (event) {
  var all = event.target.closest(".check-all");
  if (!all) return;
  var table = all.closest("table");
  table.querySelectorAll("input[name=order]").forEach(function (box) {
    box.checked = all.checked;
  });
});
