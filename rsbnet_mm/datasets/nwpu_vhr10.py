"""NWPU VHR-10 (Cheng et al., 2014) read from the dataset's own layout.

The archive unpacks to::

    NWPU VHR-10 dataset/
        positive image set/001.jpg ... 650.jpg
        negative image set/001.jpg ... 150.jpg
        ground truth/001.txt ... 650.txt

one ground-truth file per positive image, one box per line,
``(x1,y1),(x2,y2),a`` with ``a`` in 1..10. The real files have spaces
inside the parentheses (``( 72,305)``), trailing spaces, blank lines and no
final newline; the parser accepts any whitespace around the numbers and
skips blank lines, and stops at anything else with an error naming the file
and the line.
"""
import logging
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmdet.datasets import BaseDetDataset
from mmengine.fileio import get, get_text, list_dir_or_file
from mmengine.logging import print_log

from ..registry import DATASETS

#: Class names in label order (the files' class 1..10 is label 0..9).
NWPU_VHR10_CLASSES: Tuple[str, ...] = (
    'airplane', 'ship', 'storage tank', 'baseball diamond', 'tennis court',
    'basketball court', 'ground track field', 'harbor', 'bridge', 'vehicle')

_NUM = r'([-+]?\d+(?:\.\d*)?)'
_LINE = re.compile(r'^\s*\(\s*{n}\s*,\s*{n}\s*\)\s*,\s*\(\s*{n}\s*,\s*{n}\s*\)'
                   r'\s*,\s*(\d+)\s*$'.format(n=_NUM))

Box = Tuple[List[float], int]


def parse_nwpu_vhr10_gt(text: str, source: str = '<text>') -> List[Box]:
    """The boxes of one ground-truth file.

    Args:
        text: the file's content.
        source: the file's name, for error messages.

    Returns:
        ``([x1, y1, x2, y2], label)`` per box in file order, ``label`` 0-based
        (the file's class minus one).

    Raises:
        ValueError: a line that is neither blank nor ``(x1,y1),(x2,y2),a``,
            a class outside 1..10 or a box with x2 < x1 or y2 < y1; the
            message names ``source`` and the line number.
    """
    boxes = []
    for lineno, line in enumerate(text.lstrip('\ufeff').splitlines(), 1):
        if not line.strip():
            continue
        m = _LINE.match(line)
        if m is None:
            raise ValueError(
                f'{source}, line {lineno}: cannot parse {line.strip()!r}: '
                'expected "(x1,y1),(x2,y2),class"')
        x1, y1, x2, y2 = (float(v) for v in m.groups()[:4])
        cls = int(m.group(5))
        if not 1 <= cls <= len(NWPU_VHR10_CLASSES):
            raise ValueError(
                f'{source}, line {lineno}: class {cls} is not in 1..'
                f'{len(NWPU_VHR10_CLASSES)}: {line.strip()!r}')
        if x2 < x1 or y2 < y1:
            raise ValueError(
                f'{source}, line {lineno}: the second corner is not below '
                f'and right of the first: {line.strip()!r}')
        boxes.append(([x1, y1, x2, y2], cls - 1))
    return boxes


