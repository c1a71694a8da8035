"""Detection metric: VOC-style AP per class and mAP at IoU 0.5."""
from collections import OrderedDict
from typing import Dict

from mmdet.evaluation import VOCMetric, eval_map
from mmengine.logging import MMLogger

from ..registry import METRICS


@METRICS.register_module()
class VOCPerClassMetric(VOCMetric):
    """mmdet's ``VOCMetric`` that also returns the per-class AP it logs.

    Keys (under the ``pascal_voc/`` prefix): ``mAP`` (mean over IoU
    thresholds of the mean AP over classes with ground truth), ``AP50``
    etc. per threshold, and ``AP50/<class>`` per class and threshold; a
    class without ground truth in the evaluated images has AP NaN (left
    out of the mean, as upstream). Values in [0, 1]. Boxes in the legacy
    VOC convention (``x2 - x1 + 1``), as upstream.

    Args: as :class:`mmdet.evaluation.VOCMetric` (``metric='mAP'``,
        ``iou_thrs=0.5``; ``eval_mode='area'`` for the exact area under the
        precision-recall curve, ``'11points'`` for VOC2007's).
    """

    def compute_metrics(self, results: list) -> Dict[str, float]:
        if self.metric != 'mAP' or self.scale_ranges is not None:
            return super().compute_metrics(results)
        logger = MMLogger.get_current_instance()
        gts, preds = zip(*results)
        classes = self.dataset_meta['classes']
        eval_results = OrderedDict()
        mean_aps = []
        for iou_thr in self.iou_thrs:
            logger.info(f'\n{"-" * 15}iou_thr: {iou_thr}{"-" * 15}')
            mean_ap, per_class = eval_map(
                preds,
                gts,
                scale_ranges=None,
                iou_thr=iou_thr,
                dataset=classes,
                logger=logger,
                eval_mode=self.eval_mode,
                use_legacy_coordinate=True)
            mean_aps.append(mean_ap)
            key = f'AP{int(iou_thr * 100):02d}'
            eval_results[key] = round(float(mean_ap), 3)
            for cls, res in zip(classes, per_class):
                eval_results[f'{key}/{cls}'] = (
                    round(float(res['ap']), 4) if res['num_gts'] > 0 else
                    float('nan'))
        eval_results['mAP'] = float(sum(mean_aps) / len(mean_aps))
        eval_results.move_to_end('mAP', last=False)
        return eval_results
