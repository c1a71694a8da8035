# Stage 4: retrain the found architecture (a static RSBNetSubNet) on all
# UC-Merced training data, 100 epochs with the fine-tuning settings.
#   python tools/train.py configs/rsbnet/retrain_ucmerced.py \
#       --cfg-options model.backbone.arch=work_dirs/search_ucmerced/best_arch.yaml
# Start from the supernet's weights of that path (optional):
#   python tools/export_subnet.py work_dirs/finetune_ucmerced/epoch_50.pth \
#       work_dirs/search_ucmerced/best_arch.yaml -o subnet.pth
# and add load_from=subnet.pth.
_base_ = [
    '../_base_/models/rsbnet_supernet_cls.py',
    '../_base_/datasets/scene_224.py',
    '../_base_/schedules/retrain_100e.py',
    '../_base_/default_runtime.py',
]
data_root = 'data/UCMerced_LandUse'
dataset_type = 'rsbnet_mm.UCMercedDataset'
num_classes = 21
model = dict(
    backbone=dict(
        _delete_=True,
        type='rsbnet_mm.RSBNetSubNet',
        arch='work_dirs/search_ucmerced/best_arch.yaml',
        search_space={{_base_.search_space}}),
    head=dict(num_classes=num_classes))
data_preprocessor = dict(num_classes=num_classes)
find_unused_parameters = False

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
    dict(type='AveragePrecision'),
]
test_dataloader = val_dataloader
test_evaluator = val_evaluator
