"""Pure readings of a run's events: facts, the execution table's rows, the trace's model.

``analysis`` (requests, stalls, counts), ``condense`` (the fold into ``rows``, put into words
by ``row_words``, with the source read by ``statements``) and ``model`` (``Trace``, the
contract JSON as frozen pydantic models: the parent's, never the worker's).
"""
