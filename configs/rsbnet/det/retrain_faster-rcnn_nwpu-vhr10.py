# Stage 4 (SPEC §1) for detection: retrain the architecture found by
# search_faster-rcnn_nwpu-vhr10.py, a static RSBNetSubNet under Faster R-CNN
# with FPN, on all NWPU VHR-10 training images (fine-tune and search
# splits, 80 %), 100 epochs with the fine-tuning settings; validation and
# test on the test split.
#   python tools/train.py \
#       configs/rsbnet/det/retrain_faster-rcnn_nwpu-vhr10.py \
#       --cfg-options \
#       model.backbone.arch=work_dirs/search_faster-rcnn_nwpu-vhr10/best_arch.yaml
# Distributed: BN layers become SyncBN (sync_bn below).
_base_ = ['./faster-rcnn_rsbnet-supernet_fpn_sandwich-50e_nwpu-vhr10.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='rsbnet_mm.RSBNetSubNet',
        arch='work_dirs/search_faster-rcnn_nwpu-vhr10/best_arch.yaml',
        search_space={{_base_.search_space}},
        out_indices=(1, 2, 4, 6)))
_finetune_set = _base_.train_dataloader.dataset
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            _finetune_set,
            dict(_finetune_set, ann_file='splits/search.txt'),
        ]))
find_unused_parameters = False
sync_bn = 'torch'
load_from = None
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=500),
    dict(
        type='CosineAnnealingLR', T_max=100, by_epoch=True, begin=0,
        end=100)
]
train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=100,
                 val_interval=5)
val_cfg = dict(_delete_=True)
