"""The demo story that `steeltrace demo` and `make demo` run."""
