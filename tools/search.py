"""Evolutionary search of a trained supernet (stage 3).

    python tools/search.py CONFIG --checkpoint SUPERNET.pth [--work-dir DIR]
        [--resume] [--cfg-options k=v ...] [--launcher pytorch]

CONFIG's ``train_cfg`` is an ``rsbnet_mm.EvoSearchLoop``. The supernet
weights are loaded with ``weights_only=True``. ``--resume`` continues the
search saved in the work dir (``search_state.json``). Distributed:
``torchrun --nproc_per_node=N tools/search.py ... --launcher pytorch``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import (add_common_args, close_distributed,  # noqa
                     load_config, parse_common, prepare_runner_cfg)


def parse_args():
    parser = argparse.ArgumentParser(description='Search a supernet')
    parser.add_argument('config', help='search config file path')
    parser.add_argument(
        '--checkpoint', required=True, help='the trained supernet')
    parser.add_argument(
        '--resume', action='store_true',
        help='continue the search saved in the work dir')
    add_common_args(parser)
    return parse_common(parser)


def main():
    args = parse_args()
    cfg = load_config(args)
    if 'EvoSearchLoop' not in str(cfg.get('train_cfg', {}).get('type', '')):
        raise ValueError(f'{args.config}: train_cfg must be an '
                         "rsbnet_mm.EvoSearchLoop, got "
                         f"{cfg.get('train_cfg')}")
    from rsbnet_mm.utils import load_checkpoint_safe
    load_checkpoint_safe(args.checkpoint)  # fail now, with a clear message
    cfg.load_from = args.checkpoint
    cfg.resume = False  # the runner loads weights; the loop resumes search
    cfg.train_cfg.resume = args.resume
    runner = prepare_runner_cfg(cfg)
    runner.train()
    close_distributed()


if __name__ == '__main__':
    main()
