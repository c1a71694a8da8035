"""Folder scanning, class-name matching and seeded stratified splits.

Pure Python (no mmpretrain, no image decoding), shared by the scene datasets,
``tools/split_scene_dataset.py`` and ``tools/build_vhrrs.py``.

Annotation files use mmpretrain's ``CustomDataset`` format: one
``relative/or/absolute/path.jpg <label_index>`` per line; the label is the
last space-separated field, so paths may contain spaces.
"""
import logging
import math
import os
import os.path as osp
import random
import re
from collections import OrderedDict
from typing import (Dict, Iterable, List, Mapping, Optional, Sequence, Tuple,
                    Union)

from mmengine.logging import print_log

from .categories import LEAF_CLASS_DATASETS, OFFICIAL_CLASSES

#: Image file extensions recognised when scanning a folder (case-insensitive).
IMG_EXTENSIONS: Tuple[str, ...] = ('.jpg', '.jpeg', '.png', '.tif', '.tiff',
                                   '.bmp')

Sample = Tuple[str, int]
PathLike = Union[str, 'os.PathLike[str]']


def _is_hidden(name: str) -> bool:
    # macOS archive leftovers and dot files are never classes or images
    return name.startswith('.') or name == '__MACOSX'


def scan_folder(root: PathLike,
                extensions: Sequence[str] = IMG_EXTENSIONS,
                leaf_classes: bool = False) -> 'OrderedDict[str, List[str]]':
    """List the images of a folder-per-class dataset, grouped by class.

    Args:
        root: Folder holding one sub-folder per class.
        extensions: Accepted file extensions, matched case-insensitively.
        leaf_classes: If False (ImageNet layout), the class is the first-level
            folder and images may sit at any depth below it. If True, the
            class is the name of the folder that directly holds the image, so
            class folders may be nested below parent category folders
            (RSI-CB256 layout).

    Returns:
        Class name -> sorted image paths relative to ``root`` (POSIX
        separators), classes sorted by name. Class folders without images are
        kept with an empty list.

    Raises:
        FileNotFoundError: If ``root`` is not a directory.
        ValueError: If, with ``leaf_classes``, two different folders share a
            leaf name (their labels would be ambiguous).
    """
    root = osp.abspath(osp.expanduser(str(root)))
    if not osp.isdir(root):
        raise FileNotFoundError(f'dataset folder not found: {root}')
    exts = tuple(e.lower() for e in extensions)
    by_class: Dict[str, List[str]] = {}
    leaf_dirs: Dict[str, str] = {}
    loose = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = [d for d in dirnames if not _is_hidden(d)]
        rel_dir = osp.relpath(dirpath, root)
        parts = [] if rel_dir == '.' else rel_dir.split(os.sep)
        if not leaf_classes and len(parts) == 1:
            by_class.setdefault(parts[0], [])  # keep empty class folders
        images = [
            f for f in filenames
            if not _is_hidden(f) and f.lower().endswith(exts)
        ]
        if not images:
            continue
        if not parts:
            loose += len(images)
            continue
        if leaf_classes:
            cls = parts[-1]
            other = leaf_dirs.setdefault(cls, rel_dir)
            if other != rel_dir:
                raise ValueError(
                    f'class folder name {cls!r} appears twice under {root}: '
                    f'{other!r} and {rel_dir!r}; leaf class names must be '
                    'unique')
        else:
            cls = parts[0]
        rel_prefix = '/'.join(parts)
        by_class.setdefault(cls, []).extend(f'{rel_prefix}/{f}'
                                            for f in images)
    if loose:
        print_log(
            f'{loose} image(s) directly in {root} belong to no class folder '
            'and are ignored',
            logger='current',
            level=logging.WARNING)
    return OrderedDict((c, sorted(by_class[c])) for c in sorted(by_class))


def normalize_class_name(name: str) -> str:
    """Lower-case ``name`` and drop everything but letters and digits.

    ``'Parking Lot'``, ``'parking_lot'`` and ``'parkinglot'`` all become
    ``'parkinglot'``.
    """
    return re.sub(r'[^0-9a-z]', '', name.lower())


def match_class_names(
        found: Iterable[str],
        known: Iterable[str]) -> Tuple[Dict[str, str], List[str]]:
    """Match folder names to known class names.

    An exact match wins; otherwise a folder matches the known name with the
    same :func:`normalize_class_name` key, when exactly one known name has
    that key.

    Returns:
        ``(mapping, unmatched)``: folder name -> known name, and the sorted
        folder names that match nothing.
    """
    known = list(known)
    known_set = set(known)
    by_key: Dict[str, List[str]] = {}
    for name in known:
        by_key.setdefault(normalize_class_name(name), []).append(name)
    mapping: Dict[str, str] = {}
    unmatched: List[str] = []
    for name in found:
        if name in known_set:
            mapping[name] = name
            continue
        candidates = by_key.get(normalize_class_name(name), [])
        if len(candidates) == 1:
            mapping[name] = candidates[0]
        else:
            unmatched.append(name)
    return mapping, sorted(unmatched)


