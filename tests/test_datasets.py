"""Tests of the scene datasets, split tool, VHRRS builder and synthetic data.

Tests that build mmpretrain datasets skip where mmpretrain (or the complete
mmcv it needs) cannot be imported; the rest need only mmengine, numpy, PIL.
"""
import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from rsbnet_mm.datasets.categories import AID_CLASSES, OFFICIAL_CLASSES
from rsbnet_mm.datasets.splits import (IMG_EXTENSIONS, read_ann_file,
                                       scan_folder, split_folder_dataset,
                                       split_sizes)
from rsbnet_mm.datasets.synthetic import (SYNTHETIC_CLASSES,
                                          make_synthetic_scenes)
from rsbnet_mm.datasets.transforms import LoadImageFromFileChecked

REPO = Path(__file__).resolve().parents[1]
AID150 = (REPO / '../shared/data/aid150').resolve()
TABLE = REPO / 'rsbnet_mm' / 'data' / 'vhrrs_class_merge.yaml'


def need_mmpretrain():
    """Skip the calling test unless mmpretrain's datasets import."""
    pytest.importorskip('mmpretrain')
    try:
        import mmpretrain.datasets  # noqa: F401
    except Exception as err:  # e.g. mmcv without its transforms
        pytest.skip(f'mmpretrain.datasets not importable: {err!r}')


