"""Use an RSBNet backbone in the upstream OpenMMLab configs.

mmpretrain, mmseg and mmdet ship their configs inside the wheel
(``<site-packages>/<pkg>/.mim/configs``). These helpers find such a config,
put an RSBNet backbone into it and fix what depends on the backbone's
channels, so a downstream model is the upstream one with only the backbone
changed::

    cfg = Config.fromfile(upstream_config(
        'mmdet', 'retinanet/retinanet_r50_fpn_1x_coco.py'))
    swap_backbone(cfg, dict(type='rsbnet_mm.RSBNetSuperNet',
                            out_indices=(1, 2, 4, 6)))
    replace_syncbn(cfg)  # single process / CPU

Only the config is edited; nothing is built, so no OpenMMLab package
beyond mmengine is imported here.
"""
import copy
import importlib
import os.path as osp
from typing import (Any, Iterable, MutableMapping, Optional, Sequence, Tuple,
                    Union)

from mmengine.config import Config

from ..space import SearchSpace

#: A whole config or a dict of one.
ConfigLike = Union[Config, MutableMapping]

#: Norm types that need a distributed process group.
SYNC_BN_TYPES = ('SyncBN', 'MMSyncBN', 'NaiveSyncBN', 'TorchSyncBN')

_RSBNET_TYPES = ('RSBNetSuperNet', 'RSBNetSubNet')


def upstream_config(pkg: str, rel_path: str) -> str:
    """Absolute path of a config shipped in an installed package's wheel.

    Args:
        pkg: the package, e.g. ``'mmdet'``, ``'mmseg'``, ``'mmpretrain'``.
        rel_path: the path under its ``configs`` folder, e.g.
            ``'retinanet/retinanet_r50_fpn_1x_coco.py'``.

    Raises:
        ImportError: the package is not installed.
        FileNotFoundError: no such config; the message names the path tried.
    """
    module = importlib.import_module(pkg)
    root = osp.join(osp.dirname(osp.abspath(module.__file__)), '.mim',
                    'configs')
    path = osp.join(root, rel_path)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'no upstream config {rel_path!r} in {pkg}: {path} does not exist')
    return path


def backbone_out_channels(backbone: MutableMapping) -> Tuple[int, ...]:
    """Channels of the features an RSBNet backbone config returns.

    Read from its ``search_space`` and ``out_indices`` without building it.

    Raises:
        ValueError: ``backbone`` is not an RSBNet backbone (pass its
            ``out_channels`` to :func:`swap_backbone` instead), or an index is
            out of range.
    """
    btype = str(backbone.get('type', '')).rsplit('.', 1)[-1]
    if btype not in _RSBNET_TYPES:
        raise ValueError(
            'cannot tell the output channels of a backbone of type '
            f"{backbone.get('type')!r}; pass out_channels explicitly")
    space = SearchSpace.from_cfg(backbone.get('search_space'))
    stage_channels = (space.first_channels, ) + tuple(
        s[0] for s in space.stages) + ((space.head_channels, )
                                       if space.head_channels else ())
    out_indices = backbone.get('out_indices')
    if out_indices is None:
        out_indices = (len(stage_channels) - 1, )
    elif isinstance(out_indices, int):
        out_indices = (out_indices, )
    for i in out_indices:
        if not 0 <= i < len(stage_channels):
            raise ValueError(f'out_indices must be in range(0, '
                             f'{len(stage_channels)}), got {i}')
    return tuple(stage_channels[i] for i in out_indices)


