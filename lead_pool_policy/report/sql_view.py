# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import tools
from odoo.tools import SQL


def create_report_view(report):
    """(Re)create the SQL view of the report model ``report`` (``_auto =
    False``) from its ``_query()``: its ``init()``."""
    tools.drop_view_if_exists(report.env.cr, report._table)
    report.env.cr.execute(
        SQL(
            "CREATE OR REPLACE VIEW %s AS (%s)",
            SQL.identifier(report._table),
            report._query(),
        )
    )
