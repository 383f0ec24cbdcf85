from . import crm_lead_score_calibration
from . import crm_lead_pool_health_flow
from . import crm_lead_pool_health_due
from . import crm_lead_pool_health_claim
