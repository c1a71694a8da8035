# Stage 1 (SPEC §3): pretrain the supernet on VHRRS (AID + NWPU-RESISC45 +
# PatternNet + RSI-CB merged to one scene set) with ensemble single-path
# training, B = 5 paths per mini-batch, full width.
#
# Build the data first (writes annotation files, copies no image):
#   python tools/build_vhrrs.py --source aid=data/AID \
#       --source nwpu=data/NWPU-RESISC45 --source patternnet=data/PatternNet \
#       --source rsicb=data/RSI-CB256 --out-dir data/vhrrs
# Then: python tools/train.py configs/rsbnet/pretrain_vhrrs.py
#   (8 GPUs, the same total batch of 128: bash tools/dist_train.sh
#    configs/rsbnet/pretrain_vhrrs.py 8 --cfg-options
#    train_dataloader.batch_size=16)
_base_ = [
    '../_base_/models/rsbnet_supernet_cls.py',
    '../_base_/datasets/scene_224.py',
    '../_base_/schedules/pretrain_150e.py',
    '../_base_/default_runtime.py',
]

data_root = 'data/vhrrs'
num_classes = 84  # lines of classes.txt: the shipped merge table gives 84 (paper: 81)
model = dict(head=dict(num_classes=num_classes))
data_preprocessor = dict(num_classes=num_classes)

train_dataloader = dict(
    batch_size=128,  # per GPU: the paper's total batch on one GPU
    num_workers=8,
    dataset=dict(
        type='rsbnet_mm.VHRRSDataset',
        ann_file=f'{data_root}/pretrain.txt',
        classes=f'{data_root}/classes.txt',
        pipeline={{_base_.train_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=128,
    num_workers=8,
    dataset=dict(
        type='rsbnet_mm.VHRRSDataset',
        ann_file=f'{data_root}/search.txt',
        classes=f'{data_root}/classes.txt',
        pipeline={{_base_.test_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
