"""routectl: make a shop's customer-service message routing explicit, testable and explainable."""

__version__ = "0.1.0"


def build() -> str:
    """``compiled with mypyc`` when the hot modules are extension modules, else ``pure Python``.

    Imports the time module only when asked (``routectl --version``), not at start-up.
    """
    from routectl.logio import timefmt

    return "pure Python" if timefmt.__file__.endswith(".py") else "compiled with mypyc"
