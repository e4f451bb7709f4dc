"""The thinnest honest Python -> C call of a generated library's ``<prefix>_invoke``.

``buffer_caller(address, in_sizes, out_sizes, owner)`` returns ``f(x0, ..., y0, ...)``:
one CPython ``METH_FASTCALL`` function that takes the input arrays and the output
arrays (any C-contiguous buffer, numpy arrays included), checks their byte sizes and
that the outputs are writable, calls ``<prefix>_invoke`` at ``address`` with their
addresses and returns its status. Each call hands the data over as TFLite Micro's
``set_input`` / ``get_output`` do, without cffi's per-argument conversion, argument
tuple and GIL release (~0.05 us per call instead of ~0.1 us for cffi's API mode and
~0.2 us for its ABI mode, measured on hello_world).

The module is generic (the function address is an argument), so it is compiled once
per process (about 0.1 s) with the C compiler and this interpreter's headers
(``Python.h``: the python3-dev package on Debian); :func:`why_unavailable` says why
not, where it cannot be. ``owner`` (e.g. the cffi library object) is kept alive as
long as the function.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import shutil
import subprocess
import sysconfig
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import VerifyError

MAX_TENSORS = 64

_SOURCE = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MAX_TENSORS %(max)d
typedef int (*mcu_invoke_fn)(const void *const inputs[], void *const outputs[]);

typedef struct {
    mcu_invoke_fn fn;
    PyObject *owner;
    Py_ssize_t n_in, n_out;
    Py_ssize_t sizes[2 * MAX_TENSORS];
    PyMethodDef def;
} caller_t;

static void caller_free(PyObject *capsule)
{
    caller_t *c = (caller_t *)PyCapsule_GetPointer(capsule, "mcu_caller");
    if (c != NULL) {
        Py_XDECREF(c->owner);
        PyMem_Free(c);
    }
}

static PyObject *caller_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    caller_t *c = (caller_t *)PyCapsule_GetPointer(self, "mcu_caller");
    Py_buffer views[2 * MAX_TENSORS];
    const void *ins[MAX_TENSORS + 1];
    void *outs[MAX_TENSORS + 1];
    PyObject *result = NULL;
    Py_ssize_t i, got = 0;
    if (c == NULL) {
        return NULL;
    }
    if (nargs != c->n_in + c->n_out) {
        PyErr_Format(PyExc_TypeError, "invoke takes %%zd input and %%zd output arrays, not %%zd",
                     c->n_in, c->n_out, nargs);
        return NULL;
    }
    for (i = 0; i < nargs; ++i) {
        const int out = i >= c->n_in;
        if (PyObject_GetBuffer(args[i], &views[i], out ? PyBUF_WRITABLE : PyBUF_SIMPLE) < 0) {
            goto done;
        }
        got = i + 1;
        if (views[i].len != c->sizes[i]) {
            PyErr_Format(PyExc_ValueError, "%%s %%zd has %%zd bytes, the model's has %%zd",
                         out ? "output" : "input", out ? i - c->n_in : i, views[i].len,
                         c->sizes[i]);
            goto done;
        }
        if (out) {
            outs[i - c->n_in] = views[i].buf;
        } else {
            ins[i] = views[i].buf;
        }
    }
    result = PyLong_FromLong((long)c->fn(ins, outs));
done:
    for (i = 0; i < got; ++i) {
        PyBuffer_Release(&views[i]);
    }
    return result;
}

static PyObject *make(PyObject *module, PyObject *args)
{
    unsigned long long address;
    PyObject *in_sizes, *out_sizes, *owner, *capsule, *fn;
    caller_t *c;
    Py_ssize_t i;
    (void)module;
    if (!PyArg_ParseTuple(args, "KO!O!O", &address, &PyTuple_Type, &in_sizes, &PyTuple_Type,
                          &out_sizes, &owner)) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(in_sizes) > MAX_TENSORS || PyTuple_GET_SIZE(out_sizes) > MAX_TENSORS) {
        PyErr_SetString(PyExc_ValueError, "too many tensors");
        return NULL;
    }
    c = (caller_t *)PyMem_Calloc(1, sizeof *c);
    if (c == NULL) {
        return PyErr_NoMemory();
    }
    c->fn = (mcu_invoke_fn)(uintptr_t)address;
    c->n_in = PyTuple_GET_SIZE(in_sizes);
    c->n_out = PyTuple_GET_SIZE(out_sizes);
    for (i = 0; i < c->n_in + c->n_out; ++i) {
        PyObject *v = i < c->n_in ? PyTuple_GET_ITEM(in_sizes, i)
                                  : PyTuple_GET_ITEM(out_sizes, i - c->n_in);
        c->sizes[i] = PyLong_AsSsize_t(v);
        if (c->sizes[i] == -1 && PyErr_Occurred()) {
            PyMem_Free(c);
            return NULL;
        }
    }
    c->def.ml_name = "invoke";
    c->def.ml_meth = (PyCFunction)(void (*)(void))caller_call;
    c->def.ml_flags = METH_FASTCALL;
    c->def.ml_doc = "invoke(*inputs, *outputs) -> status of <prefix>_invoke";
    Py_INCREF(owner);
    c->owner = owner;
    capsule = PyCapsule_New(c, "mcu_caller", caller_free);
    if (capsule == NULL) {
        Py_DECREF(owner);
        PyMem_Free(c);
        return NULL;
    }
    fn = PyCFunction_New(&c->def, capsule);
    Py_DECREF(capsule);
    return fn;
}

static PyMethodDef methods[] = {
    {"make", make, METH_VARARGS, "make(address, in_sizes, out_sizes, owner)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "%(name)s", NULL, -1, methods,
                                        NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_%(name)s(void)
{
    return PyModule_Create(&module_def);
}
"""

