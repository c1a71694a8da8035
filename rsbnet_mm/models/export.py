"""Export one path of a supernet checkpoint to a static subnet checkpoint."""
import re
from typing import Dict, Tuple, Union

import torch

from ..space import Arch, SearchSpace
from .backbones import RSBNetSubNet, supernet_key
from .blocks import slice_state_dict

_CAND = re.compile(r'^(.*?)layers\.\d+\.candidates\.k\d+\.')


def find_supernet_prefix(state_dict: Dict[str, torch.Tensor]) -> str:
    """The key prefix of the supernet backbone (e.g. ``backbone.``)."""
    for k in state_dict:
        m = _CAND.match(k)
        if m:
            return m.group(1)
    raise ValueError('the checkpoint holds no RSBNetSuperNet weights (no '
                     "'layers.<i>.candidates.k<k>.' keys)")


def export_subnet_state(state_dict: Dict[str, torch.Tensor],
                        arch: Union[str, Arch],
                        search_space: Union[None, dict, SearchSpace] = None,
                        ) -> Tuple[Dict[str, torch.Tensor], str, Arch]:
    """Cut one path out of a supernet state dict.

    Returns the state dict with the supernet's weights replaced by the
    subnet's (same prefix; other keys, e.g. the head, kept), the prefix,
    and the parsed architecture.
    """
    space = SearchSpace.from_cfg(search_space)
    arch = space.parse(arch)
    prefix = find_supernet_prefix(state_dict)
    template = RSBNetSubNet(arch=arch, search_space=space,
                            init_cfg=None).state_dict()
    if prefix + 'head_conv.0.weight' not in state_dict:
        # a dense (segmentation / detection) supernet builds no 1x1 head
        template = {k: v for k, v in template.items()
                    if not k.startswith('head_conv.')}

    def key_map(key: str) -> str:
        return supernet_key(key, arch, prefix)

    missing = [key_map(k) for k in template if key_map(k) not in state_dict]
    if missing:
        raise ValueError(
            f'the checkpoint does not match the search space {space}: '
            f'missing {missing[:3]}{"..." if len(missing) > 3 else ""}')
    sub = slice_state_dict(state_dict, template, key_map)
    out = {k: v for k, v in state_dict.items() if not k.startswith(prefix)}
    out.update({prefix + k: v for k, v in sub.items()})
    return out, prefix, arch
