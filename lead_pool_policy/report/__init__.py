from . import crm_lead_score_calibration
