# Stage 4: retrain the found architecture (a static RSBNetSubNet) on all
# UC-Merced training data, 100 epochs with the fine-tuning settings.
#   python tools/train.py configs/rsbnet/retrain_ucmerced.py \
#       --cfg-options model.backbone.arch=work_dirs/search_ucmerced/best_arch.yaml
# Start from the supernet's weights of that path (optional):
#   python tools/export_subnet.py work_dirs/finetune_ucmerced/epoch_50.pth \
#       work_dirs/search_ucmerced/best_arch.yaml -o subnet.pth
# and add load_from=subnet.pth.
_base_ = ['./finetune_ucmerced.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='rsbnet_mm.RSBNetSubNet',
        arch='work_dirs/search_ucmerced/best_arch.yaml',
        search_space={{_base_.search_space}}))
find_unused_parameters = False
load_from = None
# 100 epochs, the fine-tuning optimizer (lr 0.01)
param_scheduler = dict(type='CosineAnnealingLR', T_max=100, by_epoch=True,
                       begin=0, end=100)
train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=100,
                 val_interval=5)
val_cfg = dict(_delete_=True)

# all target training data: the fine-tune and the search splits
_ucm_train = dict(
    type='rsbnet_mm.UCMercedDataset',
    data_root='data/UCMerced_LandUse',
    data_prefix='Images',
    pipeline={{_base_.train_pipeline}})
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(ann_file='splits/finetune.txt', **_ucm_train),
            dict(ann_file='splits/search.txt', **_ucm_train),
        ]))
