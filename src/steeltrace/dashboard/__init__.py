"""The read-only web dashboard: server-rendered pages over a node (docs/dashboard.md).

The one entry point is :func:`steeltrace.dashboard.routes.mount`, which the API's
``create_app`` calls.
"""