@DATASETS.register_module()
class NWPUVHR10Dataset(BaseDetDataset):
    """NWPU VHR-10 detection dataset in its own folder layout.

    Positive images are those with a ground-truth file
    (``<gt_dir>/<id>.txt`` → ``<positive_dir>/<id><img_suffix>``); negative
    images (``<negative_dir>/*``) are background: they hold no instances
    and are kept in training (set ``with_negatives=False`` to drop them).

    Without ``ann_file`` every image is used. With it (a split written by
    ``tools/split_nwpu_vhr10.py``), only the images it lists: one per line,
    a path relative to ``data_root`` such as ``positive image set/001.jpg``
    or ``negative image set/012.jpg``, or a bare id (``001``) for a
    positive image.

    Instance masks (Mask R-CNN): the dataset has none. ``mask_dir`` reads
    them where the user has them: ``<mask_dir>/<id>.png`` per positive
    image, an instance-index map whose value ``i`` (1-based) marks the
    ``i``-th box of the ground-truth file (blank lines not counted) and 0
    the background. ``box_masks=True`` instead fills each box as its mask,
    so a Mask R-CNN trains and its box branch learns as usual; its mask
    head then learns rectangles, and mask metrics mean nothing.

    Args:
        positive_dir, negative_dir, gt_dir: folders relative to
            ``data_root`` (the dataset's own names by default).
        img_suffix: suffix of the positive images.
        with_negatives: include the negative images.
        mask_dir: folder of instance-index PNGs, relative to ``data_root``.
        box_masks: fill each box as its instance mask.
        Others as :class:`mmdet.datasets.BaseDetDataset`.
    """

    METAINFO = dict(
        classes=NWPU_VHR10_CLASSES,
        palette=[(220, 20, 60), (0, 0, 230), (255, 179, 0), (0, 128, 0),
                 (119, 11, 32), (106, 0, 228), (0, 182, 199), (0, 60, 100),
                 (250, 0, 250), (255, 255, 0)])

    def __init__(self,
                 *args,
                 positive_dir: str = 'positive image set',
                 negative_dir: str = 'negative image set',
                 gt_dir: str = 'ground truth',
                 img_suffix: str = '.jpg',
                 with_negatives: bool = True,
                 mask_dir: Optional[str] = None,
                 box_masks: bool = False,
                 **kwargs) -> None:
        if mask_dir is not None and box_masks:
            raise ValueError('give mask_dir (real instance masks) or '
                             'box_masks=True (boxes as masks), not both')
        self.positive_dir = positive_dir
        self.negative_dir = negative_dir
        self.gt_dir = gt_dir
        self.img_suffix = img_suffix
        self.with_negatives = with_negatives
        self.mask_dir = mask_dir
        self.box_masks = box_masks
        if box_masks:
            print_log(
                'NWPU VHR-10: no instance masks, each box is filled as its '
                'mask (box_masks=True): a mask head learns rectangles and '
                'its masks mean nothing; boxes are unaffected',
                logger='current', level=logging.WARNING)
        super().__init__(*args, **kwargs)

    # ---- paths ---------------------------------------------------------
    def _root(self, folder: str) -> str:
        return osp.join(self.data_root or '', folder)

    def _positive_ids(self) -> List[str]:
        gt_root = self._root(self.gt_dir)
        if self.backend_args is None and not osp.isdir(gt_root):
            raise FileNotFoundError(
                f'NWPU VHR-10 ground truth folder not found: {gt_root}')
        names = list_dir_or_file(gt_root, list_dir=False, suffix='.txt',
                                 backend_args=self.backend_args)
        # some copies keep the dataset's readme.txt beside the ground truth
        return sorted(osp.splitext(n)[0] for n in names
                      if not n.lower().startswith('readme'))

    def _negative_names(self) -> List[str]:
        neg_root = self._root(self.negative_dir)
        if self.backend_args is None and not osp.isdir(neg_root):
            print_log(f'NWPU VHR-10: no negative image folder {neg_root}; '
                      'loading positive images only', logger='current',
                      level=logging.WARNING)
            return []
        exts = ('.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp')
        return sorted(
            n for n in list_dir_or_file(neg_root, list_dir=False,
                                        backend_args=self.backend_args)
            if n.lower().endswith(exts) and not n.startswith('.'))

    def _read_split(self) -> List[Tuple[bool, str]]:
        """``(is_positive, id or file name)`` per line of ``ann_file``."""
        entries = []
        text = get_text(self.ann_file, backend_args=self.backend_args)
        pos = osp.normpath(self.positive_dir)
        neg = osp.normpath(self.negative_dir)
        for lineno, line in enumerate(text.splitlines(), 1):
            entry = line.strip()
            if not entry:
                continue
            folder, name = osp.split(osp.normpath(entry))
            if folder == '':
                entries.append((True, entry))
            elif folder == pos:
                entries.append((True, osp.splitext(name)[0]))
            elif folder == neg:
                if self.with_negatives:
                    entries.append((False, name))
            else:
                raise ValueError(
                    f'{self.ann_file}, line {lineno}: {entry!r} is in '
                    f'neither {self.positive_dir!r} nor '
                    f'{self.negative_dir!r}')
        return entries

    # ---- loading ---------------------------------------------------------
    def load_data_list(self) -> List[dict]:
        if self.ann_file:
            entries = self._read_split()
        else:
            entries = [(True, i) for i in self._positive_ids()]
            if self.with_negatives:
                entries += [(False, n) for n in self._negative_names()]
        data_list = []
        for positive, key in entries:
            if positive:
                data_list.append(self._positive_info(key))
            else:
                rel = osp.join(self.negative_dir, key)
                data_list.append(dict(img_path=self._root(rel), img_id=rel,
                                      instances=[]))
        n_neg = sum(1 for d in data_list if not d['instances'])
        counts = self._count(data_list)
        print_log(
            f'NWPU VHR-10: {len(data_list) - n_neg} positive and {n_neg} '
            f'negative images, {sum(counts.values())} objects ' +
            ', '.join(f'{k}: {v}' for k, v in counts.items()),
            logger='current', level=logging.INFO)
        return data_list

    def _positive_info(self, img_id: str) -> dict:
        gt_path = self._root(osp.join(self.gt_dir, img_id + '.txt'))
        try:
            text = get_text(gt_path, backend_args=self.backend_args)
        except FileNotFoundError as e:
            raise FileNotFoundError(
                f'NWPU VHR-10: no ground truth for positive image {img_id!r}'
                f': {gt_path}') from e
        boxes = parse_nwpu_vhr10_gt(text, gt_path)
        instances = [
            dict(bbox=bbox, bbox_label=label, ignore_flag=0)
            for bbox, label in boxes
        ]
        if self.box_masks:
            for inst in instances:
                x1, y1, x2, y2 = inst['bbox']
                inst['mask'] = [[x1, y1, x2, y1, x2, y2, x1, y2]]
        elif self.mask_dir is not None:
            self._add_masks(img_id, instances)
        rel = osp.join(self.positive_dir, img_id + self.img_suffix)
        return dict(img_path=self._root(rel), img_id=rel,
                    instances=instances)

    def _add_masks(self, img_id: str, instances: List[dict]) -> None:
        """RLE masks from ``<mask_dir>/<id>.png`` (value i = i-th box)."""
        import mmcv
        from pycocotools import mask as mask_util
        path = self._root(osp.join(self.mask_dir, img_id + '.png'))
        try:
            index = mmcv.imfrombytes(
                get(path, backend_args=self.backend_args), flag='unchanged')
        except FileNotFoundError as e:
            raise FileNotFoundError(
                f'NWPU VHR-10: no instance mask for {img_id!r}: {path}') from e
        if index is None or index.ndim != 2:
            raise ValueError(f'{path}: an instance mask must be a '
                             'single-channel index image')
        if int(index.max()) > len(instances):
            raise ValueError(
                f'{path}: instance {int(index.max())} but the ground truth '
                f'has {len(instances)} boxes')
        for i, inst in enumerate(instances, 1):
            m = np.asfortranarray((index == i).astype(np.uint8))
            if not m.any():
                raise ValueError(f'{path}: box {i} of the ground truth has '
                                 'no pixels in the instance mask')
            rle = mask_util.encode(m)
            rle['counts'] = rle['counts'].decode()
            inst['mask'] = rle

    # ---- statistics --------------------------------------------------------
    def _count(self, data_list: Sequence[dict]) -> 'OrderedDict[str, int]':
        classes = self.metainfo['classes']
        counts = OrderedDict((c, 0) for c in classes)
        for info in data_list:
            for inst in info['instances']:
                counts[classes[inst['bbox_label']]] += 1
        return counts

    def class_counts(self) -> Dict[str, int]:
        """Objects per class over the loaded images, in class order."""
        return self._count(
            [self.get_data_info(i) for i in range(len(self))])
