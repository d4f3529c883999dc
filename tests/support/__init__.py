"""Test support, shared by the tests (through imports and the fixtures of tests/conftest.py)
and the benchmarks, never shipped: the UNO typist and keyboard typing, typed answers,
filled copies, hostile files, mail and PostgreSQL servers, reading comparison workbooks, the
differential test's rounds and checks."""