def write_png(path: Path, seed: int, size: int = 8) -> Path:
    """A tiny random RGB PNG, different for every seed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (size, size, 3),
                                 dtype=np.uint8)).save(path)
    return path


def make_folder_dataset(root: Path, counts: dict, seed: int = 0) -> Path:
    for ci, (cls, n) in enumerate(sorted(counts.items())):
        for i in range(n):
            write_png(root / cls / f'{cls}_{i:03d}.png', seed * 100000 +
                      ci * 1000 + i)
    return root


# --------------------------------------------------------------- splits
def test_scan_folder_layouts(tmp_path):
    root = tmp_path / 'ds'
    write_png(root / 'b' / 'x.PNG', 0)
    write_png(root / 'b' / 'sub' / 'y.jpeg', 1)
    write_png(root / 'a' / 'z.TIF', 2)
    (root / 'a' / 'notes.txt').write_text('not an image')
    (root / 'a' / '.hidden.png').write_bytes(b'')
    (root / 'empty').mkdir()
    (root / '.git').mkdir()
    write_png(root / 'loose.png', 3)  # no class: ignored
    by_class = scan_folder(root)
    assert list(by_class) == ['a', 'b', 'empty']
    assert by_class['a'] == ['a/z.TIF']
    assert by_class['b'] == ['b/sub/y.jpeg', 'b/x.PNG']
    assert by_class['empty'] == []
    assert {'.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp'} == set(
        IMG_EXTENSIONS)

    nested = tmp_path / 'nested'
    write_png(nested / 'water area' / 'river' / 'r1.tif', 4)
    write_png(nested / 'woodland' / 'forest' / 'f1.tif', 5)
    leaf = scan_folder(nested, leaf_classes=True)
    assert leaf == {
        'forest': ['woodland/forest/f1.tif'],
        'river': ['water area/river/r1.tif']
    }
    # classes='rsicb' implies the nested layout and the official indices
    rsicb = split_folder_dataset(nested, [1.0], ['all'], classes='rsicb')
    assert rsicb == {
        'all': [('woodland/forest/f1.tif',
                 OFFICIAL_CLASSES['rsicb'].index('forest')),
                ('water area/river/r1.tif',
                 OFFICIAL_CLASSES['rsicb'].index('river'))]
    }
    write_png(nested / 'other' / 'river' / 'r2.tif', 6)
    with pytest.raises(ValueError, match='river'):
        scan_folder(nested, leaf_classes=True)
    with pytest.raises(FileNotFoundError, match='no_such_dir'):
        scan_folder(tmp_path / 'no_such_dir')


def test_split_stratified_ratios_no_overlap(tmp_path):
    counts = {'alpha': 100, 'beta': 37, 'gamma': 10, 'delta': 1}
    root = make_folder_dataset(tmp_path / 'ds', counts)
    ratios, names = [0.5, 0.3, 0.2], ['finetune', 'search', 'test']
    splits = split_folder_dataset(root, ratios, names, seed=0)
    classes = sorted(counts)
    all_paths = [p for n in names for p, _ in splits[n]]
    assert len(all_paths) == len(set(all_paths)) == sum(counts.values())
    for name in names:
        for path, label in splits[name]:
            assert path.split('/')[0] == classes[label]
            assert (root / path).is_file()
    for ci, cls in enumerate(classes):
        got = [sum(1 for _, lb in splits[n] if lb == ci) for n in names]
        assert got == split_sizes(counts[cls], ratios)
        assert sum(got) == counts[cls]
    assert [sum(1 for _, lb in splits[n] if lb == 0) for n in names
            ] == [50, 30, 20]  # alpha: 100 images split exactly
    assert split_sizes(10, ratios) == [5, 3, 2]
    # sum < 1: the rest of each class is left out
    part = split_folder_dataset(root, [0.5, 0.2], ['a', 'b'], seed=0)
    assert len(part['a']) + len(part['b']) < sum(counts.values())


def test_split_determinism_and_seed(tmp_path):
    root = make_folder_dataset(tmp_path / 'ds', {'a': 30, 'b': 30})
    args = ([0.5, 0.3, 0.2], ['f', 's', 't'])
    one = split_folder_dataset(root, *args, seed=3)
    assert one == split_folder_dataset(root, *args, seed=3)
    assert one != split_folder_dataset(root, *args, seed=4)
    # a new class folder does not reshuffle the existing classes
    make_folder_dataset(tmp_path / 'ds', {'c': 5}, seed=9)
    two = split_folder_dataset(root, *args, seed=3)
    for n in 'fst':
        assert [s for s in two[n] if s[1] < 2] == one[n]


def test_split_bad_input(tmp_path):
    root = make_folder_dataset(tmp_path / 'ds', {'a': 4})
    with pytest.raises(ValueError, match='sum'):
        split_folder_dataset(root, [0.7, 0.5], ['x', 'y'])
    with pytest.raises(ValueError, match='one name per ratio'):
        split_folder_dataset(root, [0.5, 0.5], ['x'])
    with pytest.raises(ValueError, match='unique'):
        split_folder_dataset(root, [0.5, 0.5], ['x', 'x'])
    with pytest.raises(ValueError, match='-0.1'):
        split_folder_dataset(root, [-0.1, 0.5], ['x', 'y'])
    with pytest.raises(FileNotFoundError, match='missing_root'):
        split_folder_dataset(tmp_path / 'missing_root', [1.0], ['x'])
    with pytest.raises(ValueError, match="'a'"):  # 'a' is no AID class
        split_folder_dataset(root, [1.0], ['x'], classes='aid')


def test_split_tool(tmp_path, capsys):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'split_scene_dataset', REPO / 'tools' / 'split_scene_dataset.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    root = tmp_path / 'AID'
    for i, cls in enumerate(['Farmland', 'Airport', 'Viaduct']):
        for j in range(10):
            write_png(root / cls / f'{cls.lower()}_{j}.jpg', i * 100 + j)
    out = tmp_path / 'splits'
    rc = tool.main([
        str(root), '--ratios', '0.5', '0.3', '0.2', '--names', 'finetune',
        'search', 'test', '--seed', '0', '--out-dir',
        str(out), '--classes', 'aid'
    ])
    assert rc == 0
    assert 'finetune' in capsys.readouterr().out
    assert (out / 'classes.txt').read_text().split() == list(AID_CLASSES)
    sizes = {}
    for name in ('finetune', 'search', 'test'):
        samples = read_ann_file(out / f'{name}.txt', len(AID_CLASSES))
        sizes[name] = Counter(AID_CLASSES[lb] for _, lb in samples)
        for rel, lb in samples:  # root-relative, official label index
            assert (root / rel).is_file()
            assert rel.split('/')[0] == AID_CLASSES[lb]
    assert sizes['finetune'] == {'Farmland': 5, 'Airport': 5, 'Viaduct': 5}
    assert sizes['search'] == {'Farmland': 3, 'Airport': 3, 'Viaduct': 3}
    assert sizes['test'] == {'Farmland': 2, 'Airport': 2, 'Viaduct': 2}
    # bad input: a clear message and exit status 2, no traceback
    assert tool.main([str(tmp_path / 'nope'), '--out-dir', str(out)]) == 2
    assert 'nope' in capsys.readouterr().err


# ---------------------------------------------------------- merge table
def test_merge_table_shipped():
    table = yaml.safe_load(TABLE.read_text())
    sources = table['sources']
    assert list(sources) == ['aid', 'nwpu', 'patternnet', 'rsicb']
    merged = set()
    for key, spec in sources.items():
        # every official class of every source is mapped, with its own name
        assert list(spec['classes']) == list(OFFICIAL_CLASSES[key]), key
        targets = list(spec['classes'].values())
        # rule 2: no two classes of one source share a merged class
        assert len(targets) == len(set(targets)), key
        merged |= set(targets)
    assert (sources['aid']['pretrain'], sources['aid']['search']) == (0.5,
                                                                      0.2)
    assert (sources['nwpu']['pretrain'], sources['nwpu']['search']) == (0.5,
                                                                        0.2)
    assert sources['patternnet']['pretrain'] == 1.0
    assert sources['rsicb']['pretrain'] == 1.0
    assert sources['rsicb']['leaf_classes'] is True
    assert len(merged) == 84  # the paper's 81 is not reproducible: see YAML
    # objects are not their facilities
    assert sources['nwpu']['classes']['airplane'] != sources['nwpu'][
        'classes']['airport']
    assert sources['aid']['classes']['Port'] == 'harbor'
    assert sources['rsicb']['classes']['marina'] == 'harbor'


def test_merge_table_comments_match_merges():
    """Every '# = src Class, ...' comment names exactly the merge partners."""
    table = yaml.safe_load(TABLE.read_text())
    members = defaultdict(set)
    for key, spec in table['sources'].items():
        for src, dst in spec['classes'].items():
            members[dst].add((key, src))
    current = None
    seen = set()
    for line in TABLE.read_text().splitlines():
        m = re.match(r'^  (\w+):\s*$', line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r'^\s{6}([\w]+):\s*([\w]+)\s*(#.*)?$', line)
        if not m or current is None:
            continue
        src, dst, comment = m.groups()
        others = members[dst] - {(current, src)}
        if comment and comment.startswith('# ='):
            text = re.split(r'[:(]', comment[3:], maxsplit=1)[0]
            named = {
                tuple(part.split()) for part in text.split(',')
                if part.strip()
            }
            assert named == others, (current, src)
        else:
            assert not others, f'{current}.{src} merges undocumented'
        seen.add((current, src))
    assert len(seen) == sum(len(s['classes'])
                            for s in table['sources'].values())


# ------------------------------------------------------------- vhrrs
def _fake_sources(tmp: Path) -> dict:
    aid = make_folder_dataset(tmp / 'AID', {
        'Airport': 10,
        'Farmland': 10,
        'NotAClass': 3
    }, seed=1)
    nwpu = make_folder_dataset(tmp / 'NWPU', {
        'airport': 10,
        'rectangular_farmland': 8
    }, seed=2)
    pnet = make_folder_dataset(tmp / 'PatternNet', {'airplane': 4}, seed=3)
    rsicb = tmp / 'RSI-CB256'
    for i in range(5):
        write_png(rsicb / 'cultivate land' / 'green_farmland' / f'g{i}.tif',
                  400 + i)
    for i in range(3):
        write_png(rsicb / 'transportation' / 'marina' / f'm{i}.tif', 500 + i)
    # the same image in two sources
    dup = (aid / 'Airport' / 'Airport_000.png').read_bytes()
    (nwpu / 'airport' / 'airport_dup.png').write_bytes(dup)
    return dict(aid=aid, nwpu=nwpu, patternnet=pnet, rsicb=rsicb)


def test_build_vhrrs(tmp_path, capsys):
    need_mmpretrain()
    from rsbnet_mm.datasets.vhrrs import build_vhrrs, format_report
    src = _fake_sources(tmp_path)
    out = tmp_path / 'vhrrs'
    report = build_vhrrs({k: str(v) for k, v in src.items()}, str(out), seed=0)
    classes = (out / 'classes.txt').read_text().split()
    assert classes == ['airplane', 'airport', 'farmland', 'harbor']
    assert report['num_classes'] == 4
    splits = {
        n: read_ann_file(out / f'{n}.txt', len(classes))
        for n in ('pretrain', 'search', 'heldout')
    }
    # no image in two splits; absolute paths that exist
    paths = [p for s in splits.values() for p, _ in s]
    assert len(paths) == len(set(paths))
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in paths)

    def count(split, folder):
        return sum(1 for p, _ in splits[split] if f'/{folder}/' in p)

    # 50% of AID / NWPU per class to pretrain, 20% of the total to search
    assert (count('pretrain', 'AID/Airport'), count('search', 'AID/Airport'),
            count('heldout', 'AID/Airport')) == (5, 2, 3)
    assert (count('pretrain', 'NWPU/airport'), count('search', 'NWPU/airport'),
            count('heldout', 'NWPU/airport')) == (6, 2, 3)  # 11 incl. dup
    assert (count('pretrain', 'rectangular_farmland'),
            count('search', 'rectangular_farmland')) == (4, 2)
    # all of PatternNet and RSI-CB to pretrain
    assert count('pretrain', 'PatternNet/airplane') == 4
    assert count('pretrain', 'green_farmland') == 5
    assert count('pretrain', 'marina') == 3
    assert sum(count(s, 'RSI-CB256') + count(s, 'PatternNet')
               for s in ('search', 'heldout')) == 0
    # merged labels
    label = {p: lb for s in splits.values() for p, lb in s}
    for p, lb in label.items():
        want = {
            'Airport': 'airport', 'airport': 'airport',
            'Farmland': 'farmland', 'rectangular_farmland': 'farmland',
            'green_farmland': 'farmland', 'airplane': 'airplane',
            'marina': 'harbor'
        }[Path(p).parent.name]
        assert classes[lb] == want
    # the report: unmatched folder, duplicate across sources, class counts
    assert report['unmatched'] == {'aid': ['NotAClass']}
    assert report['sources']['aid']['unmatched'] == {'NotAClass': 3}
    assert not any('NotAClass' in p for p in paths)
    dup = report['duplicates']
    assert dup['num_groups'] == 1 and dup['num_cross_source_groups'] == 1
    assert {f['source'] for f in dup['groups'][0]['files']} == {'aid', 'nwpu'}
    assert report['classes']['farmland']['sources'] == {
        'aid': ['Farmland'],
        'nwpu': ['rectangular_farmland'],
        'rsicb': ['green_farmland']
    }
    assert report['counts'] == {k: len(v) for k, v in splits.items()}
    saved = json.loads((out / 'report.json').read_text())
    assert saved['unmatched'] == report['unmatched']
    text = format_report(report)
    assert 'NotAClass' in text and 'farmland' in text

    # same seed -> same files; --drop-duplicates removes the extra copy
    out2 = tmp_path / 'vhrrs2'
    report2 = build_vhrrs({k: str(v) for k, v in src.items()}, str(out2),
                          seed=0, drop_duplicates=True)
    assert report2['duplicates']['dropped'] == 1
    assert sum(report2['counts'].values()) == sum(
        report['counts'].values()) - 1
    build_vhrrs({k: str(v) for k, v in src.items()}, str(out2), seed=0)
    for n in ('pretrain', 'search', 'heldout', 'classes'):
        assert (out / f'{n}.txt').read_text() == (out2 /
                                                  f'{n}.txt').read_text()


def test_build_vhrrs_errors_and_subset(tmp_path, capsys):
    need_mmpretrain()
    import importlib.util
    from rsbnet_mm.datasets.vhrrs import build_vhrrs
    src = _fake_sources(tmp_path)
    with pytest.raises(ValueError, match='NotAClass'):
        build_vhrrs({'aid': str(src['aid'])}, str(tmp_path / 'o'), strict=True)
    with pytest.raises(FileNotFoundError, match='no_such_nwpu'):
        build_vhrrs({'nwpu': str(tmp_path / 'no_such_nwpu')},
                    str(tmp_path / 'o'))
    with pytest.raises(ValueError, match='ucm'):
        build_vhrrs({'ucm': str(src['aid'])}, str(tmp_path / 'o'))
    # a subset of sources, paths relative to a folder, through the CLI
    spec = importlib.util.spec_from_file_location(
        'build_vhrrs_tool', REPO / 'tools' / 'build_vhrrs.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = tmp_path / 'sub'
    rc = tool.main([
        '--source', f'patternnet={src["patternnet"]}', '--source',
        f'rsicb={src["rsicb"]}', '--out-dir',
        str(out), '--relative-to',
        str(tmp_path)
    ])
    assert rc == 0
    printed = capsys.readouterr().out
    assert 'harbor' in printed and 'unmatched source classes: none' in printed
    samples = read_ann_file(out / 'pretrain.txt')
    assert len(samples) == 12
    assert all((tmp_path / p).is_file() for p, _ in samples)
    assert (out / 'search.txt').read_text() == ''
    assert tool.main(['--source', 'aid=/no/such/AID', '--out-dir',
                      str(out)]) == 2
    assert '/no/such/AID' in capsys.readouterr().err


def test_vhrrs_loads_with_mmpretrain(tmp_path):
    need_mmpretrain()
    from mmpretrain.datasets import CustomDataset

    from rsbnet_mm.datasets import VHRRSDataset
    from rsbnet_mm.datasets.vhrrs import build_vhrrs
    src = _fake_sources(tmp_path)
    out = tmp_path / 'vhrrs'
    build_vhrrs({k: str(v) for k, v in src.items()}, str(out))
    plain = CustomDataset(
        data_root='',
        ann_file=str(out / 'pretrain.txt'),
        classes=str(out / 'classes.txt'))
    ours = VHRRSDataset(
        ann_file=str(out / 'pretrain.txt'),
        pipeline=[dict(type='rsbnet_mm.LoadImageFromFileChecked')])
    assert len(plain) == len(ours) > 0
    assert ours.CLASSES == plain.CLASSES == ('airplane', 'airport',
                                             'farmland', 'harbor')
    assert ours.get_gt_labels().tolist() == plain.get_gt_labels().tolist()
    assert ours[0]['img'].shape == (8, 8, 3)
    with pytest.raises(FileNotFoundError, match='build_vhrrs'):
        VHRRSDataset(ann_file=str(tmp_path / 'missing' / 'pretrain.txt'))


# ----------------------------------------------------------- datasets
def test_scene_dataset_errors(tmp_path):
    need_mmpretrain()
    from rsbnet_mm.datasets import AIDDataset, NWPURESISC45Dataset
    missing = tmp_path / 'AID_not_here'
    with pytest.raises(FileNotFoundError) as info:
        AIDDataset(data_root=str(missing))
    assert str(missing) in str(info.value)
    assert 'captain-whu.github.io' in str(info.value)
    root = make_folder_dataset(tmp_path / 'AID', {'Farmland': 2, 'Bogus': 1})
    with pytest.raises(ValueError, match='Bogus'):
        AIDDataset(data_root=str(root))
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        AIDDataset(data_root=str(root), ann_file='nope.txt')
    ann = tmp_path / 'bad.txt'
    ann.write_text('Farmland/Farmland_000.png 45\n')
    with pytest.raises(ValueError, match=r'bad.txt:1'):
        AIDDataset(data_root=str(root), ann_file=str(ann))
    ann.write_text('Farmland/Farmland_000.png\n')
    with pytest.raises(ValueError, match='label index'):
        AIDDataset(data_root=str(root), ann_file=str(ann))
    with pytest.raises(FileNotFoundError, match='NWPU-RESISC45'):
        NWPURESISC45Dataset(data_root=str(missing))


def test_official_datasets_map_folders_by_name(tmp_path):
    need_mmpretrain()
    from rsbnet_mm.datasets import (PatternNetDataset, RSICBDataset,
                                    UCMercedDataset)
    from rsbnet_mm.registry import DATASETS
    root = make_folder_dataset(tmp_path / 'UCM', {
        'tenniscourt': 2,
        'agricultural': 1,
        'Parking Lot': 1  # matched to 'parkinglot' ignoring case/spaces
    })
    ds = UCMercedDataset(data_root=str(root))
    assert len(ds.CLASSES) == 21
    labels = {Path(d['img_path']).parent.name: d['gt_label']
              for d in ds.load_data_list()}
    assert labels == {
        'agricultural': 0,
        'Parking Lot': ds.CLASSES.index('parkinglot'),
        'tenniscourt': 20
    }
    rsicb = tmp_path / 'RSI-CB256'
    write_png(rsicb / 'woodland' / 'sapling' / 's.tif', 1)
    write_png(rsicb / 'water area' / 'stream' / 't.tif', 2)
    ds = RSICBDataset(data_root=str(rsicb))
    assert len(ds.CLASSES) == 35
    assert sorted(ds.CLASSES[d['gt_label']]
                  for d in ds.load_data_list()) == ['sapling', 'stream']
    built = DATASETS.build(
        dict(type='PatternNetDataset', data_root=str(root / '..' / 'UCM'),
             lazy_init=True))
    assert len(built.CLASSES) == 38


def test_real_aid_samples():
    if not AID150.is_dir():
        pytest.skip(f'{AID150} not found: real AID samples absent')
    need_mmpretrain()
    from rsbnet_mm.datasets import AIDDataset, SceneFolderDataset
    pipeline = [dict(type='rsbnet_mm.LoadImageFromFileChecked')]
    folder = SceneFolderDataset(data_root=str(AID150), pipeline=pipeline)
    assert len(folder.CLASSES) == 20 and len(folder) == 4000
    aid = AIDDataset(data_root=str(AID150), pipeline=pipeline)
    assert aid.CLASSES == AID_CLASSES and len(aid) == 4000
    # AID: official 30-class indices, mapped by folder name
    for info in (aid.get_data_info(i) for i in range(0, 4000, 199)):
        cls = Path(info['img_path']).parent.name
        assert AID_CLASSES[info['gt_label']] == cls
    assert set(aid.get_gt_labels().tolist()) == {
        AID_CLASSES.index(c) for c in folder.CLASSES
    }
    item = aid[0]
    assert item['img'].shape == (150, 150, 3) and item['img'].dtype == np.uint8


def test_real_aid_split_and_reload(tmp_path):
    if not AID150.is_dir():
        pytest.skip(f'{AID150} not found: real AID samples absent')
    need_mmpretrain()
    from rsbnet_mm.datasets import AIDDataset, SceneFolderDataset
    from rsbnet_mm.datasets.splits import write_ann_file, write_class_file
    splits = split_folder_dataset(AID150, [0.5, 0.3, 0.2],
                                  ['finetune', 'search', 'test'], seed=0,
                                  classes='aid')
    for name, samples in splits.items():
        write_ann_file(tmp_path / f'{name}.txt', samples)
    write_class_file(tmp_path / 'classes.txt', AID_CLASSES)
    assert [len(splits[n]) for n in ('finetune', 'search', 'test')
            ] == [2000, 1200, 800]
    ds = AIDDataset(data_root=str(AID150),
                    ann_file=str(tmp_path / 'search.txt'))
    assert len(ds) == 1200
    assert Counter(ds.get_gt_labels().tolist()) == {
        AID_CLASSES.index(c): 60
        for c in sorted(p.name for p in AID150.iterdir() if p.is_dir())
    }
    # SceneFolderDataset picks classes.txt next to the split file up
    generic = SceneFolderDataset(data_root=str(AID150),
                                 ann_file=str(tmp_path / 'test.txt'))
    assert generic.CLASSES == AID_CLASSES and len(generic) == 800


# ----------------------------------------------------------- transform
def test_load_image_checked(tmp_path):
    red = tmp_path / 'red.png'
    Image.new('RGB', (6, 4), (255, 0, 0)).save(red)
    out = LoadImageFromFileChecked()({'img_path': str(red)})
    assert out['img'].shape == (4, 6, 3) and out['ori_shape'] == (4, 6)
    assert out['img'][0, 0].tolist() == [0, 0, 255]  # BGR, as mmcv
    gray = LoadImageFromFileChecked(color_type='grayscale', to_float32=True)(
        {'img_path': str(red)})
    assert gray['img'].shape == (4, 6) and gray['img'].dtype == np.float32

    bad = tmp_path / 'corrupt.jpg'
    bad.write_bytes(b'\xff\xd8\xff\xe0 definitely not a jpeg')
    with pytest.raises(ValueError, match='cannot decode image .*corrupt.jpg'):
        LoadImageFromFileChecked()({'img_path': str(bad)})
    empty = tmp_path / 'empty.png'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match='empty.png'):
        LoadImageFromFileChecked()({'img_path': str(empty)})
    assert LoadImageFromFileChecked(ignore_empty=True)({
        'img_path': str(bad)
    }) is None
    with pytest.raises(FileNotFoundError, match='gone.png'):
        LoadImageFromFileChecked()({'img_path': str(tmp_path / 'gone.png')})
    with pytest.raises(ValueError, match='rainbow'):
        LoadImageFromFileChecked(color_type='rainbow')


# ----------------------------------------------------------- synthetic
def test_synthetic_deterministic_and_idempotent(tmp_path):
    t0 = time.perf_counter()
    a = make_synthetic_scenes(str(tmp_path / 'a'))
    assert time.perf_counter() - t0 < 5
    b = make_synthetic_scenes(str(tmp_path / 'b'))
    files = sorted(p.relative_to(a) for p in Path(a).rglob('*.png'))
    assert len(files) == 4 * 40
    assert Counter(p.parts[0] for p in files) == {
        c: 40
        for c in SYNTHETIC_CLASSES[:4]
    }
    for rel in files:
        assert (Path(a) / rel).read_bytes() == (Path(b) / rel).read_bytes()
    meta = json.loads((Path(a) / 'meta.json').read_text())
    assert meta['synthetic'] is True and meta['seed'] == 0
    assert 'SYNTHETIC' in (Path(a) / 'README.txt').read_text()
    # second call: nothing rewritten
    stamp = {p: p.stat().st_mtime_ns for p in Path(a).rglob('*.png')}
    assert make_synthetic_scenes(a) == a
    assert {p: p.stat().st_mtime_ns for p in Path(a).rglob('*.png')} == stamp
    # other parameters: regenerated, old class folders replaced
    make_synthetic_scenes(a, num_classes=6, images_per_class=3, size=32,
                          seed=1)
    assert sorted(p.name for p in Path(a).iterdir() if p.is_dir()) == sorted(
        SYNTHETIC_CLASSES)
    assert len(list(Path(a).rglob('*.png'))) == 6 * 3
    with Image.open(next(Path(a).rglob('*.png'))) as img:
        assert img.size == (32, 32)
    for bad in (dict(num_classes=1), dict(num_classes=7), dict(size=4),
                dict(images_per_class=0)):
        with pytest.raises(ValueError):
            make_synthetic_scenes(str(tmp_path / 'c'), **bad)


def test_synthetic_classes_differ(tmp_path):
    root = Path(make_synthetic_scenes(str(tmp_path / 's'), num_classes=6,
                                      images_per_class=12, size=48))
    stats = {}
    for cls in SYNTHETIC_CLASSES:
        imgs = np.stack([
            np.asarray(Image.open(p), np.float32)
            for p in sorted((root / cls).glob('*.png'))
        ])
        assert imgs.shape == (12, 48, 48, 3)
        assert imgs.std(axis=0).mean() > 5  # images of a class vary
        stats[cls] = imgs.mean(axis=(1, 2))  # mean colour per image
    means = {c: s.mean(0) for c, s in stats.items()}
    for i, c1 in enumerate(SYNTHETIC_CLASSES):
        for c2 in SYNTHETIC_CLASSES[i + 1:]:
            # class mean colours differ by more than the within-class spread
            gap = np.linalg.norm(means[c1] - means[c2])
            spread = max(stats[c].std(0).mean() for c in (c1, c2))
            assert gap > 10 and gap > spread, (c1, c2, gap, spread)
    # texture: water is smooth, urban and farmland are not
    def grad(cls):
        img = np.asarray(
            Image.open(root / cls / f'{cls}_0000.png').convert('L'),
            np.float32)
        return np.abs(np.diff(img, axis=1)).mean()

    assert grad('synthetic_water') < grad('synthetic_urban')
    assert grad('synthetic_water') < grad('synthetic_farmland')
