/** @odoo-module **/
// Copyright 2026 lead_pool_policy contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// A lead's contact counter moves when one of its calls is marked done in the
// chatter: the form shows the new count at once, as Odoo's chatter does after
// scheduling an activity, instead of "1 / 6" beside a follow-up titled
// "attempt 3 of 6".

import {Chatter} from "@mail/chatter/web_portal/chatter";
import {patch} from "@web/core/utils/patch";

patch(Chatter.prototype, {
    onActivityChanged(thread) {
        super.onActivityChanged(thread);
        if (thread?.model === "crm.lead") {
            this.reloadParentView();
        }
    },
});
