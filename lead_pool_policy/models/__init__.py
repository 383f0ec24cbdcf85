from . import crm_lead
from . import mail_activity
from . import res_company
from . import res_config_settings
