# RSBNet-large tier: <= 1G FLOPs at 224x224 (the paper's budget); see the
# note in search_ucmerced_medium.py.
_base_ = ['./search_ucmerced.py']
train_cfg = dict(constraints=dict(flops=(None, 1000e6)))
