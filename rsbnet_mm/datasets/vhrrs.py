"""VHRRS: the merged scene set RSBNet pretrains on, and its builder.

The paper merges AID, NWPU-RESISC45, PatternNet and RSI-CB into one
pretraining set of same-meaning classes. :func:`build_vhrrs` does this from
the source folders as released, through a class-merge table
(``rsbnet_mm/data/vhrrs_class_merge.yaml`` by default), without copying
images: it writes annotation files that point at the source images.

Split rule (per source, per class, seeded; fractions from the table): 50% of
AID and NWPU-RESISC45 plus all of PatternNet and RSI-CB go to
``pretrain.txt``; another 20% of AID / NWPU-RESISC45 (i.e. 40% of what
pretraining leaves) to ``search.txt``; the remaining 30% to ``heldout.txt``
(unused by the paper). Also written: ``classes.txt`` (merged class names, in
label order) and ``report.json`` (per-class counts, source folders missing
from the table, exact-duplicate images).

Load the result with ``VHRRSDataset(ann_file='DIR/pretrain.txt')`` or plain
``mmpretrain.datasets.CustomDataset(data_root='', ann_file='DIR/pretrain.txt',
classes='DIR/classes.txt')``.
"""
import hashlib
import json
import logging
import os
import os.path as osp
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence

import yaml
from mmengine.logging import print_log

from rsbnet_mm.registry import DATASETS
from .scene import SceneFolderDataset
from .splits import (match_class_names, scan_folder, stratified_split,
                     write_ann_file, write_class_file)

#: The class-merge table shipped with the package.
DEFAULT_MERGE_TABLE = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'data',
    'vhrrs_class_merge.yaml')

SPLITS = ('pretrain', 'search', 'heldout')


@dataclass
class MergeSource:
    """One source dataset of the merge table."""
    key: str
    name: str
    classes: 'OrderedDict[str, str]'  # source class -> merged class
    leaf_classes: bool = False
    pretrain: float = 1.0
    search: float = 0.0

    @property
    def heldout(self) -> float:
        return max(0.0, 1.0 - self.pretrain - self.search)


def load_merge_table(
        path: Optional[str] = None) -> 'OrderedDict[str, MergeSource]':
    """Read and check a class-merge table (see the shipped YAML for format).

    Raises:
        FileNotFoundError: If the file is missing.
        ValueError: If an entry is malformed, naming the file and the key.
    """
    path = osp.abspath(osp.expanduser(path or DEFAULT_MERGE_TABLE))
    if not osp.isfile(path):
        raise FileNotFoundError(f'class-merge table not found: {path}')
    with open(path, encoding='utf-8') as f:
        try:
            data = yaml.safe_load(f)
        except yaml.YAMLError as err:
            raise ValueError(f'{path}: not valid YAML: {err}') from err
    if not isinstance(data, dict) or not isinstance(data.get('sources'),
                                                    dict):
        raise ValueError(f'{path}: expected a mapping with a "sources" key')
    out: 'OrderedDict[str, MergeSource]' = OrderedDict()
    for key, spec in data['sources'].items():
        where = f'{path}: sources.{key}'
        if not isinstance(spec, dict) or not isinstance(
                spec.get('classes'), dict) or not spec['classes']:
            raise ValueError(f'{where}: needs a non-empty "classes" mapping')
        classes = OrderedDict()
        for src, merged in spec['classes'].items():
            if not isinstance(merged, str) or not merged.strip() or \
                    any(c.isspace() for c in merged):
                raise ValueError(
                    f'{where}.classes.{src}: merged name must be a non-empty'
                    f' string without spaces, got {merged!r}')
            classes[str(src)] = merged
        fracs = {}
        for name, default in (('pretrain', 1.0), ('search', 0.0)):
            value = spec.get(name, default)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(
                    f'{where}.{name}: must be a number in [0, 1], got '
                    f'{value!r}')
            fracs[name] = float(value)
        if fracs['pretrain'] + fracs['search'] > 1 + 1e-6:
            raise ValueError(f'{where}: pretrain + search exceeds 1')
        out[str(key)] = MergeSource(
            key=str(key),
            name=str(spec.get('name', key)),
            classes=classes,
            leaf_classes=bool(spec.get('leaf_classes', False)),
            **fracs)
    return out


