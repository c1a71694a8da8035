"""Remote-sensing scene-classification datasets (mmpretrain ``CustomDataset``).

Every dataset here reads a folder-per-class layout, either through a split
file (``ann_file``: lines ``relative/path.jpg <label>``, mmpretrain's format,
e.g. written by ``tools/split_scene_dataset.py``) or, without one, by scanning
the class folders under ``data_root`` / ``data_prefix``.

The official datasets (:class:`UCMercedDataset`, :class:`AIDDataset`,
:class:`NWPURESISC45Dataset`, :class:`PatternNetDataset`,
:class:`RSICBDataset`) fix ``METAINFO['classes']`` to the dataset's official
class list and, when scanning, map each folder **by name** to its official
index. A root that holds only some of the class folders (e.g. a 20-class
sample of AID) therefore still gets the official 30-way labels; the absent
classes are logged. A folder whose name is not an official class is an error.
Names match exactly or, failing that, ignoring case and ``_``/``-``/spaces
(``Parking Lot`` finds ``parkinglot``).

:class:`SceneFolderDataset` takes its classes from ``classes`` (a list or a
``classes.txt``), from a ``classes.txt`` next to ``ann_file``, or from the
sorted folder names.

Example config::

    train_dataloader = dict(dataset=dict(
        type='rsbnet_mm.AIDDataset', data_root='data/AID',
        ann_file='data/AID_splits/finetune.txt',
        pipeline=[dict(type='rsbnet_mm.LoadImageFromFileChecked'), ...]))
"""
import logging
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.fileio import get_file_backend
from mmengine.logging import print_log
from mmpretrain.datasets import CustomDataset

from rsbnet_mm.registry import DATASETS
from .categories import (AID_CLASSES, NWPU_RESISC45_CLASSES,
                         PATTERNNET_CLASSES, RSICB256_CLASSES,
                         UCMERCED_CLASSES)
from .splits import (IMG_EXTENSIONS, match_class_names, read_ann_file,
                     scan_folder)

_SPLIT_HINT = ('A split file for ann_file can be written with '
               'tools/split_scene_dataset.py.')


def _is_remote(path: str) -> bool:
    return '://' in path


