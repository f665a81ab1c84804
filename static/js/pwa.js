/* The installable console (docs/pwa.md): registers the service worker, adds "Notifications"
   to the account menu where the browser can push, switches push on and off on that page, and
   forgets this device's subscription when someone signs out. Without service workers or the
   Push API nothing here runs and the console works as before (the unread badge still counts). */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator)) {
    return;
  }
  var settings = script.dataset;
  var pushable = "PushManager" in window && "Notification" in window;

  navigator.serviceWorker.register(settings.worker, {scope: "/"}).catch(function (error) {
    console.warn("Atelier: no offline support:", error);
  });

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, fields, keepalive) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: Boolean(keepalive),
      headers: {"X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded"},
      body: new URLSearchParams(fields).toString()
    });
  }

  function currentSubscription() {
    return navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    });
  }

  // The account menu's link to the notifications page, only where push can work.
  if (settings.notificationsUrl && pushable) {
    var menu = document.querySelector(".account-menu");
    if (menu) {
      var link = document.createElement("a");
      link.className = "btn btn-outline-secondary btn-sm w-100 mb-2 text-start";
      link.href = settings.notificationsUrl;
      link.textContent = settings.notificationsLabel;
      var signOut = menu.querySelector("form[action$='/logout/']");
      menu.insertBefore(link, signOut);
    }
  }

  // Signing out ends this device's notifications first: the next person to use it is not told
  // about the last one's customers.
  if (settings.unsubscribeUrl && pushable) {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.action || new URL(form.action, location.href).pathname !== "/logout/") {
        return;
      }
      event.preventDefault();
      var done = function () { form.submit(); };
      currentSubscription().then(function (subscription) {
        if (!subscription) {
          return null;
        }
        return post(settings.unsubscribeUrl, {endpoint: subscription.endpoint}, true).then(function () {
          return subscription.unsubscribe();
        });
      }).then(done, done);
      window.setTimeout(done, 3000);  // never keep someone from signing out
    }, true);
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  // The notifications page.
  var panel = document.querySelector("[data-push-panel]");
  if (!panel) {
    return;
  }
  var data = panel.dataset;
  var onButton = panel.querySelector("[data-push-subscribe]");
  var offButton = panel.querySelector("[data-push-unsubscribe]");
  var problem = panel.querySelector("[data-push-error]");

  function show(state) {
    panel.querySelectorAll("[data-push-state]").forEach(function (element) {
      element.hidden = element.dataset.pushState !== state;
    });
    onButton.hidden = state !== "off";
    offButton.hidden = state !== "on";
    panel.dataset.state = state;
  }

  function fail(error) {
    // The server's own words (a 400 says what was wrong); the browser's are not for people.
    problem.textContent = (error && error.fromServer && error.message) || data.errorText;
    problem.hidden = false;
  }

  function answered(response) {
    if (!response.ok) {
      return response.text().then(function (text) {
        var error = new Error(text);
        error.fromServer = true;
        throw error;
      });
    }
    return response.json();
  }

  if (!pushable || !data.publicKey) {
    show("unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    show("denied");
    return;
  }
  currentSubscription().then(function (subscription) {
    if (!subscription) {
      show("off");
      return null;
    }
    // On only if the server keeps this browser for the person signed in now.
    return fetch(data.stateUrl + "?" + new URLSearchParams({endpoint: subscription.endpoint}), {
      credentials: "same-origin"
    }).then(answered).then(function (state) {
      show(state.subscribed ? "on" : "off");
    });
  }).catch(function () {
    show("off");
  });

  onButton.addEventListener("click", function () {
    problem.hidden = true;
    onButton.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        show(permission === "denied" ? "denied" : "off");
        return null;
      }
      return navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.getSubscription().then(function (old) {
          // A subscription made for another server key cannot be reused.
          return old ? old.unsubscribe() : null;
        }).then(function () {
          return registration.pushManager.subscribe({
            userVisibleOnly: true, applicationServerKey: keyBytes(data.publicKey)
          });
        });
      }).then(function (subscription) {
        var keys = subscription.toJSON().keys || {};
        return post(data.subscribeUrl, {endpoint: subscription.endpoint, p256dh: keys.p256dh || "",
                                        auth: keys.auth || ""}).then(answered);
      }).then(function () {
        show("on");
      });
    }).catch(function (error) {
      fail(error);
    }).then(function () {
      onButton.disabled = false;
    });
  });

  offButton.addEventListener("click", function () {
    problem.hidden = true;
    offButton.disabled = true;
    currentSubscription().then(function (subscription) {
      if (!subscription) {
        return null;
      }
      return post(data.unsubscribeUrl, {endpoint: subscription.endpoint}).then(answered).then(function () {
        return subscription.unsubscribe();
      });
    }).then(function () {
      show("off");
    }).catch(function (error) {
      fail(error);
    }).then(function () {
      offButton.disabled = false;
    });
  });
})();
