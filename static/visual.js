// Visual mode: keyboard stepping (← → Home End) through the player's step links, focus kept on
// the control that was used, and the new step announced after htmx swaps the player in. Without
// this file every control is a plain link or form and still works.
(() => {
  const KEYS = { ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last" };
  let refocus = null;

  document.addEventListener("keydown", (event) => {
    const name = KEYS[event.key];
    if (!name || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, select, textarea, [contenteditable]")) return;
    const link = document.querySelector(`#player a[data-step-nav="${name}"]`);
    if (!link) return;
    event.preventDefault();
    refocus = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.stepNav || null : null;
    link.click();
  });

  // The slider shows the step number while it moves; the form's change trigger loads it.
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.type === "range") {
      const out = input.form && input.form.querySelector(`output[for="${input.id}"]`);
      if (out) out.textContent = input.value;
    }
  });

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("#player [data-step-nav]") : null;
    if (link instanceof HTMLElement) refocus = link.dataset.stepNav || null;
  });

  document.addEventListener("htmx:after:swap", () => {
    const player = document.getElementById("player");
    if (!player) return;
    const announcer = document.getElementById("step-announcer");
    if (announcer) announcer.textContent = player.dataset.status || "";
    if (refocus) {
      const again = player.querySelector(`[data-step-nav="${refocus}"]`);
      if (again instanceof HTMLElement) again.focus();
      refocus = null;
    }
  });
})();
