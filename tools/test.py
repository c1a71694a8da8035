"""Evaluate a checkpoint with any config.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--cfg-options ...]
        [--launcher ...]

The checkpoint is loaded with ``weights_only=True``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import (add_common_args, close_distributed,  # noqa
                     is_supernet_cfg, load_config, parse_common,
                     prepare_runner_cfg)


def parse_args():
    parser = argparse.ArgumentParser(description='Test a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='dump predictions to this pickle file')
    add_common_args(parser)
    return parse_common(parser)


def test_supernet_subnets(cfg) -> None:
    """A supernet is tested through its subnets: the largest, the smallest
    and fixed random ones, each after BN recalibration
    (``rsbnet_mm.SubnetTestLoop``, with the calibration settings of
    ``val_cfg``), unless ``test_cfg`` names a loop of its own."""
    if not is_supernet_cfg(cfg) or \
            (cfg.get('test_cfg') or {}).get('type'):
        return
    keys = ('calib_dataloader', 'calib_samples', 'num_random', 'seed',
            'full_width', 'fp16')
    val = cfg.get('val_cfg') or {}
    cfg.test_cfg = dict(type='rsbnet_mm.SubnetTestLoop',
                        **{k: v for k, v in val.items() if k in keys})


def main():
    args = parse_args()
    cfg = load_config(args)
    cfg.load_from = args.checkpoint
    test_supernet_subnets(cfg)
    if args.out:
        cfg.test_evaluator = [cfg.test_evaluator] if isinstance(
            cfg.test_evaluator, dict) else list(cfg.test_evaluator)
        cfg.test_evaluator.append(dict(type='DumpResults', out_file_path=args.out))
    runner = prepare_runner_cfg(cfg)
    metrics = runner.test()
    close_distributed()
    return metrics


if __name__ == '__main__':
    main()
