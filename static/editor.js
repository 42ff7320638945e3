// The code editor: CodeMirror 6 (vendored, see tools/codemirror) over each plain
// <textarea data-editor>. Without JavaScript the textarea is the editor and the form still posts.
// The textarea stays the form field: every change is copied back into it.
import {
  basicSetup, EditorView, EditorState, keymap, indentWithTab, setDiagnostics, lintGutter, python,
} from "./vendor/codemirror-6.js";

const nonce = document.querySelector('meta[name="csp-nonce"]')?.getAttribute("content") || "";

function enhance(textarea) {
  if (textarea.dataset.enhanced) return;
  textarea.dataset.enhanced = "true";
  const label = textarea.labels && textarea.labels[0] ? textarea.labels[0].textContent.trim() : "Code";
  const readOnly = textarea.readOnly;
  const extensions = [
    basicSetup,
    python(),
    keymap.of([indentWithTab]),
    lintGutter(),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ "aria-label": label }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) textarea.value = update.state.doc.toString();
    }),
  ];
  if (nonce) extensions.push(EditorView.cspNonce.of(nonce));
  if (readOnly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
  const view = new EditorView({ doc: textarea.value, extensions });
  textarea.classList.add("is-enhanced");
  textarea.after(view.dom);
  view.dom.classList.add("code-editor");
  view.dom.dataset.editorFor = textarea.id;

  const line = Number(textarea.dataset.errorLine || 0);
  if (line >= 1 && line <= view.state.doc.lines) {
    const at = view.state.doc.line(line);
    view.dispatch(setDiagnostics(view.state, [{
      from: at.from, to: Math.max(at.to, at.from), severity: "error",
      message: textarea.dataset.errorMessage || "Syntax error",
    }]));
    view.dispatch({ selection: { anchor: at.from }, scrollIntoView: true });
  }
  textarea.form?.addEventListener("submit", () => {
    textarea.value = view.state.doc.toString();
  });
}

function enhanceAll(root) {
  root.querySelectorAll("textarea[data-editor]").forEach(enhance);
  root.querySelectorAll("form[data-code-form]").forEach((form) => {
    if (form.dataset.watching) return;
    form.dataset.watching = "true";
    form.addEventListener("submit", () => {
      const button = form.querySelector("[data-run-button]");
      const note = form.querySelector("[data-running-note]");
      if (note) note.textContent = "Running your code for real in the sandbox…";
      if (button) window.setTimeout(() => { button.disabled = true; }, 0);
    });
  });
}

enhanceAll(document);
document.addEventListener("htmx:after:swap", () => enhanceAll(document));
