# Stage 2 on AID (30 classes). Data: data/AID/<class>/*.jpg, splits by
#   python tools/split_scene_dataset.py data/AID --ratios 0.5 0.3 0.2 \
#       --names finetune search test --out-dir data/AID/splits
_base_ = ['./finetune_ucmerced.py']

data_root = 'data/AID'
dataset_type = 'rsbnet_mm.AIDDataset'
num_classes = 30
model = dict(head=dict(num_classes=num_classes))
data_preprocessor = dict(num_classes=num_classes)
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix=''))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix=''))
test_dataloader = val_dataloader
