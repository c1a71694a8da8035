# A hand-designed baseline for the demo: mmpretrain's MobileNetV2 (its own
# backbone config), trained from scratch on the demo data at the demo's
# input size and optimizer. tools/demo.py --baselines sets the epochs to
# the found subnet's whole budget (pretrain + fine-tune + retrain).
_base_ = ['./pretrain_demo.py']

model = dict(
    backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0),
    head=dict(in_channels=1280))
find_unused_parameters = False
train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=24,
                 val_interval=24)
val_cfg = dict(_delete_=True)
