"""RSBNet drops into the upstream mmpretrain / mmseg / mmdet configs.

Each test loads a config shipped in an installed package (``.mim/configs``),
swaps only the backbone (and the channels that follow from it), builds the
model through that library's registry under its own ``default_scope``, runs
one training step (``mode='loss'``, backward) and one prediction on a tiny
CPU batch.
"""
import importlib
from contextlib import contextmanager

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.structures import InstanceData, PixelData
from mmengine.utils import import_modules_from_strings

import rsbnet_mm  # noqa: F401  registers the plugin
from rsbnet_mm import SearchSpace
from rsbnet_mm.models import RSBNetSubNet, RSBNetSuperNet
from rsbnet_mm.utils import (backbone_out_channels, replace_syncbn,
                             swap_backbone, upstream_config)
from toy import TABLE1_TINY_SPACE as TINY_SPACE

#: strides 4, 8, 16, 32 like ResNet's four stages (FPN, DeepLab c1)
DENSE_INDICES = (1, 2, 4, 6)
SEG_INDICES = (1, 4, 6)  # c1 (stride 4), auxiliary, decode

CLS_CFG = ('mmpretrain', 'mobilenet_v2/mobilenet-v2_8xb32_in1k.py')
DLV3_CFG = ('mmseg',
            'deeplabv3/deeplabv3_r50-d8_4xb2-40k_cityscapes-512x1024.py')
DLV3P_CFG = (
    'mmseg',
    'deeplabv3plus/deeplabv3plus_r50-d8_4xb2-40k_cityscapes-512x1024.py')
RETINA_CFG = ('mmdet', 'retinanet/retinanet_r50_fpn_1x_coco.py')
FASTER_CFG = ('mmdet', 'faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py')
MASK_CFG = ('mmdet', 'mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py')


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """One intra-op thread: on a 2-core machine shared with other processes,
    OpenMP's spinning workers make a detector step 10-60x slower (seen: a
    RetinaNet step 0.3 s on one thread, 4-22 s on two)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ---- helpers ---------------------------------------------------------------
def _supernet(out_indices, output_stride=32, **space):
    return dict(
        type='rsbnet_mm.RSBNetSuperNet',
        search_space=dict(TINY_SPACE, **space),
        out_indices=out_indices,
        output_stride=output_stride)


def _subnet(out_indices, output_stride=32, seed=0):
    arch = SearchSpace(**TINY_SPACE).sample(seed)
    return dict(
        type='rsbnet_mm.RSBNetSubNet',
        arch=str(arch),
        search_space=TINY_SPACE,
        out_indices=out_indices,
        output_stride=output_stride,
        norm_cfg=dict(type='SyncBN'))  # what a retraining config would say


def _load(pkg_path, backbone, **swap_kwargs):
    """An upstream config with the backbone swapped, SyncBN off, and the
    plugin imported the way a Runner imports it."""
    cfg = Config.fromfile(upstream_config(*pkg_path))
    swap_backbone(cfg, backbone, **swap_kwargs)
    replace_syncbn(cfg)
    cfg.custom_imports = dict(imports=['rsbnet_mm'],
                              allow_failed_imports=False)
    import_modules_from_strings(**cfg.custom_imports)
    # a Runner merges the top-level data_preprocessor into the model
    if cfg.get('data_preprocessor') is not None:
        cfg.model.setdefault('data_preprocessor', cfg.data_preprocessor)
    return cfg


@contextmanager
def _scope(cfg):
    """The config's own default_scope, restored afterwards."""
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        init_default_scope(cfg.default_scope)
        yield importlib.import_module(f'{cfg.default_scope}.registry')


def _build(cfg):
    with _scope(cfg) as registry:
        model = registry.MODELS.build(cfg.model)
        model.init_weights()
    return model


