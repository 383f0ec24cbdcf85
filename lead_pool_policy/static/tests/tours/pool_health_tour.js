/** @odoo-module **/
// Copyright 2026 lead_pool_policy contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// The manager's Pool Health: the report's graph, then its pivot, then the
// pool's figures on the team's dashboard card (run by
// tests/test_pool_health_tour.py).

import {registry} from "@web/core/registry";

const CARD = ".o_kanban_record:contains('Pool Health Tour Team')";

registry.category("web_tour.tours").add("lead_pool_policy_manager_pool_health", {
    url: "/odoo/crm",
    steps: () => [
        {
            content: "Open the reports",
            trigger: ".o_main_navbar [data-menu-xmlid='crm.crm_menu_report']",
            run: "click",
        },
        {
            content: "Pool Health gathers the pool's reports",
            trigger: ".dropdown-header:contains('Pool Health')",
        },
        {
            content: "Open the pool's entries and exits",
            trigger: "a[data-menu-xmlid='lead_pool_policy.crm_lead_pool_health_flow_menu']",
            run: "click",
        },
        {
            content: "The report opens on its graph",
            trigger: ".o_breadcrumb .active:contains('Pool Entries and Exits')",
        },
        {
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            content: "Switch to the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot gives entries by reason",
            trigger: ".o_pivot th:contains('Entered the Pool')",
        },
        {
            trigger: ".o_pivot th:contains('Not contacted in time')",
        },
        {
            content: "and exits by how the leads left",
            trigger: ".o_pivot th:contains('Left the Pool')",
        },
        {
            trigger: ".o_pivot th:contains('Claimed')",
        },
        {
            content: "Open the sales teams",
            trigger: ".o_main_navbar [data-menu-xmlid='crm.crm_menu_sales']",
            run: "click",
        },
        {
            trigger: "a[data-menu-xmlid='crm.sales_team_menu_team_pipeline']",
            run: "click",
        },
        {
            content: "The team's card shows its pool",
            trigger: `${CARD} a[name=action_open_pool_leads]:contains('Leads in the Pool') > span:contains('2')`,
        },
        {
            content: "the leads due for recycling within 7 days",
            trigger: `${CARD} a[name=action_open_pool_due_soon_leads]:contains('Leads Due for Recycling') > span:contains('2')`,
        },
        {
            content: "and today's claims",
            trigger: `${CARD} a[name=action_open_pool_claims_today]:contains('Lead Claimed Today') > span:contains('1')`,
        },
        {
            content: "Open the team's pool",
            trigger: `${CARD} a[name=action_open_pool_leads]`,
            run: "click",
        },
        {
            content: "It lists the team's pool leads",
            trigger: ".o_breadcrumb .active:contains('Pool Health Tour Team: Public Pool')",
        },
        {
            trigger: ".o_list_view:has(.o_data_row:contains('Tour Health Pool A')):has(.o_data_row:contains('Tour Health Pool B'))",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour Health Claimed')))",
        },
    ],
});
