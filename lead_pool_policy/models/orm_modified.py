# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``modified`` for a write that leaves some dependent fields as they are.

A pool move writes owner, stage and bookkeeping in one UPDATE, then tells the
ORM what changed. ``records.modified(fnames)`` marks for recomputation every
field that depends on them, transitively: crm's team and company of a lead
depend on its owner, so the move would also recompute whatever depends on
the team or the company (the lead's properties, each engagement's company,
...), although the move keeps both (crm's own rules keep them when a lead
loses its salesperson). ``modified_except`` is Odoo's ``modified`` (after
the write) whose traversal stops at those unchanged fields of the records
written: their own dependents are not recomputed through them. A field that
also depends on a changed field directly is still recomputed.
"""

import itertools

from odoo.modules.registry import TriggerTree
from odoo.tools import OrderedSet


def _trigger_tree(records, fields, unchanged):
    """The trigger tree of ``fields`` (see ``Registry.get_field_trigger_tree``)
    without what is reached only through ``unchanged`` fields of ``records``
    themselves (an empty path)."""
    triggers = records.pool._field_triggers

    def transitive(field, prefix, seen):
        if field in seen or field not in triggers:
            return
        for path, targets in triggers[field].items():
            full_path = prefix + path
            if not full_path:
                targets = [target for target in targets if target not in unchanged]
            yield full_path, targets
            for target in targets:
                yield from transitive(target, full_path, (*seen, field))

    tree = TriggerTree()
    for field in fields:
        for path, targets in transitive(field, (), ()):
            current = tree
            for label in path:
                current = current.increase(label)
            if current.root:
                current.root.update(targets)
            else:
                current.root = OrderedSet(targets)
    return tree


def modified_except(records, fnames, unchanged):
    """Mark for recomputation what depends on ``fnames`` of ``records``
    (written already), except through their ``unchanged`` fields, which
    keep their values (callers protect them, see ``Environment.protecting``).
    """
    if not unchanged:
        # Nothing to stop at: Odoo's own, with its cached trigger trees.
        records.modified(fnames)
        return
    if not records or not fnames:
        return
    env, cache = records.env, records.env.cache
    fields = [records._fields[fname] for fname in fnames]
    stop = {records._fields[fname] for fname in unchanged}

    def select(field):
        return (field.compute and field.store) or cache.contains_field(field)

    tree = TriggerTree.merge([_trigger_tree(records, fields, stop)], select)
    if not tree:
        return
    records = records.sudo().with_context(active_test=False)
    tomark = env.transaction.tocompute
    todo = [records._modified_triggers(tree)]
    # As ``BaseModel.modified`` after a write.
    for field, targets, create in itertools.chain.from_iterable(todo):
        targets -= env.protected(field)
        if not targets:
            continue
        if field.recursive:
            if field.compute and field.store:
                ids = tomark.get(field) or set()
                targets = targets.browse(i for i in targets._ids if i not in ids)
            else:
                targets = targets & cache.get_records(targets, field, all_contexts=True)
            if not targets:
                continue
            todo.append(targets._modified([field], create))
        if field.compute and field.store:
            tomark[field].update(targets._ids)
        else:
            cache.invalidate([(field, targets._ids)])
