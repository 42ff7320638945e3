// After htmx swaps a revealed answer in, move focus to it so keyboard and screen-reader users
// land on the result instead of on a form that no longer exists.
document.addEventListener("htmx:after:swap", (event) => {
  const target = event.detail && event.detail.ctx && event.detail.ctx.target;
  const root = target instanceof Element ? target : event.target;
  const result = root instanceof Element ? root.querySelector("[data-focus-after-swap]") : null;
  if (result) result.focus();
});
