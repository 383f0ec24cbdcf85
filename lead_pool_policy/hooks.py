# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def post_init_hook(env):
    """Give the companies that exist at install time the default settings
    that field defaults only give to new companies."""
    companies = env["res.company"].search([("contact_activity_type_ids", "=", False)])
    for company in companies:
        company.contact_activity_type_ids = company._default_contact_activity_type_ids()
    # Leads that exist before the install get their scores and source rates.
    env["utm.source"]._update_conversion_stats()
    env["crm.lead"]._rescore_all()
