from . import test_bant
from . import test_followup
