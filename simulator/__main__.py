"""``python -m simulator`` runs the CLI (textual-serve launches the app this way)."""

from cli import main

main()
