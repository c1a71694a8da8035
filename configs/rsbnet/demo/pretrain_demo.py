# The demo's stage 1: ensemble single-path pretraining (B = 5, full width)
# of the Table-1 supernet at 64x64 on a small folder-per-class dataset.
# tools/demo.py fills data_root / ann files; runnable alone with
#   python tools/train.py configs/rsbnet/demo/pretrain_demo.py \
#     --cfg-options data_root=DIR  (DIR holds train.txt / search.txt /
#     test.txt / classes.txt written by tools/split_scene_dataset.py)
_base_ = ['../pretrain_vhrrs.py']

data_root = 'work_dirs/demo/data'
image_root = ''  # ann files hold paths relative to this
num_classes = 4
model = dict(head=dict(num_classes=num_classes, topk=(1, )))
data_preprocessor = dict(num_classes=num_classes)

train_pipeline = [
    dict(type='rsbnet_mm.LoadImageFromFileChecked'),
    dict(type='RandomResizedCrop', scale=64, crop_ratio_range=(0.6, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomFlip', prob=0.5, direction='vertical'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='rsbnet_mm.LoadImageFromFileChecked'),
    dict(type='Resize', scale=(64, 64)),
    dict(type='PackInputs'),
]
_dataset = dict(
    type='rsbnet_mm.SceneFolderDataset',
    data_root=image_root,
    classes=f'{data_root}/classes.txt')
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    dataset=dict(_delete_=True, ann_file=f'{data_root}/train.txt',
                 pipeline=train_pipeline, **_dataset),
    persistent_workers=False)
val_dataloader = dict(
    batch_size=64,
    num_workers=0,
    dataset=dict(_delete_=True, ann_file=f'{data_root}/test.txt',
                 pipeline=test_pipeline, **_dataset),
    persistent_workers=False)
val_evaluator = [
    dict(type='Accuracy', topk=(1, )),
    dict(type='AveragePrecision'),  # mAP over classes (SPEC §7)
]
test_dataloader = val_dataloader
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = dict(T_max=6, end=6)
train_cfg = dict(max_epochs=6, num_paths=5, val_interval=100)
val_cfg = dict(calib_samples=64, num_random=1)
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=100, max_keep_ckpts=1, save_last=True))
