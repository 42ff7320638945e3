"""Inside the sandbox: the worker process and what it runs a traced call with.

``process`` is the process (``python -m visualizer.worker.process.process``; the pool starts it with
``from visualizer.worker.process.process import main``); ``session`` runs one call: ``rewrite``
instruments the file, ``probes``, ``tasks``, ``selector``, ``netroute`` and ``capture`` feed the
``recorder``, ``upstream`` is the demo server, ``assemble`` writes the reply's JSON.

A worker pays for every import on every run: nothing here imports ``visualizer.pool`` or
pydantic (``tests/test_import_rules.py``), and this file imports nothing.
"""
