/** @odoo-module **/
// Copyright 2026 lead_pool_policy contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// The rep's day and the manager's view of the public pool (run by
// tests/test_tours.py).

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("lead_pool_policy_rep_claim", {
    url: "/odoo/action-lead_pool_policy.crm_lead_action_pool",
    steps: () => [
        {
            content: "The rep sees their claim counters in the pool",
            trigger: ".o_lead_pool_claim_status:contains('Claimed today 0 / 5')",
        },
        {
            content: "The pool lists the tour's leads, best first",
            trigger: ".o_data_row:first:contains('Tour Hot Lead')",
        },
        {
            content: "Claim the next best lead",
            trigger: "button.o_lead_pool_claim_next",
            run: "click",
        },
        {
            content: "The toast tells whose lead it is now",
            trigger: ".o_notification:contains('Tour Hot Lead is yours: first call due today.')",
        },
        {
            content: "The claimed lead opens",
            trigger: ".o_breadcrumb .active:contains('Tour Hot Lead')",
        },
        {
            content: "It is no longer in the pool: no ribbon, no Claim",
            trigger: ".o_form_view:not(:has(.ribbon)):not(:has(button[name=action_pool_claim]))",
        },
        {
            content: "Open the rep's leads",
            trigger: ".o_main_navbar [data-menu-xmlid='crm.crm_menu_leads']",
            run: "click",
        },
        {
            content: "The claimed lead is in the rep's pipeline",
            trigger: ".o_data_row .o_data_cell[name=name]:contains('Tour Hot Lead')",
            run: "click",
        },
        {
            content: "Log a contact",
            trigger: ".o_form_view button[name=action_log_contact]",
            run: "click",
        },
        {
            content: "Say what was said",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Called: they want a demo next week.",
        },
        {
            content: "Log it",
            trigger: ".modal button[name=action_log_contact]",
            run: "click",
        },
        {
            content: "The contact attempt is in the chatter",
            trigger: ".o-mail-Message:contains('Contact attempt: Call, reached')",
        },
    ],
});

registry.category("web_tour.tours").add("lead_pool_policy_manager_assign", {
    url: "/odoo/action-lead_pool_policy.crm_lead_action_pool",
    steps: () => [
        {
            content: "Select the first pool lead",
            trigger: ".o_data_row:contains('Tour Pool A') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Select the second pool lead",
            trigger: ".o_data_row:contains('Tour Pool B') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Assign them",
            trigger: ".o_control_panel button[name=action_pool_assign]",
            run: "click",
        },
        {
            content: "Choose the salesperson",
            trigger: ".modal .o_field_widget[name=user_id] input",
            run: "edit Tour Rep",
        },
        {
            trigger: ".ui-menu-item a:contains('Tour Rep')",
            run: "click",
        },
        {
            content: "Their limits are shown",
            trigger: ".modal .o_field_widget[name=claimed_today]",
        },
        {
            content: "Assign",
            trigger: ".modal button[name=action_assign]",
            run: "click",
        },
        {
            content: "The toast says who got what",
            trigger: ".o_notification:contains('Assigned 2 leads to Tour Rep.')",
        },
        {
            content: "They left the pool",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour Pool A')))",
        },
        {
            content: "Open the reports",
            trigger: ".o_main_navbar [data-menu-xmlid='crm.crm_menu_report']",
            run: "click",
        },
        {
            content: "Open Pool History",
            trigger: "a[data-menu-xmlid='lead_pool_policy.crm_lead_pool_log_menu']",
            run: "click",
        },
        {
            content: "Its graph shows the weeks",
            trigger: ".o_graph_view canvas",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Both assignments are recorded",
            trigger: ".o_data_row:contains('Tour Pool A'):contains('Assigned')",
        },
        {
            trigger: ".o_data_row:contains('Tour Pool B'):contains('Assigned')",
        },
    ],
});

registry.category("web_tour.tours").add("lead_pool_policy_rep_delete", {
    url: "/odoo/action-crm.crm_lead_all_leads",
    steps: () => [
        {
            content: "Open the rep's own lead",
            trigger: ".o_data_row .o_data_cell[name=name]:contains('Tour Own Lead')",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Tour Own Lead')",
        },
        {
            content: "Open the action menu",
            trigger: ".o_cp_action_menus .dropdown-toggle",
            run: "click",
        },
        {
            content: "Delete the lead",
            trigger: ".o-dropdown-item:contains('Delete')",
            run: "click",
        },
        {
            content: "The dialog says where the lead goes",
            trigger: ".modal .modal-title:contains('Move to the Public Pool')",
        },
        {
            trigger: ".modal .modal-body:contains('it moves to the public pool')",
        },
        {
            content: "Move it",
            trigger: ".modal .modal-footer button:contains('Move to Pool')",
            run: "click",
        },
        {
            content: "The form stays on the lead, now in the pool",
            trigger: ".o_form_view .ribbon:contains('In Pool')",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Tour Own Lead')",
        },
        {
            content: "The notification confirms it and opens the pool",
            trigger: ".o_notification:contains('Tour Own Lead moved to the public pool.') button:contains('Open Public Pool')",
            run: "click",
        },
        {
            content: "The lead is in the pool",
            trigger: ".o_lead_pool_list_view .o_data_row .o_data_cell[name=name]:contains('Tour Own Lead')",
            run: "click",
        },
        {
            content: "Its form is read-only to the rep, but Claim",
            trigger: ".o_form_view .o_field_widget[name=name].o_readonly_modifier",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=email_from].o_readonly_modifier",
        },
        {
            trigger: ".o_form_view button[name=action_pool_claim]:enabled",
        },
        {
            content: "Nobody but a manager deletes a pool lead: no Delete in the action menu",
            trigger: ".o_cp_action_menus .dropdown-toggle",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu:not(:has(.o-dropdown-item:contains('Delete')))",
        },
    ],
});

registry.category("web_tour.tours").add("lead_pool_policy_rep_claim_phone", {
    url: "/odoo/action-lead_pool_policy.crm_lead_action_pool",
    steps: () => [
        {
            content: "On a phone the pool opens on its cards",
            trigger: ".o_kanban_view .o_kanban_record:contains('Tour Phone Lead')",
        },
        {
            content: "Claim next best lead is in sight, not in a menu",
            trigger: ".o_control_panel button.o_lead_pool_claim_next:not(.dropdown-item)",
        },
        {
            content: "So are the rep's claim counters",
            trigger: ".o_control_panel .o_lead_pool_claim_status:contains('Claimed today 0 / 5')",
        },
        {
            content: "Open the lead",
            trigger: ".o_kanban_record:contains('Tour Phone Lead') .fs-5",
            run: "click",
        },
        {
            content: "Claim is a button on the lead, not in the ⚙ menu",
            trigger: ".o_form_view .o_lead_pool_claim_phone button[name=action_pool_claim]",
            run: "click",
        },
        {
            content: "The toast tells whose lead it is now",
            trigger: ".o_notification:contains('Tour Phone Lead is yours')",
        },
        {
            content: "It is no longer in the pool",
            trigger: ".o_form_view:not(:has(.ribbon)):not(:has(.o_lead_pool_claim_phone button))",
        },
    ],
});
