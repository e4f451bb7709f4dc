"""A few hundred fuzz cases on every test run; the long run is documented in
tests/fuzz/__init__.py (python -m tests.fuzz --cases 10000 --seed 1)."""

from __future__ import annotations

import os
import signal
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcu_codegen import api
from mcu_codegen.errors import McuCodegenError
from mcu_codegen.planner.verify import PlanError
from tests.conftest import IN_CI, SHARED_MODELS

from .harness import Settings, run_case, run_cases
from .mutate import MUTATORS, Case, corpus, make_case

#: Default run: fixed seed (reproducible in CI); set MCU_CODEGEN_FUZZ_SEED to explore.
SEED = int(os.environ.get("MCU_CODEGEN_FUZZ_SEED", "20260"))
CASES = int(os.environ.get("MCU_CODEGEN_FUZZ_CASES", "300"))


def test_fuzz_cases_end_in_a_build_or_a_one_line_error() -> None:
    if IN_CI and not SHARED_MODELS.is_dir():
        pytest.fail("CI must fuzz the real models in ../shared/models")
    summary = run_cases(range(CASES), Settings(seed=SEED, compile_share=0.25,
                                               sanitize_share=0.03), jobs=2)
    assert len(summary.outcomes) == CASES
    ok = [o for o in summary.outcomes if o.status == "ok"]
    errors = [o for o in summary.outcomes if o.status == "error"]
    # The mix must exercise both ends of the pipeline, or the fuzzer has gone blind.
    assert len(ok) >= CASES // 20, summary.figures()
    assert len(errors) >= CASES // 2, summary.figures()
    assert not summary.failures, (
        f"reproduce with: python -m tests.fuzz --seed {SEED} --case N\n" + summary.figures()
    )


def test_cases_are_reproducible() -> None:
    for i in (0, 7, 123):
        a, b = make_case(SEED, i), make_case(SEED, i)
        assert a == b
    assert make_case(SEED, 1).data != make_case(SEED + 1, 1).data or \
        make_case(SEED, 2).data != make_case(SEED + 1, 2).data


def test_the_harness_reports_a_crash_a_hang_and_a_traceback(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """The classifier itself must not hide failures."""
    case = make_case(SEED, 0)

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyError("planner")

    monkeypatch.setattr(api, "compile_model", boom)
    o = run_case(case, Settings(seed=SEED, compile_share=0))
    assert o.status == "FAILURE" and o.kind == "traceback" and "KeyError" in o.message

    def multiline(*args: object, **kwargs: object) -> None:
        raise McuCodegenError("two\nlines")

    monkeypatch.setattr(api, "compile_model", multiline)
    assert run_case(case, Settings(seed=SEED)).kind == "not one line"

    def plan_bug(*args: object, **kwargs: object) -> None:
        raise PlanError("buffers 1 and 2 overlap")

    monkeypatch.setattr(api, "compile_model", plan_bug)
    assert run_case(case, Settings(seed=SEED)).kind == "PlanError"

    def spin(*args: object, **kwargs: object) -> None:
        while True:
            pass

    monkeypatch.setattr(api, "compile_model", spin)
    o = run_case(case, Settings(seed=SEED, case_seconds=0.3))
    assert o.status == "FAILURE" and o.kind == "hang"


def test_a_dying_worker_is_a_failure_not_a_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    from . import harness

    real = harness.run_case

    def dies_on_3(case: Case, settings: Settings, checked: object = None) -> object:
        if case.index == 3:
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(case, settings, None)

    monkeypatch.setattr(harness, "run_case", dies_on_3)
    summary = run_cases(range(6), Settings(seed=SEED, compile_share=0), jobs=2)
    assert [o.index for o in summary.outcomes] == list(range(6))
    crash = [o for o in summary.outcomes if o.status == "FAILURE"]
    assert [(o.index, o.kind) for o in crash] == [(3, "crash")]
    assert "signal 11" in crash[0].message


# ---- hypothesis: the same property, with shrinking -------------------------------------


def _check_in_process(data: bytes) -> None:
    """compile_model ends in a build or a one-line McuCodegenError, nothing else."""
    try:
        api.compile_model(data)
    except McuCodegenError as exc:
        text = str(exc)
        assert not isinstance(exc, PlanError), text
        assert text.strip() and len(text.splitlines()) == 1, repr(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed_index=st.integers(min_value=0),
    mutations=st.lists(
        st.tuples(st.integers(0, len(MUTATORS) - 1), st.integers(0, 2**32 - 1)),
        min_size=1, max_size=4,
    ),
)
def test_hypothesis_mutations(seed_index: int, mutations: list[tuple[int, int]]) -> None:
    from .flatmap import build_map
    from .mutate import _prepared

    prepared = _prepared(False)  # the writer's models: small, always present
    p = prepared[seed_index % len(prepared)]
    buf = bytearray(p.seed.data)
    for which, rng_seed in mutations:
        MUTATORS[which][0](buf, p.fmap, np.random.default_rng(rng_seed))
    _check_in_process(bytes(buf))
    assert build_map(p.seed.data).sites  # the seed itself is untouched


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=2048))
def test_hypothesis_arbitrary_bytes(data: bytes) -> None:
    _check_in_process(data)


@settings(max_examples=40, deadline=None)
@given(head=st.binary(min_size=4, max_size=4), tail=st.binary(max_size=512))
def test_hypothesis_bytes_behind_a_valid_identifier(head: bytes, tail: bytes) -> None:
    """Past the 'TFL3' check: the root offset and every table come from the fuzzer."""
    root = struct.unpack("<I", head)[0] % (len(tail) + 16)
    _check_in_process(struct.pack("<I", root) + b"TFL3" + bytes(8) + tail)


def test_corpus_has_the_writer_models() -> None:
    names = corpus(False)
    assert "kws_tiny" in names and "zero_state_chain" in names and len(names) >= 15