def _file_digest(path: str, chunk: int = 1 << 20) -> str:
    h = hashlib.blake2b(digest_size=20)
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk), b''):
            h.update(block)
    return h.hexdigest()


def find_duplicate_files(paths: Sequence[str]) -> List[List[int]]:
    """Group files with identical bytes.

    Only files that share their size with another file are hashed, so a set
    of distinct JPEGs costs one ``stat`` per file.

    Returns:
        Groups (sorted lists of indices into ``paths``) of two or more files
        with the same content, ordered by their first index.
    """
    by_size: Dict[int, List[int]] = defaultdict(list)
    for i, p in enumerate(paths):
        by_size[os.stat(p).st_size].append(i)
    groups: List[List[int]] = []
    for idxs in by_size.values():
        if len(idxs) < 2:
            continue
        by_hash: Dict[str, List[int]] = defaultdict(list)
        for i in idxs:
            by_hash[_file_digest(paths[i])].append(i)
        groups.extend(sorted(g) for g in by_hash.values() if len(g) > 1)
    return sorted(groups)


def build_vhrrs(sources: Mapping[str, str],
                out_dir: str,
                seed: int = 0,
                table: Optional[str] = None,
                strict: bool = False,
                dedup: bool = True,
                drop_duplicates: bool = False,
                relative_to: Optional[str] = None) -> dict:
    """Merge scene datasets into VHRRS annotation files.

    Args:
        sources: Source key of the table (``aid``, ``nwpu``, ``patternnet``,
            ``rsicb``) -> folder of that dataset as released. Any subset.
        out_dir: Where ``pretrain.txt``, ``search.txt``, ``heldout.txt``,
            ``classes.txt`` and ``report.json`` are written.
        seed: Split seed.
        table: Class-merge table; default :data:`DEFAULT_MERGE_TABLE`.
        strict: Fail on source class folders that the table does not list
            (by default they are reported and left out).
        dedup: Look for exact-duplicate images (same bytes) across and
            within sources.
        drop_duplicates: Keep only the first copy of each duplicate group
            (sources in table order, then path), so no image is in two
            splits. Default: report only.
        relative_to: Write image paths relative to this folder (then load
            with ``data_root=relative_to``); default: absolute paths.

    Returns:
        The report also saved as ``report.json``.

    Raises:
        FileNotFoundError: If a source folder is missing.
        ValueError: On an unknown source key, or (``strict``) unmatched
            class folders.
    """
    table_path = osp.abspath(osp.expanduser(table or DEFAULT_MERGE_TABLE))
    specs = load_merge_table(table_path)
    if not sources:
        raise ValueError('no source given: pass at least one of '
                         f'{list(specs)}')
    unknown = [k for k in sources if k not in specs]
    if unknown:
        raise ValueError(f'unknown source(s) {unknown}: the table '
                         f'{table_path} defines {list(specs)}')
    roots = {}
    for key, root in sources.items():
        root = osp.abspath(osp.expanduser(str(root)))
        if not osp.isdir(root):
            raise FileNotFoundError(
                f'source {key!r} ({specs[key].name}): folder not found: '
                f'{root}')
        roots[key] = root
    order = [k for k in specs if k in roots]  # table order: deterministic

    # ---- scan and split every source -----------------------------------
    entries: List[dict] = []
    src_report: Dict[str, dict] = OrderedDict()
    for key in order:
        spec = specs[key]
        by_class = scan_folder(roots[key], leaf_classes=spec.leaf_classes)
        mapping, unmatched = match_class_names(by_class, spec.classes)
        present = {mapping[f] for f in mapping if by_class[f]}
        src_report[key] = dict(
            name=spec.name,
            root=roots[key],
            fractions=dict(
                pretrain=spec.pretrain,
                search=spec.search,
                heldout=round(spec.heldout, 6)),
            num_images=sum(len(by_class[f]) for f in mapping),
            num_classes=len(present),
            unmatched={f: len(by_class[f])
                       for f in unmatched},
            missing_classes=[c for c in spec.classes if c not in present],
            renamed={f: c
                     for f, c in mapping.items() if f != c},
        )
        folders = sorted(mapping)
        split = stratified_split({f: by_class[f]
                                  for f in folders},
                                 {f: i
                                  for i, f in enumerate(folders)},
                                 [spec.pretrain, spec.search, spec.heldout],
                                 list(SPLITS),
                                 seed=seed,
                                 salt=f'vhrrs/{key}')
        for split_name, samples in split.items():
            for rel, fi in samples:
                src_class = mapping[folders[fi]]
                entries.append(
                    dict(
                        source=key,
                        source_class=src_class,
                        merged=spec.classes[src_class],
                        path=osp.join(roots[key], *rel.split('/')),
                        split=split_name))
    unmatched_all = {
        k: sorted(r['unmatched'])
        for k, r in src_report.items() if r['unmatched']
    }
    if unmatched_all:
        msg = ('class folder(s) not in the merge table '
               f'{table_path}: ' + '; '.join(
                   f'{k} ({roots[k]}): {v}' for k, v in unmatched_all.items()))
        if strict:
            raise ValueError(msg + ' (add them to the table, or drop '
                             '--strict to leave them out)')
        print_log(msg + ' - left out', logger='current',
                  level=logging.WARNING)
    if not entries:
        raise ValueError('no images found in the class folders of '
                         f'{list(roots.values())}')

    # ---- duplicates ------------------------------------------------------
    dup_report = dict(checked=bool(dedup))
    if dedup:
        groups = find_duplicate_files([e['path'] for e in entries])
        listed, dropped = [], 0
        n_cross_src = n_cross_split = n_label = 0
        for g in groups:
            members = [entries[i] for i in g]
            cross_src = len({m['source'] for m in members}) > 1
            cross_split = len({m['split'] for m in members}) > 1
            label_conflict = len({m['merged'] for m in members}) > 1
            n_cross_src += cross_src
            n_cross_split += cross_split
            n_label += label_conflict
            if drop_duplicates:
                for i in g[1:]:
                    entries[i]['dropped'] = True
                    dropped += 1
            listed.append(
                dict(
                    cross_source=cross_src,
                    cross_split=cross_split,
                    label_conflict=label_conflict,
                    files=[
                        dict(
                            source=m['source'],
                            source_class=m['source_class'],
                            split=m['split'],
                            path=m['path']) for m in members
                    ]))
        dup_report.update(
            num_groups=len(groups),
            num_duplicate_files=sum(len(g) - 1 for g in groups),
            num_cross_source_groups=n_cross_src,
            num_cross_split_groups=n_cross_split,
            num_label_conflicts=n_label,
            dropped=dropped,
            groups=listed)
        if n_cross_split and not drop_duplicates:
            print_log(
                f'{n_cross_split} group(s) of identical images span '
                'different splits (pass --drop-duplicates to keep one copy)',
                logger='current',
                level=logging.WARNING)
    entries = [e for e in entries if not e.get('dropped')]

    # ---- labels and files -----------------------------------------------
    merged_names = sorted({
        specs[k].classes[c]
        for k in order for c in specs[k].classes
        if c not in src_report[k]['missing_classes']
    })
    class_to_idx = {c: i for i, c in enumerate(merged_names)}
    os.makedirs(out_dir, exist_ok=True)
    rel_root = (
        osp.abspath(osp.expanduser(relative_to)) if relative_to else None)

    def _out_path(p: str) -> str:
        if rel_root is None:
            return p
        return osp.relpath(p, rel_root).replace(os.sep, '/')

    counts = {s: 0 for s in SPLITS}
    for split_name in SPLITS:
        counts[split_name] = write_ann_file(
            osp.join(out_dir, f'{split_name}.txt'),
            ((_out_path(e['path']), class_to_idx[e['merged']])
             for e in entries if e['split'] == split_name))
    write_class_file(osp.join(out_dir, 'classes.txt'), merged_names)

    per_class = OrderedDict()
    for name in merged_names:
        per_class[name] = dict(
            index=class_to_idx[name],
            **{s: 0
               for s in SPLITS},
            sources=OrderedDict())
    for k in order:
        for c, m in specs[k].classes.items():
            if c not in src_report[k]['missing_classes']:
                per_class[m]['sources'].setdefault(k, []).append(c)
    for e in entries:
        per_class[e['merged']][e['split']] += 1
        src_report[e['source']].setdefault('counts', {s: 0
                                                      for s in SPLITS})
        src_report[e['source']]['counts'][e['split']] += 1

    report = OrderedDict(
        table=table_path,
        seed=seed,
        out_dir=osp.abspath(out_dir),
        paths='absolute' if rel_root is None else f'relative to {rel_root}',
        num_classes=len(merged_names),
        counts=counts,
        sources=src_report,
        unmatched=unmatched_all,
        classes=per_class,
        duplicates=dup_report)
    with open(osp.join(out_dir, 'report.json'), 'w', encoding='utf-8') as f:
        json.dump(report, f, indent=2)
    return report


