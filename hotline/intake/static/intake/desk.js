// The agent's intake desk: keyboard handling of the category type-ahead, and Enter moving to
// the next field instead of submitting half a form while the caller is still talking.
(function () {
  "use strict";

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("li[role=option]"));
  }

  function setActive(list, index) {
    var items = options(list);
    items.forEach(function (li, i) {
      li.classList.toggle("active", i === index);
      li.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (items[index]) {
      items[index].scrollIntoView({ block: "nearest" });
    }
  }

  function activeIndex(list) {
    return options(list).findIndex(function (li) { return li.classList.contains("active"); });
  }

  function close(search, list) {
    list.innerHTML = "";
    search.setAttribute("aria-expanded", "false");
  }

  function announce(hidden) {
    // The repeat warning listens for this change (htmx trigger "change from:#id_category").
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function pick(search, hidden, list, li) {
    hidden.value = li.dataset.id;
    search.value = li.dataset.name;
    close(search, list);
    announce(hidden);
  }

  function nextField(form, current) {
    var fields = Array.prototype.filter.call(form.elements, function (el) {
      return !el.disabled && el.type !== "hidden" && el.offsetParent !== null;
    });
    var next = fields[fields.indexOf(current) + 1];
    if (next) {
      next.focus();
    }
  }

  // The knowledge card (知识库): 采用答复 puts the entry's answer in the answer field and its id
  // in the form, so 直接办结 records that the call was answered from it. The agent may still
  // edit the answer; emptying it drops the entry.
  function adopt(button) {
    var answer = document.getElementById("id_answer");
    var entry = document.getElementById("id_knowledge_entry");
    var text = document.getElementById("kb-answer-" + button.dataset.entry);
    if (!answer || !entry || !text) {
      return;
    }
    answer.value = text.textContent.trim();
    entry.value = button.dataset.entry;
    answer.dispatchEvent(new Event("input", { bubbles: true }));
    markAdopted(entry.value);
    answer.focus();
  }

  function markAdopted(id) {
    document.querySelectorAll(".kb-adopt").forEach(function (b) {
      var on = b.dataset.entry === id;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? b.dataset.adopted : b.dataset.adopt;
      b.closest(".kb-hit").classList.toggle("adopted", on);
    });
  }

  function toggleMore(button) {
    var text = document.getElementById(button.getAttribute("aria-controls"));
    var open = button.getAttribute("aria-expanded") !== "true";
    text.classList.toggle("folded", !open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? button.dataset.less : button.dataset.more;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".kb-adopt, .kb-more");
    if (!button) {
      return;
    }
    if (button.classList.contains("kb-adopt")) {
      adopt(button);
    } else {
      toggleMore(button);
    }
  });

  document.addEventListener("input", function (event) {
    var entry = document.getElementById("id_knowledge_entry");
    if (event.target.id === "id_answer" && entry && entry.value && !event.target.value.trim()) {
      entry.value = "";
      markAdopted("");
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("intake-form");
    var search = document.getElementById("id_category_search");
    var hidden = document.getElementById("id_category");
    var list = document.getElementById("category-options");
    if (!form || !search || !hidden || !list) {
      return;
    }

    search.addEventListener("keydown", function (event) {
      var items = options(list);
      var index = activeIndex(list);
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        setActive(list, Math.min(index + 1, items.length - 1));
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        setActive(list, Math.max(index - 1, 0));
      } else if (event.key === "Enter") {
        // Enter picks the highlighted category; it never submits the form from here.
        event.preventDefault();
        if (items[index]) {
          pick(search, hidden, list, items[index]);
        }
      } else if (event.key === "Escape") {
        close(search, list);
      }
    });

    search.addEventListener("input", function (event) {
      // Typing again means the earlier choice no longer stands. A script filling the box
      // (an accepted dispatch suggestion sets both fields) is not typing.
      if (event.isTrusted && hidden.value) {
        hidden.value = "";
        announce(hidden);
      }
    });

    list.addEventListener("mousedown", function (event) {
      var li = event.target.closest("li[role=option]");
      if (li) {
        event.preventDefault();
        pick(search, hidden, list, li);
      }
    });

    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target === list) {
        search.setAttribute("aria-expanded", options(list).length ? "true" : "false");
      }
    });

    // A returned form: the agent's next keystroke belongs in the first field at fault.
    var invalid = form.querySelector(".field.invalid input:not([type=hidden]), .field.invalid select, .field.invalid textarea");
    if (invalid) {
      invalid.focus();
    }

    form.addEventListener("keydown", function (event) {
      var el = event.target;
      if (event.key !== "Enter" || el === search || el.tagName !== "INPUT") {
        return;
      }
      if (el.type === "submit" || el.type === "button") {
        return;
      }
      event.preventDefault();
      nextField(form, el);
    });
  });
})();
