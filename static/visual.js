// Visual mode's player (templates/lessons/_player.html). Without this file every control is a
// plain link or GET form that lands at #player, and a knob form is a POST that lands there too.
// With it:
// - ← → Home End step through the player's links; the slider steps the trace when it changes;
//   focus stays on the control that was used, and the new step is announced;
// - after htmx swaps a new stage in, the rows of the tables and the timeline's "now" mark follow
//   it here, so folds a learner opened stay open and the page does not move;
// - the current code line is kept in view inside the code box (never by scrolling the page);
// - after a knob rerun, focus moves to the new run and a status line says it finished.
(() => {
  const KEYS = { ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last" };
  let refocus = null;
  let rerun = false;

  document.addEventListener("keydown", (event) => {
    const name = KEYS[event.key];
    if (!name || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, select, textarea, summary, [contenteditable]")) return;
    const link = document.querySelector(`#player-stage a[data-step-nav="${name}"]`);
    if (!link) return;
    event.preventDefault();
    const active = document.activeElement;
    refocus = active instanceof HTMLElement && active.closest("#player-stage") ? active.dataset.stepNav || null : null;
    link.click();
  });

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("#player-stage [data-step-nav]") : null;
    if (link instanceof HTMLElement) refocus = link.dataset.stepNav || null;
  });

  // The step slider: its label follows while it moves; a change (release, or a key) loads it.
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.type === "range") {
      const out = input.form && input.form.querySelector(`output[for="${input.id}"]`);
      if (out) out.textContent = input.value;
    }
  });
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.id === "step-range" && input.form) {
      refocus = "slider";
      input.form.requestSubmit();
    }
  });

  document.addEventListener("submit", (event) => {
    if (event.target instanceof HTMLFormElement && event.target.matches("[data-knob-form]")) {
      rerun = true;
      const status = document.getElementById("run-status");
      if (status) status.textContent = "Recording a new real run…";
    }
  });

  function showCurrentLine(stage) {
    const box = stage.querySelector(".code-lines");
    const line = box && box.querySelector(".code-line.is-current");
    if (!box || !line || box.scrollHeight <= box.clientHeight) return;
    const top = line.offsetTop - box.clientHeight / 3;
    if (line.offsetTop < box.scrollTop || line.offsetTop + line.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(top, 0);
    }
  }

  // Bring a new run into view: from the status line that says it finished, through its head
  // (the call, how it ended), down to the end of the stage if that fits, else the stage alone.
  function reveal(player, stage) {
    const status = document.getElementById("run-status");
    const from = status && status.textContent ? status : player;
    const top = from.getBoundingClientRect().top + window.scrollY;
    const bottom = stage.getBoundingClientRect().bottom + window.scrollY;
    if (bottom - top + 8 <= window.innerHeight) window.scrollTo(0, top - 8);
    else stage.scrollIntoView({ block: "start" });
  }

  function followStage(stage) {
    const step = stage.dataset.step;
    document.querySelectorAll("#player [data-step-row]").forEach((row) => {
      const current = row.dataset.stepRow === step;
      row.classList.toggle("is-current", current);
      if (current) row.setAttribute("aria-current", "step");
      else row.removeAttribute("aria-current");
    });
    const mark = document.getElementById("tl-now-mark");
    const pct = Number(stage.dataset.nowPct);
    if (mark && Number.isFinite(pct)) {
      mark.style.left = `${pct}%`;
      mark.classList.toggle("tl-now-end", pct > 70);
      const label = mark.querySelector(".tl-now-label");
      if (label) label.textContent = `step ${step}`;
    }
    showCurrentLine(stage);
  }

  document.addEventListener("htmx:after:swap", (event) => {
    const target = event.detail && event.detail.ctx && event.detail.ctx.target;
    const stage = document.getElementById("player-stage");
    const player = document.getElementById("player");
    const status = document.getElementById("run-status");
    if (rerun && target instanceof Element && target.matches(".form-error")) {
      rerun = false; // the form was refused; its error says why
      if (status) status.textContent = "";
      return;
    }
    if (rerun && player && !document.querySelector("#run[aria-busy='true']")) {
      rerun = false;
      if (status) status.textContent = player.dataset.finished || "The new run finished.";
      player.focus({ preventScroll: true });
      if (stage) {
        followStage(stage);
        reveal(player, stage);
      }
      return;
    }
    if (!stage) return;
    followStage(stage);
    // The first step taken with the stage partly off screen brings all of it into view, when it
    // fits; after that the page stays where it is.
    const box = stage.getBoundingClientRect();
    if ((box.top < 0 || box.bottom > window.innerHeight) && box.height <= window.innerHeight) {
      stage.scrollIntoView({ block: "start" });
    }
    const announcer = document.getElementById("step-announcer");
    if (announcer) announcer.textContent = stage.dataset.status || "";
    if (refocus) {
      const again = stage.querySelector(`[data-step-nav="${refocus}"]`);
      if (again instanceof HTMLElement) again.focus({ preventScroll: true });
      refocus = null;
    }
  });

  // Loaded with the page, or added later by app.js when htmx brought the page in.
  const start = () => {
    const stage = document.getElementById("player-stage");
    if (stage) showCurrentLine(stage);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
