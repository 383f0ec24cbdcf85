/** @odoo-module **/
// Copyright 2026 lead_pool_policy contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Scores are points out of a fixed maximum ("64 / 100", "3 / 4"), not
// percentages: Odoo's progress bar with a constant maximum.

import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {
    ProgressBarField,
    progressBarField,
} from "@web/views/fields/progress_bar/progress_bar_field";

export class LeadPointsField extends ProgressBarField {
    static props = {
        ...ProgressBarField.props,
        maxPoints: {type: Number, optional: true},
    };
    static defaultProps = {maxPoints: 100};

    get isPercentage() {
        return false;
    }

    get maxValue() {
        return this.props.maxPoints;
    }
}

export const leadPointsField = {
    ...progressBarField,
    component: LeadPointsField,
    displayName: _t("Points"),
    supportedOptions: [
        {
            label: _t("Maximum"),
            name: "max",
            type: "number",
        },
    ],
    extractProps: (fieldInfo) => ({
        ...progressBarField.extractProps(fieldInfo),
        isEditable: false,
        maxPoints: fieldInfo.options.max || 100,
    }),
};

registry.category("fields").add("lead_points", leadPointsField);
