"""The Runs layer: every use of the trace engine, one use-case per thing a page asks for.

- ``service``: ``TraceService``, the only holder of the engine: queued, shared, stored runs of
  lesson examples and learner code (its ``FairQueue`` in ``queue``, its chunked decoding of
  kept traces in ``decode``);
- ``practice``: a learner's code, run for Try and checked for Challenge and Project;
- ``perf``: Perf's two sides of a comparison, measured in one turn.

Routes call these; views never do (they read ``loopscope.records``).
"""
