/** @odoo-module **/
// Copyright 2026 lead_pool_policy contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// The public pool's list and kanban: "Claim next best lead" in the control
// panel, and the current user's claim counters beside it.

import {onWillStart, onWillUpdateProps, useComponent, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {useService} from "@web/core/utils/hooks";
import {registry} from "@web/core/registry";
import {user} from "@web/core/user";
import {KanbanController} from "@web/views/kanban/kanban_controller";
import {kanbanView} from "@web/views/kanban/kanban_view";
import {ListController} from "@web/views/list/list_controller";
import {listView} from "@web/views/list/list_view";

/**
 * The claim counters of the current user (``crm.lead.get_pool_claim_status``)
 * under the policy of the pool being viewed (the team the view is opened or
 * filtered on, else the strictest of the user's teams), reloaded when the
 * search changes, and the "Claim next best lead" handler, for a pool view's
 * controller.
 */
export function usePoolClaim() {
    const component = useComponent();
    const orm = useService("orm");
    const action = useService("action");
    const status = useState({
        label: "",
        parts: [],
        title: "",
        limitReached: false,
        limitMessage: "",
        claimTitle: _t("Claim the best lead of the pool you may claim"),
        claiming: false,
    });

    async function loadStatus(props = component.props) {
        const result = await orm.call("crm.lead", "get_pool_claim_status", [], {
            domain: props.domain || [],
            context: {default_team_id: (props.context || {}).default_team_id},
        });
        status.label = result.label;
        status.parts = result.parts;
        status.title = result.title;
        status.limitReached = result.limit_reached;
        status.limitMessage = result.limit_message;
    }

    async function claimNext() {
        status.claiming = true;
        try {
            const result = await orm.call("crm.lead", "action_pool_claim_next", []);
            // The notification opens the claimed lead (its "next" action), or
            // reloads the pool when nothing could be claimed.
            await action.doAction(result);
        } finally {
            status.claiming = false;
        }
    }

    onWillStart(() => loadStatus());
    onWillUpdateProps((nextProps) => {
        if (JSON.stringify(nextProps.domain) !== JSON.stringify(component.props.domain)) {
            return loadStatus(nextProps);
        }
    });
    return {status, claimNext, loadStatus};
}

export class LeadPoolListController extends ListController {
    setup() {
        super.setup();
        this.poolClaim = usePoolClaim();
        onWillStart(async () => {
            this.isSalesManager = await user.hasGroup("sales_team.group_sale_manager");
        });
    }

    /** Odoo's import, whose leads land in the pool (sales managers). */
    importIntoPool() {
        this.actionService.doAction({
            type: "ir.actions.client",
            tag: "import",
            params: {
                active_model: "crm.lead",
                context: {...this.props.context, pool_import: true},
            },
        });
    }

    /** Only sales managers archive, duplicate or delete pool leads. */
    getStaticActionMenuItems() {
        const items = super.getStaticActionMenuItems(...arguments);
        if (!this.isSalesManager) {
            for (const key of ["archive", "unarchive", "duplicate", "delete"]) {
                delete items[key];
            }
        }
        return items;
    }
}

export class LeadPoolKanbanController extends KanbanController {
    static template = "lead_pool_policy.LeadPoolKanbanView";

    setup() {
        super.setup();
        this.poolClaim = usePoolClaim();
    }
}

registry.category("views").add("lead_pool_list", {
    ...listView,
    Controller: LeadPoolListController,
    buttonTemplate: "lead_pool_policy.LeadPoolListView.Buttons",
});

registry.category("views").add("lead_pool_kanban", {
    ...kanbanView,
    Controller: LeadPoolKanbanController,
    buttonTemplate: "lead_pool_policy.LeadPoolKanbanView.Buttons",
});
