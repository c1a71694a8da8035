"""The land-cover and detection configs end to end on real images, on CPU.

Each case loads a shipped fine-tune config and its search config, keeps
their model, loops and metric, and makes them small: a tiny search space
with Table 1's stage channels (one layer a stage, two widths), crops of
64-128 px, B = 1. It runs one SandwichFinetuneLoop iteration through an
MMEngine Runner, then an EvoSearchLoop (population 2, one generation) from
that checkpoint, and checks the losses and metrics.

Data: the ISPRS Vaihingen / Potsdam crops in ``../shared/data/isprs_samples``
(labels 0..5 in class order, no "no class" value: so reduce_zero_label is
off here, whereas mmseg's converter output needs it on, as the configs
have it) and the two DOTA images in ``../shared/data/dota_sample``, their
quadrilaterals turned into horizontal boxes in the NWPU VHR-10 layout.
"""
import json
import math
import uuid
from pathlib import Path

import mmcv
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import rsbnet_mm  # noqa: F401
from toy import TABLE1_TINY_SPACE as TINY_SPACE

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / 'shared' / 'data'
ISPRS = SHARED / 'isprs_samples'
DOTA = SHARED / 'dota_sample'


#: DOTA class -> NWPU VHR-10 class (1-based); other classes are dropped
DOTA_TO_NWPU = {'ship': 2, 'harbor': 8, 'large-vehicle': 10,
                'small-vehicle': 10}

SEG_CASES = [
    # (fine-tune config, search config, sample folder)
    ('deeplabv3plus_rsbnet-supernet-d16_sandwich-50e_vaihingen-224x224',
     'search_deeplabv3plus_vaihingen', 'pseudo_vaihingen_dataset'),
    ('deeplabv3_rsbnet-supernet-d8_sandwich-50e_potsdam-224x224',
     'search_deeplabv3_potsdam', 'pseudo_potsdam_dataset'),
]
DET_CASES = ['retinanet', 'faster-rcnn', 'mask-rcnn']


def _need(path: Path):
    if not path.is_dir():
        pytest.skip(f'real samples not found at {path} (../shared/data '
                    'relative to the repository root)')


# ---- config surgery ---------------------------------------------------------
def _walk_pipeline(pipeline, size, reduce_zero_label=None):
    """The config's pipeline at ``size`` px (crops, resizes)."""
    out = []
    for t in pipeline:
        t = dict(t)
        if t['type'] == 'RandomResize':
            t['scale'] = (2 * size, 2 * size)
        elif t['type'] == 'RandomCrop':
            t['crop_size'] = (size, size)
        elif t['type'] == 'Resize':
            t['scale'] = (size, size)
        elif t['type'] == 'LoadAnnotations' and reduce_zero_label is not None:
            t['reduce_zero_label'] = reduce_zero_label
        out.append(t)
    return out


def _small(cfg: Config, work_dir: Path, load_from=None,
           val: bool = False) -> Config:
    """Tiny supernet, quiet, one process, unique names, no test and (unless
    ``val``) no validation."""
    cfg.model.backbone.search_space = TINY_SPACE
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'{work_dir.name}-{uuid.uuid4().hex[:8]}'
    cfg.visualizer.name = cfg.experiment_name
    cfg.load_from = load_from
    cfg.log_level = 'WARNING'
    for key in ('test_dataloader', 'test_evaluator', 'test_cfg') + (
            () if val else ('val_dataloader', 'val_evaluator', 'val_cfg')):
        cfg[key] = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    return cfg


def _loader(dataset, batch_size, shuffle=False):
    return dict(batch_size=batch_size, num_workers=0,
                persistent_workers=False,
                sampler=dict(type='DefaultSampler', shuffle=shuffle),
                dataset=dataset)


