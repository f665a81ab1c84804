// Toasts for Django messages and for htmx responses that trigger "toast".
(function () {
  function show(el) {
    el.addEventListener("hidden.bs.toast", function () { el.remove(); }, { once: true });
    bootstrap.Toast.getOrCreateInstance(el, { delay: 4000 }).show();
  }
  function showAll(root) { root.querySelectorAll(".toast[data-autoshow]").forEach(show); }
  document.addEventListener("DOMContentLoaded", function () { showAll(document); });
  document.body && document.body.addEventListener("htmx:afterSettle", function (e) { showAll(e.target); });
  document.addEventListener("toast", function (e) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast text-bg-dark border-0";
    el.setAttribute("role", "status");
    el.innerHTML = '<div class="toast-body"></div>';
    el.querySelector(".toast-body").textContent = e.detail.value || e.detail.message || "";
    box.appendChild(el);
    show(el);
  });
})();

// Errors htmx would drop. htmx 2 swaps no 4xx answer; a 400/422 whose body is markup
// is the form or list with its errors, so it is swapped like a success. A bare message
// (a 400 that explains a refused click, whatever its content type; a 403; a 500)
// becomes a toast instead of replacing the target with a line of text.
(function () {
  function toast(text) {
    document.dispatchEvent(new CustomEvent("toast", { detail: { value: text } }));
  }
  function message(xhr) {
    var text = (xhr.responseText || "").trim();
    return text && text.charAt(0) !== "<" && text.length < 300 ? text : document.body.dataset.errorText;
  }
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr || (xhr.status !== 400 && xhr.status !== 422)) return;
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === 0 && (xhr.responseText || "").trim().charAt(0) === "<") {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    } else {
      toast(message(xhr));
    }
  });
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr || xhr.status === 400 || xhr.status === 422) return;
    toast(message(xhr));
  });
  document.addEventListener("htmx:sendError", function () { toast(document.body.dataset.offlineText); });
})();

// The filter form sits outside the results it refreshes: mark the fields the results
// fragment reports as wrong (data-filter-errors), and drop errors that no longer apply.
(function () {
  function mark() {
    var form = document.getElementById("filters");
    var marker = document.querySelector("#results [data-filter-errors]");
    if (!form || !marker) return;
    var wrong = marker.dataset.filterErrors.split(" ").filter(Boolean);
    form.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
    wrong.forEach(function (name) {
      form.querySelectorAll('[name="' + name + '"]').forEach(function (el) { el.classList.add("is-invalid"); });
    });
  }
  document.addEventListener("htmx:afterSettle", mark);
})();

// Customer grid selection: count, "select page", "select all matching".
(function () {
  function refresh(root) {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var checks = document.querySelectorAll(".row-check");
    var chosen = new Set();
    checks.forEach(function (c) { if (c.checked) chosen.add(c.value); });
    var all = document.getElementById("all-matching");
    var label = document.getElementById("selected-count");
    // The count may arrive after the page (see #result-count), with the total and its label.
    var count = document.getElementById("result-count");
    var total = count && count.dataset.total !== "" ? Number(count.dataset.total) : 0;
    var button = document.getElementById("bulk-actions");
    var more = document.getElementById("select-all-matching");
    var pageBox = document.getElementById("select-page");
    var allOnPage = checks.length > 0 && Array.prototype.every.call(checks, function (c) { return c.checked; });
    if (pageBox) pageBox.checked = allOnPage;
    if (all && all.value === "1") {
      label.textContent = count ? count.dataset.all : "";
    } else {
      label.textContent = chosen.size ? label.dataset.template.replace("__n__", chosen.size) : "";
    }
    if (more) more.classList.toggle("d-none", !(allOnPage && all.value !== "1" && total > chosen.size));
    if (button) button.disabled = chosen.size === 0 && all.value !== "1";
    document.querySelectorAll("[data-selection-summary]").forEach(function (el) { el.textContent = label.textContent; });
  }
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.id === "select-page") {
      document.querySelectorAll(".row-check").forEach(function (c) { c.checked = t.checked; });
      if (!t.checked) document.getElementById("all-matching").value = "0";
      // The same customer appears in the table and the phone list: keep both in step.
    } else if (t.classList && t.classList.contains("row-check")) {
      document.querySelectorAll('.row-check[value="' + t.value + '"]').forEach(function (c) { c.checked = t.checked; });
      if (!t.checked) document.getElementById("all-matching").value = "0";
    } else { return; }
    refresh();
  });
  document.addEventListener("click", function (e) {
    if (e.target && e.target.id === "select-all-matching") {
      document.getElementById("all-matching").value = "1";
      refresh();
    }
  });
  document.addEventListener("htmx:afterSettle", function () { refresh(); });
  document.addEventListener("DOMContentLoaded", function () { refresh(); });
})();