def split_sizes(n: int, ratios: Sequence[float]) -> List[int]:
    """Sizes of the parts of ``n`` items cut by ``ratios``.

    Cumulative rounding: part ``k`` ends at ``round(n * sum(ratios[:k+1]))``,
    so every part is within one item of its exact share and the parts add up
    to ``round(n * sum(ratios))``.
    """
    bounds = [0]
    acc = 0.0
    for r in ratios:
        acc += r
        bounds.append(int(math.floor(n * acc + 0.5 + 1e-9)))
    bounds[-1] = min(bounds[-1], n)
    return [max(0, b - a) for a, b in zip(bounds[:-1], bounds[1:])]


def check_ratios(ratios: Sequence[float], names: Sequence[str]) -> None:
    """Validate split ratios and names.

    Raises:
        ValueError: On a length mismatch, a negative ratio, ratios summing to
            more than 1, or duplicate / unusable names.
    """
    if len(ratios) == 0 or len(ratios) != len(names):
        raise ValueError(f'need one name per ratio, got ratios={list(ratios)}'
                         f' and names={list(names)}')
    for r in ratios:
        if not (isinstance(r, (int, float)) and 0 <= r <= 1):
            raise ValueError(f'split ratio must lie in [0, 1], got {r!r}')
    if sum(ratios) > 1 + 1e-6:
        raise ValueError(
            f'split ratios must sum to at most 1, got {list(ratios)} '
            f'(sum {sum(ratios):g})')
    if len(set(names)) != len(names):
        raise ValueError(f'split names must be unique, got {list(names)}')
    for name in names:
        if (not name or '/' in name or '\\' in name or name.startswith('.')
                or name == 'classes'):
            raise ValueError(f'unusable split name {name!r}')


def stratified_split(samples_by_class: Mapping[str, Sequence[str]],
                     class_to_idx: Mapping[str, int],
                     ratios: Sequence[float],
                     names: Sequence[str],
                     seed: int = 0,
                     salt: str = '') -> Dict[str, List[Sample]]:
    """Split every class by ``ratios`` with a seeded shuffle.

    Each class is shuffled with its own generator seeded by
    ``(seed, salt, class name)``, so the split of one class does not change
    when other classes are added or removed, nor with the platform. If the
    ratios sum to less than 1 the rest of each class is left out.

    Args:
        samples_by_class: Class name -> paths (e.g. from :func:`scan_folder`).
        class_to_idx: Class name -> label written with each path.
        ratios: Fraction of each class that goes to each split.
        names: One split name per ratio.
        seed: Random seed.
        salt: Extra text mixed into the seed (e.g. a source name).

    Returns:
        Split name -> list of ``(path, label)``, ordered by class then path.
    """
    check_ratios(ratios, names)
    out: Dict[str, List[Sample]] = {name: [] for name in names}
    for cls in sorted(samples_by_class):
        if cls not in class_to_idx:
            raise ValueError(f'class {cls!r} has no label index')
        label = class_to_idx[cls]
        paths = sorted(samples_by_class[cls])
        random.Random(f'{seed}/{salt}/{cls}').shuffle(paths)
        start = 0
        for name, size in zip(names, split_sizes(len(paths), ratios)):
            part = sorted(paths[start:start + size])
            out[name].extend((p, label) for p in part)
            start += size
    return out


def resolve_class_list(classes: Union[None, str, Sequence[str]],
                       found: Sequence[str]) -> Tuple[List[str], Dict[str,
                                                                       str]]:
    """Decide the class list of a folder dataset and map folders onto it.

    Args:
        classes: None (the sorted folder names), a key of
            :data:`~rsbnet_mm.datasets.categories.OFFICIAL_CLASSES` such as
            ``'aid'``, a path to a text file with one class per line, or a
            sequence of names.
        found: Class folder names present on disk.

    Returns:
        ``(class_list, folder_to_class)``.

    Raises:
        FileNotFoundError: If ``classes`` looks like a file path that does not
            exist.
        ValueError: If a folder matches no class of the list.
    """
    if classes is None:
        class_list = sorted(found)
    elif isinstance(classes, str) and classes.lower() in OFFICIAL_CLASSES:
        class_list = list(OFFICIAL_CLASSES[classes.lower()])
    elif isinstance(classes, str):
        class_list = read_class_file(classes)
    else:
        class_list = [str(c) for c in classes]
    if len(set(class_list)) != len(class_list):
        raise ValueError(f'duplicate class names in {classes!r}')
    mapping, unmatched = match_class_names(found, class_list)
    if unmatched:
        raise ValueError(
            f'class folder(s) {unmatched} are not in the class list '
            f'{classes!r} ({len(class_list)} classes: {class_list})')
    return class_list, mapping