def _finetune(cfg: Config):
    """One sandwich iteration (B = 1: min, max, random width); returns the
    checkpoint and the message hub."""
    cfg.train_cfg.update(max_epochs=1, num_paths=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    runner = Runner.from_cfg(cfg)
    runner.train()
    hub = runner.message_hub
    losses = {k: hub.get_scalar(k).current()
              for k in hub.log_scalars if k.startswith('train/')
              and 'loss' in k}
    assert {'train/loss'} < set(losses), losses
    assert any(k.startswith('train/min0.') for k in losses)
    assert any(k.startswith('train/max0.') for k in losses)
    assert any(k.startswith('train/rand0.') for k in losses)
    for k, v in losses.items():
        assert math.isfinite(v), f'{k} = {v}'
    ckpt = Path(cfg.work_dir) / 'epoch_1.pth'
    assert ckpt.is_file()
    return ckpt, hub


def _search(cfg: Config, search_loader, calib_loader) -> list:
    """One generation of two candidates, BN recalibrated on 2 samples."""
    # assigned, not update()d: ConfigDict.update merges nested dicts
    cfg.train_cfg.dataloader = search_loader
    cfg.train_cfg.calib_dataloader = calib_loader
    cfg.train_cfg.update(calib_samples=2, population_size=2,
                         max_generations=1, constraints=None)
    Runner.from_cfg(cfg).train()
    wd = Path(cfg.work_dir)
    records = [json.loads(line)
               for line in (wd / 'candidates.jsonl').read_text().split('\n')
               if line]
    assert len(records) == 2
    assert (wd / 'best_arch.yaml').is_file()
    return records


# ---- land cover -------------------------------------------------------------
@pytest.mark.parametrize('finetune, search, sample', SEG_CASES,
                         ids=['vaihingen-deeplabv3plus', 'potsdam-deeplabv3'])
def test_landcover_finetune_and_search_on_isprs_crops(tmp_path, finetune,
                                                      search, sample):
    _need(ISPRS / sample)
    torch.manual_seed(0)
    seg_dir = ROOT / 'configs' / 'rsbnet' / 'seg'

    def data(cfg, size, train):
        pipeline = cfg.train_pipeline if train else cfg.test_pipeline
        return dict(
            type=cfg.dataset_type,
            data_root=str(ISPRS / sample),
            data_prefix=dict(img_path='img_dir', seg_map_path='ann_dir'),
            reduce_zero_label=False,
            pipeline=_walk_pipeline(pipeline, size, reduce_zero_label=False))

    cfg = _small(Config.fromfile(seg_dir / f'{finetune}.py'),
                 tmp_path / 'finetune', val=True)
    cfg.model.data_preprocessor.size = (64, 64)
    # two random 64 px crops of the one real patch: BN needs a batch of 2
    cfg.train_dataloader = _loader(
        dict(type='RepeatDataset', times=2, dataset=data(cfg, 64, True)), 2,
        shuffle=True)
    # the config's SubnetValLoop: largest, smallest, one random subnet
    whole = data(cfg, 128, False)
    calib = _loader(dict(type='RepeatDataset', times=2, dataset=whole), 2)
    cfg.val_dataloader = _loader(whole, 1)
    cfg.val_cfg.calib_dataloader = calib
    cfg.val_cfg.update(calib_samples=2, num_random=1)
    ckpt, hub = _finetune(cfg)
    for subnet in ('max', 'min', 'rand0'):
        for key in ('aAcc', 'mF1'):
            assert 0 <= hub.get_scalar(f'val/{subnet}/{key}').current() <= 100

    cfg = _small(Config.fromfile(seg_dir / f'{search}.py'),
                 tmp_path / 'search', load_from=str(ckpt))
    cfg.model.data_preprocessor.size = (64, 64)
    # the whole patch at 128 px, the metric at 512 px; BN recalibrated on a
    # batch of 2 (the ASPP image-pool BN needs more than one value)
    records = _search(cfg, _loader(whole, 1), calib)
    classes = ('impervious_surface', 'building', 'low_vegetation', 'tree',
               'car', 'clutter')
    for r in records:
        m = r['metrics']
        print(f"{sample} {r['arch']}: OA {m['aAcc']}, mean F1 "
              f"{m['mF1']} (mmseg mFscore {m['mFscore']}), mIoU "
              f"{m['mIoU']}, " + ', '.join(
                  f"{c} {m[f'F1/{c}']}" for c in classes))
        assert r['score'] == m['mF1']
        assert 0 <= m['aAcc'] <= 100 and 0 <= m['mIoU'] <= 100
        assert 0 <= m['mF1'] <= 100 and 0 <= m['mFscore'] <= 100
        # every class is labelled in these crops: F1 is defined for all
        f1 = [m[f'F1/{c}'] for c in classes]
        assert all(0 <= v <= 100 for v in f1), f1
        assert m['mF1'] == pytest.approx(sum(f1) / len(f1), abs=0.01)


def test_isprs_split_tool_holds_out_whole_tiles(tmp_path):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'split_isprs', ROOT / 'tools' / 'split_isprs.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    img_dir = tmp_path / 'vaihingen' / 'img_dir' / 'train'
    img_dir.mkdir(parents=True)
    tiles = [f'area{i}' for i in (1, 3, 5, 7, 11, 13)] + ['2_10', '2_11']
    for t in tiles:
        for x in (0, 256):
            (img_dir / f'{t}_{x}_0_{x + 512}_512.png').write_bytes(b'')
    assert tool.main([str(tmp_path / 'vaihingen'), '--search-tiles', '3',
                      '--seed', '1']) == 0
    split = {n: (tmp_path / 'vaihingen' / 'splits' / f'{n}.txt')
             .read_text().split() for n in ('finetune', 'search')}
    tile_of = {n: {p.rsplit('_', 4)[0] for p in split[n]} for n in split}
    assert len(tile_of['search']) == 3 and len(tile_of['finetune']) == 5
    assert not tile_of['search'] & tile_of['finetune']
    assert len(split['search']) == 6 and len(split['finetune']) == 10
    assert tool.split_tiles(tool.patches_by_tile(str(img_dir)), 3, 1) == \
        split
    assert tool.main([str(tmp_path / 'vaihingen'), '--search-tiles',
                      '8']) == 2


# ---- detection --------------------------------------------------------------
@pytest.fixture(scope='module')
def dota_as_nwpu(tmp_path_factory):
    """The DOTA sample in the NWPU VHR-10 layout: quadrilaterals -> the
    horizontal boxes around them, written with the real files' quirks
    (spaces inside the parentheses, trailing spaces, no final newline)."""
    _need(DOTA)
    root = tmp_path_factory.mktemp('nwpu') / 'NWPU VHR-10 dataset'
    (root / 'positive image set').mkdir(parents=True)
    (root / 'ground truth').mkdir()
    counts = {}
    for i, name in enumerate(('P0706', 'P1888'), 1):
        img = mmcv.imread(str(DOTA / f'{name}.png'))
        mmcv.imwrite(img, str(root / 'positive image set' / f'{i:03d}.jpg'))
        lines = []
        for line in (DOTA / f'{name}.txt').read_text().splitlines()[2:]:
            fields = line.split()
            if len(fields) < 9 or fields[8] not in DOTA_TO_NWPU:
                continue
            xs = [float(v) for v in fields[0:8:2]]
            ys = [float(v) for v in fields[1:8:2]]
            cls = DOTA_TO_NWPU[fields[8]]
            counts[cls] = counts.get(cls, 0) + 1
            lines.append(f'({math.floor(min(xs)):4d},{math.floor(min(ys))}),'
                         f'({math.ceil(max(xs))},{math.ceil(max(ys))}),'
                         f'{cls} ')
        (root / 'ground truth' / f'{i:03d}.txt').write_text('\n'.join(lines))
    return root, counts


def test_dota_fixture_loads_as_nwpu(dota_as_nwpu):
    from rsbnet_mm.datasets import NWPUVHR10Dataset
    root, counts = dota_as_nwpu
    ds = NWPUVHR10Dataset(data_root=str(root), pipeline=[])
    assert len(ds) == 2
    got = ds.class_counts()
    assert got['ship'] == counts[2] == 531
    assert got['harbor'] == counts[8] == 5
    assert got['vehicle'] == counts[10] == 64


@pytest.mark.parametrize('detector', DET_CASES)
def test_detection_finetune_and_search_on_dota_images(tmp_path,
                                                      dota_as_nwpu,
                                                      detector):
    root, _ = dota_as_nwpu
    torch.manual_seed(0)
    det_dir = ROOT / 'configs' / 'rsbnet' / 'det'
    size = 128

    def data(cfg, pipeline, **kwargs):
        d = dict(cfg.train_dataloader.dataset, data_root=str(root),
                 ann_file='', pipeline=_walk_pipeline(pipeline, size))
        d.update(kwargs)
        return d

    finetune = f'{detector}_rsbnet-supernet_fpn_sandwich-50e_nwpu-vhr10.py'
    cfg = _small(Config.fromfile(det_dir / finetune), tmp_path / 'finetune')
    train_set = data(cfg, cfg.train_pipeline)
    if detector == 'mask-rcnn':
        assert train_set['box_masks'] is True
        # P0706's 531 boxes as polygons: 531 full-size bitmaps are slow
        for t in train_set['pipeline']:
            if t['type'] == 'LoadAnnotations':
                t['poly2mask'] = False
    cfg.train_dataloader = _loader(train_set, 2, shuffle=True)
    if 'rcnn' in cfg.model.train_cfg:  # 32 RoIs an image, not 512
        cfg.model.train_cfg.rcnn.sampler.num = 32
    ckpt, _ = _finetune(cfg)

    cfg = _small(Config.fromfile(det_dir / f'search_{detector}_nwpu-vhr10.py'),
                 tmp_path / 'search', load_from=str(ckpt))
    test_set = data(cfg, cfg.test_pipeline, test_mode=True, box_masks=False)
    if 'rcnn' in cfg.model.test_cfg:  # fewer full-size masks to paste
        cfg.model.test_cfg.rcnn.max_per_img = 20
    records = _search(cfg, _loader(test_set, 1), _loader(test_set, 2))
    for r in records:
        m = r['metrics']
        print(f"{detector} {r['arch']}: mAP {m['pascal_voc/mAP']}, " +
              ', '.join(f"{c} {m[f'pascal_voc/AP50/{c}']}"
                        for c in ('ship', 'harbor', 'vehicle')))
        assert r['score'] == m['pascal_voc/mAP']
        assert 0 <= m['pascal_voc/mAP'] <= 1
        for c in ('ship', 'harbor', 'vehicle'):  # classes with ground truth
            assert 0 <= m[f'pascal_voc/AP50/{c}'] <= 1
        assert math.isnan(m['pascal_voc/AP50/airplane'])  # none here


# ---- the metrics on known values --------------------------------------------
def test_landcover_metric_counts_a_class_never_predicted_as_zero():
    from rsbnet_mm.evaluation import LandCoverMetric
    metric = LandCoverMetric()
    metric.dataset_meta = dict(classes=('a', 'b', 'c'))
    gt = torch.tensor([[[0, 0], [1, 1]]])  # c is in neither
    pred = torch.zeros_like(gt)  # b is never predicted
    metric.process({}, [dict(pred_sem_seg=dict(data=pred),
                             gt_sem_seg=dict(data=gt))])
    m = metric.compute_metrics(metric.results)
    assert m['aAcc'] == 50.0
    assert m['F1/a'] == pytest.approx(66.67) and m['F1/b'] == 0.0
    assert math.isnan(m['F1/c'])
    assert m['mF1'] == pytest.approx(33.33)
    assert m['mFscore'] == pytest.approx(66.67)  # mmseg's leaves b out


def test_voc_per_class_metric_reports_each_class():
    from rsbnet_mm.evaluation import VOCPerClassMetric
    metric = VOCPerClassMetric(metric='mAP', iou_thrs=0.5, eval_mode='area')
    metric.dataset_meta = dict(classes=('a', 'b', 'c'))
    empty = dict(bboxes=torch.zeros((0, 4)), labels=torch.zeros((0, ),
                                                                  dtype=int))
    metric.process({}, [dict(
        gt_instances=dict(bboxes=torch.tensor([[0., 0, 10, 10],
                                               [20, 20, 40, 40]]),
                          labels=torch.tensor([0, 1])),
        ignored_instances=empty,
        pred_instances=dict(bboxes=torch.tensor([[0., 0, 10, 10],
                                                 [60, 60, 80, 80]]),
                            scores=torch.tensor([0.9, 0.8]),
                            labels=torch.tensor([0, 1])))])
    m = metric.compute_metrics(metric.results)
    assert m['AP50/a'] == 1.0 and m['AP50/b'] == 0.0
    assert math.isnan(m['AP50/c'])
    assert m['mAP'] == pytest.approx(0.5) and m['AP50'] == 0.5
