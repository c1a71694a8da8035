"""Every config under configs/ loads, and its model builds and runs.

A config with a ``model`` is built through the registry of its library
(its ``default_scope``; for a ``_base_`` fragment the scope its model
inherits or the library that knows the model's type) and runs one
forward pass on a 64 px image, which checks that the heads and necks take
the backbone's channels. Fragments without a model are only loaded.
Retraining configs name a ``best_arch.yaml`` a search writes (or leave
the architecture to a tool); here it is an architecture of their space.
"""
import copy
import importlib
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope

import rsbnet_mm  # noqa: F401
from rsbnet_mm import SearchSpace

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / 'configs').rglob('*.py'))
SCOPES = ('mmpretrain', 'mmseg', 'mmdet')
NEW_CONFIGS = ('rsbnet/seg', 'rsbnet/det')


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT / 'configs'))


def _scope(cfg: Config):
    scope = cfg.get('default_scope') or cfg.model.get('_scope_')
    if scope:
        return scope
    for name in SCOPES:  # a fragment: the library that knows its model
        registry = importlib.import_module(f'{name}.registry')
        if registry.MODELS.get(cfg.model['type']) is not None:
            return name
    return None


def _fix_arch(backbone: dict) -> None:
    """A retrain config's searched architecture: a file a search writes,
    or None that a tool fills in."""
    arch = backbone.get('arch')
    if backbone.get('type', '').endswith('RSBNetSubNet') and (
            arch is None or isinstance(arch, str) and arch.endswith(
                ('.yaml', '.json')) and not Path(arch).is_file()):
        space = SearchSpace.from_cfg(backbone.get('search_space'))
        backbone['arch'] = str(space.sample(0))


@torch.no_grad()
def _smoke_forward(model) -> None:
    x = torch.zeros(1, 3, 64, 64)
    model.eval()
    if hasattr(model, 'decode_head'):  # mmseg EncoderDecoder
        out = model._forward(x)
        assert out.shape[:2] == (1, model.decode_head.num_classes)
    elif hasattr(model, 'rpn_head') or hasattr(model, 'bbox_head'):
        feats = model.extract_feat(x)  # backbone + FPN
        head = model.rpn_head if hasattr(model, 'rpn_head') else \
            model.bbox_head
        head(feats)
    else:  # mmpretrain classifier
        out = model(x, mode='tensor')
        assert out.shape[0] == 1


def test_configs_found():
    ids = [_id(p) for p in CONFIGS]
    for sub in NEW_CONFIGS:
        assert sum(i.startswith(sub) for i in ids) >= 9, sub


@pytest.mark.parametrize('path', CONFIGS, ids=_id)
def test_config_loads_and_model_builds(path):
    cfg = Config.fromfile(path)
    if 'model' not in cfg:
        assert '_base_' in path.parts, f'{_id(path)} has no model'
        return
    scope = _scope(cfg)
    assert scope in SCOPES, f'{_id(path)}: no library builds its model'
    if cfg.get('custom_imports'):
        assert 'rsbnet_mm' in cfg.custom_imports['imports']
    model_cfg = copy.deepcopy(cfg.model)  # a ConfigDict: mmdet reads attrs
    if 'backbone' in model_cfg:
        _fix_arch(model_cfg['backbone'])
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(scope):
        init_default_scope(scope)
        registry = importlib.import_module(f'{scope}.registry')
        model = registry.MODELS.build(model_cfg)
    backbone = getattr(model, 'backbone', None)
    if backbone is not None and 'rsbnet_mm' in str(
            model_cfg['backbone'].get('type', '')):
        assert type(backbone).__module__.startswith('rsbnet_mm')
    _smoke_forward(model)


@pytest.mark.parametrize('path', [p for p in CONFIGS
                                  if _id(p).startswith(NEW_CONFIGS)],
                         ids=_id)
def test_seg_det_config_conventions(path):
    """Library scope kept, plugin imported, BN supernet, stage-specific
    loops."""
    cfg = Config.fromfile(path)
    name = path.name
    assert cfg.default_scope == ('mmseg' if 'seg' in path.parts else
                                 'mmdet')
    assert cfg.custom_imports == dict(imports=['rsbnet_mm'],
                                      allow_failed_imports=False)
    backbone = cfg.model.backbone
    if name.startswith('retrain_'):
        assert backbone.type == 'rsbnet_mm.RSBNetSubNet'
        assert 'type' not in cfg.train_cfg  # a plain epoch-based loop
        assert cfg.train_cfg.max_epochs == 100
        assert cfg.find_unused_parameters is False
    else:
        assert backbone.type == 'rsbnet_mm.RSBNetSuperNet'
        assert backbone.norm_cfg == dict(type='BN')
    if name.startswith('search_'):
        t = cfg.train_cfg
        assert t.type == 'rsbnet_mm.EvoSearchLoop'
        assert (t.population_size, t.max_generations) == (50, 30)
        assert (t.crossover_ratio, t.mutation_ratio) == (0.5, 0.25)
        assert 'search' in t.dataloader.dataset.ann_file
        assert 'finetune' in t.calib_dataloader.dataset.ann_file
        assert t.score_key == ('mF1' if 'seg' in path.parts else
                               'pascal_voc/mAP')
    elif not name.startswith('retrain_'):
        t = cfg.train_cfg
        assert t.type == 'rsbnet_mm.SandwichFinetuneLoop'
        assert (t.max_epochs, t.num_paths) == (50, 5)
        assert cfg.optim_wrapper.optimizer.lr == 0.01
        assert cfg.val_cfg.type == 'rsbnet_mm.SubnetValLoop'
        assert 'finetune' in cfg.train_dataloader.dataset.ann_file
    if 'seg' in path.parts:
        assert cfg.crop_size == (224, 224)
        assert cfg.model.data_preprocessor.size == (224, 224)
