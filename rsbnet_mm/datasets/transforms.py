"""Image loading that names the file it fails on."""
import io
from typing import Optional

import numpy as np
from mmengine import fileio

from rsbnet_mm.registry import TRANSFORMS


def _decode_with_pil(img_bytes: bytes, color_type: str) -> np.ndarray:
    """Decode like ``mmcv.imfrombytes`` (BGR for colour) without mmcv."""
    from PIL import Image
    with Image.open(io.BytesIO(img_bytes)) as img:
        img.load()  # decode now: truncated files fail here, not later
        if color_type == 'grayscale':
            return np.asarray(img.convert('L'))
        if color_type == 'unchanged':
            arr = np.asarray(img)
            if arr.ndim == 3 and arr.shape[2] in (3, 4):
                arr = arr[..., [2, 1, 0] + ([3] if arr.shape[2] == 4 else [])]
            return np.ascontiguousarray(arr)
        return np.ascontiguousarray(np.asarray(img.convert('RGB'))[..., ::-1])


@TRANSFORMS.register_module()
class LoadImageFromFileChecked:
    """Load an image like mmcv's ``LoadImageFromFile``, with clear errors.

    Same arguments and outputs as ``mmcv.transforms.LoadImageFromFile``
    (``img``, ``img_shape``, ``ori_shape``; BGR ``uint8`` for colour images),
    but a missing file raises ``FileNotFoundError`` and an undecodable one
    ``ValueError('cannot decode image <path>')`` instead of mmcv's bare
    ``AssertionError``. Decoding uses ``mmcv.imfrombytes`` when mmcv is
    installed, Pillow otherwise.

    In a pipeline: ``dict(type='rsbnet_mm.LoadImageFromFileChecked')``.

    Args:
        to_float32: Convert the image to ``float32``.
        color_type: ``'color'``, ``'grayscale'`` or ``'unchanged'``.
        imdecode_backend: mmcv decoding backend (``'cv2'``, ``'pillow'``,
            ...).
        ignore_empty: Return None (the dataset then picks another sample in
            training mode) instead of raising.
        backend_args: mmengine file backend arguments.
    """

    def __init__(self,
                 to_float32: bool = False,
                 color_type: str = 'color',
                 imdecode_backend: str = 'cv2',
                 ignore_empty: bool = False,
                 backend_args: Optional[dict] = None) -> None:
        if color_type not in ('color', 'grayscale', 'unchanged'):
            raise ValueError(
                "color_type must be 'color', 'grayscale' or 'unchanged', got "
                f'{color_type!r}')
        self.to_float32 = to_float32
        self.color_type = color_type
        self.imdecode_backend = imdecode_backend
        self.ignore_empty = ignore_empty
        self.backend_args = None if backend_args is None else dict(
            backend_args)

    def _decode(self, img_bytes: bytes) -> Optional[np.ndarray]:
        try:
            from mmcv.image import imfrombytes
        except ImportError:  # mmcv absent (or only partly installed)
            return _decode_with_pil(img_bytes, self.color_type)
        return imfrombytes(
            img_bytes, flag=self.color_type, backend=self.imdecode_backend)

    def transform(self, results: dict) -> Optional[dict]:
        """Read ``results['img_path']`` into ``results['img']``."""
        path = results['img_path']
        try:
            img_bytes = fileio.get(path, backend_args=self.backend_args)
        except FileNotFoundError as err:
            if self.ignore_empty:
                return None
            raise FileNotFoundError(f'image file not found: {path}') from err
        try:
            img = self._decode(img_bytes) if img_bytes else None
        except Exception as err:  # decoders raise many types on bad data
            if self.ignore_empty:
                return None
            raise ValueError(f'cannot decode image {path}') from err
        if img is None or img.size == 0:
            if self.ignore_empty:
                return None
            raise ValueError(f'cannot decode image {path}')
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __call__(self, results: dict) -> Optional[dict]:
        return self.transform(results)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(to_float32={self.to_float32}, '
                f"color_type='{self.color_type}', "
                f"imdecode_backend='{self.imdecode_backend}', "
                f'ignore_empty={self.ignore_empty}, '
                f'backend_args={self.backend_args})')
