# Stage 3 (SPEC §6) for land cover: evolutionary search of the supernet
# fine-tuned by
# deeplabv3_rsbnet-supernet-d8_sandwich-50e_vaihingen-224x224.py
# on the ISPRS Vaihingen search split (5 held-out training tiles), weights
# inherited, BN recalibrated per candidate on fine-tune tiles; K = 50,
# G = 30, crossover 0.5, mutation 0.25; score: mean F1. The FLOPs budget
# is counted on the backbone of Table 1 at 224x224 (the paper's
# convention, SPEC §6), not on the dilated model.
#   python tools/search.py configs/rsbnet/seg/search_deeplabv3_vaihingen.py \
#       --checkpoint \
#       work_dirs/deeplabv3_rsbnet-supernet-d8_sandwich-50e_vaihingen-224x224/epoch_50.pth
_base_ = [
    './deeplabv3_rsbnet-supernet-d8_sandwich-50e_vaihingen-224x224.py',
    '../../_base_/schedules/evo_search.py',
]

train_cfg = dict(
    _delete_=True,
    **_base_.evo_search,
    dataloader={{_base_.search_dataloader}},
    evaluator={{_base_.val_evaluator}},
    score_key='mF1',
    calib_dataloader={{_base_.calib_dataloader}},
    calib_samples=512,
    constraints=dict(flops=(None, 1000e6)))  # RSBNet-large (SPEC §6)
# the search trains nothing: no schedule, no validation, no checkpoints
param_scheduler = []
val_cfg = None
val_dataloader = None
val_evaluator = None
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=-1))
