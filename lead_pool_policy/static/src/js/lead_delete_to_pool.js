/** @odoo-module **/
// Copyright 2026 lead_pool_policy contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Deleting leads when delete-to-pool applies (a salesperson's delete under a
// policy that sends deleted leads to the public pool): the confirmation says
// where the leads go instead of Odoo's "It will be gone forever!", and a
// notification confirms it with a way to open the pool. Whether it applies
// is the server's answer (``crm.lead.get_pool_delete_to_pool``); otherwise
// Odoo's own dialog is shown. On pool leads, which only sales managers
// archive, duplicate or delete, the form's action menu offers none of these
// to others, nor Add Properties to those who may not edit the lead.

import {_t} from "@web/core/l10n/translation";
import {ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {patch} from "@web/core/utils/patch";
import {FormController} from "@web/views/form/form_controller";
import {KanbanController} from "@web/views/kanban/kanban_controller";
import {ListController} from "@web/views/list/list_controller";

const LEAD_MODEL = "crm.lead";
const POOL_ACTION = "lead_pool_policy.crm_lead_action_pool";

/**
 * How many of the leads ``resIds`` a delete would move to the public pool:
 * all of them, or none (the delete really deletes, or is refused).
 */
async function poolDeleteCount(env, resIds) {
    if (!resIds.length) {
        return 0;
    }
    const toPool = await env.services.orm.call(LEAD_MODEL, "get_pool_delete_to_pool", [
        resIds,
    ]);
    return toPool ? resIds.length : 0;
}

/**
 * The props of Odoo's delete confirmation ``props`` turned into a move to the
 * pool of ``count`` leads (``name``: the lead's name when there is one).
 */
function poolDeleteDialogProps(env, props, count, name) {
    return {
        ...props,
        title: _t("Move to the Public Pool"),
        body:
            count === 1
                ? _t(
                      "This lead is not deleted: it moves to the public pool, where any salesperson can claim it."
                  )
                : _t(
                      "These %(count)s leads are not deleted: they move to the public pool, where any salesperson can claim them.",
                      {count}
                  ),
        confirmLabel: _t("Move to Pool"),
        confirm: async () => {
            await props.confirm();
            notifyMovedToPool(env, count, name);
        },
    };
}

function notifyMovedToPool(env, count, name) {
    const message =
        count === 1 && name
            ? _t("%(lead)s moved to the public pool.", {lead: name})
            : _t("%(count)s leads moved to the public pool.", {count});
    const close = env.services.notification.add(message, {
        type: "success",
        buttons: [
            {
                name: _t("Open Public Pool"),
                primary: true,
                onClick: () => {
                    close();
                    env.services.action.doAction(POOL_ACTION);
                },
            },
        ],
    });
}

patch(FormController.prototype, {
    async deleteRecord() {
        const root = this.model.root;
        if (this.props.resModel === LEAD_MODEL) {
            this.leadPoolDelete = {
                count: await poolDeleteCount(this.env, [root.resId]),
                name: root.data.display_name || root.data.name,
            };
        }
        try {
            return await super.deleteRecord(...arguments);
        } finally {
            this.leadPoolDelete = null;
        }
    },

    get deleteConfirmationDialogProps() {
        const props = super.deleteConfirmationDialogProps;
        const poolDelete = this.leadPoolDelete;
        return poolDelete?.count
            ? poolDeleteDialogProps(this.env, props, poolDelete.count, poolDelete.name)
            : props;
    },

    getStaticActionMenuItems() {
        const items = super.getStaticActionMenuItems(...arguments);
        if (this.props.resModel === LEAD_MODEL) {
            const hideOn = {
                archive: "pool_locked",
                unarchive: "pool_locked",
                duplicate: "pool_locked",
                delete: "pool_locked",
                addPropertyFieldValue: "pool_readonly",
            };
            for (const [key, flag] of Object.entries(hideOn)) {
                const item = items[key];
                if (item) {
                    const isAvailable = item.isAvailable;
                    item.isAvailable = () =>
                        !this.model.root.data[flag] && (!isAvailable || isAvailable());
                }
            }
        }
        return items;
    },
});

patch(ListController.prototype, {
    async onDeleteSelectedRecords() {
        if (this.props.resModel === LEAD_MODEL) {
            const root = this.model.root;
            const resIds = await root.getResIds(true);
            this.leadPoolDelete = {
                count: await poolDeleteCount(this.env, resIds),
                name: resIds.length === 1 ? root.selection[0]?.data.display_name : null,
            };
        }
        try {
            return await super.onDeleteSelectedRecords(...arguments);
        } finally {
            this.leadPoolDelete = null;
        }
    },

    get deleteConfirmationDialogProps() {
        const props = super.deleteConfirmationDialogProps;
        const poolDelete = this.leadPoolDelete;
        return poolDelete?.count
            ? poolDeleteDialogProps(this.env, props, poolDelete.count, poolDelete.name)
            : props;
    },
});

patch(KanbanController.prototype, {
    async deleteRecord(record) {
        if (this.props.resModel === LEAD_MODEL) {
            const count = await poolDeleteCount(this.env, [record.resId]);
            if (count) {
                const props = {
                    confirm: () => this.model.root.deleteRecords([record]),
                    cancel: () => {},
                };
                this.dialog.add(
                    ConfirmationDialog,
                    poolDeleteDialogProps(
                        this.env,
                        props,
                        count,
                        record.data.display_name || record.data.name
                    )
                );
                return;
            }
        }
        return super.deleteRecord(...arguments);
    },
});
