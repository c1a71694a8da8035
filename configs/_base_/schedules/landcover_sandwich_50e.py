# Land-cover fine-tuning of the supernet (SPEC §4): the sandwich rule,
# B = 5, 50 epochs, lr 0.01 with cosine decay, plus epoch-based hooks
# (mmseg's own schedules count iterations).
_base_ = './finetune_50e.py'
val_cfg = dict(calib_samples=512)
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=5, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
