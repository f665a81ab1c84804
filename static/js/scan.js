// Carts and catalog: scan barcodes with the camera where the browser can, and swipe a cart
// line left to remove it on touch screens. A hardware scanner needs nothing: it types the code
// into the search box and presses Enter, which submits the form.
(function () {
  "use strict";

  // --- Camera scanning (BarcodeDetector: Chrome on Android, some desktops) ---------------
  var FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "code_39", "qr_code"];
  var stream = null;
  var timer = null;

  function stop(dialog) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    if (dialog && dialog.open) dialog.close();
  }

  function submitCode(form, code) {
    var input = form.querySelector("[data-scan-input]");
    if (!input) return;
    input.value = code;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function startCamera(button) {
    var form = button.closest("form");
    var dialog = document.querySelector("[data-scan-dialog]");
    if (!form || !dialog || !navigator.mediaDevices) return;
    var video = dialog.querySelector("video");
    var detector;
    try { detector = new window.BarcodeDetector({ formats: FORMATS }); }
    catch (e) { detector = new window.BarcodeDetector(); }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        dialog.showModal();
        return video.play();
      })
      .then(function () {
        function look() {
          detector.detect(video).then(function (codes) {
            if (codes.length && codes[0].rawValue) {
              stop(dialog);
              submitCode(form, codes[0].rawValue);
            } else {
              timer = setTimeout(look, 200);
            }
          }).catch(function () { timer = setTimeout(look, 400); });
        }
        look();
      })
      .catch(function () { stop(dialog); });
  }

  function setUp(root) {
    if (!("BarcodeDetector" in window)) return;
    (root || document).querySelectorAll("[data-scan-camera]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (e) {
    var camera = e.target.closest && e.target.closest("[data-scan-camera]");
    if (camera) { e.preventDefault(); startCamera(camera); return; }
    var close = e.target.closest && e.target.closest("[data-scan-close]");
    if (close) stop(close.closest("dialog"));
  });
  document.addEventListener("close", function (e) {
    if (e.target.matches && e.target.matches("[data-scan-dialog]")) stop(null);
  }, true);
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });

  // After a scan or a search, keep the box ready for the next code.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest("[data-scan-form]");
    if (!form || e.detail.elt.tagName !== "FORM" || !e.detail.successful) return;
    var input = form.querySelector("[data-scan-input]");
    var added = e.detail.xhr && e.detail.xhr.getResponseHeader("HX-Retarget");
    if (input && added) { input.value = ""; input.focus(); }
  });

  // --- Swipe left to remove a cart line ----------------------------------------------------
  var THRESHOLD = 0.35; // of the line's width
  var active = null;

  document.addEventListener("touchstart", function (e) {
    var line = e.target.closest && e.target.closest("[data-swipe-line]");
    if (!line || e.touches.length !== 1 || e.target.closest("input, select, textarea, button, summary")) return;
    active = { line: line, x: e.touches[0].clientX, y: e.touches[0].clientY, dx: 0, swiping: false };
  }, { passive: true });

  document.addEventListener("touchmove", function (e) {
    if (!active) return;
    var dx = e.touches[0].clientX - active.x;
    var dy = e.touches[0].clientY - active.y;
    if (!active.swiping) {
      if (Math.abs(dy) > Math.abs(dx) || Math.abs(dx) < 10) {
        if (Math.abs(dy) > 10) active = null; // a scroll, not a swipe
        return;
      }
      active.swiping = true;
      active.line.classList.add("swiping");
    }
    active.dx = Math.min(0, dx);
    active.line.querySelector(".cart-line-body").style.transform = "translateX(" + active.dx + "px)";
  }, { passive: true });

  document.addEventListener("touchend", function () {
    if (!active) return;
    var line = active.line;
    var body = line.querySelector(".cart-line-body");
    var gone = active.swiping && -active.dx > line.offsetWidth * THRESHOLD;
    line.classList.remove("swiping");
    active = null;
    if (!gone) { body.style.transform = ""; return; }
    body.style.transform = "translateX(-100%)";
    line.classList.add("removing");
    var form = line.querySelector("[data-remove-form]");
    if (form) { if (form.requestSubmit) form.requestSubmit(); else form.submit(); }
  });

  document.addEventListener("htmx:afterSettle", function (e) { setUp(e.target); });
})();