class BaseSceneDataset(CustomDataset):
    """Shared loading logic of the scene datasets; not registered.

    Args:
        data_root: Dataset root; ``data_prefix`` and a relative ``ann_file``
            are joined to it.
        data_prefix: Image folder, relative to ``data_root``.
        ann_file: Split file (``path label`` per line); empty to scan the
            class folders.
        extensions: Image extensions accepted when scanning.
        leaf_classes: Class = folder directly holding the image (nested
            layouts such as RSI-CB256). Defaults to the class attribute
            ``LEAF_CLASSES``.
        **kwargs: Passed to ``mmpretrain.datasets.CustomDataset`` (``classes``,
            ``metainfo``, ``pipeline``, ``test_mode``, ``lazy_init``, ...).

    Raises:
        FileNotFoundError: If ``data_root`` (or the image folder) or
            ``ann_file`` does not exist; the message says how to obtain it.
    """

    #: Name used in messages.
    DATASET_NAME = 'scene dataset'
    #: How to obtain the data, shown when the folder is missing.
    DOWNLOAD_HINT = ('Pass the folder that holds one sub-folder of images '
                     'per class.')
    #: How to obtain ``ann_file``, shown when it is missing.
    ANN_HINT = _SPLIT_HINT
    LEAF_CLASSES = False

    def __init__(self,
                 data_root: str = '',
                 data_prefix: Union[str, dict] = '',
                 ann_file: str = '',
                 extensions: Sequence[str] = IMG_EXTENSIONS,
                 leaf_classes: Optional[bool] = None,
                 **kwargs) -> None:
        self.leaf_classes = (self.LEAF_CLASSES
                             if leaf_classes is None else bool(leaf_classes))
        data_root = osp.expanduser(str(data_root or ''))
        prefix = (data_prefix.get('img_path', '') if isinstance(
            data_prefix, dict) else data_prefix) or ''
        img_root = osp.join(data_root, osp.expanduser(prefix)) \
            if data_root else osp.expanduser(prefix)
        ann_path = osp.expanduser(str(ann_file or ''))
        if ann_path and data_root and not osp.isabs(ann_path):
            ann_path = osp.join(data_root, ann_path)
        self._check_paths(img_root, ann_path)
        kwargs = self._default_classes(ann_path, kwargs)
        super().__init__(
            data_root=data_root,
            data_prefix=data_prefix,
            ann_file=ann_file,
            extensions=extensions,
            **kwargs)

    def _check_paths(self, img_root: str, ann_path: str) -> None:
        name = type(self).__name__
        if not ann_path and not img_root:
            raise ValueError(
                f'{name}: give data_root (a folder with one sub-folder per '
                'class) or ann_file')
        if img_root and not _is_remote(img_root) and not osp.isdir(img_root):
            raise FileNotFoundError(
                f'{name}: {self.DATASET_NAME} folder not found: '
                f'{osp.abspath(img_root)}. {self.DOWNLOAD_HINT} '
                f'{self.ANN_HINT}')
        if ann_path and not _is_remote(ann_path) and not osp.isfile(ann_path):
            raise FileNotFoundError(
                f'{name}: annotation file not found: {osp.abspath(ann_path)}.'
                f' {self.ANN_HINT}')

    def _default_classes(self, ann_path: str, kwargs: dict) -> dict:
        """Hook for subclasses without a fixed class list."""
        return kwargs

    # ------------------------------------------------------------------ load
    def load_data_list(self) -> List[dict]:
        """Read the split file, or scan the class folders."""
        if not self.with_label:
            return super().load_data_list()
        classes = self.CLASSES
        if self.ann_file:
            samples = read_ann_file(
                self.ann_file,
                num_classes=len(classes) if classes is not None else None)
        else:
            samples = self._scan_samples()
        prefix = self.img_prefix
        if prefix:
            join = get_file_backend(prefix, enable_singleton=True).join_path
            return [{
                'img_path': join(prefix, p),
                'gt_label': label
            } for p, label in samples]
        return [{'img_path': p, 'gt_label': label} for p, label in samples]

    def _scan_samples(self) -> List[Tuple[str, int]]:
        root = self.img_prefix
        by_class = scan_folder(
            root, extensions=self.extensions, leaf_classes=self.leaf_classes)
        if self.CLASSES is None:
            self._metainfo['classes'] = tuple(by_class)
        classes = list(self.CLASSES)
        mapping, unmatched = match_class_names(by_class, classes)
        if unmatched:
            raise ValueError(
                f'{type(self).__name__}: folder(s) {unmatched} under {root} '
                f'are not {self.DATASET_NAME} classes; expected folders '
                f'named as the {len(classes)} classes {classes}')
        class_to_idx = {c: i for i, c in enumerate(classes)}
        self.folder_to_idx: Dict[str, int] = {
            f: class_to_idx[c]
            for f, c in mapping.items()
        }
        samples = [(p, self.folder_to_idx[folder])
                   for folder, paths in by_class.items() for p in paths]
        if not samples:
            raise ValueError(
                f'{type(self).__name__}: no images '
                f'({", ".join(self.extensions)}) in the class folders of '
                f'{root}')
        present = {mapping[f] for f, paths in by_class.items() if paths}
        absent = [c for c in classes if c not in present]
        if absent:
            print_log(
                f'{type(self).__name__}: {len(absent)} of {len(classes)} '
                f'classes have no images under {root} (labels keep the full '
                f'{len(classes)}-class indices): {absent}',
                logger='current',
                level=logging.WARNING)
        return samples


