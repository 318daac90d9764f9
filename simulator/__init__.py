"""mhsim: a terminal training simulator for mental-health conversations.

The package root stays import-light: nothing here pulls in textual, litellm or pydantic.
"""

__version__ = "0.1.0"
