/** @odoo-module **/
// Copyright 2026 lead_pool_policy contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// A pool lead's masked email and phone ("c***@…", "+32 *** ** 12") are text,
// not links: no mailto:, tel: or SMS button on a value nobody can reach. The
// lead's views use these widgets instead of email and phone
// (crm.lead._pool_mask_widgets); unmasked values are Odoo's own widgets.

import {registry} from "@web/core/registry";
import {emailField, formEmailField} from "@web/views/fields/email/email_field";
import {phoneField, formPhoneField} from "@web/views/fields/phone/phone_field";

const fieldRegistry = registry.category("fields");
const maskedDependency = [{name: "pool_contacts_masked", type: "boolean"}];

function maskable(FieldClass) {
    return class extends FieldClass {
        static template = "lead_pool_policy.MaskableContactField";

        get unmaskedTemplate() {
            return FieldClass.template;
        }
    };
}

for (const [name, descr, formDescr] of [
    ["lead_pool_email", emailField, formEmailField],
    ["lead_pool_phone", phoneField, formPhoneField],
]) {
    fieldRegistry.add(name, {
        ...descr,
        component: maskable(descr.component),
        fieldDependencies: maskedDependency,
    });
    fieldRegistry.add(`form.${name}`, {
        ...formDescr,
        component: maskable(formDescr.component),
        fieldDependencies: maskedDependency,
    });
}

