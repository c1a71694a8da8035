from typing import Optional

import torch.nn as nn
from mmengine.model import is_model_wrapper


def find_supernet(model: nn.Module, required: bool = True
                  ) -> Optional[nn.Module]:
    """The :class:`RSBNetSuperNet` inside a (wrapped) model."""
    from .backbones import RSBNetSuperNet
    if is_model_wrapper(model):
        model = model.module
    for m in model.modules():
        if isinstance(m, RSBNetSuperNet):
            return m
    if required:
        raise ValueError(
            f'{type(model).__name__} holds no RSBNetSuperNet: set its '
            "backbone to dict(type='rsbnet_mm.RSBNetSuperNet', ...)")
    return None
