from . import crm_lead_contact_log
from . import crm_lead_pool_assign
from . import crm_lead_pool_return
from . import crm_lead_scoring_learn
from . import crm_lead_pool_move
