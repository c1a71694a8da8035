"""The plugin's registries resolve from mmpretrain, mmseg and mmdet scopes."""
import pytest
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.runner import BaseLoop

import rsbnet_mm  # noqa: F401
from rsbnet_mm.registry import HOOKS, LOOPS, MODELS


@MODELS.register_module(force=True)
class ToyPluginModule(nn.Module):

    def __init__(self, width=3):
        super().__init__()
        self.width = width


@LOOPS.register_module(force=True)
class ToyPluginLoop(BaseLoop):

    def run(self):
        return 'ran'


@HOOKS.register_module(force=True)
class ToyPluginHook(Hook):
    pass


@pytest.mark.parametrize('scope', ['mmpretrain', 'mmseg', 'mmdet'])
def test_plugin_types_resolve_from_each_scope(scope):
    import importlib
    reg = importlib.import_module(f'{scope}.registry')
    with DefaultScope.overwrite_default_scope(scope):
        init_default_scope(scope)
        m = reg.MODELS.build(dict(type='rsbnet_mm.ToyPluginModule', width=5))
        assert isinstance(m, ToyPluginModule) and m.width == 5
        net = reg.MODELS.build(dict(type='rsbnet_mm.RSBNetSuperNet'))
        assert type(net).__name__ == 'RSBNetSuperNet'
        assert reg.LOOPS.get('rsbnet_mm.ToyPluginLoop') is ToyPluginLoop
        assert reg.LOOPS.get('rsbnet_mm.EnsembleSinglePathLoop') is not None
        assert reg.HOOKS.get('rsbnet_mm.ToyPluginHook') is ToyPluginHook
        assert reg.HOOKS.get('rsbnet_mm.SafeCheckpointHook') is not None
        # the scope's own types still resolve
        assert reg.MODELS.get('ResNet') is not None


def test_unknown_type_is_reported():
    from mmpretrain.registry import MODELS as PRETRAIN_MODELS
    with pytest.raises(KeyError, match='NoSuchNet'):
        PRETRAIN_MODELS.build(dict(type='rsbnet_mm.NoSuchNet'))
