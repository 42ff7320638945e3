// Hints about keys that only JavaScript makes work (.js-only, the player's .keys) show once
// this script runs; without JavaScript they stay hidden (app.css).
document.documentElement.classList.add("has-js");

// After htmx swaps a revealed answer in, move focus to it so keyboard and screen-reader users
// land on the result instead of on a form that no longer exists.
document.addEventListener("htmx:after:swap", (event) => {
  const target = event.detail && event.detail.ctx && event.detail.ctx.target;
  const root = target instanceof Element ? target : event.target;
  const result = root instanceof Element ? root.querySelector("[data-focus-after-swap]") : null;
  if (result) result.focus();
});

// A page that htmx boosted in keeps the old <head>: its own stylesheets, scripts and modules
// are named by a [data-page-assets] element in the body instead, and loaded here once each.
function loadPageAssets(root) {
  root.querySelectorAll("[data-page-assets]").forEach((assets) => {
    for (const href of (assets.dataset.css || "").split(" ").filter(Boolean)) {
      if (!document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) {
        const link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = href;
        document.head.append(link);
      }
    }
    for (const src of (assets.dataset.scripts || "").split(" ").filter(Boolean)) {
      if (!document.querySelector(`script[src="${src}"]`)) {
        const script = document.createElement("script");
        script.src = src; // same origin: the CSP's script-src 'self' allows it
        document.head.append(script);
      }
    }
    for (const src of (assets.dataset.modules || "").split(" ").filter(Boolean)) {
      import(src);
    }
  });
}
document.addEventListener("htmx:after:swap", () => loadPageAssets(document));
