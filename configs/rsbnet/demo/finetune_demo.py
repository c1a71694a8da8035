# The demo's stage 2: sandwich-rule fine-tuning with elastic width, from
# the stage-1 supernet (tools/demo.py sets load_from).
_base_ = ['./pretrain_demo.py']

optim_wrapper = dict(optimizer=dict(lr=0.02))
param_scheduler = dict(T_max=4, end=4)
train_cfg = dict(
    _delete_=True,
    type='rsbnet_mm.SandwichFinetuneLoop',
    max_epochs=4,
    num_paths=2,
    val_interval=4)
