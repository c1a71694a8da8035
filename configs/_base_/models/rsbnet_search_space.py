# The search space of Table 1 (SPEC §2) alone: the base of every RSBNet
# model config (classification here in rsbnet_supernet_cls.py; mmseg /
# mmdet models list it beside their own base, which holds `model`), so one
# table serves all and a pretrained supernet loads in each.
search_space = dict(
    # per searchable stage: [out_channels, num_layers, stride, act]
    stages=[
        [24, 4, 2, 'ReLU'],
        [40, 4, 2, 'Swish'],
        [80, 4, 2, 'Swish'],
        [112, 4, 1, 'Swish'],
        [192, 4, 2, 'Swish'],
        [320, 1, 1, 'Swish'],
    ],
    kernel_choices=[3, 5],
    expand_choices=[2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0],
    stem_channels=32,
    first_channels=16,
    head_channels=1280)
