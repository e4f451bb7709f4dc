"""Small whole models the project makes itself, with fixed pseudo-random weights.

``kws_tiny()`` is a keyword-spotting-shaped DS-CNN (the MLPerf Tiny KWS layout,
scaled down): 49x10 MFCC input, a 10x4 stride-2 convolution, two depthwise-
separable blocks, average pooling, a classifier and a softmax over 12 classes.
The README's quickstart builds and verifies it, so a fresh clone works without
any downloaded model.
"""

from __future__ import annotations

import numpy as np

from tests.tflite_writer import ModelBuilder, QParams


def _conv_weights(rng: np.random.Generator, shape: tuple[int, ...], axis: int
                  ) -> tuple[np.ndarray, list[float]]:
    w = rng.integers(-127, 128, shape, dtype=np.int64).astype(np.int8)
    n = shape[axis]
    taps = int(np.prod(shape)) // n
    # ~unit gain per layer: the real weights' spread is about 1/sqrt(taps)
    scales = [float(s) / (73.0 * taps**0.5) for s in rng.uniform(0.6, 1.8, n)]
    return w, scales


def kws_tiny(seed: int = 2026) -> bytes:
    """The bundled example model (deterministic for a given seed)."""
    rng = np.random.default_rng(seed)
    mb = ModelBuilder("mcu-codegen example: tiny keyword spotting DS-CNN")
    ch = 32
    x_q = QParams([0.5847], [83])
    x = mb.add_tensor("mfcc", [1, 49, 10, 1], "int8", x_q)

    def conv(name: str, inp: int, in_q: QParams, in_ch: int, k: tuple[int, int],
             stride: int, depthwise: bool, out_shape: list[int], out_scale: float) -> int:
        if depthwise:
            w, scales = _conv_weights(rng, (1, k[0], k[1], ch), 3)
            axis = 3
        else:
            w, scales = _conv_weights(rng, (ch, k[0], k[1], in_ch), 0)
            axis = 0
        wt = mb.add_tensor(f"{name}/weights", list(w.shape), "int8",
                           QParams(scales, [0] * ch, axis), data=w)
        bias_scales = [in_q.scale[0] * s for s in scales]
        b = rng.integers(-200, 200, ch, dtype=np.int64).astype(np.int32)
        bt = mb.add_tensor(f"{name}/bias", [ch], "int32", QParams(bias_scales, [0] * ch), data=b)
        out_q = QParams([out_scale], [-128])
        y = mb.add_tensor(f"{name}/relu", out_shape, "int8", out_q)
        opts = {"padding": "SAME", "stride_w": stride, "stride_h": stride,
                "fused_activation_function": "RELU"}
        if depthwise:
            opts["depth_multiplier"] = 1
        mb.add_op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [inp, wt, bt], [y], opts)
        return y

    h = conv("conv0", x, x_q, 1, (10, 4), 2, False, [1, 25, 5, ch], 0.25)
    q = QParams([0.25], [-128])
    h = conv("dw1", h, q, ch, (3, 3), 1, True, [1, 25, 5, ch], 0.15)
    q = QParams([0.15], [-128])
    h = conv("pw1", h, q, ch, (1, 1), 1, False, [1, 25, 5, ch], 0.1)
    q = QParams([0.1], [-128])
    h = conv("dw2", h, q, ch, (3, 3), 1, True, [1, 25, 5, ch], 0.06)
    q = QParams([0.06], [-128])
    h = conv("pw2", h, q, ch, (1, 1), 1, False, [1, 25, 5, ch], 0.04)
    q = QParams([0.04], [-128])
    pooled = mb.add_tensor("pool", [1, 1, 1, ch], "int8", q)
    mb.add_op("AVERAGE_POOL_2D", [h], [pooled], {"padding": "VALID", "stride_w": 5,
                                                 "stride_h": 25, "filter_width": 5,
                                                 "filter_height": 25})
    flat = mb.add_tensor("flatten", [1, ch], "int8", q)
    shape = mb.add_tensor("flatten/shape", [2], "int32", data=np.array([1, ch], np.int32))
    mb.add_op("RESHAPE", [pooled, shape], [flat], {"new_shape": [1, ch]})
    w = rng.integers(-127, 128, (12, ch), dtype=np.int64).astype(np.int8)
    wt = mb.add_tensor("fc/weights", [12, ch], "int8", QParams([0.004], [0]), data=w)
    b = rng.integers(-500, 500, 12, dtype=np.int64).astype(np.int32)
    bt = mb.add_tensor("fc/bias", [12], "int32", QParams([0.04 * 0.004], [0]), data=b)
    logits = mb.add_tensor("logits", [1, 12], "int8", QParams([0.4], [0]))
    mb.add_op("FULLY_CONNECTED", [flat, wt, bt], [logits], {})
    probs = mb.add_tensor("probabilities", [1, 12], "int8", QParams([1.0 / 256], [-128]))
    mb.add_op("SOFTMAX", [logits], [probs], {"beta": 1.0})
    mb.set_io([x], [probs])
    return mb.build()
