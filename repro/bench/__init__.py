"""`repro bench`: repro timed against the real original packages (each in its own venv) and
against the machine's GEMM floor, in one run. Entry point: :func:`repro.bench.run.main`."""
