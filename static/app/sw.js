// Lets the app open with no connection: the page, its scripts (and the modules it shares with the
// other pages, /static/shared/), Leaflet and the form schema are kept in a cache and served from
// it when the network fails (network first, so an online volunteer always gets the current
// version). API writes never pass through here.
const CACHE = "reachable-app-v6";
const SHELL = [
  "/app/", "/app/app.css", "/app/manifest.webmanifest",
  "/app/js/main.js", "/app/js/api.js", "/app/js/i18n.js", "/app/js/schema-form.js", "/app/js/where.js",
  "/app/js/photos.js", "/app/js/outbox.js", "/app/js/live.js", "/app/js/page.js", "/app/js/auth-view.js",
  "/app/js/missions.js",
  "/static/shared/api.js", "/static/shared/dom.js", "/static/shared/lang.js",
  "/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css",
  "/static/vendor/leaflet/images/marker-icon.png", "/static/vendor/leaflet/images/marker-icon-2x.png",
  "/static/vendor/leaflet/images/marker-shadow.png",
  "/api/v1/mobile-schema",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  const shell = url.pathname.startsWith("/app/") || url.pathname.startsWith("/static/shared/")
    || url.pathname.startsWith("/static/vendor/leaflet/")
    || url.pathname === "/api/v1/mobile-schema";
  if (!shell || url.pathname === "/app/config.json") return;
  event.respondWith(fetch(req).then((res) => {
    if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
    return res;
  }).catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit || Response.error())));
});
