# Stage 2 (SPEC §4) for detection: fine-tune the pretrained supernet as
# the backbone of Faster R-CNN with FPN (mmdet's own model config) on the
# NWPU VHR-10 fine-tune split (60 %), elastic width by the sandwich rule
# (B = 5), 50 epochs, lr 0.01. Validation: the largest, smallest and two
# random subnets, BN recalibrated, on the test split (VOC mAP@0.5).
#   python tools/train.py \
#       configs/rsbnet/det/faster-rcnn_rsbnet-supernet_fpn_sandwich-50e_nwpu-vhr10.py \
#       --cfg-options load_from=work_dirs/pretrain_vhrrs/epoch_150.pth
_base_ = [
    '../../_base_/models/rsbnet_fpn_faster-rcnn.py',
    '../../_base_/datasets/nwpu_vhr10.py',
    'mmdet::_base_/default_runtime.py',
    '../../_base_/schedules/detection_sandwich_50e.py',
    '../../_base_/plugin_runtime.py',
]
num_classes = 10
model = dict(roi_head=dict(bbox_head=dict(num_classes=num_classes)))
val_cfg = dict(calib_dataloader={{_base_.calib_dataloader}})
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
log_processor = dict(by_epoch=True)
# the pretrained supernet (stage 1); its classifier is dropped (MMEngine
# skips the missing and unexpected keys with a warning)
load_from = 'work_dirs/pretrain_vhrrs/epoch_150.pth'
