"""Training and validation loops of the supernet (SPEC §3-§4).

Both training loops change only ``run_iter``: the batch is preprocessed
once, then each sampled path runs forward and backward on it under
``optim_wrapper.optim_context`` with its loss divided by the number of
passes, so the gradients accumulate to their average; then one optimizer
step. Everything else (hooks, LR schedules, checkpoints, validation,
``--resume``) is MMEngine's ``EpochBasedTrainLoop`` / ``IterBasedTrainLoop``.

Distributed: each pass under DDP all-reduces its gradients (no
``no_sync``: with ``find_unused_parameters=True`` a parameter used by an
earlier path but not by the last would otherwise miss its reduction,
pytorch issue 69031). DDP leaves globally unused parameters' gradients
untouched, so the accumulated gradient is the average over ranks of the
sum over paths. Every rank trains the same paths: they are drawn from a
generator seeded by (seed, iteration) and broadcast from rank 0.
"""
import random
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.dist import broadcast_object_list, get_world_size
from mmengine.model import is_model_wrapper
from mmengine.runner import (EpochBasedTrainLoop, IterBasedTrainLoop,
                             ValLoop)

from ..models.utils import find_supernet
from ..registry import LOOPS
from ..space import Arch
from .bn_calib import calib_batches
from .evaluate import evaluate_arch

Path = Tuple[str, Arch]


def sandwich_paths(space, rng: random.Random, num_paths: int,
                   width_choices: Sequence[float]) -> List[Path]:
    """Algorithm 2: ``num_paths`` sampled kernel paths at the smallest
    width, then at the largest, then each at a random width (one per
    layer)."""
    kernels = space.sample_distinct(num_paths, rng, max_width=True)
    lo, hi = width_choices[0], width_choices[-1]
    paths = [(f'min{j}', a.with_expansion(lo))
             for j, a in enumerate(kernels)]
    paths += [(f'max{j}', a.with_expansion(hi))
              for j, a in enumerate(kernels)]
    paths += [(f'rand{j}',
               a.with_expansion([rng.choice(width_choices) for _ in a]))
              for j, a in enumerate(kernels)]
    return paths


