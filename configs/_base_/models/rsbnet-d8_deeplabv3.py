# DeepLabv3 (mmseg's ASPPHead, SPEC §4) on the RSBNet supernet, the last
# stages dilated to output stride 8, the way mmseg's mobilenet-v2-d8
# configs put MobileNetV2 under it. Backbone outputs: stage 1 (24 ch,
# stride 4), stage 4 (112 ch, auxiliary FCN head), stage 6 (320 ch, ASPP).
_base_ = [
    'mmseg::_base_/models/deeplabv3_r50-d8.py',
    './rsbnet_search_space.py',
]
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='rsbnet_mm.RSBNetSuperNet',
        search_space={{_base_.search_space}},
        out_indices=(1, 4, 6),
        output_stride=8,
        norm_cfg=dict(type='BN')),  # sliced per width: plain BN only
    decode_head=dict(in_channels=320, in_index=2),
    auxiliary_head=dict(in_channels=112, in_index=1))
