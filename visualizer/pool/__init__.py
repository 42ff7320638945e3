"""The parent's side of the sandbox: warm worker processes, and the sandbox around each.

``engine`` (``TraceEngine``, a pool of warm workers) and ``runner`` (``run_trace``, one fresh
worker) start workers in the bubblewrap ``sandbox`` (``sandbox_view``, ``seccomp``) inside the
``guard``'s cgroups, with the demo ``authority``'s files, and check the ``reply`` they send.
"""
