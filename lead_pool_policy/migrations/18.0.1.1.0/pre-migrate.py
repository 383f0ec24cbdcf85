# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0: the pool's order has a column of its own (``pool_rank``, see
models/crm_lead_pool_rank.py). Created here, before the ORM finds the field
and computes it lead by lead, and filled for the pool leads in one
statement (the others have none)."""

from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if not version or column_exists(cr, "crm_lead", "pool_rank"):
        return
    create_column(cr, "crm_lead", "pool_rank", "numeric")
    cr.execute("UPDATE crm_lead SET pool_rank = priority_score WHERE in_pool")
