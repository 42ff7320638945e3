"""Shared by every test folder: this folder is on ``sys.path``, so ``realservers`` (real
PostgreSQL, Redis and app processes for the room tests) can be imported from any of them."""
