"""pytest configuration shared by the addon's and Odoo's crm tests.

``./dev test`` passes ``--odoo-extra=test-enable`` so that Odoo knows it runs
tests while pytest-odoo imports its test framework and collects the test
modules (Odoo logs an error when that framework is imported outside test
mode). The registry itself must then load outside test mode, as pytest-odoo
expects; it switches test mode on again around each test module.

pytest loads this file for the targets below it; ``./dev test`` passes it as
a plugin (``-p conftest``) when it runs Odoo's crm tests alone.
"""

import odoo


def pytest_collection_finish(session):
    odoo.tools.config["test_enable"] = False
