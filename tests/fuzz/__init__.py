"""Fuzzing the reader and the whole build with mutated and generated models.

    python -m tests.fuzz --cases 10000 --seed 1        # the long run (figures at the end)
    python -m tests.fuzz --seed 1 --case 1234 -v       # one case again, with its traceback

The default test run (tests/fuzz/test_fuzz.py) runs a few hundred cases.
"""
