import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED_DATA = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'data'))
sys.path.insert(0, HERE)  # tests/toy.py
