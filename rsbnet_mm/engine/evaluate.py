"""Evaluate one path of a supernet with inherited weights."""
from typing import Iterable

import torch
import torch.nn as nn
from mmengine.evaluator import Evaluator
from mmengine.runner.amp import autocast

from ..models.utils import find_supernet
from ..space import Arch
from .bn_calib import recalibrated_bn


@torch.no_grad()
def evaluate_arch(model: nn.Module,
                  arch: Arch,
                  dataloader: Iterable,
                  evaluator: Evaluator,
                  calib_batches: Iterable,
                  calib_samples: int,
                  fp16: bool = False) -> dict:
    """Set ``arch`` on the model's supernet, recalibrate BN on
    ``calib_batches``, run ``evaluator`` over ``dataloader``.

    The supernet keeps ``arch`` active afterwards; its BN statistics are
    restored. Under DDP the evaluator gathers results from all ranks.
    """
    find_supernet(model).set_arch(arch)
    with recalibrated_bn(model, calib_batches, calib_samples):
        model.eval()
        for data_batch in dataloader:
            with autocast(enabled=fp16):
                outputs = model.val_step(data_batch)
            evaluator.process(data_samples=outputs, data_batch=data_batch)
        return evaluator.evaluate(len(dataloader.dataset))
