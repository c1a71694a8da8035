# RetinaNet with FPN (mmdet's own model config, SPEC §4) on the RSBNet
# supernet. Backbone stages 1, 2, 4, 6 (24, 40, 112, 320 channels) have
# strides 4, 8, 16, 32, those of ResNet's four stages, so the upstream
# FPN, anchors and RoI layers are unchanged.
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    './rsbnet_search_space.py',
]
model = dict(
    backbone=dict(
        _delete_=True,
        type='rsbnet_mm.RSBNetSuperNet',
        search_space={{_base_.search_space}},
        out_indices=(1, 2, 4, 6),
        norm_cfg=dict(type='BN')),  # sliced per width: plain BN only
    neck=dict(in_channels=[24, 40, 112, 320]))
