from . import crm_lead_engagement_type
from . import crm_lead_engagement
from . import crm_lead_scoring_rule
from . import crm_lead
from . import mail_activity
from . import res_company
from . import res_config_settings
from . import utm_source
