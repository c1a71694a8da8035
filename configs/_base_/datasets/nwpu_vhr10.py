# NWPU VHR-10 detection (SPEC §5) in the dataset's own layout
# (rsbnet_mm.NWPUVHR10Dataset, docs/seg_det.md):
#   data/NWPU VHR-10 dataset/{positive image set,negative image set,
#                             ground truth}
# split by
#   python tools/split_nwpu_vhr10.py "data/NWPU VHR-10 dataset"
# into splits/finetune.txt, search.txt, test.txt (60 / 20 / 20 %, positive
# and negative images each split alike; negatives are background).
dataset_type = 'rsbnet_mm.NWPUVHR10Dataset'
data_root = 'data/NWPU VHR-10 dataset/'
backend_args = None
img_scale = (1333, 800)

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(
        type='RandomFlip',
        prob=[0.25, 0.25, 0.25],
        direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    # after Resize: the metric compares with boxes at the original scale
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='splits/finetune.txt',
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='splits/test.txt',
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader
# SPEC §7: VOC-style AP per class (AP50/<class>) and mAP at IoU 0.5
val_evaluator = dict(
    type='rsbnet_mm.VOCPerClassMetric',
    metric='mAP',
    iou_thrs=0.5,
    eval_mode='area')
test_evaluator = val_evaluator

# the search split, scored by the search
search_dataloader = dict(
    batch_size=1,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='splits/search.txt',
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
# BN recalibration of each evaluated subnet: fine-tune images, test pipeline
calib_dataloader = dict(
    batch_size=2,
    num_workers=2,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='splits/finetune.txt',
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