@DATASETS.register_module()
class SceneFolderDataset(BaseSceneDataset):
    """Any folder-per-class scene dataset; classes read from the data.

    Classes come from, in order: ``classes`` / ``metainfo`` if given; a
    ``classes.txt`` beside ``ann_file`` (as written by the split tools); the
    sorted class folder names when scanning.

    Example:
        >>> ds = SceneFolderDataset(data_root='data/aid150')
        >>> ds.CLASSES[:2]
        ('BareLand', 'BaseballField')
    """

    def _default_classes(self, ann_path: str, kwargs: dict) -> dict:
        has = kwargs.get('classes') is not None or 'classes' in (
            kwargs.get('metainfo') or {})
        if ann_path and not has and not _is_remote(ann_path):
            candidate = osp.join(osp.dirname(ann_path), 'classes.txt')
            if osp.isfile(candidate):
                print_log(
                    f'{type(self).__name__}: class names from {candidate}',
                    logger='current',
                    level=logging.DEBUG)
                kwargs = dict(kwargs, classes=candidate)
        return kwargs


@DATASETS.register_module()
class UCMercedDataset(BaseSceneDataset):
    """UC Merced Land Use (21 classes, 100 images of 256x256 each).

    ``data_root``: ``UCMerced_LandUse/Images``.
    """
    METAINFO = dict(classes=UCMERCED_CLASSES)
    DATASET_NAME = 'UC Merced Land Use'
    DOWNLOAD_HINT = (
        'Download UCMerced_LandUse.zip from '
        'http://weegee.vision.ucmerced.edu/datasets/landuse.html, unzip it '
        'and pass data_root=".../UCMerced_LandUse/Images".')


@DATASETS.register_module()
class AIDDataset(BaseSceneDataset):
    """AID aerial image dataset (30 classes, 10,000 images of 600x600).

    ``data_root``: the folder holding the class folders ``Airport``,
    ``BareLand``, ... A root with only some of them loads with the official
    30-class labels (see the module docstring).
    """
    METAINFO = dict(classes=AID_CLASSES)
    DATASET_NAME = 'AID'
    DOWNLOAD_HINT = (
        'Download AID from https://captain-whu.github.io/AID/ and pass the '
        'folder that holds its 30 class folders (Airport, BareLand, ...).')


@DATASETS.register_module()
class NWPURESISC45Dataset(BaseSceneDataset):
    """NWPU-RESISC45 (45 classes, 700 images of 256x256 each).

    ``data_root``: the ``NWPU-RESISC45`` folder holding ``airplane``,
    ``airport``, ...
    """
    METAINFO = dict(classes=NWPU_RESISC45_CLASSES)
    DATASET_NAME = 'NWPU-RESISC45'
    DOWNLOAD_HINT = (
        'Download NWPU-RESISC45 (Cheng et al., 2017; see '
        'https://gcheng-nwpu.github.io/#Datasets, also distributed as '
        'TensorFlow Datasets "resisc45"), unpack it and pass the folder that '
        'holds its 45 class folders (airplane, airport, ...).')


@DATASETS.register_module()
class PatternNetDataset(BaseSceneDataset):
    """PatternNet (38 classes, 800 images of 256x256 each).

    ``data_root``: ``PatternNet/images``.
    """
    METAINFO = dict(classes=PATTERNNET_CLASSES)
    DATASET_NAME = 'PatternNet'
    DOWNLOAD_HINT = (
        'Download PatternNet from https://sites.google.com/view/zhouwx/dataset'
        ' and pass data_root=".../PatternNet/images".')


@DATASETS.register_module()
class RSICBDataset(BaseSceneDataset):
    """RSI-CB256 (35 leaf classes, 24,000 images of 256x256).

    ``data_root``: the ``RSI-CB256`` folder. Its class folders may sit below
    parent category folders (``construction land/city_building/...``); the
    class of an image is the folder that directly holds it.
    """
    METAINFO = dict(classes=RSICB256_CLASSES)
    DATASET_NAME = 'RSI-CB256'
    LEAF_CLASSES = True
    DOWNLOAD_HINT = (
        'Download RSI-CB256 from https://github.com/lehaifeng/RSI-CB and pass '
        'the RSI-CB256 folder (class folders may be nested in category '
        'folders).')
