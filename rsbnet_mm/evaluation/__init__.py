"""Metrics of the land-cover and detection tasks (SPEC §7).

mmseg's ``IoUMetric`` and mmdet's ``VOCMetric`` compute them but only log
the per-class values; the subclasses here also return them, so they reach
the search log (``candidates.jsonl``) and checkpoints' metrics.

Imported on demand by the plugin's ``METRICS`` registry (its location), so
``rsbnet_mm.LandCoverMetric`` / ``rsbnet_mm.VOCPerClassMetric`` work in any
config that imports ``rsbnet_mm``; each needs its library.
"""
import logging

from mmengine.logging import print_log

__all__ = []

try:
    from .landcover import LandCoverMetric
except ImportError as err:  # mmseg missing or incomplete
    print_log(f'rsbnet_mm.evaluation: LandCoverMetric needs mmseg ({err!r})',
              logger='current', level=logging.WARNING)
else:
    __all__.append('LandCoverMetric')

try:
    from .voc import VOCPerClassMetric
except ImportError as err:  # mmdet missing or incomplete
    print_log(f'rsbnet_mm.evaluation: VOCPerClassMetric needs mmdet '
              f'({err!r})', logger='current', level=logging.WARNING)
else:
    __all__.append('VOCPerClassMetric')
