// The one entry point bundled into static/vendor/codemirror-6.js (see README.md).
export { basicSetup, EditorView } from "codemirror";
export { EditorState } from "@codemirror/state";
export { keymap } from "@codemirror/view";
export { indentWithTab, indentLess, indentMore } from "@codemirror/commands";
export { setDiagnostics, lintGutter } from "@codemirror/lint";
export { python } from "@codemirror/lang-python";
export { indentUnit, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
export { tags } from "@lezer/highlight";
