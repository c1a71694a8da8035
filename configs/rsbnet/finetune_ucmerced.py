# Stage 2 (SPEC §4): fine-tune the pretrained supernet on UC-Merced with
# elastic width (sandwich rule), a new 21-class classifier.
#
# Data: data/UCMerced_LandUse/Images/<class>/*.tif, splits by
#   python tools/split_scene_dataset.py data/UCMerced_LandUse/Images \
#       --ratios 0.5 0.3 0.2 --names finetune search test \
#       --out-dir data/UCMerced_LandUse/splits
# Then: python tools/train.py configs/rsbnet/finetune_ucmerced.py \
#   --cfg-options load_from=work_dirs/pretrain_vhrrs/epoch_150.pth
_base_ = [
    '../_base_/models/rsbnet_supernet_cls.py',
    '../_base_/datasets/scene_224.py',
    '../_base_/schedules/finetune_50e.py',
    '../_base_/default_runtime.py',
]

data_root = 'data/UCMerced_LandUse'
dataset_type = 'rsbnet_mm.UCMercedDataset'
num_classes = 21
model = dict(head=dict(num_classes=num_classes))
data_preprocessor = dict(num_classes=num_classes)

# the pretrained supernet; its VHRRS classifier is dropped (shape
# mismatch is skipped with a warning by MMEngine's loader)
load_from = 'work_dirs/pretrain_vhrrs/epoch_150.pth'

train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='Images',
        ann_file='splits/finetune.txt',
        pipeline={{_base_.train_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='Images',
        ann_file='splits/test.txt',
        pipeline={{_base_.test_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = [
    dict(type='Accuracy', topk=(1, )),
    dict(type='AveragePrecision'),  # mAP over classes (SPEC §7)
]
test_dataloader = val_dataloader
test_evaluator = val_evaluator
