# Stage 2 (SPEC §4) for land cover: fine-tune the pretrained supernet as
# the backbone of DeepLabv3 (ASPPHead), output stride 8, on
# ISPRS Vaihingen (11 fine-tune tiles, 224x224 crops), elastic width by the
# sandwich rule (B = 5), 50 epochs, lr 0.01. Validation: the largest,
# smallest and two random subnets, BN recalibrated, on the test tiles.
#   python tools/train.py \
#       configs/rsbnet/seg/deeplabv3_rsbnet-supernet-d8_sandwich-50e_vaihingen-224x224.py \
#       --cfg-options load_from=work_dirs/pretrain_vhrrs/epoch_150.pth
_base_ = [
    '../../_base_/models/rsbnet-d8_deeplabv3.py',
    '../../_base_/datasets/vaihingen_224.py',
    'mmseg::_base_/default_runtime.py',
    '../../_base_/schedules/landcover_sandwich_50e.py',
    '../../_base_/plugin_runtime.py',
]
num_classes = 6
data_preprocessor = dict(size={{_base_.crop_size}})
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(num_classes=num_classes),
    auxiliary_head=dict(num_classes=num_classes))
val_cfg = dict(calib_dataloader={{_base_.calib_dataloader}})
log_processor = dict(by_epoch=True)
# the pretrained supernet (stage 1); its classifier is dropped (MMEngine
# skips the missing and unexpected keys with a warning)
load_from = 'work_dirs/pretrain_vhrrs/epoch_150.pth'
