from . import test_bant
