"""API functions that share their module's name (``repro.sweep``, ``repro.report``, ``repro.reproduce``).

``import repro.sweep`` binds the package attribute ``repro.sweep`` to the module, hiding the
function ``repro.__getattr__`` would return; making the module callable keeps ``repro.sweep(...)``
working either way.
"""

import sys
import types


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return getattr(self, self.__name__.rsplit(".", 1)[-1])(*args, **kwargs)


def make_callable(module_name: str) -> None:
    """Call the module named ``module_name`` as its same-named function."""
    sys.modules[module_name].__class__ = _CallableModule
