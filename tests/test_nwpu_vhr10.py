"""NWPUVHR10Dataset: the real ground truth, the layout, split files, masks,
errors, and tools/split_nwpu_vhr10.py."""
import importlib.util
import os.path as osp
import re
from collections import Counter
from pathlib import Path

import mmcv
import numpy as np
import pytest

import rsbnet_mm  # noqa: F401  registers the dataset
from rsbnet_mm.datasets import NWPU_VHR10_CLASSES, NWPUVHR10Dataset
from rsbnet_mm.registry import DATASETS

ROOT = Path(__file__).resolve().parents[1]
SHARED_GT = ROOT.parent / 'shared' / 'data' / 'nwpu_vhr10_groundtruth'
#: objects per class in NWPU VHR-10 as its authors publish them (Cheng et
#: al., 2014: 757 airplanes, 302 ships, ...)
PUBLISHED_COUNTS = (757, 302, 655, 390, 524, 159, 163, 224, 124, 598)


def _tool(name):
    spec = importlib.util.spec_from_file_location(
        name, ROOT / 'tools' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _layout(root: Path, gts: dict, negatives=(), images=False):
    """An NWPU VHR-10 folder: ground-truth texts (id -> content) and
    negative image names; images are empty files unless ``images``."""
    (root / 'ground truth').mkdir(parents=True)
    (root / 'positive image set').mkdir()
    (root / 'negative image set').mkdir()
    for img_id, text in gts.items():
        (root / 'ground truth' / f'{img_id}.txt').write_text(text)
        if images:
            (root / 'positive image set' / f'{img_id}.jpg').write_bytes(b'')
    for name in negatives:
        (root / 'negative image set' / name).write_bytes(b'')
    return root


def _load(root, **kwargs):
    return NWPUVHR10Dataset(data_root=str(root), pipeline=[], **kwargs)


# ---- must-show 1: the real ground truth ----------------------------------
@pytest.mark.skipif(
    not SHARED_GT.is_dir(),
    reason=f'real NWPU VHR-10 ground truth not found at {SHARED_GT}')
def test_real_ground_truth_loads_and_counts_match_independent_count():
    files = sorted(p for p in SHARED_GT.glob('*.txt')
                   if re.fullmatch(r'\d+', p.stem))
    assert len(files) == 650
    texts = {p.stem: p.read_text() for p in files}
    # the quirks the parser must tolerate are really there
    assert any('( ' in t for t in texts.values())
    assert any(not t.endswith('\n') for t in texts.values())
    assert any(re.search(r' +$', t, re.M) for t in texts.values())

    # no images here: the ground truth folder itself is the data root
    ds = _load(SHARED_GT, gt_dir='', with_negatives=False)
    assert len(ds) == 650

    # independent count: strip blanks and brackets, split on commas
    independent = Counter()
    for text in texts.values():
        for line in text.splitlines():
            fields = re.sub(r'[\s()]', '', line).split(',')
            if fields == ['']:
                continue
            assert len(fields) == 5, line
            independent[NWPU_VHR10_CLASSES[int(fields[4]) - 1]] += 1
    counts = ds.class_counts()
    assert list(counts) == list(NWPU_VHR10_CLASSES)
    assert counts == {c: independent[c] for c in NWPU_VHR10_CLASSES}
    assert tuple(counts.values()) == PUBLISHED_COUNTS
    assert sum(len(ds.get_data_info(i)['instances'])
               for i in range(len(ds))) == 3896

    # 002.txt line 2 is "( 72,305),(133,369),1"
    info = next(ds.get_data_info(i) for i in range(len(ds))
                if ds.get_data_info(i)['img_id'].endswith('002.jpg'))
    assert info['img_path'] == osp.join(str(SHARED_GT), 'positive image set',
                                        '002.jpg')
    assert info['instances'][1] == dict(
        bbox=[72., 305., 133., 369.], bbox_label=0, ignore_flag=0)


# ---- the layout ------------------------------------------------------------
GT_A = '(10,20),(30,40),1 \n( 5, 6),(50,60),10'  # no final newline
GT_B = '\n(1,2),(3,4),2\r\n\n(7,8),(9,10),2\n'


def test_layout_negatives_are_background(tmp_path):
    root = _layout(tmp_path / 'nwpu', {'001': GT_A, '002': GT_B},
                   negatives=('001.jpg', '002.jpg', 'notes.txt'))
    ds = DATASETS.build(dict(type='rsbnet_mm.NWPUVHR10Dataset',
                             data_root=str(root), pipeline=[]))
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [i['img_id'] for i in infos] == [
        'positive image set/001.jpg', 'positive image set/002.jpg',
        'negative image set/001.jpg', 'negative image set/002.jpg'
    ]
    assert infos[0]['instances'] == [
        dict(bbox=[10., 20., 30., 40.], bbox_label=0, ignore_flag=0),
        dict(bbox=[5., 6., 50., 60.], bbox_label=9, ignore_flag=0)
    ]
    assert [i['bbox_label'] for i in infos[1]['instances']] == [1, 1]
    assert infos[2]['instances'] == infos[3]['instances'] == []
    assert infos[2]['img_path'] == str(root / 'negative image set' /
                                       '001.jpg')
    assert ds.class_counts()['airplane'] == 1
    assert ds.class_counts()['ship'] == 2
    assert ds.metainfo['classes'] == NWPU_VHR10_CLASSES
    assert len(ds.metainfo['palette']) == 10

    assert len(_load(root, with_negatives=False)) == 2


def test_split_file_selects_images(tmp_path):
    root = _layout(tmp_path / 'nwpu', {'001': GT_A, '002': GT_B},
                   negatives=('001.jpg', ))
    (root / 'part.txt').write_text(
        'positive image set/002.jpg\n\nnegative image set/001.jpg\n001\n')
    ds = _load(root, ann_file='part.txt')
    assert [ds.get_data_info(i)['img_id'] for i in range(len(ds))] == [
        'positive image set/002.jpg', 'negative image set/001.jpg',
        'positive image set/001.jpg'
    ]
    (root / 'bad.txt').write_text('positive image set/001.jpg\nelse/3.jpg\n')
    with pytest.raises(ValueError, match=r'bad\.txt, line 2'):
        _load(root, ann_file='bad.txt')


@pytest.mark.parametrize('line, why', [
    ('(10,20),(30,x0),1', 'cannot parse'),
    ('(10,20),(30,40)', 'cannot parse'),
    ('(10,20),(30,40),11', 'class 11'),
    ('(10,20),(5,40),3', 'second corner'),
])
def test_malformed_line_names_file_and_line(tmp_path, line, why):
    root = _layout(tmp_path / 'nwpu',
                   {'001': GT_A, '003': f'(1,2),(3,4),1\n\n{line}\n'})
    with pytest.raises(ValueError) as info:
        _load(root)
    msg = str(info.value)
    assert osp.join('ground truth', '003.txt') in msg
    assert 'line 3' in msg and why in msg


def test_missing_ground_truth_names_the_image(tmp_path):
    root = _layout(tmp_path / 'nwpu', {'001': GT_A})
    (root / 'part.txt').write_text('positive image set/007.jpg\n')
    with pytest.raises(FileNotFoundError, match='007'):
        _load(root, ann_file='part.txt')


# ---- masks ------------------------------------------------------------------
def _load_annotations(info, with_mask):
    from mmdet.datasets.transforms import LoadAnnotations
    results = dict(info, img_shape=(64, 80), ori_shape=(64, 80),
                   height=64, width=80)
    return LoadAnnotations(with_bbox=True, with_mask=with_mask)(results)


def test_box_masks_fill_the_boxes(tmp_path):
    root = _layout(tmp_path / 'nwpu', {'001': GT_A})
    info = _load(root, box_masks=True).get_data_info(0)
    out = _load_annotations(info, with_mask=True)
    masks = out['gt_masks'].to_ndarray()
    assert masks.shape == (2, 64, 80)
    assert masks[0, 20:40, 10:30].all() and masks[0].sum() == 20 * 20
    assert not out['gt_ignore_flags'].any()


def test_mask_dir_reads_instance_maps(tmp_path):
    root = _layout(tmp_path / 'nwpu', {'001': GT_A, '002': GT_B})
    (root / 'masks').mkdir()
    index = np.zeros((64, 80), np.uint8)
    index[22:38, 12:28] = 1  # inside box 1
    index[10:50, 40:45] = 2  # inside box 2
    mmcv.imwrite(index, str(root / 'masks' / '001.png'))
    with pytest.raises(FileNotFoundError, match='002'):  # no 002.png
        _load(root, mask_dir='masks')

    (root / 'part.txt').write_text('001\n')
    ds = _load(root, mask_dir='masks', ann_file='part.txt')
    out = _load_annotations(ds.get_data_info(0), with_mask=True)
    masks = out['gt_masks'].to_ndarray()
    assert (masks[0] == (index == 1)).all()
    assert (masks[1] == (index == 2)).all()

    index[index == 2] = 0
    mmcv.imwrite(index, str(root / 'masks' / '001.png'))
    with pytest.raises(ValueError, match='box 2 .*no pixels'):
        _load(root, mask_dir='masks', ann_file='part.txt')
    with pytest.raises(ValueError, match='not both'):
        _load(root, mask_dir='masks', box_masks=True)


# ---- tools/split_nwpu_vhr10.py ----------------------------------------------
def test_split_tool_is_seeded_and_stratified(tmp_path):
    gts = {f'{i:03d}': f'({i},1),({i + 5},9),{i % 10 + 1}'
           for i in range(1, 21)}
    root = _layout(tmp_path / 'nwpu', gts,
                   negatives=[f'{i:03d}.jpg' for i in range(1, 11)],
                   images=True)
    tool = _tool('split_nwpu_vhr10')
    assert tool.main([str(root), '--seed', '3']) == 0
    read = {n: (root / 'splits' / f'{n}.txt').read_text().splitlines()
            for n in ('finetune', 'search', 'test')}
    for name, (n_pos, n_neg) in dict(finetune=(12, 6), search=(4, 2),
                                     test=(4, 2)).items():
        assert sum(p.startswith('positive') for p in read[name]) == n_pos
        assert sum(p.startswith('negative') for p in read[name]) == n_neg
    everything = sum(read.values(), [])
    assert len(everything) == len(set(everything)) == 30
    assert tool.split_nwpu_vhr10(str(root), seed=3) == read
    assert tool.split_nwpu_vhr10(str(root), seed=4) != read

    ds = _load(root, ann_file='splits/search.txt')
    assert len(ds) == 6
    assert sum(1 for i in range(len(ds))
               if not ds.get_data_info(i)['instances']) == 2

    (root / 'positive image set' / '099.jpg').write_bytes(b'')
    assert tool.main([str(root)]) == 2  # an image without ground truth
