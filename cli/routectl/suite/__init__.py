"""``routectl test``: routing test suites (core) and their results (report)."""
