"""Tiny models, data and configs shared by the tests (and their subprocesses)."""
import copy

import numpy as np
from mmengine.dataset import BaseDataset

from rsbnet_mm.registry import DATASETS

#: a 5-layer search space with narrow stages: fast on CPU at 32 px
TINY_SPACE = dict(
    stages=[(8, 2, 2, 'ReLU'), (16, 2, 2, 'Swish'), (24, 1, 1, 'Swish')],
    stem_channels=8,
    first_channels=8,
    head_channels=32)

#: Table 1's channels and strides with one layer a stage and two widths:
#: stage indices and channel numbers are those of the default space, so
#: upstream necks and heads (FPN, ASPP) fit unchanged
TABLE1_TINY_SPACE = dict(
    stages=[(24, 1, 2, 'ReLU'), (40, 1, 2, 'Swish'), (80, 1, 2, 'Swish'),
            (112, 1, 1, 'Swish'), (192, 1, 2, 'Swish'),
            (320, 1, 1, 'Swish')],
    expand_choices=(2.0, 3.0),
    head_channels=1280)


@DATASETS.register_module(force=True)
class ToySceneDataset(BaseDataset):
    """Two or more classes of 32x32 images that differ in brightness and
    texture: learnable in a few steps."""
    METAINFO = dict(classes=('dark', 'bright', 'striped'))

    def __init__(self, num_samples=24, num_classes=2, size=32, seed=0, **kw):
        self.num_samples, self.num_classes = num_samples, num_classes
        self.size, self.seed = size, seed
        kw.setdefault('metainfo',
                      dict(classes=self.METAINFO['classes'][:num_classes]))
        super().__init__(lazy_init=False, serialize_data=False, **kw)

    def load_data_list(self):
        rng = np.random.RandomState(self.seed)
        out = []
        for i in range(self.num_samples):
            y = i % self.num_classes
            img = rng.rand(self.size, self.size, 3) * 80 + 40 + 100 * (y == 1)
            if y == 2:
                img[::4] = 250
            out.append(dict(img=img.astype(np.uint8), gt_label=y))
        return out


def cls_cfg(work_dir, train_cfg, num_classes=2, num_samples=24,
            batch_size=4, val=True, **extra):
    """An mmpretrain classifier on the tiny supernet, as a Config dict."""
    pipeline = [dict(type='mmpretrain.PackInputs')]
    dl = dict(
        batch_size=batch_size,
        num_workers=0,
        dataset=dict(
            type='rsbnet_mm.ToySceneDataset',
            num_samples=num_samples,
            num_classes=num_classes,
            pipeline=pipeline),
        sampler=dict(type='DefaultSampler', shuffle=True),
        collate_fn=dict(type='default_collate'))
    cfg = dict(
        default_scope='mmpretrain',
        custom_imports=dict(
            imports=['rsbnet_mm', 'toy'], allow_failed_imports=False),
        model=dict(
            type='ImageClassifier',
            data_preprocessor=dict(
                type='ClsDataPreprocessor',
                mean=[128] * 3,
                std=[64] * 3,
                num_classes=num_classes),
            backbone=dict(
                type='rsbnet_mm.RSBNetSuperNet', search_space=TINY_SPACE),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(
                type='LinearClsHead',
                num_classes=num_classes,
                in_channels=32,
                loss=dict(type='CrossEntropyLoss'))),
        work_dir=str(work_dir),
        train_dataloader=dl,
        train_cfg=train_cfg,
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
        default_hooks=dict(
            logger=dict(type='LoggerHook', interval=1),
            checkpoint=dict(type='CheckpointHook', interval=1)),
        custom_hooks=[dict(type='rsbnet_mm.SafeCheckpointHook')],
        randomness=dict(seed=0),
        log_level='WARNING')
    if val:
        vdl = copy.deepcopy(dl)
        vdl['sampler']['shuffle'] = False
        cfg.update(
            val_dataloader=vdl,
            val_evaluator=dict(type='Accuracy'),
            val_cfg=dict(
                type='rsbnet_mm.SubnetValLoop', calib_samples=8,
                num_random=1))
    cfg.update(extra)
    return cfg
