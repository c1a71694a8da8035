"""Hooks of the plugin."""
from mmengine.hooks import Hook

from ..registry import HOOKS
from ..utils.checkpoint import from_plain, to_plain


@HOOKS.register_module()
class SafeCheckpointHook(Hook):
    """Write checkpoints that ``torch.load(weights_only=True)`` accepts.

    MMEngine stores ``HistoryBuffer`` objects and numpy values in a
    checkpoint's ``message_hub`` and ``meta``; torch >= 2.6 refuses to load
    them safely, which breaks ``--resume``. This hook stores them as plain
    lists and dicts and rebuilds them when a checkpoint is loaded, so safe
    loading stays on. ``tools/train.py`` adds it to every run.
    """
    priority = 'VERY_LOW'  # after every hook that adds to the checkpoint

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in ('message_hub', 'meta'):
            if key in checkpoint:
                checkpoint[key] = to_plain(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in ('message_hub', 'meta'):
            if key in checkpoint:
                checkpoint[key] = from_plain(checkpoint[key])
