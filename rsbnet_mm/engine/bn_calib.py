"""BatchNorm recalibration of a chosen subnet (SPEC §4).

BN statistics of a supernet are shared by all widths and paths, so before a
subnet is evaluated its statistics are recomputed on training data, as true
averages over the calibration batches (momentum ``None``), not momentum
averages.
"""
import itertools
from contextlib import contextmanager
from typing import Iterable, Iterator

import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper
from torch.nn.modules.batchnorm import _BatchNorm


def _bns(model: nn.Module):
    return [m for m in model.modules() if isinstance(m, _BatchNorm)]


@contextmanager
def recalibrated_bn(model: nn.Module, dataloader: Iterable,
                    num_samples: int = 256) -> Iterator[int]:
    """Recompute BN statistics of the model as it is now (its active path)
    over ``num_samples`` samples of ``dataloader``; restore them on exit.

    Every BN layer's running mean and variance are reset and recomputed as
    the average over the calibration batches of the batch statistics; the
    rest of the model stays in eval mode and no gradient is computed. On
    exit, statistics, momenta and train/eval modes are restored, so the
    supernet is left as it was.

    Yields:
        The number of samples actually used.
    """
    module = model.module if is_model_wrapper(model) else model
    bns = _bns(module)
    saved = [(m.running_mean.clone(), m.running_var.clone(),
              m.num_batches_tracked.clone(), m.momentum, m.training)
             for m in bns]
    was_training = module.training
    try:
        module.eval()
        for m in bns:
            m.reset_running_stats()
            m.momentum = None  # cumulative average of the batch statistics
            m.train()
        seen = 0
        with torch.no_grad():
            for batch in dataloader:
                if seen >= num_samples:
                    break
                data = module.data_preprocessor(batch, False)
                module._run_forward(data, mode='tensor')
                seen += _batch_size(data)
        for m in bns:
            m.eval()
        yield seen
    finally:
        for m, (mean, var, n, momentum, training) in zip(bns, saved):
            m.running_mean.copy_(mean)
            m.running_var.copy_(var)
            m.num_batches_tracked.copy_(n)
            m.momentum = momentum
        module.train(was_training)
        for m, s in zip(bns, saved):
            m.train(s[4])


def _batch_size(data) -> int:
    inputs = data['inputs'] if isinstance(data, dict) else data[0]
    if isinstance(inputs, torch.Tensor):
        return inputs.shape[0]
    return len(inputs)


def take(dataloader: Iterable, num_batches: int) -> list:
    """The first ``num_batches`` batches, kept to reuse for every subnet."""
    return list(itertools.islice(dataloader, num_batches))
