# DeepLabv3+ (mmseg's DepthwiseSeparableASPPHead, SPEC §4) on the RSBNet
# supernet, the last stages dilated to output stride 16 (DeepLabv3+'s
# training stride). Backbone outputs: stage 1 (24 ch, stride 4: the
# decoder's low-level features), stage 4 (112 ch, auxiliary FCN head),
# stage 6 (320 ch, ASPP).
_base_ = [
    'mmseg::_base_/models/deeplabv3plus_r50-d8.py',
    './rsbnet_search_space.py',
]
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='rsbnet_mm.RSBNetSuperNet',
        search_space={{_base_.search_space}},
        out_indices=(1, 4, 6),
        output_stride=16,
        norm_cfg=dict(type='BN')),  # sliced per width: plain BN only
    decode_head=dict(in_channels=320, in_index=2, c1_in_channels=24),
    auxiliary_head=dict(in_channels=112, in_index=1))
