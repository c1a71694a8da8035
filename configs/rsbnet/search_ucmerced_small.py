# RSBNet-small tier: <= 500M FLOPs at 224x224 (the paper's budget).
_base_ = ['./search_ucmerced.py']
train_cfg = dict(constraints=dict(flops=(None, 500e6)))
