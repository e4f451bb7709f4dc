"""Write the bundled example model (a tiny keyword-spotting DS-CNN with fixed
pseudo-random weights) to the path given on the command line."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.example_models import kws_tiny  # noqa: E402

if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "examples/kws_tiny_int8.tflite")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(kws_tiny())
    print(f"wrote {out} ({out.stat().st_size} bytes)")
