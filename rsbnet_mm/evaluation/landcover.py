"""Land-cover metrics: overall accuracy, per-class and mean F1 (SPEC §7)."""
from typing import Dict, Sequence

import numpy as np
import torch
from mmseg.evaluation import IoUMetric

from ..registry import METRICS

#: per-class values mmseg's ``total_area_to_metrics`` gives, by key prefix
_UPSTREAM_PER_CLASS = dict(IoU='IoU', Acc='Acc', Precision='Precision',
                           Recall='Recall')


@METRICS.register_module()
class LandCoverMetric(IoUMetric):
    """OA, per-class F1 and mean F1: mmseg's ``IoUMetric`` plus the F1 of
    every class.

    Returns mmseg's keys for ``iou_metrics`` (``aAcc`` is the overall
    accuracy; ``mFscore``, ``mIoU``, ...) and

    * ``F1/<class>``: ``2 TP / (2 TP + FP + FN)`` over all pixels, 0 for a
      class that is labelled but never predicted (or predicted but not
      labelled), NaN for a class in neither;
    * ``mF1``: their mean over the classes that are not NaN.

    mmseg's ``mFscore`` computes F1 from precision and recall and leaves
    out a class whose precision is 0/0, i.e. one the model never predicts:
    a model that ignores a class scores higher than one that predicts it
    badly. ``mF1`` counts that class as 0, so it is the one to rank
    subnets by. Values in percent.

    Args:
        iou_metrics: mmseg's metric groups (``mIoU``, ``mDice``,
            ``mFscore``).
        per_class: other per-class values to return as ``<name>/<class>``:
            any of ``IoU``, ``Acc`` (from ``mIoU``), ``Precision``,
            ``Recall`` (from ``mFscore``).
        Others as :class:`mmseg.evaluation.IoUMetric`.
    """

    def __init__(self,
                 iou_metrics: Sequence[str] = ('mFscore', 'mIoU'),
                 per_class: Sequence[str] = (),
                 **kwargs) -> None:
        super().__init__(iou_metrics=list(iou_metrics), **kwargs)
        unknown = set(per_class) - set(_UPSTREAM_PER_CLASS)
        if unknown:
            raise ValueError(f'per_class must be among '
                             f'{sorted(_UPSTREAM_PER_CLASS)}, got '
                             f'{sorted(unknown)}')
        self.per_class = tuple(per_class)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        metrics = super().compute_metrics(results)  # logs the class table
        if self.format_only or not results:
            return metrics
        # per-image areas summed (upstream does not keep its sums)
        intersect, union, pred, label = (
            torch.stack(list(r)).sum(0).double() for r in zip(*results))
        classes = self.dataset_meta['classes']
        denom = pred + label
        f1 = torch.where(denom > 0, 2 * intersect / denom.clamp(min=1),
                         torch.full_like(denom, float('nan'))).numpy()
        for cls, value in zip(classes, f1):
            metrics[f'F1/{cls}'] = round(float(value) * 100, 2)
        metrics['mF1'] = round(float(np.nanmean(f1)) * 100, 2) \
            if not np.isnan(f1).all() else float('nan')
        if self.per_class:
            upstream = self.total_area_to_metrics(
                intersect, union, pred, label, self.metrics,
                self.nan_to_num, self.beta)
            for name in self.per_class:
                if name not in upstream:
                    raise KeyError(f'per-class {name!r} is not computed by '
                                   f'iou_metrics={self.metrics}')
                for cls, value in zip(classes, upstream[name]):
                    metrics[f'{_UPSTREAM_PER_CLASS[name]}/{cls}'] = round(
                        float(value) * 100, 2)
        return metrics
