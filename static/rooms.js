// Workshop rooms: follow the room's live updates (Server-Sent Events) and swap them in.
//
// htmx 4 has SSE only as an extension (hx-sse.js), so this small file uses EventSource itself.
// Each message holds elements with ids: an element replaces the one with the same id on the
// page, except one marked data-append, whose children are added to it (the room's activity).
// The page says where to connect (data-stream) and which event it was rendered at
// (data-since); on a reconnect the browser sends Last-Event-ID and the server sends the current
// state plus what the page missed. No inline script anywhere: the CSP allows 'self' only.
//
// Also: countdowns count down to their data-deadline (the server's clock, from data-now); a
// swap keeps which <details> were open and keeps a learner's code editor (data-keep) as typed;
// on the host page, the join details fold once an item is open.
(function () {
  "use strict";
  const root = document.getElementById("room");
  if (!root) return;

  // The server's clock: a countdown ends when the server says, whatever this device's clock.
  const offset = root.dataset.now ? Number(root.dataset.now) - Date.now() : 0;
  function tick() {
    for (const timer of document.querySelectorAll(".countdown[data-deadline]")) {
      const left = Math.ceil((Number(timer.dataset.deadline) - (Date.now() + offset)) / 1000);
      const label = timer.querySelector("[data-left]");
      if (!label) continue;
      if (left <= 0) {
        label.textContent = "Time is up";
        timer.classList.add("is-over");
      } else {
        label.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
        timer.classList.remove("is-over");
      }
    }
  }
  tick();
  window.setInterval(tick, 250);

  // The host page: when another item opens, the join details fold and the page goes back to
  // the top, where the current item is, with focus on it (the Open button pressed is gone).
  const join = document.getElementById("join-details");
  const currentKey = () => {
    const live = document.getElementById("host-live");
    return live ? live.dataset.current || "" : "";
  };
  let shown = currentKey();
  function followCurrent() {
    const now = currentKey();
    if (now === shown) return;
    shown = now;
    if (!now) return;
    if (join) join.open = false;
    const section = document.getElementById("current");
    if (section) section.focus({ preventScroll: true });
    const live = document.getElementById("host-live");
    if (live) live.scrollIntoView({ block: "start" });
  }
  if (join) new MutationObserver(followCurrent).observe(root, { childList: true, subtree: true });

  if (!root.dataset.stream || !("EventSource" in window)) return;

  const status = document.getElementById("live-status");
  const say = (text) => { if (status) status.textContent = text; };

  function fillTokens(element) {
    for (const input of element.querySelectorAll('input[name="csrf_token"]')) {
      if (!input.value) input.value = root.dataset.csrf || "";
    }
  }

  function apply(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const focusedId = document.activeElement && document.activeElement.id;
    for (const incoming of Array.from(template.content.children)) {
      const current = incoming.id && document.getElementById(incoming.id);
      if (!current) continue;
      if (incoming.hasAttribute("data-append")) {
        const seen = new Set(Array.from(current.children, (li) => li.dataset.seq));
        for (const child of Array.from(incoming.children)) {
          if (!seen.has(child.dataset.seq)) current.appendChild(child);
        }
        continue;
      }
      fillTokens(incoming);
      for (const details of incoming.querySelectorAll("details[id]")) {
        const before = document.getElementById(details.id);
        if (before && before.tagName === "DETAILS") details.open = before.open;
      }
      for (const kept of incoming.querySelectorAll("[data-keep][id]")) {
        const before = document.getElementById(kept.id);
        if (before && before.dataset.item === kept.dataset.item) kept.replaceWith(before);
      }
      current.replaceWith(incoming);
      if (window.htmx && typeof window.htmx.process === "function") window.htmx.process(incoming);
      // What listens for htmx's swaps (the code editor, page assets) treats this one alike.
      incoming.dispatchEvent(new CustomEvent("htmx:after:swap", { bubbles: true }));
    }
    tick();
    if (focusedId && (!document.activeElement || document.activeElement === document.body)) {
      const again = document.getElementById(focusedId);
      if (again) again.focus();
    }
  }

  const url = new URL(root.dataset.stream, window.location.href);
  url.searchParams.set("since", root.dataset.since || "0");
  const source = new EventSource(url);
  source.addEventListener("open", () => say("Live: this page updates by itself."));
  source.addEventListener("error", () => {
    say(source.readyState === EventSource.CLOSED
      ? "Disconnected. Reload the page to follow the room again."
      : "Reconnecting…");
  });
  source.addEventListener("room", (event) => apply(event.data));
  source.addEventListener("gone", (event) => {
    apply(event.data);
    source.close();
    say("This room was deleted by its host.");
  });
  root.dataset.live = "true";
})();
