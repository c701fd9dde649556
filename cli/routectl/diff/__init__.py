"""``routectl diff``: two configs over one log (core) and how the change is shown (render)."""