// Composer: quick replies fill the text box; the chosen image is named and previewed; keep the
// thread scrolled down. Template previews are rendered by the server (htmx).
(function () {
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".quick-reply");
    if (!button) return;
    var box = document.getElementById("body");
    if (box) { box.value = button.dataset.text; box.focus(); }
  });
  // The thumbnail is a blob: URL (the CSP allows blob: images). Send waits until it has
  // loaded, so the associate sends the image they saw; one the browser cannot read is dropped.
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (input.id !== "composer-image") return;
    var shown = input.form && input.form.querySelector(".image-chosen");
    if (!shown) return;
    var img = shown.querySelector(".image-preview");
    var send = input.form.querySelector("button[type=submit]");
    var file = input.files && input.files[0];
    if (img.src) { URL.revokeObjectURL(img.src); img.removeAttribute("src"); }
    img.hidden = true;
    shown.hidden = !file;
    shown.querySelector("span").textContent = file ? file.name : "";
    send.disabled = !!file;
    if (!file) return;
    img.onload = function () { img.hidden = false; send.disabled = false; };
    img.onerror = function () {
      URL.revokeObjectURL(img.src);
      img.removeAttribute("src");
      input.value = "";
      shown.hidden = true;
      send.disabled = false;
      document.dispatchEvent(new CustomEvent("toast", { detail: { value: shown.dataset.unreadable } }));
    };
    img.src = URL.createObjectURL(file);
  });
  // The open thread is polled; a reader scrolled up to older messages keeps their place.
  var kept = null;
  function scrollThread() {
    var list = document.getElementById("messages");
    if (!list) return;
    list.scrollTop = kept === null ? list.scrollHeight : kept;
    kept = null;
  }
  document.addEventListener("htmx:beforeSwap", function (e) {
    var list = document.getElementById("messages");
    if (!list || e.detail.target !== list) return;
    var atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    kept = atEnd ? null : list.scrollTop;
  });
  document.addEventListener("DOMContentLoaded", function () { scrollThread(); });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.target.id === "thread" || e.target.id === "messages") scrollThread();
  });
})();

// Progress bars carry their width as data (the Content-Security-Policy allows no inline style).
(function () {
  function widths(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.addEventListener("htmx:afterSettle", function (e) { widths(e.target); });
})();

// Focus after htmx swaps. A swap that replaces the focused control would drop the keyboard
// user's place onto <body>: put it back on the same control (by id), on the composer's text box
// after a send, or else on the swapped region itself. Counts of results are read out politely.
(function () {
  // Noted on the request (before hx-disabled-elt takes focus from a disabled Send button).
  document.addEventListener("htmx:beforeRequest", function (e) {
    var target = e.detail.target;
    var active = document.activeElement;
    if (!target || !active || active === document.body || !target.contains(active)) return;
    var form = active.form || active.closest("form");
    e.detail.xhr.atelierFocus = { id: active.id, targetId: target.id, composer: !!(form && form.id === "composer") };
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var was = e.detail.xhr && e.detail.xhr.atelierFocus;
    if (!was) return;
    e.detail.xhr.atelierFocus = null;
    if (document.activeElement && document.activeElement !== document.body) return;
    var next = (was.composer && document.getElementById("body")) || (was.id && document.getElementById(was.id));
    if (!next && was.targetId) {
      next = document.getElementById(was.targetId);
      if (next && !next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
    }
    if (next) next.focus({ preventScroll: true });
  });

  function announce(text) {
    var box = document.getElementById("announcer");
    if (!box || !text) return;
    // Emptied first, so the same count twice in a row is read again.
    box.textContent = "";
    setTimeout(function () { box.textContent = text; }, 50);
  }
  document.addEventListener("htmx:afterSettle", function (e) {
    var count = document.getElementById("result-count");
    if (!count || count.hasAttribute("hx-get")) return;  // still counting: its own answer comes next
    if (!(e.target.id === "results" || e.target.id === "result-count" || e.target.contains(count))) return;
    announce(count.textContent.replace(/\s+/g, " ").trim());
  });
})();

// The phone filter sheet's "Show N results": counted by clienteling:customer_count as the
// filters change (the newest answer wins), with a spinner meanwhile; tapping it closes the sheet.
(function () {
  var pending = null, timer = null;
  function button() { return document.getElementById("show-results"); }
  function count() {
    var form = document.getElementById("filters"), show = button();
    if (!form || !show) return;
    if (pending) pending.abort();
    pending = new AbortController();
    var label = show.querySelector("[data-show-label]");
    var spinner = show.querySelector("[data-counting-spinner]");
    show.setAttribute("aria-busy", "true");
    spinner.classList.remove("d-none");
    label.textContent = show.dataset.counting;
    var query = new URLSearchParams(new FormData(form)).toString();
    fetch(show.dataset.countUrl + "?" + query, { headers: { "HX-Request": "true" }, signal: pending.signal })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var found = html && new DOMParser().parseFromString(html, "text/html").getElementById("result-count");
        label.textContent = found ? found.dataset.showLabel : show.dataset.fallback;
        spinner.classList.add("d-none");
        show.removeAttribute("aria-busy");
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        label.textContent = show.dataset.fallback;
        spinner.classList.add("d-none");
        show.removeAttribute("aria-busy");
      });
  }
  function later() { clearTimeout(timer); timer = setTimeout(count, 300); }
  document.addEventListener("change", function (e) { if (e.target.form && e.target.form.id === "filters") later(); });
  document.addEventListener("input", function (e) { if (e.target.form && e.target.form.id === "filters") later(); });
  // After the sheet closes on "Show N results", the keyboard lands on the results.
  document.addEventListener("hidden.bs.offcanvas", function (e) {
    if (e.target.id !== "filter-panel" || document.activeElement !== document.body) return;
    var results = document.getElementById("results");
    if (results) { results.setAttribute("tabindex", "-1"); results.focus({ preventScroll: false }); }
  });
})();
