# Detection fine-tuning of the supernet (SPEC §4): the sandwich rule,
# B = 5, 50 epochs, lr 0.01 with cosine decay, after the linear warm-up
# mmdet's detectors use for their fresh heads.
_base_ = './finetune_50e.py'
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=500),
    dict(type='CosineAnnealingLR', T_max=50, by_epoch=True, begin=0, end=50)
]
val_cfg = dict(calib_samples=256)
auto_scale_lr = dict(base_batch_size=16)
