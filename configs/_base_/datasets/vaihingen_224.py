# ISPRS Vaihingen for land cover (SPEC §5), as mmseg's own converter writes it
# (docs/seg_det.md):
#   python <mmseg>/.mim/tools/dataset_converters/vaihingen.py \
#       RAW_ZIPS -o data/vaihingen
# gives data/vaihingen/{img_dir,ann_dir}/{train,val}/*.png: 512x512 IRRG
# patches of the training and the 17 test tiles; labels 0 (no class:
# ignored through reduce_zero_label) and 1..6. Then
#   python tools/split_isprs.py data/vaihingen --search-tiles 5
# splits the 16 training tiles (11 fine-tune + 5 search, SPEC §5) by tile
# into splits/finetune.txt and splits/search.txt.
# Training on random 224x224 crops (SPEC §5) with flips; the test and the
# search on whole patches.
_base_ = 'mmseg::_base_/datasets/vaihingen.py'

crop_size = (224, 224)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(
        type='RandomResize',
        scale=(512, 512),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(
        type='RandomFlip',
        prob=[0.25, 0.25, 0.25],
        direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(512, 512), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=True),  # epoch based
    dataset=dict(ann_file='splits/finetune.txt', pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
# SPEC §7: overall accuracy (aAcc), per-class F1 (F1/<class>) and mean F1
# (mF1, which counts a class never predicted as F1 0, unlike mmseg's
# mFscore); mIoU as well
val_evaluator = dict(
    _delete_=True,
    type='rsbnet_mm.LandCoverMetric',
    iou_metrics=['mFscore', 'mIoU'])
test_evaluator = val_evaluator

_train_split = dict(
    type={{_base_.dataset_type}},
    data_root={{_base_.data_root}},
    data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'),
    pipeline=test_pipeline)
# the search split (held-out training tiles), scored by the search
search_dataloader = dict(
    batch_size=4,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(_train_split, ann_file='splits/search.txt'))
# BN recalibration of each evaluated subnet: fine-tune tiles, test pipeline
calib_dataloader = dict(
    batch_size=8,
    num_workers=4,
    dataset=dict(_train_split, ann_file='splits/finetune.txt'))
