"""The ledger: transactions, blocks, the Merkle tree over a block's transactions, the
hash-linked chain and the proofs handed to outside verifiers.

Each concept has its own module (``merkle`` first); this package exports nothing itself.
"""
