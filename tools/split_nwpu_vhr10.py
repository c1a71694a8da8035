"""Seeded split of NWPU VHR-10 into fine-tune / search / test (SPEC §5).

Positive and negative images are split alike (60 / 20 / 20 % of each by
default), each with its own seeded shuffle, so every split holds
background images in the dataset's proportion. Writes
``OUT_DIR/<name>.txt``: one image path per line relative to the data root
(``positive image set/001.jpg``), the ``ann_file`` format of
``rsbnet_mm.NWPUVHR10Dataset``.

    python tools/split_nwpu_vhr10.py "data/NWPU VHR-10 dataset" \\
        [--ratios 0.6 0.2 0.2] [--names finetune search test] [--seed 0] \\
        [--out-dir "data/NWPU VHR-10 dataset/splits"]
"""
import argparse
import os
import os.path as osp
import sys
from typing import Dict, List, Sequence

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))
from rsbnet_mm.datasets.splits import (IMG_EXTENSIONS, check_ratios,  # noqa
                                       stratified_split)

POSITIVE_DIR = 'positive image set'
NEGATIVE_DIR = 'negative image set'
GT_DIR = 'ground truth'


def _images(folder: str) -> List[str]:
    return sorted(
        f for f in os.listdir(folder)
        if f.lower().endswith(IMG_EXTENSIONS) and not f.startswith('.'))


def split_nwpu_vhr10(data_root: str,
                     ratios: Sequence[float] = (0.6, 0.2, 0.2),
                     names: Sequence[str] = ('finetune', 'search', 'test'),
                     seed: int = 0) -> Dict[str, List[str]]:
    """Split name -> image paths relative to ``data_root``.

    Raises:
        FileNotFoundError: no positive image folder.
        ValueError: bad ratios / names, or a positive image without its
            ground-truth file.
    """
    check_ratios(ratios, names)
    pos_dir = osp.join(data_root, POSITIVE_DIR)
    if not osp.isdir(pos_dir):
        raise FileNotFoundError(f'no {POSITIVE_DIR!r} folder in {data_root}')
    positives = _images(pos_dir)
    missing = [
        p for p in positives if not osp.isfile(
            osp.join(data_root, GT_DIR,
                     osp.splitext(p)[0] + '.txt'))
    ]
    if missing:
        raise ValueError(
            f'{len(missing)} positive images have no ground truth in '
            f'{osp.join(data_root, GT_DIR)}: {missing[:5]}')
    neg_dir = osp.join(data_root, NEGATIVE_DIR)
    negatives = _images(neg_dir) if osp.isdir(neg_dir) else []
    groups = {
        'positive': [f'{POSITIVE_DIR}/{p}' for p in positives],
        'negative': [f'{NEGATIVE_DIR}/{n}' for n in negatives],
    }
    parts = stratified_split(groups, {'positive': 0, 'negative': 1},
                             ratios, names, seed, salt='nwpu_vhr10')
    return {name: [p for p, _ in samples] for name, samples in parts.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description='Seeded fine-tune / search / test split of NWPU VHR-10.')
    parser.add_argument('data_root', help='the folder holding "positive '
                        'image set", "negative image set", "ground truth"')
    parser.add_argument('--ratios', type=float, nargs='+',
                        default=[0.6, 0.2, 0.2])
    parser.add_argument('--names', nargs='+',
                        default=['finetune', 'search', 'test'])
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-dir', help='default: DATA_ROOT/splits')
    args = parser.parse_args(argv)
    try:
        splits = split_nwpu_vhr10(args.data_root, args.ratios, args.names,
                                  args.seed)
    except (ValueError, FileNotFoundError) as err:
        print(f'split_nwpu_vhr10: error: {err}', file=sys.stderr)
        return 2
    out_dir = args.out_dir or osp.join(args.data_root, 'splits')
    os.makedirs(out_dir, exist_ok=True)
    for name, paths in splits.items():
        with open(osp.join(out_dir, f'{name}.txt'), 'w') as f:
            f.writelines(p + '\n' for p in paths)
        n_neg = sum(p.startswith(NEGATIVE_DIR) for p in paths)
        print(f'{name}: {len(paths)} images ({len(paths) - n_neg} positive, '
              f'{n_neg} negative) -> {osp.join(out_dir, name + ".txt")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
