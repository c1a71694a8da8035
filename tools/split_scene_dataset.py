"""Seeded, per-class stratified split of a folder-per-class scene dataset.

Writes ``OUT_DIR/<name>.txt`` for every split in mmpretrain's annotation
format (``class_folder/image.jpg <label>`` per line, paths relative to the
data root) and ``OUT_DIR/classes.txt`` (one class per line, label order).

Examples::

    # UC-Merced, the paper's 50% fine-tune / 30% search / 20% test
    python tools/split_scene_dataset.py data/UCMerced_LandUse/Images \\
        --classes ucmerced --out-dir data/ucm_splits
    # AID with the official 30-class label order (works on a subset too)
    python tools/split_scene_dataset.py data/AID --classes aid \\
        --ratios 0.5 0.3 0.2 --names finetune search test --seed 0 \\
        --out-dir data/aid_splits

Then e.g. ``dict(type='rsbnet_mm.AIDDataset', data_root='data/AID',
ann_file='data/aid_splits/finetune.txt')``, or for any dataset
``dict(type='rsbnet_mm.SceneFolderDataset', data_root=ROOT,
ann_file='OUT_DIR/finetune.txt')`` (classes read from ``classes.txt``).
"""
import argparse
import os
import os.path as osp
import sys

from rsbnet_mm.datasets.categories import LEAF_CLASS_DATASETS, OFFICIAL_CLASSES
from rsbnet_mm.datasets.splits import (check_ratios, resolve_class_list,
                                       scan_folder, stratified_split,
                                       write_ann_file, write_class_file)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Seeded per-class split of a folder-per-class dataset.')
    parser.add_argument('data_root', help='folder with one sub-folder per '
                        'class')
    parser.add_argument(
        '--ratios', type=float, nargs='+', default=[0.5, 0.3, 0.2],
        help='fraction of every class per split (sum <= 1; the rest is left '
        'out). Default: 0.5 0.3 0.2')
    parser.add_argument(
        '--names', nargs='+', default=['finetune', 'search', 'test'],
        help='split names, one per ratio. Default: finetune search test')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-dir', required=True)
    parser.add_argument(
        '--classes', default=None,
        help='label order: one of ' + ', '.join(OFFICIAL_CLASSES) +
        ' (official class list), or a file with one class per line. '
        'Default: sorted folder names')
    parser.add_argument(
        '--leaf-classes', action='store_true',
        help='the class is the folder directly holding each image (nested '
        'layouts; implied by --classes rsicb)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        check_ratios(args.ratios, args.names)
        leaf = args.leaf_classes or (args.classes or '').lower() in \
            LEAF_CLASS_DATASETS
        by_class = scan_folder(args.data_root, leaf_classes=leaf)
        if not any(by_class.values()):
            raise ValueError(f'no images in the class folders of '
                             f'{osp.abspath(args.data_root)}')
        classes, folder_to_class = resolve_class_list(args.classes,
                                                      list(by_class))
        class_to_idx = {c: i for i, c in enumerate(classes)}
        splits = stratified_split(
            by_class, {f: class_to_idx[c]
                       for f, c in folder_to_class.items()}, args.ratios,
            args.names, args.seed)
    except (ValueError, FileNotFoundError) as err:
        print(f'split_scene_dataset: error: {err}', file=sys.stderr)
        return 2

    os.makedirs(args.out_dir, exist_ok=True)
    for name, samples in splits.items():
        write_ann_file(osp.join(args.out_dir, f'{name}.txt'), samples)
    write_class_file(osp.join(args.out_dir, 'classes.txt'), classes)

    # report: images per class and split
    width = max(len(c) for c in classes + ['class'])
    print(f'{osp.abspath(args.data_root)}: {sum(map(len, by_class.values()))}'
          f' images, {len(by_class)} class folders, seed {args.seed}')
    print(f"{'#':>3} {'class':<{width}} " +
          ' '.join(f'{n:>{max(len(n), 6)}}' for n in args.names))
    per = {n: [0] * len(classes) for n in args.names}
    for name, samples in splits.items():
        for _, label in samples:
            per[name][label] += 1
    for i, c in enumerate(classes):
        print(f'{i:>3} {c:<{width}} ' + ' '.join(
            f'{per[n][i]:>{max(len(n), 6)}}' for n in args.names))
    print(f"    {'total':<{width}} " + ' '.join(
        f'{len(splits[n]):>{max(len(n), 6)}}' for n in args.names))
    print(f'wrote {", ".join(n + ".txt" for n in args.names)} and '
          f'classes.txt to {osp.abspath(args.out_dir)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
