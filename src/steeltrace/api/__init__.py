"""The REST API (FastAPI): ``create_app`` in :mod:`steeltrace.api.app`, users and tokens
in :mod:`steeltrace.api.users`. See docs/api.md."""
