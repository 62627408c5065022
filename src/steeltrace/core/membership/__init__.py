"""Consortium membership: the genesis configuration and the governance contracts."""
