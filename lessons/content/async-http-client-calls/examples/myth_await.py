import ast

PLACES = {
    "plain def": ("def load():\n    await fetch()\n", 0),
    "module top level": ("await fetch()\n", 0),
    "asyncio REPL": ("await fetch()\n", ast.PyCF_ALLOW_TOP_LEVEL_AWAIT),
}


async def try_await(place: str) -> str:
    source, flags = PLACES[place]
    try:
        compile(source, "<lesson>", "exec", flags=flags)
    except SyntaxError as exc:
        return f"SyntaxError: {exc.msg}"
    return "compiles"
