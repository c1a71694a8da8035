# Image classifier on the RSBNet supernet (SPEC §2, Table 1: 21 searchable
# layers, kernels {3, 5}, expansions 2..6 step 0.5).
_base_ = ['./rsbnet_search_space.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='rsbnet_mm.RSBNetSuperNet',
        search_space={{_base_.search_space}}),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=84,
        in_channels=1280,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ))
