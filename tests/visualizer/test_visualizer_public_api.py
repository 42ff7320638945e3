import visualizer


def test_public_surface_is_curated() -> None:
    public = {name for name in dir(visualizer) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(visualizer, name)).__name__ == "module"}
    assert public - modules == set(visualizer.__all__)
    # Each name once (ruff's RUF022 keeps the list sorted; a name listed twice would pass it).
    assert len(set(visualizer.__all__)) == len(visualizer.__all__)


def test_every_exported_error_is_a_trace_error() -> None:
    for name in visualizer.__all__:
        value = getattr(visualizer, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, visualizer.TraceError)
