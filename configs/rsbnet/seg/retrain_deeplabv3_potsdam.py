# Stage 4 (SPEC §1) for land cover: retrain the architecture found by
# search_deeplabv3_potsdam.py, a static RSBNetSubNet under DeepLabv3
# (output stride 8), on all ISPRS Potsdam training tiles (fine-tune
# and search splits), 100 epochs with the fine-tuning settings; validation
# and test on mmseg's test tiles.
#   python tools/train.py configs/rsbnet/seg/retrain_deeplabv3_potsdam.py \
#       --cfg-options \
#       model.backbone.arch=work_dirs/search_deeplabv3_potsdam/best_arch.yaml
# Distributed: BN layers become SyncBN (sync_bn below).
_base_ = ['./deeplabv3_rsbnet-supernet-d8_sandwich-50e_potsdam-224x224.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='rsbnet_mm.RSBNetSubNet',
        arch='work_dirs/search_deeplabv3_potsdam/best_arch.yaml',
        search_space={{_base_.search_space}},
        out_indices=(1, 4, 6),
        output_stride=8))
train_dataloader = dict(dataset=dict(ann_file=''))  # every training tile
find_unused_parameters = False
sync_bn = 'torch'
load_from = None
param_scheduler = dict(type='CosineAnnealingLR', T_max=100, by_epoch=True,
                       begin=0, end=100)
train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=100,
                 val_interval=5)
val_cfg = dict(_delete_=True)
