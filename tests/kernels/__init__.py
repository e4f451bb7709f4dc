"""Kernel test suite: parametrized single-op sweeps, each case bit-exact with TFLite Micro.

Every case builds one single-op ``.tflite`` model with ``tests.tflite_writer``,
then ``mcu_codegen.api.verify`` compiles the generated C on the host (strict
warnings) and compares every output byte with TFLite Micro's interpreter on 4
seeded random input sets plus the 3 edge sets (all min, all max, all zero point).

Cases come from a deterministic generator (see ``_sweep.py``): a hand-picked
list that covers each feature the op supports, plus a seeded random walk over
the op's parameter space.  The default run takes the hand-picked cases and the
first few random ones; the full sweep (>= 50 cases per op family) only
*generates* the extra random cases when asked:

    cd /work/main && MCU_CODEGEN_FULL_SWEEP=1 python -m pytest -q tests/kernels

Default run:  ``python -m pytest -q tests/kernels``.
Every case id spells out its parameters, so a failure is reproducible with
``python -m pytest -q "tests/kernels/test_conv.py::test_conv_bit_exact[<id>]"``.
"""
