/** @odoo-module **/
// Copyright 2026 lead_pool_policy contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// The lead temperature as a badge of its own colour set (not a tag colour):
// one widget for every view. A lead with no evidence at all (no BANT answer,
// no fit or engagement points) reads "Not scored" instead of Cold; won and
// lost leads show no temperature.

import {BadgeField, badgeField} from "@web/views/fields/badge/badge_field";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

const BANT_FIELDS = ["bant_budget", "bant_authority", "bant_need", "bant_timeline"];
const TEMPERATURE_ICONS = {
    hot: "fa-fire",
    warm: "fa-thermometer-half",
    cold: "fa-snowflake-o",
};

export class LeadTemperatureField extends BadgeField {
    static template = "lead_pool_policy.LeadTemperatureField";

    get temperature() {
        return this.props.record.data[this.props.name];
    }

    /** Won (probability 100) and lost (archived) leads are past scoring. */
    get isClosed() {
        const data = this.props.record.data;
        return data.active === false || data.probability >= 100;
    }

    /** Cold only because nothing is known about the lead yet. */
    get isUnscored() {
        const data = this.props.record.data;
        return (
            this.temperature === "cold" &&
            !data.fit_score &&
            !data.engagement_score &&
            BANT_FIELDS.every((fname) => !data[fname] || data[fname] === "unknown")
        );
    }

    get badgeClass() {
        if (this.isUnscored) {
            return "o_lead_temperature_unscored";
        }
        return `o_lead_temperature_${this.temperature}`;
    }

    get icon() {
        return this.isUnscored ? "fa-question-circle-o" : TEMPERATURE_ICONS[this.temperature];
    }

    get formattedValue() {
        return this.isUnscored ? _t("Not scored") : super.formattedValue;
    }

    get title() {
        return this.isUnscored
            ? _t("No BANT answer, fit or engagement points yet.")
            : _t("Lead temperature");
    }
}

/**
 * The minimal width of a list column of temperatures: the widest badge,
 * "Not scored" in the user's language, measured once (a fixed width would
 * cut it in Vietnamese, Odoo's default for selections cuts it in English).
 */
function temperatureColumnWidth() {
    if (!temperatureColumnWidth.width) {
        const badge = document.createElement("span");
        badge.className = "badge o_lead_temperature o_lead_temperature_hot";
        badge.style.position = "absolute";
        badge.style.visibility = "hidden";
        const icon = document.createElement("i");
        icon.className = "fa fa-question-circle-o me-1";
        badge.append(icon, _t("Not scored"));
        document.body.append(badge);
        // The badge and the cell's padding.
        temperatureColumnWidth.width = Math.ceil(badge.getBoundingClientRect().width) + 24;
        badge.remove();
    }
    return [temperatureColumnWidth.width];
}

export const leadTemperatureField = {
    ...badgeField,
    component: LeadTemperatureField,
    displayName: _t("Lead Temperature"),
    listViewWidth: temperatureColumnWidth,
    fieldDependencies: [
        {name: "active", type: "boolean"},
        {name: "probability", type: "float"},
        {name: "fit_score", type: "integer"},
        {name: "engagement_score", type: "integer"},
        ...BANT_FIELDS.map((name) => ({name, type: "selection"})),
    ],
};

registry.category("fields").add("lead_temperature", leadTemperatureField);
