from __future__ import annotations

from loopscope.rendering import MarkdownRenderer, highlight_code

SOURCES = {"demo": "async def main():\n    await client.get(url)\n"}


def test_example_fence_is_replaced_by_highlighted_source() -> None:
    html = MarkdownRenderer(SOURCES).block("Look:\n\n```example demo\n```\n")
    assert '<pre class="code highlight" data-language="python"' in html
    assert '<span class="k">await</span>' in html
    assert "example demo" not in html


def test_tables_are_enabled_and_raw_html_is_escaped() -> None:
    html = MarkdownRenderer({}).block("| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>x</script>\n")
    assert "<table>" in html
    assert "<script>" not in html


def test_other_fences_are_highlighted_by_language() -> None:
    html = MarkdownRenderer({}).block("```bash\necho hi\n```\n")
    assert 'data-language="bash"' in html
    assert "echo" in html
    unknown = highlight_code("whatever", "no-such-language")
    assert "whatever" in unknown


def test_inline_has_no_paragraph() -> None:
    assert str(MarkdownRenderer({}).inline("a *b*")) == "a <em>b</em>"
