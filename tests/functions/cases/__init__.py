"""Float64 gradient-check cases, one module per family of Functions.

Each module defines ``CASES``: a list of :class:`GradCase`. ``tests/functions/test_gradcheck.py`` runs them
all and fails when a Function subclass of the library has no case.
"""

import dataclasses
from typing import Callable


@dataclasses.dataclass
class GradCase:
    function: type  # the Function subclass this case exercises
    call: Callable  # tensors -> tensor, using that Function
    inputs: list  # float64 arrays (kept away from kinks)
    id: str = ""
    atol: float = 1e-6
    rtol: float = 1e-5
    eps: float = 1e-6
    wrt: list = None  # indices of inputs to check; default all floating ones