def format_report(report: Mapping) -> str:
    """Render a :func:`build_vhrrs` report as a plain-text table."""
    lines = []
    lines.append(f"VHRRS: {report['num_classes']} merged classes, "
                 + ', '.join(f'{k} {v}' for k, v in report['counts'].items())
                 + f" images -> {report['out_dir']}")
    lines.append(f"table {report['table']}, seed {report['seed']}, "
                 f"paths {report['paths']}")
    lines.append('')
    lines.append(f"{'source':<11} {'images':>7} {'classes':>7} "
                 f"{'pretrain':>8} {'search':>7} {'heldout':>7}  root")
    for key, r in report['sources'].items():
        c = r.get('counts', {})
        lines.append(f"{key:<11} {r['num_images']:>7} {r['num_classes']:>7} "
                     f"{c.get('pretrain', 0):>8} {c.get('search', 0):>7} "
                     f"{c.get('heldout', 0):>7}  {r['root']}")
    lines.append('')
    width = max([5] + [len(n) for n in report['classes']])
    lines.append(f"{'#':>3} {'class':<{width}} {'pretrain':>8} {'search':>7} "
                 f"{'heldout':>7}  sources")
    for name, c in report['classes'].items():
        srcs = '; '.join(f"{k}:{','.join(v)}"
                         for k, v in c['sources'].items())
        lines.append(f"{c['index']:>3} {name:<{width}} {c['pretrain']:>8} "
                     f"{c['search']:>7} {c['heldout']:>7}  {srcs}")
    lines.append('')
    if report['unmatched']:
        for key, names in report['unmatched'].items():
            lines.append(f'UNMATCHED in {key} (left out, not in the table): '
                         + ', '.join(names))
    else:
        lines.append('unmatched source classes: none')
    for key, r in report['sources'].items():
        if r['missing_classes']:
            lines.append(f'{key}: table classes without images: '
                         + ', '.join(r['missing_classes']))
    d = report['duplicates']
    if not d.get('checked'):
        lines.append('duplicates: not checked')
    else:
        lines.append(
            f"duplicates: {d['num_groups']} group(s) of identical files "
            f"({d['num_duplicate_files']} extra copies; "
            f"{d['num_cross_source_groups']} across sources, "
            f"{d['num_cross_split_groups']} across splits, "
            f"{d['num_label_conflicts']} with conflicting labels; "
            f"{d['dropped']} dropped)")
    return '\n'.join(lines)


