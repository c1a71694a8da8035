from .checkpoint import (load_checkpoint_safe, load_state_dict_safe,
                         register_safe_local_loader)
from .upstream import (SYNC_BN_TYPES, backbone_out_channels, replace_syncbn,
                       swap_backbone, upstream_config)

__all__ = [
    'load_checkpoint_safe', 'load_state_dict_safe',
    'register_safe_local_loader', 'upstream_config', 'swap_backbone',
    'replace_syncbn', 'backbone_out_channels', 'SYNC_BN_TYPES'
]
