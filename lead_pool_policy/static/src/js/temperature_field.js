/** @odoo-module **/
// Copyright 2026 lead_pool_policy contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// The lead temperature as a coloured badge: one widget for every view.

import {BadgeField, badgeField} from "@web/views/fields/badge/badge_field";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

const TEMPERATURE_CLASSES = {
    hot: "text-bg-danger",
    warm: "text-bg-warning",
    cold: "text-bg-info",
};

export class LeadTemperatureField extends BadgeField {
    get classFromDecoration() {
        return TEMPERATURE_CLASSES[this.props.record.data[this.props.name]] || "";
    }
}

registry.category("fields").add("lead_temperature", {
    ...badgeField,
    component: LeadTemperatureField,
    displayName: _t("Lead Temperature"),
});
