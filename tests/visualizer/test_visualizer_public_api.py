import visualizer


def test_public_surface_is_curated() -> None:
    # ``dir(visualizer)`` is built from ``__all__`` (the module's ``__dir__``), so it cannot
    # show a name that leaked: the names the module really serves are those it imports lazily.
    served = set(visualizer._WHERE)
    assert served == set(visualizer.__all__)
    # Each name once (ruff's RUF022 keeps the list sorted; a name listed twice would pass it).
    assert len(set(visualizer.__all__)) == len(visualizer.__all__)


def test_every_public_name_resolves() -> None:
    namespace: dict[str, object] = {}
    exec("from visualizer import *", namespace)
    assert set(visualizer.__all__) <= namespace.keys()
    assert set(visualizer.__all__) <= set(dir(visualizer))


def test_every_exported_error_is_a_trace_error() -> None:
    for name in visualizer.__all__:
        value = getattr(visualizer, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, visualizer.TraceError)
