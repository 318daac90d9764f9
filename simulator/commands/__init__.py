"""Command implementations for the ``mhsim`` CLI (top-level ``cli.py`` assembles them).

Each command imports what it needs inside its function, so ``mhsim --help`` stays fast.
"""
