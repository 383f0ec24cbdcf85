/** @odoo-module **/
// Copyright 2026 lead_pool_policy contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Lists the leads of the recycle preview under the form's unsaved pool
// policy: the values travel with the call, the form is not saved (saving
// would apply the policy).

import {Component, markup} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";

export class PoolPreviewButton extends Component {
    static template = "lead_pool_policy.PoolPreviewButton";
    static props = {...standardWidgetProps};

    setup() {
        this.action = useService("action");
        this.orm = useService("orm");
    }

    policyValues() {
        const values = {};
        for (const [name, value] of Object.entries(this.props.record.data)) {
            if (!name.startsWith("pool_") || name.startsWith("pool_preview")) {
                continue;
            }
            if (name === "pool_recycle_override_ids") {
                // The segments as edited, unsaved lines included.
                values[name] = value.records.map((line) => ({
                    sequence: line.data.sequence,
                    name: line.data.name,
                    domain: line.data.domain,
                    uncontacted_days: line.data.uncontacted_days,
                    unconverted_days: line.data.unconverted_days,
                    stale_days: line.data.stale_days,
                    exempt: line.data.exempt,
                }));
            } else if (value && value.currentIds) {
                values[name] = value.currentIds;
            } else if (typeof value === "boolean" || typeof value === "number") {
                values[name] = value;
            }
        }
        return values;
    }

    async onClick() {
        const record = this.props.record;
        // A saved team is called on its id; the settings (a new record) on
        // the model.
        const action = await this.orm.call(
            record.resModel,
            "action_pool_preview_leads",
            record.resId ? [[record.resId]] : [],
            {values: this.policyValues()}
        );
        if (action) {
            // A dialog shows the action's help as given: HTML, not text.
            if (action.help) {
                action.help = markup(action.help);
            }
            await this.action.doAction(action);
        }
    }
}

registry.category("view_widgets").add("pool_preview_button", {
    component: PoolPreviewButton,
});