def _images(n, size, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [
        torch.randint(0, 256, (3, size, size), dtype=torch.uint8, generator=g)
        for _ in range(n)
    ]


def _train_step(model, batch):
    """One ``mode='loss'`` step; returns the summed loss."""
    model.train()
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    assert losses, 'no losses returned'
    for name, value in losses.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            assert torch.isfinite(v).all(), f'{name} is not finite: {v}'
    loss, _ = model.parse_losses(losses)
    model.zero_grad()
    loss.backward()
    return loss


def _assert_backbone_grads(model):
    grads = [
        p.grad for p in model.backbone.layers.parameters()
        if p.grad is not None
    ]
    assert grads, 'no gradient reached backbone.layers'
    assert any(bool(g.abs().sum() > 0) for g in grads), \
        'backbone gradients are all zero'


def _predict(model, batch):
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        return model(**data, mode='predict')


def _feature_strides(model, size):
    with torch.no_grad():
        feats = model.backbone.eval()(torch.zeros(1, 3, size, size))
    return [size // f.shape[-1] for f in feats], [f.shape[1] for f in feats]


# ---- the helpers themselves ---------------------------------------------------
def test_upstream_config_missing_names_path():
    with pytest.raises(FileNotFoundError, match='no_such_model'):
        upstream_config('mmdet', 'no_such_model/x.py')


def test_backbone_out_channels_match_built_backbone():
    for cls, extra in ((RSBNetSuperNet, {}),
                       (RSBNetSubNet,
                        dict(arch=str(SearchSpace(**TINY_SPACE).max_arch())))):
        for out_indices in ((7, ), DENSE_INDICES, (0, 1, 2, 3, 4, 5, 6, 7)):
            cfg = dict(search_space=TINY_SPACE, out_indices=out_indices,
                       **extra)
            net = cls(**cfg)
            assert backbone_out_channels(
                dict(type=f'rsbnet_mm.{cls.__name__}', **cfg)) == \
                net.out_channels
    with pytest.raises(ValueError, match='out_channels'):
        backbone_out_channels(dict(type='ResNet', depth=50))


def test_swap_backbone_fixes_channels():
    cfg = Config.fromfile(upstream_config(*DLV3P_CFG))
    swap_backbone(cfg, _supernet(SEG_INDICES, 16))
    m = cfg.model
    assert m.backbone.type == 'rsbnet_mm.RSBNetSuperNet'
    assert 'depth' not in m.backbone and m.pretrained is None
    assert (m.decode_head.in_channels, m.decode_head.in_index) == (320, 2)
    assert m.decode_head.c1_in_channels == 24
    assert (m.auxiliary_head.in_channels, m.auxiliary_head.in_index) == \
        (112, 1)
    replace_syncbn(cfg)
    text = cfg.pretty_text
    assert 'SyncBN' not in text and cfg.norm_cfg.type == 'BN'
    assert cfg.model.decode_head.norm_cfg.requires_grad is True

    cfg = Config.fromfile(upstream_config(*MASK_CFG))
    swap_backbone(cfg, _supernet(DENSE_INDICES))
    assert cfg.model.neck.in_channels == [24, 40, 112, 320]
    assert cfg.model.rpn_head.in_channels == 256  # reads the neck

    cfg = Config.fromfile(upstream_config(*CLS_CFG))
    swap_backbone(cfg, _supernet((7, ), head_channels=256))
    assert cfg.model.head.in_channels == 256


# ---- classification ----------------------------------------------------------
def test_mmpretrain_image_classifier():
    from mmpretrain.structures import DataSample
    torch.manual_seed(0)
    cfg = _load(CLS_CFG, _supernet((7, ), head_channels=256))
    model = _build(cfg)
    assert isinstance(model.backbone, RSBNetSuperNet)
    model.backbone.set_arch(model.backbone.sample_arch(1))

    def batch():
        samples = [DataSample().set_gt_label(i) for i in (3, 7)]
        return dict(inputs=_images(2, 64), data_samples=samples)

    _train_step(model, batch())
    _assert_backbone_grads(model)
    results = _predict(model, batch())
    assert len(results) == 2
    for r in results:
        assert isinstance(r, DataSample)
        assert r.pred_score.shape == (cfg.model.head.num_classes, )
        assert r.pred_label.shape == (1, )


# ---- segmentation ------------------------------------------------------------
def _seg_batch(n=2, size=64, num_classes=19):
    from mmseg.structures import SegDataSample
    g = torch.Generator().manual_seed(1)
    samples = []
    for _ in range(n):
        s = SegDataSample(metainfo=dict(img_shape=(size, size),
                                        ori_shape=(size, size)))
        s.gt_sem_seg = PixelData(data=torch.randint(
            0, num_classes, (1, size, size), generator=g))
        samples.append(s)
    return dict(inputs=_images(n, size), data_samples=samples)


def _check_segmentor(cfg, backbone_type, strides, size=64):
    from mmseg.structures import SegDataSample
    torch.manual_seed(0)
    cfg.model.data_preprocessor.size = (size, size)
    model = _build(cfg)
    assert isinstance(model.backbone, backbone_type)
    assert not any(
        isinstance(m, torch.nn.SyncBatchNorm) for m in model.modules())
    if isinstance(model.backbone, RSBNetSuperNet):
        model.backbone.set_arch(model.backbone.sample_arch(1))
    assert _feature_strides(model, size) == (list(strides), [24, 112, 320])

    _train_step(model, _seg_batch(size=size))
    _assert_backbone_grads(model)
    num_classes = cfg.model.decode_head.num_classes
    results = _predict(model, _seg_batch(size=size))
    assert len(results) == 2
    for r in results:
        assert isinstance(r, SegDataSample)
        assert r.seg_logits.data.shape == (num_classes, size, size)
        assert r.pred_sem_seg.data.shape == (1, size, size)


def test_mmseg_deeplabv3_supernet():
    cfg = _load(DLV3_CFG, _supernet(SEG_INDICES, output_stride=8))
    assert cfg.model.decode_head.type == 'ASPPHead'
    _check_segmentor(cfg, RSBNetSuperNet, strides=(4, 8, 8))


def test_mmseg_deeplabv3plus_supernet():
    cfg = _load(DLV3P_CFG, _supernet(SEG_INDICES, output_stride=16))
    assert cfg.model.decode_head.type == 'DepthwiseSeparableASPPHead'
    _check_segmentor(cfg, RSBNetSuperNet, strides=(4, 16, 16))


def test_mmseg_deeplabv3plus_subnet():
    cfg = _load(DLV3P_CFG, _subnet(SEG_INDICES, output_stride=16))
    assert cfg.model.backbone.norm_cfg.type == 'BN'
    _check_segmentor(cfg, RSBNetSubNet, strides=(4, 16, 16))


# ---- detection ---------------------------------------------------------------
def _det_batch(size=128, with_mask=False):
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    boxes = [
        torch.tensor([[8., 10., 60., 70.], [40., 30., 120., 100.]]),
        torch.tensor([[20., 16., 90., 110.]]),
    ]
    labels = [torch.tensor([1, 5]), torch.tensor([2])]
    samples = []
    for b, lab in zip(boxes, labels):
        s = DetDataSample(metainfo=dict(img_shape=(size, size),
                                        ori_shape=(size, size),
                                        scale_factor=(1., 1.)))
        inst = InstanceData(bboxes=b, labels=lab)
        if with_mask:
            masks = np.zeros((len(b), size, size), dtype=np.uint8)
            for m, (x1, y1, x2, y2) in zip(masks, b.int().tolist()):
                m[y1:y2, x1:x2] = 1
            inst.masks = BitmapMasks(masks, size, size)
        s.gt_instances = inst
        samples.append(s)
    return dict(inputs=_images(2, size), data_samples=samples)


def _check_detector(cfg, backbone_type, with_mask=False, size=128):
    from mmdet.structures import DetDataSample
    torch.manual_seed(0)
    model = _build(cfg)
    assert isinstance(model.backbone, backbone_type)
    if isinstance(model.backbone, RSBNetSuperNet):
        model.backbone.set_arch(model.backbone.sample_arch(1))
    # the FPN levels keep the strides the upstream anchors / RoI layers use
    assert _feature_strides(model, size) == ([4, 8, 16, 32],
                                             [24, 40, 112, 320])

    _train_step(model, _det_batch(size, with_mask))
    _assert_backbone_grads(model)
    results = _predict(model, _det_batch(size, with_mask))
    assert len(results) == 2
    for r in results:
        assert isinstance(r, DetDataSample)
        pred = r.pred_instances
        n = len(pred)
        assert pred.bboxes.shape == (n, 4)
        assert pred.scores.shape == pred.labels.shape == (n, )
        if with_mask:
            assert pred.masks.shape == (n, size, size)
    return model


def test_mmdet_retinanet_supernet():
    _check_detector(_load(RETINA_CFG, _supernet(DENSE_INDICES)),
                    RSBNetSuperNet)


def test_mmdet_faster_rcnn_supernet():
    _check_detector(_load(FASTER_CFG, _supernet(DENSE_INDICES)),
                    RSBNetSuperNet)


def test_mmdet_mask_rcnn_supernet():
    _check_detector(_load(MASK_CFG, _supernet(DENSE_INDICES)),
                    RSBNetSuperNet, with_mask=True)


def test_mmdet_faster_rcnn_subnet_takes_exported_weights():
    backbone = _subnet(DENSE_INDICES)
    cfg = _load(FASTER_CFG, backbone)
    assert cfg.model.backbone.norm_cfg.type == 'BN'
    model = _check_detector(cfg, RSBNetSubNet)
    # the weights a supernet exports for this arch load into the detector
    supernet = RSBNetSuperNet(search_space=TINY_SPACE,
                              out_indices=DENSE_INDICES)
    exported = supernet.export(backbone['arch']).state_dict()
    model.backbone.load_state_dict(exported, strict=True)
