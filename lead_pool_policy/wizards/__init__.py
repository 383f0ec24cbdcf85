from . import crm_lead_contact_log
