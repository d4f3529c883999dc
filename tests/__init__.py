"""The test suite: a package, so tests share helpers as ``tests.support`` (pytest puts the
project folder on the import path for a package of tests)."""
