"""rsbnet_mm: one-shot NAS of remote-sensing backbones as an OpenMMLab plugin."""
import os.path as osp

from setuptools import find_packages, setup


def parse_requirements(path: str) -> list:
    """Read a requirements file, following ``-r`` includes, skipping comments."""
    reqs = []
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('-r'):
                reqs += parse_requirements(
                    osp.join(osp.dirname(path), line[2:].strip()))
            else:
                reqs.append(line)
    return reqs


here = osp.dirname(osp.abspath(__file__))
version = {}
with open(osp.join(here, 'rsbnet_mm', 'version.py')) as f:
    exec(f.read(), version)

setup(
    name='rsbnet_mm',
    version=version['__version__'],
    description='RSBNet: one-shot neural architecture search of backbones '
    'for remote-sensing image recognition, as an OpenMMLab plugin',
    long_description=open(osp.join(here, 'README.md')).read()
    if osp.exists(osp.join(here, 'README.md')) else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['rsbnet_mm', 'rsbnet_mm.*']),
    include_package_data=True,
    package_data={'rsbnet_mm': ['data/*.yaml']},
    python_requires='>=3.8',
    # mmcv must be compiled against the installed torch: tools/install.sh does it
    install_requires=['mmcv>=2.0.0,<2.2.0'] +
    parse_requirements(osp.join(here, 'requirements', 'runtime.txt')),
    extras_require={
        'tests': parse_requirements(
            osp.join(here, 'requirements', 'tests.txt'))
    },
    license='Apache License 2.0',
    zip_safe=False)
