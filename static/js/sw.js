/* Atelier's service worker (docs/pwa.md), served at /sw.js so its scope is the whole console.
   The view puts its settings first: self.ATELIER = {version, shell, static, offline, login,
   passThrough, icon}.

   - Static files: cache first (their names carry the build's hash in production).
   - Console pages: the network first; a copy of each page opened is kept, and without the
     network that copy is shown (read only, as it was), else the offline page.
   - htmx fragments and every write: the network alone; atelier.js says when it is gone.
   - Customers' pages, webhooks, the admin, media: left alone, never kept.
   - Web push: shows the notification, and a tap opens its page. */
"use strict";

var CONFIG = self.ATELIER;
var SHELL_CACHE = "atelier-shell-" + CONFIG.version;
var PAGES_CACHE = "atelier-pages-" + CONFIG.version;
// Recently opened pages kept for offline reading; the oldest go first.
var PAGES_KEPT = 25;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(CONFIG.shell.concat([CONFIG.offline]));
  }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("atelier-") === 0 && name !== SHELL_CACHE && name !== PAGES_CACHE;
    }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () {
    return self.clients.claim();
  }));
});

function passesThrough(url) {
  return CONFIG.passThrough.some(function (prefix) {
    return url.pathname.indexOf(prefix) === 0;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || passesThrough(url)) {
    return;
  }
  if (url.pathname.indexOf(CONFIG.static) === 0) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(event, url));
  }
});

function cacheFirst(request) {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return cache.match(request).then(function (found) {
      return found || fetch(request).then(function (response) {
        if (response.ok) {
          cache.put(request, response.clone());
        }
        return response;
      });
    });
  });
}

function keepPage(request, response) {
  return caches.open(PAGES_CACHE).then(function (cache) {
    // Deleted first, so the page counts as the newest.
    return cache.delete(request).then(function () {
      return cache.put(request, response);
    }).then(function () {
      return cache.keys();
    }).then(function (keys) {
      return Promise.all(keys.slice(0, Math.max(0, keys.length - PAGES_KEPT)).map(function (key) {
        return cache.delete(key);
      }));
    });
  });
}

function networkFirst(event, url) {
  var request = event.request;
  return fetch(request).then(function (response) {
    var landed = new URL(response.url || request.url);
    if (url.pathname === CONFIG.login || landed.pathname === CONFIG.login) {
      // Signed out, or about to sign in: what one person opened is not kept for the next.
      event.waitUntil(caches.delete(PAGES_CACHE));
    } else if (response.ok && response.type === "basic" && !response.redirected
               && !/no-store/.test(response.headers.get("Cache-Control") || "")) {
      event.waitUntil(keepPage(request, response.clone()));
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.match(request);
    }).then(function (found) {
      return found || caches.match(CONFIG.offline);
    });
  });
}

self.addEventListener("push", function (event) {
  var data = {};
  if (event.data) {
    try {
      data = event.data.json();
    } catch (error) {
      data = {body: event.data.text()};
    }
  }
  event.waitUntil(self.registration.showNotification(data.title || "Atelier", {
    body: data.body || "",
    tag: data.tag || "",
    renotify: Boolean(data.tag),
    icon: CONFIG.icon,
    badge: CONFIG.icon,
    data: {url: data.url || "/"}
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  // Only our own pages: a notification never opens another site.
  var href = target.origin === self.location.origin ? target.href : self.location.origin + "/";
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (windows) {
    var open = windows.filter(function (client) {
      return "navigate" in client;
    })[0];
    if (open) {
      return open.navigate(href).then(function (client) {
        return (client || open).focus();
      }).catch(function () {
        return self.clients.openWindow(href);  // a window this worker does not control
      });
    }
    return self.clients.openWindow(href);
  }));
});
