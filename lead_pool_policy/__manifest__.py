# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Lead Pool Policy",
    "summary": "BANT qualification, lead scoring, follow-up discipline "
    "and a public lead pool with recycle and claim policies",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/lead-pool-policy/lead_pool_policy",
    "author": "lead_pool_policy contributors",
    "license": "LGPL-3",
    "application": False,
    "installable": True,
    "depends": ["crm"],
    "data": [
        "security/ir.model.access.csv",
        "security/lead_pool_policy_security.xml",
        "data/crm_stage_data.xml",
        "data/crm_lead_pool_return_reason_data.xml",
        "data/crm_tag_data.xml",
        "data/crm_lead_engagement_type_data.xml",
        "data/crm_lead_scoring_rule_data.xml",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "views/crm_lead_scoring_rule_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_lead_pool_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/crm_lead_contact_log_views.xml",
    ],
    "post_init_hook": "post_init_hook",
    "demo": [
        "demo/crm_lead_demo.xml",
        "demo/crm_lead_pool_demo.xml",
    ],
}
