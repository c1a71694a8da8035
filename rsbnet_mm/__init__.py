"""rsbnet_mm: RSBNet one-shot NAS of remote-sensing backbones for OpenMMLab.

Importing the package registers its modules (``rsbnet_mm.RSBNetSuperNet``,
the loops, hooks, datasets and metrics) and makes MMEngine load local
checkpoints with ``weights_only=True``.
"""
from .flops import count_flops, count_params, flops_range, params_range
from .space import Arch, SearchSpace, dump_arch, parse_arch
from .utils import register_safe_local_loader
from .version import __version__

from . import datasets, engine, evaluation, models, search  # noqa: F401,E402
from .engine import (EnsembleSinglePathLoop, SafeCheckpointHook,  # noqa: E402
                     SandwichFinetuneLoop, SubnetTestLoop, SubnetValLoop)
from .models import RSBNetSubNet, RSBNetSuperNet  # noqa: E402
from .search import EvoSearchLoop  # noqa: E402

register_safe_local_loader()

__all__ = [
    '__version__', 'Arch', 'SearchSpace', 'parse_arch', 'dump_arch',
    'count_flops', 'count_params', 'flops_range', 'params_range',
    'RSBNetSuperNet', 'RSBNetSubNet', 'EnsembleSinglePathLoop',
    'SandwichFinetuneLoop', 'SubnetValLoop', 'SubnetTestLoop',
    'EvoSearchLoop',
    'SafeCheckpointHook'
]
