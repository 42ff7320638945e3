// The code editor: CodeMirror 6 (vendored, see tools/codemirror) over each plain
// <textarea data-editor>. Without JavaScript the textarea is the editor and the form still posts.
// The textarea stays the form field: every change is copied back into it, and the draft is
// saved as the learner types (debounced) to the form's data-draft-url.
import {
  basicSetup, EditorView, EditorState, keymap, indentMore, indentLess, indentUnit,
  setDiagnostics, lintGutter, python, HighlightStyle, syntaxHighlighting, tags as t,
} from "./vendor/codemirror-6.js";

const nonce = document.querySelector('meta[name="csp-nonce"]')?.getAttribute("content") || "";
const DRAFT_DELAY_MS = 800;

// Colours with at least 4.5:1 contrast on the editor's white (WCAG AA for normal text); the
// bundle's default style has lighter reds and oranges that fail it.
const readable = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: "#6f1b87" },
  { tag: [t.bool, t.null, t.atom], color: "#1d3f99" },
  { tag: [t.number], color: "#0b6140" },
  { tag: [t.string, t.special(t.string), t.regexp, t.escape], color: "#9a1a1a" },
  { tag: [t.comment, t.lineComment, t.blockComment], color: "#5b5f66", fontStyle: "italic" },
  { tag: [t.function(t.definition(t.variableName)), t.definition(t.variableName), t.className], color: "#0b4fa8" },
  { tag: [t.typeName, t.standard(t.variableName)], color: "#0b5b5b" },
  { tag: [t.propertyName, t.attributeName], color: "#4a3a00" },
  { tag: [t.meta, t.annotation], color: "#4d4d4d" },
  { tag: t.invalid, color: "#b00020" },
]);

// Python is written with 4-space indents: Enter continues a block 4 deeper, Tab and Shift-Tab
// indent and dedent the current line (or every selected line) by 4.
const pythonIndent = [
  indentUnit.of("    "),
  EditorState.tabSize.of(4),
  keymap.of([{ key: "Tab", run: indentMore, shift: indentLess }]),
];

function saveDrafts(textarea, view) {
  const form = textarea.form;
  const url = form?.dataset.draftUrl;
  if (!url) return () => {};
  const callField = form.elements.namedItem("call");
  const current = () => [view.state.doc.toString(), callField ? callField.value : ""];
  let timer = 0;
  let sent = JSON.stringify(current());
  const status = form.querySelector("[data-draft-status]");
  const save = () => {
    timer = 0;
    const [code, call] = current();
    const draft = JSON.stringify([code, call]);
    if (draft === sent) return;
    const body = new FormData();
    body.set("csrf_token", form.elements.namedItem("csrf_token")?.value || "");
    body.set("code", code);
    if (callField) body.set("call", call);
    fetch(url, { method: "POST", body, credentials: "same-origin", keepalive: code.length < 60000 })
      .then((response) => {
        if (response.ok) {
          sent = draft;
          if (status) status.textContent = "Draft saved.";
        } else if (status) {
          status.textContent = "The draft could not be saved just now; running or checking keeps it.";
        }
      })
      .catch(() => {});
  };
  const later = () => {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(save, DRAFT_DELAY_MS);
  };
  callField?.addEventListener("input", later);
  // Leaving the page before the delay is up still keeps what was typed.
  window.addEventListener("pagehide", () => { if (timer) { window.clearTimeout(timer); save(); } });
  form.addEventListener("submit", () => { if (timer) window.clearTimeout(timer); timer = 0; });
  return later;
}

function enhance(textarea) {
  if (textarea.dataset.enhanced) return;
  textarea.dataset.enhanced = "true";
  const label = textarea.labels && textarea.labels[0] ? textarea.labels[0].textContent.trim() : "Code";
  const readOnly = textarea.readOnly;
  let draftChanged = () => {};
  const extensions = [
    pythonIndent,
    basicSetup,
    python(),
    syntaxHighlighting(readable),
    lintGutter(),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ "aria-label": label }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) {
        textarea.value = update.state.doc.toString();
        draftChanged();
      }
    }),
  ];
  if (nonce) extensions.push(EditorView.cspNonce.of(nonce));
  if (readOnly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
  const view = new EditorView({ doc: textarea.value, extensions });
  textarea.classList.add("is-enhanced");
  textarea.after(view.dom);
  view.dom.classList.add("code-editor");
  view.dom.dataset.editorFor = textarea.id;
  if (!readOnly) draftChanged = saveDrafts(textarea, view);

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
