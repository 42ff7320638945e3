import visualizer


def test_public_surface_is_curated() -> None:
    public = {name for name in dir(visualizer) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(visualizer, name)).__name__ == "module"}
    assert public - modules == set(visualizer.__all__)
    assert sorted(visualizer.__all__, key=str.lower) == sorted(visualizer.__all__, key=str.lower)


def test_every_exported_error_is_a_trace_error() -> None:
    for name in visualizer.__all__:
        value = getattr(visualizer, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, visualizer.TraceError)
