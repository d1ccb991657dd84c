"""Sparta's additions to moto, applied when this package is imported (no moto file is modified).

Each module changes one service's behaviour or teaches moto's CloudFormation one family of resource types.
"""
from . import cloudformation  # noqa: F401  (first: the others build on its stack behaviour)
from . import cloudwatch  # noqa: F401
from . import nested_stacks  # noqa: F401