_NAME = "_mcu_codegen_fastcall"
_state: dict[str, Any] = {}


def python_headers() -> Path | None:
    """The directory holding this interpreter's ``Python.h``, if installed."""
    inc = Path(sysconfig.get_paths()["include"])
    return inc if (inc / "Python.h").is_file() else None


def _module() -> ModuleType:
    if "module" in _state:
        module: ModuleType = _state["module"]
        return module
    if "error" in _state:
        raise VerifyError(_state["error"])
    try:
        inc = python_headers()
        if inc is None:
            raise VerifyError(f"no Python.h in {sysconfig.get_paths()['include']} "
                              "(install python3-dev)")
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc is None:
            raise VerifyError("no C compiler found on this machine (install gcc)")
        tmp = tempfile.TemporaryDirectory(prefix="mcu-codegen-fastcall-")
        src = Path(tmp.name) / f"{_NAME}.c"
        src.write_text(_SOURCE % {"max": MAX_TENSORS, "name": _NAME})
        ext = Path(tmp.name) / f"{_NAME}{sysconfig.get_config_var('EXT_SUFFIX') or '.so'}"
        proc = subprocess.run([cc, "-O2", "-fPIC", "-shared", f"-I{inc}", "-o", str(ext),
                               str(src)], capture_output=True, text=True)
        if proc.returncode != 0:
            first = (proc.stderr.strip().splitlines() or ["(no output)"])[0]
            raise VerifyError(f"cannot build the fast-call module: {first}")
        loader = importlib.machinery.ExtensionFileLoader(_NAME, str(ext))
        spec = importlib.util.spec_from_file_location(_NAME, ext, loader=loader)
        if spec is None:
            raise VerifyError(f"cannot load {ext}")
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
    except VerifyError as exc:
        _state["error"] = str(exc)
        raise
    _state["module"], _state["tmp"] = module, tmp
    return module


def why_unavailable() -> str:
    """Why the fast-call module cannot be built here, '' if it can."""
    try:
        _module()
    except VerifyError as exc:
        return str(exc)
    return ""


def buffer_caller(address: int, in_sizes: Sequence[int], out_sizes: Sequence[int],
                  owner: object) -> Callable[..., int]:
    """``f(*inputs, *outputs) -> int`` calling the ``<prefix>_invoke`` at ``address``."""
    if len(in_sizes) > MAX_TENSORS or len(out_sizes) > MAX_TENSORS:
        raise VerifyError(f"more than {MAX_TENSORS} inputs or outputs")
    fn: Callable[..., int] = _module().make(
        address, tuple(int(n) for n in in_sizes), tuple(int(n) for n in out_sizes), owner)
    return fn
