# Stage 3 (SPEC §6): evolutionary search on the UC-Merced search split with
# weights inherited from the fine-tuned supernet, K = 50, G = 30, crossover
# 0.5, mutation 0.25, under a FLOPs budget counted at 224x224.
#   python tools/search.py configs/rsbnet/search_ucmerced.py \
#       --checkpoint work_dirs/finetune_ucmerced/epoch_50.pth
_base_ = [
    './finetune_ucmerced.py',
    '../_base_/schedules/evo_search.py',
]

search_dataloader = dict(
    batch_size=64,
    num_workers=8,
    dataset=dict(
        type={{_base_.dataset_type}},
        data_root={{_base_.data_root}},
        data_prefix='Images',
        ann_file='splits/search.txt',
        pipeline={{_base_.test_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
# BN is recalibrated for every candidate on fine-tuning data
calib_dataloader = dict(
    batch_size=64,
    num_workers=8,
    dataset=dict(
        type={{_base_.dataset_type}},
        data_root={{_base_.data_root}},
        data_prefix='Images',
        ann_file='splits/finetune.txt',
        pipeline={{_base_.test_pipeline}}),
)
train_cfg = dict(
    _delete_=True,
    **_base_.evo_search,
    dataloader=search_dataloader,
    evaluator=dict(type='Accuracy', topk=(1, )),
    score_key='accuracy/top1',
    calib_dataloader=calib_dataloader,
    calib_samples=1024,
    constraints=dict(flops=(None, 500e6)))  # multiply-adds at 224x224
# the search trains nothing: no schedule, no validation
param_scheduler = []
val_cfg = None
val_dataloader = None
val_evaluator = None
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=-1))
