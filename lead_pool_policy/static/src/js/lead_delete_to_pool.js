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

/**
 * Run ``deleteLeads`` (the controller's own delete, which opens its
 * confirmation) knowing whether the leads ``resIds`` (``name``: the lead's
 * name when there is one) would move to the pool: ``poolDeleteProps`` then
 * turns the confirmation into a move to the pool.
 */
async function withPoolDelete(controller, resIds, name, deleteLeads) {
    if (controller.props.resModel === LEAD_MODEL) {
        controller.leadPoolDelete = {
            count: await poolDeleteCount(controller.env, resIds),
            name,
        };
    }
    try {
        return await deleteLeads();
    } finally {
        controller.leadPoolDelete = null;
    }
}

function poolDeleteProps(controller, props) {
    const poolDelete = controller.leadPoolDelete;
    return poolDelete?.count
        ? poolDeleteDialogProps(controller.env, props, poolDelete.count, poolDelete.name)
        : props;
}

patch(FormController.prototype, {
    async deleteRecord() {
        const root = this.model.root;
        return withPoolDelete(
            this,
            [root.resId],
            root.data.display_name || root.data.name,
            () => super.deleteRecord(...arguments)
        );
    },

    get deleteConfirmationDialogProps() {
        const props = super.deleteConfirmationDialogProps;
        if (!this.leadPoolDelete?.count) {
            return props;
        }
        const root = this.model.root;
        return poolDeleteProps(this, {
            ...props,
            // The lead is not gone: the form stays on it, now in the pool
            // (Odoo's delete would show the next lead of the pager).
            confirm: async () => {
                await this.orm.unlink(LEAD_MODEL, [root.resId]);
                await root.load();
            },
        });
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
        const root = this.model.root;
        const resIds =
            this.props.resModel === LEAD_MODEL ? await root.getResIds(true) : [];
        const name = resIds.length === 1 ? root.selection[0]?.data.display_name : null;
        return withPoolDelete(this, resIds, name, () =>
            super.onDeleteSelectedRecords(...arguments)
        );
    },

    get deleteConfirmationDialogProps() {
        return poolDeleteProps(this, super.deleteConfirmationDialogProps);
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
