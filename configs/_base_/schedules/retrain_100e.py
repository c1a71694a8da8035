# SPEC §1 step 4: retrain the found architecture 100 epochs with the
# fine-tuning settings.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=4e-5))
param_scheduler = dict(type='CosineAnnealingLR', T_max=100, by_epoch=True,
                       begin=0, end=100)
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
