# Image classifier on the RSBNet supernet (SPEC §2, Table 1: 21 searchable
# layers, kernels {3, 5}, expansions 2..6 step 0.5).
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

model = dict(
    type='ImageClassifier',
    backbone=dict(type='rsbnet_mm.RSBNetSuperNet', search_space=search_space),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=84,
        in_channels=1280,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ))
