"""Adapters behind the node's ports: storage and ordering."""
