"""The engine for people: ``loopscope trace`` (``command``), its table (``terminal``) and the
Perfetto export (``perfetto``)."""
