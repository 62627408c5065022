"""The `steeltrace` command line."""
