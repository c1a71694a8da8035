"""The plugin's registries.

Each is a child of MMEngine's root registry, so a config whose
``default_scope`` is ``mmpretrain``, ``mmseg`` or ``mmdet`` reaches this
plugin's modules through the scope prefix, e.g.
``type='rsbnet_mm.RSBNetSuperNet'``, after
``custom_imports=dict(imports=['rsbnet_mm'], allow_failed_imports=False)``.
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry(
    'model', parent=MMENGINE_MODELS, locations=['rsbnet_mm.models'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['rsbnet_mm.engine'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['rsbnet_mm.engine'])
DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, locations=['rsbnet_mm.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS,
    locations=['rsbnet_mm.datasets'])
METRICS = Registry(
    'metric', parent=MMENGINE_METRICS, locations=['rsbnet_mm.evaluation'])
EVALUATOR = Registry(
    'evaluator', parent=MMENGINE_EVALUATOR,
    locations=['rsbnet_mm.evaluation'])
