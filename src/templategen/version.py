"""The package's version, defined once: the wheel's metadata takes it from here
(``[tool.hatch.version]`` in pyproject.toml), and the code reads it from here instead of asking
``importlib.metadata``, whose import alone (the email package, zipfile, csv, ...) takes about
40 ms of CPU, and whose lookup scans the installed distributions."""

__version__ = "0.1.0"
