from . import test_bant
from . import test_followup
from . import test_scoring
from . import test_multicompany
from . import test_pool
from . import test_pool_claim
from . import test_pool_concurrency
from . import test_security
