from .backbones import RSBNetChoiceLayer, RSBNetSubNet, RSBNetSuperNet
from .blocks import ElasticBatchNorm2d, ElasticInvertedResidual, InvertedResidual
from .utils import find_supernet

__all__ = [
    'RSBNetSuperNet', 'RSBNetSubNet', 'RSBNetChoiceLayer',
    'InvertedResidual', 'ElasticInvertedResidual', 'ElasticBatchNorm2d',
    'find_supernet'
]