class _MultiPathMixin:
    """What the ensemble and sandwich loops share: sampling paths the same
    way on every rank, and the accumulate-then-step iteration."""

    def _init_paths(self, num_paths: int, seed: Optional[int]) -> None:
        if not isinstance(num_paths, int) or num_paths < 1:
            raise ValueError(
                f'num_paths must be a positive int, got {num_paths!r}')
        self.num_paths = num_paths
        self.seed = seed
        self.supernet = find_supernet(self.runner.model)
        counts = self.runner.cfg.get('optim_wrapper', {}).get(
            'accumulative_counts', 1)
        if counts != 1:
            raise ValueError(
                f'optim_wrapper.accumulative_counts={counts}: the multi-path '
                'loops accumulate over paths themselves and step once per '
                'iteration; raise the batch size (or num_paths) instead')

    def _rng(self) -> random.Random:
        seed = self.seed if self.seed is not None else self.runner.seed
        return random.Random(f'{seed}-{self._iter}')

    def sample_paths(self) -> List[Path]:
        raise NotImplementedError

    def _broadcast_paths(self) -> List[Path]:
        paths = self.sample_paths()
        if get_world_size() > 1:
            obj = [[(tag, str(a)) for tag, a in paths]]
            broadcast_object_list(obj, src=0)
            paths = [(tag, self.supernet.space.parse(a)) for tag, a in obj[0]]
        return paths

    def run_iter(self, *args) -> None:
        # EpochBasedTrainLoop passes (idx, batch), IterBasedTrainLoop (batch)
        idx, data_batch = args if len(args) == 2 else (self._iter, args[0])
        self.runner.call_hook(
            'before_train_iter', batch_idx=idx, data_batch=data_batch)
        outputs = self.train_step(data_batch)
        self.runner.call_hook(
            'after_train_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=outputs)
        self._iter += 1

    def train_step(self, data_batch) -> Dict[str, torch.Tensor]:
        """All sampled paths on one batch, one optimizer update."""
        return multi_path_step(self.runner.model, self.runner.optim_wrapper,
                               data_batch, self.supernet,
                               self._broadcast_paths())


def multi_path_step(model, optim_wrapper, data_batch, supernet,
                    paths: List[Path]) -> Dict[str, torch.Tensor]:
    """One update from several paths on one batch: preprocess once; per
    path forward and backward of ``loss / len(paths)`` (gradients
    accumulate); then one optimizer step. Returns per-path losses
    prefixed with each path's tag and their mean as ``loss``."""
    module = model.module if is_model_wrapper(model) else model
    data = module.data_preprocessor(data_batch, True)
    log_vars: Dict[str, torch.Tensor] = {}
    total = 0.
    for tag, arch in paths:
        supernet.set_arch(arch)
        with optim_wrapper.optim_context(model):
            losses = model._run_forward(data, mode='loss')
        loss, parsed = module.parse_losses(losses)
        optim_wrapper.backward(loss / len(paths))
        for k, v in parsed.items():
            log_vars[f'{tag}.{k}'] = v
        total = total + parsed['loss']
    optim_wrapper.step()
    optim_wrapper.zero_grad()
    log_vars['loss'] = total / len(paths)
    return log_vars


class _EnsembleSinglePath(_MultiPathMixin):

    def _setup(self, num_paths: int, full_width: bool,
               seed: Optional[int]) -> None:
        self.full_width = full_width
        self._init_paths(num_paths, seed)

    def sample_paths(self) -> List[Path]:
        rng = self._rng()
        return [(f'path{j}', a) for j, a in enumerate(
            self.supernet.space.sample_distinct(
                self.num_paths, rng, max_width=self.full_width))]


@LOOPS.register_module()
class EnsembleSinglePathLoop(_EnsembleSinglePath, EpochBasedTrainLoop):
    """Ensemble single-path training (SPEC §3, Eq. 2-4), epoch based.

    Per mini-batch, ``num_paths`` distinct single paths are sampled
    uniformly; each runs forward and backward on the same batch; the
    gradients accumulate; one optimizer update with their average.
    ``num_paths=1`` is SPOS.

    Args:
        num_paths: B, paths per mini-batch (the paper's 5).
        full_width: fix every expansion at its maximum (pretraining: only
            kernels are sampled). False samples widths too.
        seed: seed of the path sampler; the runner's seed by default.
        Others as :class:`mmengine.runner.EpochBasedTrainLoop`.
    """

    def __init__(self,
                 runner,
                 dataloader,
                 max_epochs: int,
                 num_paths: int = 5,
                 full_width: bool = True,
                 seed: Optional[int] = None,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals=None):
        super().__init__(runner, dataloader, max_epochs, val_begin,
                         val_interval, dynamic_intervals)
        self._setup(num_paths, full_width, seed)


@LOOPS.register_module()
class IterBasedEnsembleSinglePathLoop(_EnsembleSinglePath,
                                      IterBasedTrainLoop):
    """:class:`EnsembleSinglePathLoop` counted in iterations."""

    def __init__(self,
                 runner,
                 dataloader,
                 max_iters: int,
                 num_paths: int = 5,
                 full_width: bool = True,
                 seed: Optional[int] = None,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals=None):
        super().__init__(runner, dataloader, max_iters, val_begin,
                         val_interval, dynamic_intervals)
        self._setup(num_paths, full_width, seed)


class _Sandwich(_MultiPathMixin):

    def _setup(self, num_paths: int, width_choices: Optional[Sequence[float]],
               seed: Optional[int]) -> None:
        self._init_paths(num_paths, seed)
        space = self.supernet.space
        if width_choices is None:
            width_choices = space.expand_choices
        bad = [w for w in width_choices
               if not any(abs(w - c) < 1e-9 for c in space.expand_choices)]
        if bad or not width_choices:
            raise ValueError(f'width_choices {list(width_choices)} must be a '
                             'non-empty subset of the expansion choices '
                             f'{list(space.expand_choices)}')
        self.width_choices = tuple(sorted(float(w) for w in width_choices))

    def sample_paths(self) -> List[Path]:
        """Algorithm 2 (:func:`sandwich_paths`)."""
        return sandwich_paths(self.supernet.space, self._rng(),
                              self.num_paths, self.width_choices)


@LOOPS.register_module()
class SandwichFinetuneLoop(_Sandwich, EpochBasedTrainLoop):
    """Fine-tuning with elastic width by the sandwich rule (SPEC §4,
    Algorithm 2), epoch based.

    Per mini-batch: ``num_paths`` distinct kernel paths, each at the
    smallest width, at the largest width and at a random width per layer;
    all ``3 * num_paths`` gradients accumulate; one update.

    Args:
        num_paths: B, sampled kernel paths per mini-batch.
        width_choices: expansions to sample from; the space's by default.
        seed: seed of the path sampler; the runner's seed by default.
    """

    def __init__(self,
                 runner,
                 dataloader,
                 max_epochs: int,
                 num_paths: int = 5,
                 width_choices: Optional[Sequence[float]] = None,
                 seed: Optional[int] = None,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals=None):
        super().__init__(runner, dataloader, max_epochs, val_begin,
                         val_interval, dynamic_intervals)
        self._setup(num_paths, width_choices, seed)


@LOOPS.register_module()
class IterBasedSandwichFinetuneLoop(_Sandwich, IterBasedTrainLoop):
    """:class:`SandwichFinetuneLoop` counted in iterations."""

    def __init__(self,
                 runner,
                 dataloader,
                 max_iters: int,
                 num_paths: int = 5,
                 width_choices: Optional[Sequence[float]] = None,
                 seed: Optional[int] = None,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals=None):
        super().__init__(runner, dataloader, max_iters, val_begin,
                         val_interval, dynamic_intervals)
        self._setup(num_paths, width_choices, seed)


@LOOPS.register_module()
class SubnetValLoop(ValLoop):
    """Validation of several subnets of the supernet, each after BN
    recalibration: the largest, the smallest and ``num_random`` random
    ones (fixed by ``seed``, so comparable across epochs).

    Metrics are reported as ``max/<metric>``, ``min/<metric>``,
    ``rand<i>/<metric>``; the largest subnet's also without prefix.

    Args:
        calib_dataloader: dataloader (config) for BN recalibration; the
            training dataloader's config by default.
        calib_samples: samples used to recalibrate BN.
        num_random: random subnets to evaluate.
        full_width: evaluate at full width only (pretraining trains no
            other): the smallest subnet is then the smallest kernels at the
            largest expansion, random subnets sample kernels only.
    """

    def __init__(self,
                 runner,
                 dataloader,
                 evaluator,
                 calib_dataloader=None,
                 calib_samples: int = 256,
                 num_random: int = 2,
                 seed: int = 0,
                 full_width: bool = False,
                 fp16: bool = False):
        super().__init__(runner, dataloader, evaluator, fp16)
        self.calib_cfg = calib_dataloader
        self.calib_samples = calib_samples
        space = find_supernet(runner.model).space
        rng = random.Random(seed)
        smallest = space.min_arch()
        if full_width:
            smallest = smallest.with_expansion(space.max_expansion)
        self.subnets = [('max', space.max_arch()), ('min', smallest)]
        self.subnets += [(f'rand{i}', space.sample(rng, max_width=full_width))
                         for i in range(num_random)]
        self._calib_batches = None

    def _calib(self):
        if self._calib_batches is None:
            cfg = self.calib_cfg or self.runner.cfg.get('train_dataloader')
            self._calib_batches = calib_batches(cfg, self.calib_samples)
        return self._calib_batches

    _stage = 'val'  # which runner hooks it calls

    def run(self) -> dict:
        self.runner.call_hook(f'before_{self._stage}')
        self.runner.call_hook(f'before_{self._stage}_epoch')
        self.runner.model.eval()
        supernet = find_supernet(self.runner.model)
        active = supernet.arch
        all_metrics = {}
        for tag, arch in self.subnets:
            metrics = evaluate_arch(self.runner.model, arch, self.dataloader,
                                    self.evaluator, self._calib(),
                                    self.calib_samples, self.fp16)
            all_metrics.update({f'{tag}/{k}': v for k, v in metrics.items()})
            if tag == 'max':
                all_metrics.update(metrics)
        supernet.set_arch(active)
        self.runner.call_hook(f'after_{self._stage}_epoch',
                              metrics=all_metrics)
        self.runner.call_hook(f'after_{self._stage}')
        return all_metrics


@LOOPS.register_module()
class SubnetTestLoop(SubnetValLoop):
    """:class:`SubnetValLoop` as ``test_cfg``: tests the largest, the
    smallest and fixed random subnets of a supernet, each after BN
    recalibration (a supernet's running BN statistics mix every path
    trained, so testing it as it is measures no subnet).

    ``tools/test.py`` uses it for supernet configs whose ``test_cfg`` names
    no loop, with the calibration settings of their ``val_cfg``.
    """

    _stage = 'test'
