import ast

from visualizer.worker.rewrite import instrument

SOURCE = '''\
import httpx


async def fetch_data(url):
    """Docstring stays first."""
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    return response.text
'''


def test_sites_record_lines_text_and_targets() -> None:
    tree = ast.parse(SOURCE)
    sites = instrument(tree)
    roles = [(s.role, s.line, s.text, s.target) for s in sites.awaits]
    assert ("await", 7, "client.get(url)", "response") in roles
    assert ("aenter", 6, "httpx.AsyncClient()", "client") in roles
    assert ("aexit", 6, "httpx.AsyncClient()", "client") in roles
    assert [(f.name, f.line, f.is_async) for f in sites.functions] == [("fetch_data", 4, True)]


def test_rewritten_code_keeps_docstring_and_line_numbers() -> None:
    tree = ast.parse(SOURCE)
    instrument(tree)
    function = tree.body[1]
    assert isinstance(function, ast.AsyncFunctionDef)
    assert ast.get_docstring(function) == "Docstring stays first."
    lines = {node.lineno for node in ast.walk(function) if isinstance(node, ast.Return)}
    assert lines == {8}
    compile(tree, "sample.py", "exec")


def test_module_level_code_is_untouched() -> None:
    tree = ast.parse("x = 1\nprint(x)\n")
    instrument(tree)
    assert ast.unparse(tree) == "x = 1\nprint(x)"
