# Scene classification pipelines at 224x224 (SPEC §3: random crops, flips
# and rotations). Datasets set type / data_root / ann_file in the configs
# that inherit this.
data_preprocessor = dict(
    num_classes=84,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)
train_pipeline = [
    dict(type='rsbnet_mm.LoadImageFromFileChecked'),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomFlip', prob=0.5, direction='vertical'),
    dict(type='Rotate', angle=90.0, prob=0.5, random_negative_prob=0.5),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='rsbnet_mm.LoadImageFromFileChecked'),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
