from . import test_bant
from . import test_followup
from . import test_scoring
