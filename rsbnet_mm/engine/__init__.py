from .bn_calib import recalibrated_bn
from .evaluate import evaluate_arch
from .hooks import SafeCheckpointHook
from .loops import (EnsembleSinglePathLoop, IterBasedEnsembleSinglePathLoop,
                    IterBasedSandwichFinetuneLoop, SandwichFinetuneLoop,
                    SubnetTestLoop, SubnetValLoop)

__all__ = [
    'EnsembleSinglePathLoop', 'IterBasedEnsembleSinglePathLoop',
    'SandwichFinetuneLoop', 'IterBasedSandwichFinetuneLoop', 'SubnetValLoop',
    'SubnetTestLoop',
    'SafeCheckpointHook', 'recalibrated_bn', 'evaluate_arch'
]
