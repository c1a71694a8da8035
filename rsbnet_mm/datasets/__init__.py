"""Scene data: datasets, splits, the VHRRS merge, synthetic scenes.

Importing this package registers ``rsbnet_mm.LoadImageFromFileChecked`` and,
when mmpretrain is importable, the datasets ``rsbnet_mm.UCMercedDataset``,
``AIDDataset``, ``NWPURESISC45Dataset``, ``PatternNetDataset``,
``RSICBDataset``, ``SceneFolderDataset`` and ``VHRRSDataset``; when mmdet
is importable, ``rsbnet_mm.NWPUVHR10Dataset``. The split
helpers and the synthetic generator need neither mmpretrain nor mmcv.
"""
import logging

from mmengine.logging import print_log

from .categories import (AID_CLASSES, NWPU_RESISC45_CLASSES,
                         OFFICIAL_CLASSES, PATTERNNET_CLASSES,
                         RSICB256_CLASSES, UCMERCED_CLASSES)
from .splits import (IMG_EXTENSIONS, match_class_names, read_ann_file,
                     read_class_file, scan_folder, split_folder_dataset,
                     stratified_split, write_ann_file, write_class_file)
from .synthetic import (SYNTHETIC_CLASSES, make_synthetic_scenes,
                        render_synthetic_scene)
from .transforms import LoadImageFromFileChecked

__all__ = [
    'AID_CLASSES', 'NWPU_RESISC45_CLASSES', 'OFFICIAL_CLASSES',
    'PATTERNNET_CLASSES', 'RSICB256_CLASSES', 'UCMERCED_CLASSES',
    'IMG_EXTENSIONS', 'scan_folder', 'match_class_names',
    'split_folder_dataset', 'stratified_split', 'read_ann_file',
    'read_class_file', 'write_ann_file', 'write_class_file',
    'SYNTHETIC_CLASSES', 'make_synthetic_scenes', 'render_synthetic_scene',
    'LoadImageFromFileChecked'
]

_MMPRETRAIN_NAMES = ('BaseSceneDataset', 'SceneFolderDataset',
                     'UCMercedDataset', 'AIDDataset', 'NWPURESISC45Dataset',
                     'PatternNetDataset', 'RSICBDataset', 'VHRRSDataset',
                     'build_vhrrs', 'load_merge_table', 'format_report',
                     'find_duplicate_files', 'DEFAULT_MERGE_TABLE')

try:
    # mmpretrain.datasets also needs a complete mmcv (mmcv.transforms); while
    # either is missing the dataset classes are not registered, but the rest
    # of rsbnet_mm stays importable.
    import mmpretrain.datasets  # noqa: F401
except Exception as err:  # noqa: BLE001 - any failure of a third party import
    _MMPRETRAIN_ERROR: 'Exception | None' = err
    print_log(
        'rsbnet_mm.datasets: mmpretrain is not importable '
        f'({type(err).__name__}: {err}); the scene datasets and the VHRRS '
        'builder are unavailable',
        logger='current',
        level=logging.WARNING)
else:
    _MMPRETRAIN_ERROR = None
    from .scene import (AIDDataset, BaseSceneDataset, NWPURESISC45Dataset,
                        PatternNetDataset, RSICBDataset, SceneFolderDataset,
                        UCMercedDataset)
    from .vhrrs import (DEFAULT_MERGE_TABLE, VHRRSDataset, build_vhrrs,
                        find_duplicate_files, format_report, load_merge_table)
    __all__ += list(_MMPRETRAIN_NAMES)

try:  # NWPU VHR-10 detection data needs mmdet
    import mmdet.datasets  # noqa: F401
except Exception as err:  # noqa: BLE001 - any failure of a third party import
    print_log(f'rsbnet_mm.datasets: mmdet is not importable ({err!r}); '
              'rsbnet_mm.NWPUVHR10Dataset is unavailable',
              logger='current', level=logging.WARNING)
else:
    from .nwpu_vhr10 import NWPU_VHR10_CLASSES, NWPUVHR10Dataset  # noqa
    __all__ += ['NWPU_VHR10_CLASSES', 'NWPUVHR10Dataset']


def __getattr__(name: str):
    if name in _MMPRETRAIN_NAMES and _MMPRETRAIN_ERROR is not None:
        raise ImportError(
            f'rsbnet_mm.datasets.{name} needs mmpretrain (and a complete '
            f'mmcv), which failed to import: {_MMPRETRAIN_ERROR!r}. Install '
            'them with tools/install.sh') from _MMPRETRAIN_ERROR
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
