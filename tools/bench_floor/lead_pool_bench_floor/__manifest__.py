# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Lead Pool Policy: Benchmark Floor",
    "summary": "The contention benchmark's floor: a bare claim. Benchmarks only.",
    "version": "18.0.1.0.0",
    "license": "LGPL-3",
    "author": "lead_pool_policy contributors",
    "depends": ["lead_pool_policy"],
    "installable": True,
}
