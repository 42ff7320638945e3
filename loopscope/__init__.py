"""loopscope: learn async HTTP in Python by watching it happen.

The app package only assembles: settings, storage, routes and the ``loopscope`` command. Lesson
logic lives in ``lessons``; the trace engine lives in ``visualizer``.
"""
