"""Split ISPRS Vaihingen / Potsdam training patches by tile (SPEC §5).

mmseg's converters (``tools/dataset_converters/vaihingen.py`` /
``potsdam.py``) cut the tiles into ``img_dir/{train,val}`` patches named
``<tile>_<x1>_<y1>_<x2>_<y2>.png`` (``area1_...``, ``2_10_...``). The
paper holds out whole training tiles for the search: Vaihingen 5 of 16
(11 fine-tune), Potsdam 7 of 24 (17 fine-tune). This picks the search
tiles with a seeded shuffle and writes ``splits/finetune.txt`` and
``splits/search.txt`` under the data root: patch names without suffix,
the ``ann_file`` format of mmseg's datasets.

    python tools/split_isprs.py data/vaihingen --search-tiles 5
    python tools/split_isprs.py data/potsdam --search-tiles 7
"""
import argparse
import os
import os.path as osp
import random
import sys
from collections import OrderedDict
from typing import Dict, List


def patches_by_tile(img_dir: str,
                    suffix: str = '.png') -> 'OrderedDict[str, List[str]]':
    """Tile -> sorted patch names (no suffix) of a converter's folder."""
    if not osp.isdir(img_dir):
        raise FileNotFoundError(f'no patch folder {img_dir}')
    tiles: Dict[str, List[str]] = {}
    for f in sorted(os.listdir(img_dir)):
        if not f.endswith(suffix):
            continue
        stem = f[:-len(suffix)]
        parts = stem.rsplit('_', 4)
        if len(parts) != 5 or not all(p.isdigit() for p in parts[1:]):
            raise ValueError(f'{osp.join(img_dir, f)}: not a converter patch '
                             'name <tile>_<x1>_<y1>_<x2>_<y2>')
        tiles.setdefault(parts[0], []).append(stem)
    if not tiles:
        raise ValueError(f'no {suffix} patches in {img_dir}')
    return OrderedDict(sorted(tiles.items()))


def split_tiles(tiles: Dict[str, List[str]], search_tiles: int,
                seed: int = 0) -> Dict[str, List[str]]:
    """``finetune`` / ``search`` patch names, whole tiles to each."""
    names = sorted(tiles)
    if not 0 < search_tiles < len(names):
        raise ValueError(f'--search-tiles must be in 1..{len(names) - 1} '
                         f'({len(names)} tiles), got {search_tiles}')
    shuffled = list(names)
    random.Random(f'{seed}/isprs').shuffle(shuffled)
    search = set(shuffled[:search_tiles])
    return dict(
        finetune=[p for t in names if t not in search for p in tiles[t]],
        search=[p for t in names if t in search for p in tiles[t]])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description='Seeded by-tile fine-tune / search split of ISPRS '
        'Vaihingen or Potsdam patches.')
    parser.add_argument('data_root', help='mmseg converter output, e.g. '
                        'data/vaihingen')
    parser.add_argument('--search-tiles', type=int, required=True,
                        help='tiles held out for the search (SPEC §5: '
                        'Vaihingen 5, Potsdam 7)')
    parser.add_argument('--img-dir', default='img_dir/train')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-dir', help='default: DATA_ROOT/splits')
    args = parser.parse_args(argv)
    try:
        tiles = patches_by_tile(osp.join(args.data_root, args.img_dir))
        splits = split_tiles(tiles, args.search_tiles, args.seed)
    except (ValueError, FileNotFoundError) as err:
        print(f'split_isprs: error: {err}', file=sys.stderr)
        return 2
    out_dir = args.out_dir or osp.join(args.data_root, 'splits')
    os.makedirs(out_dir, exist_ok=True)
    for name, patches in splits.items():
        with open(osp.join(out_dir, f'{name}.txt'), 'w') as f:
            f.writelines(p + '\n' for p in patches)
        split_tiles_ = sorted({p.rsplit('_', 4)[0] for p in patches})
        print(f'{name}: {len(split_tiles_)} tiles, {len(patches)} patches '
              f'({", ".join(split_tiles_)}) -> '
              f'{osp.join(out_dir, name + ".txt")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
