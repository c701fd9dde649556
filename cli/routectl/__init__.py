"""routectl: make a shop's customer-service message routing explicit, testable and explainable."""

__version__ = "0.1.0"
