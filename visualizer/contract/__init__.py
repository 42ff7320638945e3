"""What both sides of the sandbox share: the records, the messages and the JSON between them.

``events`` (the raw events), ``table`` (the execution table's rows), ``caps`` (the limits and
where a run was cut), ``request`` and ``inputs`` (what to trace), ``errors``, ``protocol`` (the
messages between a parent and a worker), ``wire`` (the contract JSON) and ``event_words`` (each
event's ``detail`` sentence). No pydantic: the worker imports these.
"""
