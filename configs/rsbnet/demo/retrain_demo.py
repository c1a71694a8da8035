# The demo's stage 4: retrain the found architecture as a static
# RSBNetSubNet, starting from its exported supernet weights
# (tools/demo.py sets model.backbone.arch and load_from).
_base_ = ['./pretrain_demo.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='rsbnet_mm.RSBNetSubNet',
        arch=None,
        search_space={{_base_.search_space}}))
find_unused_parameters = False
optim_wrapper = dict(optimizer=dict(lr=0.01))
param_scheduler = dict(T_max=3, end=3)
train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=3, val_interval=3)
val_cfg = dict(_delete_=True)
