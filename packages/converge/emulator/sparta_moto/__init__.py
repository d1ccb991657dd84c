"""Sparta's additions to moto, applied when this package is imported (no moto file is modified).

Each module changes one service's behaviour or teaches moto's CloudFormation one family of resource types.
"""
from . import cloudformation  # noqa: F401  (first, with resource_updates: the others build on them)
from . import cloudwatch  # noqa: F401
from . import nested_stacks  # noqa: F401
from . import apigatewayv2  # noqa: F401
from . import lambda_versions  # noqa: F401
from . import codedeploy  # noqa: F401
from . import codepipeline  # noqa: F401
