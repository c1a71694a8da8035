from .checkpoint import (load_checkpoint_safe, load_state_dict_safe,
                         register_safe_local_loader)

__all__ = [
    'load_checkpoint_safe', 'load_state_dict_safe',
    'register_safe_local_loader'
]
