"""Export one architecture of a supernet checkpoint as a static RSBNetSubNet.

    python tools/export_subnet.py SUPERNET.pth ARCH -o OUT.pth [--config CFG]

ARCH is the canonical text (``k3e6-k5e2.5-...``) or a YAML/JSON file such as
the ``best_arch.yaml`` a search writes. ``--config`` (the supernet's config)
is needed when the supernet's backbone uses a non-default ``search_space``.
Prints the backbone config that loads the exported weights.
"""
import argparse
import os.path as osp
import pprint
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('checkpoint', help='supernet checkpoint')
    parser.add_argument('arch', help='architecture text or YAML/JSON file')
    parser.add_argument('-o', '--out', required=True, help='output .pth')
    parser.add_argument('--config', help='the supernet config')
    args = parser.parse_args()

    import torch
    from mmengine.config import Config

    from rsbnet_mm.models.export import export_subnet_state
    from rsbnet_mm.utils import load_state_dict_safe

    space = None
    backbone = {}
    if args.config:
        backbone = Config.fromfile(args.config).model.get('backbone', {})
        space = backbone.get('search_space')
    state = load_state_dict_safe(args.checkpoint)
    state, prefix, arch = export_subnet_state(state, args.arch, space)
    torch.save(dict(state_dict=state, meta=dict(arch=str(arch))), args.out)
    snippet = dict(
        type='rsbnet_mm.RSBNetSubNet',
        arch=str(arch),
        init_cfg=dict(
            type='Pretrained',
            checkpoint=osp.abspath(args.out),
            prefix=prefix))
    if space is not None:
        snippet['search_space'] = space
    for key in ('out_indices', 'output_stride'):
        if key in backbone:
            snippet[key] = backbone[key]
    print(f'wrote {args.out}: {len(state)} tensors, architecture {arch}')
    print('backbone config (any OpenMMLab config, with custom_imports='
          "dict(imports=['rsbnet_mm'], allow_failed_imports=False)):")
    print('backbone = ' + pprint.pformat(snippet, sort_dicts=False))


if __name__ == '__main__':
    main()
