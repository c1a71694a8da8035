# The demo's stage 3: evolutionary search on the search split with
# inherited weights under a FLOPs budget counted at 224x224 (the paper's
# convention), K = 8, G = 4.
_base_ = ['./pretrain_demo.py']

data_root = 'work_dirs/demo/data'
test_pipeline = [
    dict(type='rsbnet_mm.LoadImageFromFileChecked'),
    dict(type='Resize', scale=(64, 64)),
    dict(type='PackInputs'),
]
search_dataloader = dict(
    batch_size=64,
    num_workers=0,
    dataset=dict(
        type='rsbnet_mm.SceneFolderDataset',
        data_root='',
        classes=f'{data_root}/classes.txt',
        ann_file=f'{data_root}/search.txt',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
# BN recalibration on training images (no augmentation)
calib_dataloader = dict(
    batch_size=64,
    dataset=dict(
        type='rsbnet_mm.SceneFolderDataset',
        data_root='',
        classes=f'{data_root}/classes.txt',
        ann_file=f'{data_root}/train.txt',
        pipeline=test_pipeline))
train_cfg = dict(
    _delete_=True,
    type='rsbnet_mm.EvoSearchLoop',
    dataloader=search_dataloader,
    evaluator=dict(type='Accuracy', topk=(1, )),
    score_key='accuracy/top1',
    calib_dataloader=calib_dataloader,
    calib_samples=64,
    constraints=dict(flops=(None, 400e6)),
    constraint_input_size=(224, 224),
    strategy='evolution',
    population_size=8,
    max_generations=4,
    seed=0,
    topk=5)
param_scheduler = []
val_cfg = None
val_dataloader = None
val_evaluator = None