def swap_backbone(cfg: ConfigLike,
                  backbone: MutableMapping,
                  out_channels: Optional[Sequence[int]] = None,
                  decode_in_index: Optional[int] = None,
                  aux_in_index: Optional[int] = None) -> ConfigLike:
    """Replace a model config's backbone and the channels that follow from it.

    The backbone dict replaces the old one whole (nothing of the old one,
    such as a ``Pretrained`` ``init_cfg``, is kept), and a model-level
    ``pretrained`` (mmseg's ``EncoderDecoder`` would pass it into the new
    backbone) is set to None. Then, with ``n`` backbone outputs:

    * a neck with ``in_channels`` (mmdet FPN, ...): a list becomes all
      ``out_channels``, an int the last one; the heads read the neck and are
      left alone.
    * otherwise, a classification ``head``: ``in_channels`` = the last
      output's (mmpretrain heads classify the last feature map).
    * otherwise, each ``decode_head`` / ``auxiliary_head`` (a dict or a list
      of them): a multi-level head (list ``in_index`` or ``in_channels``)
      takes all outputs; a single-level decode head the last one
      (``decode_in_index``), an auxiliary head the one before
      (``aux_in_index``); ``c1_in_channels`` (DeepLabv3+ low-level features,
      always the first input) becomes the first output's channels.

    Strides are the caller's part: choose ``out_indices`` whose strides the
    upstream neck and heads expect (e.g. RSBNet stages ``(1, 2, 4, 6)`` give
    strides 4, 8, 16, 32 like ResNet's four stages).

    Args:
        cfg: a :class:`mmengine.Config` or dict holding ``model``, or a model
            dict itself (with ``backbone``). Edited in place.
        backbone: the new backbone config.
        out_channels: channels of the backbone's outputs; read from an
            RSBNet backbone's config if None (:func:`backbone_out_channels`).
        decode_in_index: backbone output a single-level decode head reads;
            default the last. Negative values count from the end.
        aux_in_index: backbone output a single-level auxiliary head reads;
            default the one before the last (the last if there is only one).

    Returns:
        ``cfg``, edited.

    Raises:
        KeyError: ``cfg`` has neither ``model`` nor ``backbone``.
        ValueError: the channels cannot be found, or an index is out of range.
    """
    if 'model' in cfg:
        model = cfg['model']
    elif 'backbone' in cfg:
        model = cfg
    else:
        raise KeyError('cfg holds neither "model" nor "backbone"')
    if out_channels is None:
        out_channels = backbone_out_channels(backbone)
    out_channels = [int(c) for c in out_channels]
    n = len(out_channels)
    if n == 0:
        raise ValueError('the backbone returns no feature maps')

    model['backbone'] = copy.deepcopy(dict(backbone))
    if model.get('pretrained') is not None:
        model['pretrained'] = None

    neck = model.get('neck')
    if isinstance(neck, (list, tuple)):  # a chain of necks: the first reads
        neck = neck[0] if neck else None
    if isinstance(neck, MutableMapping) and 'in_channels' in neck:
        neck['in_channels'] = _channels_like(neck['in_channels'],
                                             out_channels)
        return cfg

    head = model.get('head')
    if isinstance(head, MutableMapping) and 'in_channels' in head:
        head['in_channels'] = out_channels[-1]

    decode_idx = _index(n - 1 if decode_in_index is None else
                        decode_in_index, n, 'decode_in_index')
    aux_idx = _index(max(n - 2, 0) if aux_in_index is None else aux_in_index,
                     n, 'aux_in_index')
    for key, idx in (('decode_head', decode_idx), ('auxiliary_head',
                                                    aux_idx)):
        for h in _as_list(model.get(key)):
            _fix_seg_head(h, out_channels, idx)
    return cfg


def replace_syncbn(cfg: Any, norm_type: str = 'BN',
                   sync_types: Iterable[str] = SYNC_BN_TYPES) -> Any:
    """Replace every synchronised BatchNorm in a config by a plain one.

    SyncBN needs a distributed process group, so single-process (CPU, one
    GPU) runs of upstream configs fail without this. Walks all nested dicts
    and lists, including top-level variables such as mmseg's ``norm_cfg``;
    other keys of a norm dict (``requires_grad``, ...) are kept.

    Args:
        cfg: a :class:`mmengine.Config`, dict or list. Dicts are edited in
            place; tuples are rebuilt.
        norm_type: the replacement type.
        sync_types: the types to replace.

    Returns:
        ``cfg`` with the types replaced.
    """
    sync_types = frozenset(sync_types)

    def walk(obj):
        if isinstance(obj, MutableMapping):
            if obj.get('type') in sync_types:
                obj['type'] = norm_type
            for key in list(obj.keys()):
                new = walk(obj[key])
                if new is not obj[key]:
                    obj[key] = new
            return obj
        if isinstance(obj, list):
            for i, item in enumerate(obj):
                obj[i] = walk(item)
            return obj
        if isinstance(obj, tuple):
            items = [walk(item) for item in obj]
            if any(a is not b for a, b in zip(items, obj)):
                return tuple(items)
            return obj
        return obj

    if isinstance(cfg, Config):  # not a Mapping: walk its top-level keys
        for key in list(cfg.keys()):
            cfg[key] = walk(cfg[key])
        return cfg
    return walk(cfg)


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _index(i: int, n: int, name: str) -> int:
    if not -n <= i < n:
        raise ValueError(
            f'{name} must index one of the {n} backbone outputs, got {i}')
    return i % n


def _channels_like(old, out_channels):
    if isinstance(old, (list, tuple)):
        return list(out_channels)
    return out_channels[-1]


def _fix_seg_head(head: MutableMapping, out_channels, index: int) -> None:
    multi_level = isinstance(head.get('in_index'), (list, tuple)) or \
        isinstance(head.get('in_channels'), (list, tuple))
    if multi_level:
        head['in_index'] = list(range(len(out_channels)))
        head['in_channels'] = list(out_channels)
    elif 'in_channels' in head:
        head['in_index'] = index
        head['in_channels'] = out_channels[index]
    if 'c1_in_channels' in head:
        head['c1_in_channels'] = out_channels[0]