@DATASETS.register_module()
class VHRRSDataset(SceneFolderDataset):
    """The merged VHRRS pretraining set written by ``tools/build_vhrrs.py``.

    Args:
        ann_file: ``DIR/pretrain.txt`` or ``DIR/search.txt``.
        data_root: Empty for absolute image paths (the default of the
            builder), or the ``--relative-to`` folder.
        **kwargs: As :class:`SceneFolderDataset`; ``classes`` defaults to the
            ``classes.txt`` next to ``ann_file``.

    Example:
        >>> ds = VHRRSDataset(ann_file='data/vhrrs/pretrain.txt',
        ...                   pipeline=[...])
    """
    DATASET_NAME = 'VHRRS'
    DOWNLOAD_HINT = ''
    ANN_HINT = ('Build it with python tools/build_vhrrs.py --source '
                'aid=/path/AID --source nwpu=/path/NWPU-RESISC45 --source '
                'patternnet=/path/PatternNet/images --source '
                'rsicb=/path/RSI-CB256 --out-dir DIR.')

    def __init__(self, ann_file: str, data_root: str = '', **kwargs) -> None:
        if not ann_file:
            raise ValueError(f'VHRRSDataset needs ann_file. {self.ANN_HINT}')
        super().__init__(data_root=data_root, ann_file=ann_file, **kwargs)
