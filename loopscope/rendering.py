"""Lesson Markdown to HTML: markdown-it-py (CommonMark + tables) and Pygments, server-side.

A fence whose info string is ``example NAME`` is replaced by the lesson's example file NAME,
highlighted; other fences are highlighted by their language. Pygments emits CSS classes only; the
palette lives in static/app.css and is neutral (no red or green that could give an answer away).

>>> renderer = MarkdownRenderer({"hi": "print('hi')\\n"})
>>> "print" in renderer.block("```example hi\\n```")
True
>>> str(renderer.inline("the `await` keyword"))
'the <code>await</code> keyword'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=512)
def highlight_code(code: str, language: str = "python") -> Markup:
    """A ``<pre class="code">`` block with Pygments token spans."""
    try:
        lexer = PythonLexer() if language in ("", "python", "py") else get_lexer_by_name(language)
    except ClassNotFound:
        lexer = TextLexer()
    body = highlight(code, lexer, _FORMATTER)
    label = escape(language or "text")
    # tabindex: a scrollable code block must be reachable by keyboard.
    opening = f'<pre class="code highlight" data-language="{label}" tabindex="0">'
    return Markup(f"{opening}<code>{body}</code></pre>\n")


class MarkdownRenderer:
    """Renders one lesson's Markdown, resolving its example fences.

    Headings move one level down (``#`` becomes ``<h2>``): the page has the ``<h1>``.
    """

    def __init__(self, sources: Mapping[str, str], titles: Mapping[str, str] | None = None) -> None:
        self.sources = sources
        self.titles = titles or {}
        self._blocks: dict[str, Markup] = {}
        self._inlines: dict[str, Markup] = {}
        self._md = MarkdownIt("commonmark", {"html": False}).enable("table")
        # markdown-it binds render rules to its renderer, so the rule closes over this object.
        self._md.add_render_rule("fence", lambda _renderer, *args: self._fence(*args))
        self._md.core.ruler.push("shift_headings", _shift_headings)

    def block(self, text: str) -> Markup:
        # Lesson text is finite and immutable once loaded, so each piece is rendered once.
        found = self._blocks.get(text)
        if found is None:
            found = self._blocks[text] = Markup(self._md.render(text))
        return found

    def inline(self, text: str) -> Markup:
        """Markdown for a place where only phrasing content fits (a label, a legend)."""
        found = self._inlines.get(text)
        if found is None:
            found = self._inlines[text] = Markup(self._md.renderInline(text).strip())
        return found

    def code(self, example: str) -> Markup:
        return highlight_code(self.sources[example])

    def _fence(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        words = token.info.split()
        if len(words) == 2 and words[0] == "example":
            title = self.titles.get(words[1])
            if title is None:
                return str(self.code(words[1]))
            caption = f"<figcaption>{escape(title)}</figcaption>"
            return f'<figure class="example">{caption}{self.code(words[1])}</figure>\n'

        return str(highlight_code(token.content, words[0] if words else ""))


def _shift_headings(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
