# SPEC §4: 50 epochs, lr 0.01, otherwise as pretraining; elastic width by
# the sandwich rule.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=4e-5))
param_scheduler = dict(type='CosineAnnealingLR', T_max=50, by_epoch=True,
                       begin=0, end=50)
train_cfg = dict(type='rsbnet_mm.SandwichFinetuneLoop', max_epochs=50,
                 num_paths=5, val_interval=5)
val_cfg = dict(type='rsbnet_mm.SubnetValLoop', calib_samples=2048,
               num_random=2)
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
