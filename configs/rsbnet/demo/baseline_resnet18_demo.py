# A hand-designed baseline for the demo: mmpretrain's ResNet-18, trained
# from scratch like baseline_mobilenetv2_demo.py.
_base_ = ['./baseline_mobilenetv2_demo.py']

model = dict(
    backbone=dict(_delete_=True, type='ResNet', depth=18, num_stages=4,
                  out_indices=(3, ), style='pytorch'),
    head=dict(in_channels=512))
