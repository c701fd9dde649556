"""One module per ``routectl`` sub-command; each stays thin and calls the core."""
