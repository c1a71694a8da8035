# SPEC §3: 150 epochs, batch 128, SGD momentum 0.9, weight decay 4e-5,
# lr 0.045 with cosine decay.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.045, momentum=0.9, weight_decay=4e-5))
param_scheduler = dict(type='CosineAnnealingLR', T_max=150, by_epoch=True,
                       begin=0, end=150)
train_cfg = dict(
    type='rsbnet_mm.EnsembleSinglePathLoop', max_epochs=150, num_paths=5,
    full_width=True, val_interval=10)
# pretraining trains full width only: validate full-width paths
val_cfg = dict(type='rsbnet_mm.SubnetValLoop', calib_samples=2048,
               num_random=2, full_width=True)
test_cfg = dict()
# the paper's total batch size; --auto-scale-lr rescales for another
auto_scale_lr = dict(base_batch_size=128)
