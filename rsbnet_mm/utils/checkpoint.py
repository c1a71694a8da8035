"""Safe checkpoint loading, and MMEngine checkpoints that load safely.

Two halves:

* :func:`load_checkpoint_safe` reads a file with ``torch.load(...,
  weights_only=True)`` and turns torch's long unpickling errors into one line
  that names the file. Importing ``rsbnet_mm`` registers it as MMEngine's
  loader for local paths (and a weights-only loader for URLs), so
  ``load_from``, ``resume`` and ``init_cfg=dict(type='Pretrained')`` all
  load safely.
* MMEngine (0.10.7) puts ``HistoryBuffer`` objects and numpy values into the
  ``message_hub`` of every checkpoint, which ``weights_only=True`` refuses
  (torch >= 2.6 made it the default, and breaks ``--resume``).
  :class:`~rsbnet_mm.engine.SafeCheckpointHook` stores them as plain
  containers instead (:func:`to_plain`) and rebuilds them on load
  (:func:`from_plain`), so resume works with safe loading left on.
"""
import os.path as osp
import pickle
import zipfile
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

_TAG = '__rsbnet_mm_type__'


def load_checkpoint_safe(filename: str, map_location: Any = 'cpu') -> Any:
    """``torch.load(filename, weights_only=True)`` with clear errors.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file holds pickled objects other than tensors and
            plain containers (refused: unpickling them could run code), or
            is not a readable PyTorch file.
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file not found: {filename}')
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise _unpickling_error(filename, e) from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError) as e:
        raise ValueError(f'cannot read checkpoint {filename}: not a PyTorch '
                         f'file, or truncated ({e})') from None


def _unpickling_error(filename: str, e: Exception) -> ValueError:
    """One clear line for torch's long weights-only unpickling errors."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    detail = next((ln for ln in lines if 'global' in ln.lower()
                   or 'Can only build' in ln), None)
    if detail is None:  # not a pickle at all: garbage or truncated
        reason = next((ln for ln in lines if 'operand' in ln
                       or 'load key' in ln), lines[-1] if lines else '')
        return ValueError(f'cannot read checkpoint {filename}: not a '
                          f'PyTorch file, or corrupt ({reason[:200]})')
    return ValueError(
        f'refusing to load {filename}: it holds pickled objects other than '
        'tensors and plain containers, which could run code when unpickled '
        f'({detail}). Load only weights (a state dict) from files you did '
        'not write yourself.')


def _load_from_http(filename: str, map_location=None, model_dir=None,
                    progress: bool = False) -> Any:
    """MMEngine's http(s) loader (download once per node, rank 0 first),
    with ``weights_only=True``: torch.hub's default there is False."""
    import torch.distributed as dist
    from mmengine.dist import get_dist_info
    from torch.hub import load_state_dict_from_url

    def load():
        try:
            return load_state_dict_from_url(
                filename, model_dir=model_dir, map_location=map_location,
                progress=progress, weights_only=True)
        except pickle.UnpicklingError as e:
            raise _unpickling_error(filename, e) from None

    rank, world_size = get_dist_info()
    if rank == 0:
        checkpoint = load()
    if world_size > 1:
        dist.barrier()
        if rank > 0:
            checkpoint = load()
    return checkpoint


def _load_from_local(filename: str, map_location=None) -> Any:
    filename = osp.expanduser(filename)
    return load_checkpoint_safe(filename, map_location)


def register_safe_local_loader() -> None:
    """Make MMEngine load checkpoints with ``weights_only=True``: local
    paths, and http(s) URLs with the schemes built on them
    (``torchvision://``, ``open-mmlab://``, ``mmcls://``), whose loaders
    call ``mmengine.runner.checkpoint.load_from_http``."""
    import mmengine.runner.checkpoint as mmengine_checkpoint
    CheckpointLoader.register_scheme(prefixes='', force=True)(
        _load_from_local)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'), force=True)(_load_from_http)
    mmengine_checkpoint.load_from_http = _load_from_http


def to_plain(obj: Any) -> Any:
    """Replace HistoryBuffers and numpy values by plain containers."""
    if isinstance(obj, HistoryBuffer):
        log, count = obj.data
        return {
            _TAG: 'HistoryBuffer',
            'log': log.tolist(),
            'count': count.tolist(),
            'max_length': obj.max_length
        }
    if isinstance(obj, np.ndarray):
        return {_TAG: 'ndarray', 'data': obj.tolist(), 'dtype': str(obj.dtype)}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return type(obj)((k, to_plain(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)) and not hasattr(obj, '_fields'):
        return type(obj)(to_plain(v) for v in obj)
    return obj


def from_plain(obj: Any) -> Any:
    """Inverse of :func:`to_plain`."""
    if isinstance(obj, dict):
        kind = obj.get(_TAG)
        if kind == 'HistoryBuffer':
            buf = HistoryBuffer(max_length=obj['max_length'])
            for v, c in zip(obj['log'], obj['count']):
                buf.update(v, c)
            return buf
        if kind == 'ndarray':
            return np.asarray(obj['data'], dtype=obj['dtype'])
        return type(obj)((k, from_plain(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)) and not hasattr(obj, '_fields'):
        return type(obj)(from_plain(v) for v in obj)
    return obj


def load_state_dict_safe(filename: str, map_location: Any = 'cpu',
                         prefix: str = '') -> dict:
    """The weights of a checkpoint (its ``state_dict`` if it has one),
    loaded safely; keys starting with ``prefix`` only, prefix removed."""
    ckpt = load_checkpoint_safe(filename, map_location)
    if isinstance(ckpt, dict) and 'state_dict' in ckpt:
        ckpt = ckpt['state_dict']
    if not isinstance(ckpt, dict) or not all(
            isinstance(v, torch.Tensor) for v in ckpt.values()):
        raise ValueError(f'{filename} holds no state dict of tensors')
    if prefix:
        ckpt = {
            k[len(prefix):]: v
            for k, v in ckpt.items() if k.startswith(prefix)
        }
        if not ckpt:
            raise ValueError(f'{filename} has no weights under {prefix!r}')
    return ckpt
