"""Build the VHRRS pretraining set from AID, NWPU-RESISC45, PatternNet, RSI-CB.

No image is copied: the annotation files point at the source images.

Example::

    python tools/build_vhrrs.py \\
        --source aid=data/AID --source nwpu=data/NWPU-RESISC45 \\
        --source patternnet=data/PatternNet/images \\
        --source rsicb=data/RSI-CB256 --out-dir data/vhrrs --seed 0

Writes ``pretrain.txt`` (50% of AID / NWPU-RESISC45 per class + all of
PatternNet / RSI-CB), ``search.txt`` (another 20% of AID / NWPU-RESISC45),
``heldout.txt`` (the remaining 30%), ``classes.txt`` and ``report.json``, and
prints the report. Train on it with ``dict(type='rsbnet_mm.VHRRSDataset',
ann_file='data/vhrrs/pretrain.txt')``. See
``rsbnet_mm/data/vhrrs_class_merge.yaml`` for the class merges.
"""
import argparse
import sys

from rsbnet_mm.datasets.vhrrs import (DEFAULT_MERGE_TABLE, build_vhrrs,
                                      format_report)


def parse_source(text: str) -> tuple:
    key, sep, path = text.partition('=')
    if not sep or not key or not path:
        raise argparse.ArgumentTypeError(
            f'expected NAME=PATH (e.g. aid=/data/AID), got {text!r}')
    return key.strip(), path


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Merge scene datasets into the VHRRS pretraining set.')
    parser.add_argument(
        '--source', type=parse_source, action='append', required=True,
        metavar='NAME=PATH',
        help='a source dataset folder; NAME is a source of the table '
        '(aid, nwpu, patternnet, rsicb). Repeat for each; any subset')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--table', default=DEFAULT_MERGE_TABLE,
                        help='class-merge table (YAML)')
    parser.add_argument(
        '--strict', action='store_true',
        help='fail on source class folders that the table does not list')
    parser.add_argument('--no-dedup', action='store_true',
                        help='skip the search for identical image files')
    parser.add_argument(
        '--drop-duplicates', action='store_true',
        help='keep only the first copy of identical images')
    parser.add_argument(
        '--relative-to', default=None,
        help='write image paths relative to this folder (load with '
        'data_root=it) instead of absolute paths')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    sources = {}
    for key, path in args.source:
        if key in sources:
            print(f'build_vhrrs: error: source {key!r} given twice',
                  file=sys.stderr)
            return 2
        sources[key] = path
    try:
        report = build_vhrrs(
            sources,
            args.out_dir,
            seed=args.seed,
            table=args.table,
            strict=args.strict,
            dedup=not args.no_dedup,
            drop_duplicates=args.drop_duplicates,
            relative_to=args.relative_to)
    except (ValueError, FileNotFoundError) as err:
        print(f'build_vhrrs: error: {err}', file=sys.stderr)
        return 2
    print(format_report(report))
    return 0


if __name__ == '__main__':
    sys.exit(main())
