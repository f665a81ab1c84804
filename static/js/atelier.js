// Toasts for Django messages and for htmx responses that trigger "toast".
(function () {
  function show(el) { bootstrap.Toast.getOrCreateInstance(el, { delay: 4000 }).show(); }
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
