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


def calib_batches(dataloader, num_samples: int, seed: int = 0) -> list:
    """The batches BN recalibration uses, kept to reuse for every subnet.

    ``num_samples`` samples drawn at random with a fixed seed, so every rank
    and every call gets the same ones, and a split file sorted by class
    does not calibrate on its first classes only.

    Args:
        dataloader: a dataloader config (built here without a distributed
            sampler) or a built loader (taken in its own order).
        num_samples: samples to draw.
        seed: seed of the draw.
    """
    if isinstance(dataloader, dict):
        from functools import partial

        from mmengine.registry import DATASETS, FUNCTIONS
        from torch.utils.data import DataLoader
        dataset = dataloader['dataset']
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        collate = dict(dataloader.get('collate_fn') or
                       dict(type='pseudo_collate'))
        collate_fn = FUNCTIONS.get(collate.pop('type'))
        if collate:
            collate_fn = partial(collate_fn, **collate)
        batch_size = dataloader.get('batch_size', 32)
        dataloader = DataLoader(
            dataset,
            batch_size=batch_size,
            shuffle=True,
            # no batch of one: BN layers in heads (e.g. ASPP pooling) fail
            drop_last=len(dataset) >= batch_size,
            generator=torch.Generator().manual_seed(seed),
            num_workers=dataloader.get('num_workers', 0),
            collate_fn=collate_fn)
    batch_size = getattr(dataloader, 'batch_size', None) or 1
    return list(itertools.islice(dataloader, -(-num_samples // batch_size)))
