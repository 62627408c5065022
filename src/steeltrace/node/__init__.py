"""The node: peer, block producer, submission and queries, behind small ports."""
