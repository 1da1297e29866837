"""The regression solver names (a light module: checked before anything heavy is imported)."""

from __future__ import annotations

from ..errors import InputError

SOLVERS = ("stable", "legacy-exact", "bsl-exact")
LEGACY_COND = None  # scipy: None -> eps(dtype), as scikit-learn < 1.9 called it
BSL_COND = 1e-6  # scikit-learn >= 1.9: LinearRegression(tol=1e-6) is passed to lstsq as cond


def check_solver(solver: str) -> str:
    if solver not in SOLVERS:
        from ..registry import suggest

        hint = suggest(solver, list(SOLVERS))
        raise InputError(f"unknown solver {solver!r}{'; did you mean ' + repr(hint[0]) + '?' if hint else ''} "
                         f"(choose from {', '.join(SOLVERS)})")
    return solver