def read_class_file(path: PathLike) -> List[str]:
    """Read a ``classes.txt`` (one name per line, blank lines skipped)."""
    path = osp.expanduser(str(path))
    if not osp.isfile(path):
        raise FileNotFoundError(f'class list file not found: {path}')
    with open(path, encoding='utf-8') as f:
        names = [line.strip() for line in f if line.strip()]
    if not names:
        raise ValueError(f'class list file {path} is empty')
    return names


def read_ann_file(path: PathLike,
                  num_classes: Optional[int] = None) -> List[Sample]:
    """Read an mmpretrain annotation file (``path label`` per line).

    Raises:
        FileNotFoundError: If the file is missing.
        ValueError: On a malformed line or a label outside
            ``[0, num_classes)``, naming the file and line.
    """
    path = osp.expanduser(str(path))
    if not osp.isfile(path):
        raise FileNotFoundError(f'annotation file not found: {path}')
    samples: List[Sample] = []
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            parts = line.rsplit(' ', 1)
            if len(parts) != 2 or not re.fullmatch(r'-?\d+', parts[1]):
                raise ValueError(
                    f'{path}:{lineno}: expected "<image path> <label index>",'
                    f' got {line!r}')
            label = int(parts[1])
            if label < 0 or (num_classes is not None
                             and label >= num_classes):
                raise ValueError(
                    f'{path}:{lineno}: label {label} outside [0, '
                    f'{num_classes}) for {parts[0]!r}')
            samples.append((parts[0].strip(), label))
    return samples


def write_ann_file(path: PathLike, samples: Iterable[Sample]) -> int:
    """Write ``(path, label)`` pairs in mmpretrain's format; return count."""
    n = 0
    with open(str(path), 'w', encoding='utf-8') as f:
        for rel, label in samples:
            if '\n' in rel:
                raise ValueError(f'image path with a newline: {rel!r}')
            f.write(f'{rel} {int(label)}\n')
            n += 1
    return n


def write_class_file(path: PathLike, classes: Iterable[str]) -> None:
    """Write one class name per line."""
    with open(str(path), 'w', encoding='utf-8') as f:
        for name in classes:
            f.write(f'{name}\n')


def split_folder_dataset(
        root: PathLike,
        ratios: Sequence[float],
        names: Sequence[str],
        seed: int = 0,
        classes: Union[None, str, Sequence[str]] = None,
        leaf_classes: Optional[bool] = None) -> Dict[str, List[Sample]]:
    """Seeded per-class split of a folder-per-class dataset.

    Example:
        >>> splits = split_folder_dataset('data/UCMerced_LandUse/Images',
        ...                               [0.5, 0.3, 0.2],
        ...                               ['finetune', 'search', 'test'])
        >>> path, label = splits['finetune'][0]  # relative to the root

    Args:
        root: Folder holding one sub-folder per class.
        ratios: Fraction of every class per split (sum <= 1).
        names: Split names, one per ratio.
        seed: Random seed; the same seed gives the same split.
        classes: The label order; see :func:`resolve_class_list`. Default:
            sorted folder names.
        leaf_classes: Class = folder directly holding the image (nested
            layouts such as RSI-CB256); see :func:`scan_folder`. Default:
            True only for ``classes='rsicb'``.

    Returns:
        Split name -> list of ``(path relative to root, label index)``.
    """
    if leaf_classes is None:
        leaf_classes = isinstance(classes, str) and (classes.lower()
                                                     in LEAF_CLASS_DATASETS)
    by_class = scan_folder(root, leaf_classes=leaf_classes)
    if not any(by_class.values()):
        raise ValueError(
            f'no images ({", ".join(IMG_EXTENSIONS)}) found in class folders '
            f'of {osp.abspath(str(root))}')
    class_list, folder_to_class = resolve_class_list(classes, list(by_class))
    class_to_idx = {c: i for i, c in enumerate(class_list)}
    folder_to_idx = {f: class_to_idx[c] for f, c in folder_to_class.items()}
    return stratified_split(by_class, folder_to_idx, ratios, names, seed)
