# Stage 3 (SPEC §6) for detection: evolutionary search of the supernet
# fine-tuned by
# faster-rcnn_rsbnet-supernet_fpn_sandwich-50e_nwpu-vhr10.py
# on the NWPU VHR-10 search split (20 %), weights inherited, BN
# recalibrated per candidate on fine-tune images; K = 50, G = 30,
# crossover 0.5, mutation 0.25; score: VOC mAP at IoU 0.5. The FLOPs
# budget is counted on the backbone of Table 1 at 224x224 (the paper's
# convention, SPEC §6).
#   python tools/search.py \
#       configs/rsbnet/det/search_faster-rcnn_nwpu-vhr10.py \
#       --checkpoint \
#       work_dirs/faster-rcnn_rsbnet-supernet_fpn_sandwich-50e_nwpu-vhr10/epoch_50.pth
_base_ = [
    './faster-rcnn_rsbnet-supernet_fpn_sandwich-50e_nwpu-vhr10.py',
    '../../_base_/schedules/evo_search.py',
]

train_cfg = dict(
    _delete_=True,
    **_base_.evo_search,
    dataloader={{_base_.search_dataloader}},
    evaluator={{_base_.val_evaluator}},
    score_key='pascal_voc/mAP',
    calib_dataloader={{_base_.calib_dataloader}},
    calib_samples=256,
    constraints=dict(flops=(None, 1000e6)))  # RSBNet-large (SPEC §6)
# the search trains nothing: no schedule, no validation, no checkpoints
param_scheduler = []
val_cfg = None
val_dataloader = None
val_evaluator = None
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=-1))
